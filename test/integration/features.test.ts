// The extension's features, driven through VS Code's own commands in a real extension host on
// the fixture workspace (corpus/ with the four seed records + review.md). Files this suite
// creates in the workspace are removed again in `after`.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { assertOnlyCardCommands } from './helpers';

const EXTENSION_ID = 'corpus-cite.corpus-cite';

/** The parts of the extension's API (activate's return value) these tests use. */
interface WorkLike {
  id: string;
  title?: string;
  DOI?: string;
  'citation-label': string;
  'x-corpus': { kind: 'record' | 'cited'; sources: { file: string; relation: string }[]; citedBy: string[] };
}
interface TreeNodeLike {
  type: 'group' | 'work' | 'detail' | 'relation' | 'shelf';
  id: string;
  label?: string;
  work?: WorkLike;
}
type Grouping = 'file' | 'year' | 'author' | 'journal' | 'keyword' | 'cited';
interface Api {
  whenIndexed(): Promise<void>;
  onDidChange: vscode.Event<void>;
  readonly works: readonly WorkLike[];
  readonly state: string;
  readonly parseStats: { worker: number; inProcess: number };
  readonly indexCacheFile: string | undefined;
  tree: {
    getChildren(node?: TreeNodeLike): TreeNodeLike[];
    getTreeItem(node: TreeNodeLike): vscode.TreeItem;
    getParent(node: TreeNodeLike): TreeNodeLike | undefined;
    setGrouping(g: Grouping): void;
    setFilter(text: string | undefined): void;
    whenReady(): Promise<void>;
    readonly grouping: Grouping;
  };
  treeView: vscode.TreeView<TreeNodeLike>;
}

let api: Api;
let root: string;
let review: vscode.TextDocument;
let originalReview: string;
const created: string[] = [];

function labelOf(item: vscode.TreeItem | vscode.CompletionItem): string {
  const l = item.label;
  if (typeof l === 'string') return l;
  return l ? l.label : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `fn` returns a truthy value (the corpus reports changes asynchronously). */
async function waitFor<T>(what: string, fn: () => T | undefined | false | null, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits for the next rebuild of the corpus after `action`, then until `check` holds. */
async function afterReindex<T>(what: string, action: () => unknown, check: () => T | undefined | false | null): Promise<T> {
  let changes = 0;
  const sub = api.onDidChange(() => changes++);
  try {
    await action();
    await waitFor(`a re-index (${what})`, () => changes > 0);
    const v = await waitFor(what, () => check());
    await api.whenIndexed();
    return v;
  } finally {
    sub.dispose();
  }
}

function work(id: string): WorkLike {
  const w = api.works.find((x) => x.id === id);
  assert.ok(w, `no work ${id} in the corpus (${api.works.map((x) => x.id).join(', ')})`);
  return w;
}

function writeCorpusFile(name: string, content: string): string {
  const file = path.join(root, 'corpus', name);
  fs.writeFileSync(file, content);
  if (!created.includes(file)) created.push(file);
  return file;
}

function cslItem(id: string, title: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify([{ id, type: 'article-journal', title, author: [{ family: 'Zanzibar', given: 'Quill' }], issued: { 'date-parts': [[1999]] }, ...extra }], null, 2);
}

/** Puts `text` on review.md's last line (in memory) and returns the position at its end. */
async function setLastLine(text: string): Promise<vscode.Position> {
  const last = review.lineCount - 1;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(review.uri, review.lineAt(last).range, text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'edit of review.md failed');
  return new vscode.Position(last, text.length);
}

/** Completion items of our provider (labelled like `Voronka 2019`) at the end of `text`. */
async function complete(text: string, triggerCharacter?: string): Promise<{ list: vscode.CompletionList; ours: vscode.CompletionItem[]; position: vscode.Position }> {
  const position = await setLastLine(text);
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', review.uri, position, triggerCharacter);
  const labels = new Set(api.works.map((w) => w['citation-label']));
  const ours = list.items.filter((i) => labels.has(labelOf(i)));
  ours.sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
  return { list, ours, position };
}

function insertText(item: vscode.CompletionItem): string {
  const t = item.insertText;
  return typeof t === 'string' ? t : (t?.value ?? labelOf(item));
}

function rangeOf(item: vscode.CompletionItem): vscode.Range {
  const r = item.range;
  assert.ok(r, 'completion item has no range');
  return r instanceof vscode.Range ? r : r.replacing;
}

/** The text a completion item leaves in the line. */
function applied(line: string, item: vscode.CompletionItem): string {
  const r = rangeOf(item);
  return line.slice(0, r.start.character) + insertText(item) + line.slice(r.end.character);
}

async function withStyle<T>(style: string, fn: () => Promise<T>): Promise<T> {
  await vscode.workspace.getConfiguration('corpusCite').update('citationStyle', style, vscode.ConfigurationTarget.Workspace);
  try {
    return await fn();
  } finally {
    await vscode.workspace.getConfiguration('corpusCite').update('citationStyle', undefined, vscode.ConfigurationTarget.Workspace);
  }
}

/**
 * The first item for `text`, once its inserted text matches `expected`: the setting reaches the
 * extension host through an event a moment after `update` resolves, so retry briefly.
 */
async function firstItemMatching(text: string, expected: RegExp): Promise<vscode.CompletionItem> {
  let last = '';
  const end = Date.now() + 10_000;
  for (;;) {
    const { ours } = await complete(text);
    assert.ok(ours.length > 0, `no items for ${JSON.stringify(text)}`);
    last = insertText(ours[0]);
    if (expected.test(last)) return ours[0];
    if (Date.now() > end) assert.fail(`${JSON.stringify(text)} inserts ${JSON.stringify(last)}, expected ${expected}`);
    await sleep(100);
  }
}

function hoverText(hovers: vscode.Hover[]): { value: string; md: vscode.MarkdownString[] } {
  const md: vscode.MarkdownString[] = [];
  for (const h of hovers) for (const c of h.contents) if (c instanceof vscode.MarkdownString) md.push(c);
  return { value: md.map((m) => m.value).join('\n\n'), md };
}

async function hoverAt(position: vscode.Position, doc = review): Promise<{ value: string; md: vscode.MarkdownString[]; hovers: vscode.Hover[] }> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position);
  return { ...hoverText(hovers), hovers };
}

/** Position of the `nth` character of `needle` in review.md. */
function find(needle: string, offset = 1): vscode.Position {
  const i = review.getText().indexOf(needle);
  assert.ok(i >= 0, `review.md has no ${JSON.stringify(needle)}`);
  return review.positionAt(i + offset);
}

describe('Corpus Cite features', function () {
  this.timeout(60_000);

  before(async () => {
    const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    api = await ext.activate();
    assert.ok(api && typeof api.whenIndexed === 'function', 'activate() returned no API');
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    review = await vscode.workspace.openTextDocument(path.join(root, 'review.md'));
    originalReview = review.getText();
    await vscode.window.showTextDocument(review);
    await api.whenIndexed();
  });

  after(async () => {
    // Put review.md back as it was and remove what the tests created.
    if (review && review.getText() !== originalReview) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(review.uri, new vscode.Range(0, 0, review.lineCount, 0), originalReview);
      await vscode.workspace.applyEdit(edit);
      await review.save();
    }
    for (const f of created) fs.rmSync(f, { force: true });
    const settings = path.join(root, '.vscode', 'settings.json');
    if (fs.existsSync(settings) && /^\s*\{\s*\}\s*$/.test(fs.readFileSync(settings, 'utf8'))) {
      fs.rmSync(path.join(root, '.vscode'), { recursive: true, force: true });
    }
  });

  describe('indexing', () => {
    it('indexes the fixture corpus in a worker thread', () => {
      assert.strictEqual(api.state, 'ready');
      for (const id of ['gillard2022', 'mackay2022', 'perkins2019', 'moore2021', 'voronka2019']) work(id);
      assert.strictEqual(work('voronka2019')['x-corpus'].kind, 'cited');
      assert.ok(api.parseStats.worker >= 4, `files parsed in the worker: ${JSON.stringify(api.parseStats)}`);
      assert.strictEqual(api.parseStats.inProcess, 0);
    });

    it('writes the warm-start cache into the workspace storage once indexing settles', async function () {
      this.timeout(30_000);
      const file = api.indexCacheFile;
      assert.ok(file, 'no cache file: the workspace has storage, so the cache should be on');
      await waitFor('the cache file', () => fs.existsSync(file), 20_000);
      const text = fs.readFileSync(file, 'utf8');
      const header = JSON.parse(text.slice(0, text.indexOf('\n'))) as { magic: string; salt: string; version: number };
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      assert.strictEqual(header.magic, 'corpus-cite-index-cache');
      assert.strictEqual(header.salt, String((ext.packageJSON as { version: string }).version), 'salted with the extension version');
      // Every corpus file of the workspace is in it, with its parse.
      for (const f of ['000_6ad9d3d0f971004f.txt', '003_965e250b65df1b35.txt']) assert.ok(text.includes(JSON.stringify(path.join(root, 'corpus', f))), f);
      assert.ok(!file.startsWith(root), 'the cache is in VS Code’s storage, not in the user’s folder');
    });

    it('says “Indexing…” in the view while it indexes', async () => {
      const messages = new Set<string>();
      let done = false;
      const watch = (async () => {
        while (!done) {
          messages.add(String(api.treeView.message));
          await sleep(2);
        }
      })();
      await vscode.commands.executeCommand('corpusCite.reindex');
      await sleep(50);
      await api.whenIndexed();
      done = true;
      await watch;
      assert.ok(messages.has('Indexing…'), `messages seen: ${[...messages].join(' | ')}`);
      assert.strictEqual(api.treeView.message, undefined);
    });

    it('skips files over corpusCite.maxFileSizeMB with a warning on the file', async () => {
      const uri = vscode.Uri.file(path.join(root, 'corpus', '000_6ad9d3d0f971004f.txt'));
      try {
        await afterReindex('the size limit', () => vscode.workspace.getConfiguration('corpusCite').update('maxFileSizeMB', 0.005, vscode.ConfigurationTarget.Workspace), () => !api.works.some((w) => w.id === 'gillard2022'));
        const d = await waitFor('a size diagnostic', () => vscode.languages.getDiagnostics(uri).find((x) => /over the 0\.005 MB limit/.test(x.message)));
        assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
      } finally {
        await afterReindex('the records back', () => vscode.workspace.getConfiguration('corpusCite').update('maxFileSizeMB', undefined, vscode.ConfigurationTarget.Workspace), () => api.works.some((w) => w.id === 'gillard2022'));
      }
      assert.strictEqual(vscode.languages.getDiagnostics(uri).length, 0);
    });

    it('reports an unreadable corpus file as a diagnostic on that file', async () => {
      const file = writeCorpusFile('zz-notes.txt', 'Just some notes, not a paper record.\n');
      const uri = vscode.Uri.file(file);
      const diags = await afterReindex('a diagnostic on zz-notes.txt', () => undefined, () => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.length ? d : undefined;
      });
      assert.match(diags[0].message, /Not a recognised corpus format/);
      assert.strictEqual(diags[0].severity, vscode.DiagnosticSeverity.Warning);
      assert.strictEqual(diags[0].range.start.line, 0);
      fs.rmSync(file);
      await waitFor('the diagnostic to go', () => vscode.languages.getDiagnostics(uri).length === 0);
    });

    it('re-indexes a corpus file replaced by an atomic rename', async () => {
      const target = writeCorpusFile('zz-rename.csl.json', cslItem('zzrename', 'Original wording of a renamed record'));
      await afterReindex('the original record', () => undefined, () => api.works.find((w) => w.title === 'Original wording of a renamed record'));
      // What Zotero / Better BibTeX do: write a temporary file, then rename it over the export.
      const tmp = path.join(root, 'corpus', '.zz-rename.csl.json.tmp');
      fs.writeFileSync(tmp, cslItem('zzrename', 'Rewritten wording after the rename'));
      const renamed = await afterReindex('the renamed record', () => fs.renameSync(tmp, target), () => api.works.find((w) => w.title === 'Rewritten wording after the rename'));
      assert.ok(renamed);
      assert.ok(!api.works.some((w) => w.title === 'Original wording of a renamed record'), 'the old record is still indexed');
      await afterReindex('the record removed', () => fs.rmSync(target), () => !api.works.some((w) => w.title === 'Rewritten wording after the rename'));
    });

    it('indexes the bibliography named in a document’s front matter', async () => {
      const dir = path.join(root, 'fm-refs');
      fs.mkdirSync(dir, { recursive: true });
      const bib = path.join(dir, 'extra.bibtex'); // not matched by any corpus glob
      fs.writeFileSync(bib, '@article{frontmatter2001,\n  title = {A work only the front matter names},\n  author = {Quux, Ada},\n  year = {2001},\n  journal = {Journal of Front Matter}\n}\n');
      const doc = path.join(root, 'zz-frontmatter.md');
      fs.writeFileSync(doc, '---\ntitle: Draft\nbibliography: fm-refs/extra.bibtex\n---\n\nText.\n');
      created.push(bib, doc);
      try {
        await afterReindex('the front-matter work', async () => {
          await vscode.workspace.openTextDocument(doc);
        }, () => api.works.find((w) => w.title === 'A work only the front matter names'));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('completion', () => {
    it('finds `voron` after @ and inserts a Pandoc citation', async () => {
      const { ours, list } = await complete('Peer support is @voron');
      assert.ok(ours.length > 0, 'no citation items');
      const first = ours[0];
      assert.strictEqual(labelOf(first), 'Voronka 2019');
      assert.match((first.label as vscode.CompletionItemLabel).detail ?? '', /cited only/);
      assert.strictEqual(insertText(first), '[@voronka2019]');
      assert.strictEqual(applied('Peer support is @voron', first), 'Peer support is [@voronka2019]');
      assert.strictEqual(first.filterText, '@voron', 'filterText must be the typed text so VS Code keeps the item');
      assert.strictEqual(list.isIncomplete, true, 'a list with a query is asked for again on the next keystroke');
    });

    it('finds `voron` typed as a plain word (Ctrl+Space)', async () => {
      const { ours } = await complete('Peer support is voron');
      assert.strictEqual(labelOf(ours[0]), 'Voronka 2019');
      assert.strictEqual(applied('Peer support is voron', ours[0]), 'Peer support is [@voronka2019]');
    });

    it('finds `mead 2017` (several words) inside brackets', async () => {
      const { ours } = await complete('Peer support is [@mead 2017]'.slice(0, -1));
      assert.strictEqual(labelOf(ours[0]), 'Mead 2017');
      assert.strictEqual(insertText(ours[0]), '@mead2017');
      assert.strictEqual(applied('Peer support is [@mead 2017', ours[0]), 'Peer support is [@mead2017');
    });

    it('finds `values 2022` by title word and year, and writes @id after `;`', async () => {
      const { ours } = await complete('Peer support is [@gillard2022; @values 2022');
      assert.strictEqual(labelOf(ours[0]), 'Mackay 2022');
      assert.strictEqual(insertText(ours[0]), '@mackay2022');
    });

    it('offers works on the trigger characters @ and [ and marks a capped list incomplete', async () => {
      for (const [text, trigger] of [['Peer support is @', '@'], ['Peer support is [', '[']] as const) {
        const { ours, list } = await complete(text, trigger);
        assert.ok(ours.length > 0, `no items after ${trigger}`);
        assert.strictEqual(list.isIncomplete, true, `list after ${trigger} is complete`);
        assert.ok(ours.every((i) => i.detail !== undefined || labelOf(i)), 'items lack details');
      }
      const { ours } = await complete('Peer support is [', '[');
      assert.strictEqual(applied('Peer support is [', ours[0]), `Peer support is [${insertText(ours[0])}`);
      assert.match(insertText(ours[0]), /^@/);
      // Another provider's trigger character (Markdown's `#` of a heading link) is not ours to answer.
      assert.strictEqual((await complete('Peer support is [@', '#')).ours.length, 0, 'items on a trigger character we do not register');
    });

    it('gives the title as the label description and the card as documentation', async () => {
      const { ours, position } = await complete('Peer support is @perkins');
      assert.strictEqual(labelOf(ours[0]), 'Perkins 2019');
      assert.match((ours[0].label as vscode.CompletionItemLabel).description ?? '', /^Where is peer support going\?/);
      // Documentation is resolved lazily: ask VS Code to resolve the first item.
      const resolved = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', review.uri, position, undefined, 50);
      const item = resolved.items.find((i) => labelOf(i) === 'Perkins 2019');
      assert.ok(item?.documentation instanceof vscode.MarkdownString, 'no Markdown documentation');
      assert.match(item.documentation.value, /Where is peer support going/);
      assert.ok(!item.documentation.isTrusted);
    });

    it('inserts author–date citations in the authorDate style', async () => {
      await withStyle('authorDate', async () => {
        let item = await firstItemMatching('Peer support is @voron', /^\(Voronka, 2019\)$/);
        assert.strictEqual(applied('Peer support is @voron', item), 'Peer support is (Voronka, 2019)');
        item = await firstItemMatching('Peer support is [@mackay', /^\(Mackay et al\., 2022\)$/);
        assert.strictEqual(applied('Peer support is [@mackay', item), 'Peer support is (Mackay et al., 2022)');
        await firstItemMatching('Peer support is @perkins', /^\(Perkins & Repper, 2019\)$/);
      });
    });

    it('inserts narrative citations in the narrative style', async () => {
      await withStyle('narrative', async () => {
        const item = await firstItemMatching('As @voron', /^Voronka \(2019\)$/);
        assert.strictEqual(applied('As @voron', item), 'As Voronka (2019)');
      });
      // and back to Pandoc once the setting is removed
      await firstItemMatching('As @voron', /^\[@voronka2019\]$/);
    });
  });

  describe('hover', () => {
    before(async () => {
      await setLastLine('Peer support is ');
    });

    it('shows the card of a record for a Pandoc citation', async () => {
      const { value, md, hovers } = await hoverAt(find('@gillard2022', 3));
      assert.ok(hovers.length > 0, 'no hover');
      assert.match(value, /Gillard/);
      assert.match(value, /Advances in Mental Health/);
      assert.match(value, /\(https:\/\/doi\.org\/10\.1080\/18387357\.2022\.2037356\)/);
      for (const m of md) assertOnlyCardCommands(m, ['gillard2022']);
      assert.match(value, /\[Open Source Record\]\(command:corpusCite\.openSource\?/);
      const r = hovers[0].range!;
      assert.strictEqual(review.getText(r), '@gillard2022');
    });

    it('shows a cited-only work with the citing work and sentence', async () => {
      const { value } = await hoverAt(find('(Voronka, 2019)', 3));
      // The citing sentence is long: the card shows the part that leads up to the citation.
      assert.match(value, /Cited in \*\*Gillard 2022\*\*\\?: “…[^”]*retain a perceived requisite authenticity \\\(Voronka, 2019\\\)\\\.”/);
      assert.doesNotMatch(value, /\n\*\*Voronka 2019\*\*\n\n\*\*/, 'more than one card');
    });

    it('resolves a narrative author–date citation', async () => {
      const { value } = await hoverAt(find('Slade et al. (2017)', 2));
      assert.match(value, /Cited in \*\*Perkins 2019\*\*/);
      const onYear = await hoverAt(find('(2017)', 2));
      assert.match(onYear.value, /Cited in \*\*Perkins 2019\*\*/);
    });

    it('resolves an author–date citation that breaks across lines', async () => {
      await setLastLine('Values matter (Mackay et al.,');
      const edit = new vscode.WorkspaceEdit();
      edit.insert(review.uri, new vscode.Position(review.lineCount - 1, review.lineAt(review.lineCount - 1).text.length), '\n2022) too.');
      await vscode.workspace.applyEdit(edit);
      const { value } = await hoverAt(new vscode.Position(review.lineCount - 1, 2));
      assert.match(value, /The evolution of community peer support values/);
      // back to one last line
      const undo = new vscode.WorkspaceEdit();
      undo.delete(review.uri, new vscode.Range(review.lineCount - 2, review.lineAt(review.lineCount - 2).text.length, review.lineCount - 1, review.lineAt(review.lineCount - 1).text.length));
      await vscode.workspace.applyEdit(undo);
    });

    it('shows one card per work for a citation of several works', async () => {
      const pos = await setLastLine('Both [@gillard2022; @perkins2019] agree.');
      const { value } = await hoverAt(new vscode.Position(pos.line, 'Both ['.length + 2));
      assert.match(value, /Gillard/);
      assert.match(value, /Where is peer support going/);
      assert.ok(value.split(/\n---\n/).length >= 2, 'cards are not separated by a rule');
    });

    it('resolves a bare label such as `Voronka 2019`', async () => {
      const pos = await setLastLine('As argued by Voronka 2019, peers are tested.');
      const { value, hovers } = await hoverAt(new vscode.Position(pos.line, 'As argued by Vor'.length));
      assert.match(value, /Cited in \*\*Gillard 2022\*\*/);
      assert.strictEqual(review.getText(hovers[0].range!), 'Voronka 2019');
    });

    it('renders a hostile abstract inert', async () => {
      writeCorpusFile(
        'zz-hostile.csl.json',
        cslItem('hostile', 'Hostile [title](command:workbench.action.files.delete) <img src=x onerror=alert(1)>', {
          abstract: 'Click [x](command:evil) or <script>alert(1)</script> or ![i](https://evil.example/x.png) <a href="command:evil">here</a> https://evil.example',
          author: [{ family: 'Hostile', given: '<b>Eve</b>' }],
          issued: { 'date-parts': [[2020]] },
        }),
      );
      const w = await afterReindex('the hostile record', () => undefined, () => api.works.find((x) => x.title?.startsWith('Hostile')));
      const pos = await setLastLine(`See [@${w.id}] here.`);
      const { value, md } = await hoverAt(new vscode.Position(pos.line, 'See [@'.length + 1));
      assert.ok(md.length > 0, 'no hover for the hostile record');
      assert.match(value, /Hostile/);
      for (const m of md) assertOnlyCardCommands(m, [w.id]);
      // Our action line is the only Markdown link; the corpus text around it is all escaped.
      const corpusText = value.replace(/^\[[^\]]+\]\(command:.*$/gm, '');
      assert.doesNotMatch(corpusText, /(^|[^\\])\[/, 'an unescaped [ survived');
      assert.doesNotMatch(value, /<[a-z/!]/i, 'raw HTML survived');
      assert.doesNotMatch(value, /https:\/\/evil/, 'a bare link survived');
    });
  });

  describe('tree', () => {
    afterEach(() => {
      api.tree.setFilter(undefined);
      api.tree.setGrouping('file');
    });

    const rootsOf = (g: Grouping) => {
      api.tree.setGrouping(g);
      return api.tree.getChildren().map((n) => ({ node: n, item: api.tree.getTreeItem(n) }));
    };

    it('groups by source file with counts', () => {
      const roots = rootsOf('file');
      const labels = roots.map((r) => labelOf(r.item));
      for (const f of ['000_6ad9d3d0f971004f.txt', '001_668661611aab099a.txt', '002_b981369f0f33fc2d.txt', '003_965e250b65df1b35.txt']) {
        assert.ok(labels.includes(f), `no group for ${f} in ${labels.join(', ')}`);
      }
      const wos = roots.find((r) => labelOf(r.item) === '001_668661611aab099a.txt')!;
      const children = api.tree.getChildren(wos.node);
      // The file's one record beside its hash-like name, then what the count counts.
      assert.strictEqual(wos.item.description, `Mackay 2022 · ${children.length} works`);
      assert.match(String(wos.item.tooltip), /Mackay 2022: /);
      assert.strictEqual(labelOf(api.tree.getTreeItem(children[0])), 'Mackay 2022', 'the file’s own record comes first');
      assert.strictEqual(api.tree.getParent(children[0]), wos.node);
    });

    it('groups by year, newest first', () => {
      const roots = rootsOf('year');
      const years = roots.map((r) => labelOf(r.item));
      assert.strictEqual(years[0], '2023');
      assert.ok(years.includes('2019'));
      assert.strictEqual(years[years.length - 1], 'No year');
      const y2019 = roots.find((r) => labelOf(r.item) === '2019')!;
      const ids = api.tree.getChildren(y2019.node).map((n) => n.work?.id);
      assert.ok(ids.includes('voronka2019') && ids.includes('perkins2019'));
      assert.strictEqual(y2019.item.description, `${ids.length} works`);
    });

    it('groups by author', () => {
      const roots = rootsOf('author');
      const repper = roots.find((r) => /^Repper/.test(labelOf(r.item)));
      assert.ok(repper, 'no Repper group');
      const ids = api.tree.getChildren(repper.node).map((n) => n.work?.id);
      assert.ok(ids.includes('perkins2019'), `Repper's works: ${ids.join(', ')}`);
      assert.ok(roots.some((r) => labelOf(r.item) === 'Voronka'));
    });

    it('groups by journal', () => {
      const roots = rootsOf('journal');
      const amh = roots.find((r) => labelOf(r.item) === 'Advances in Mental Health');
      assert.ok(amh, 'no Advances in Mental Health group');
      const ids = api.tree.getChildren(amh.node).map((n) => n.work?.id).sort();
      assert.deepStrictEqual(ids, ['gillard2022', 'mackay2022']);
      assert.strictEqual(amh.item.description, '2 works');
    });

    it('groups by keyword', () => {
      const roots = rootsOf('keyword');
      const peer = roots.find((r) => labelOf(r.item).toLowerCase() === 'peer support');
      assert.ok(peer, `no peer support group in ${roots.map((r) => labelOf(r.item)).join(', ')}`);
      const ids = api.tree.getChildren(peer.node).map((n) => n.work?.id);
      assert.ok(ids.includes('mackay2022') && ids.includes('moore2021'));
    });

    it('lists cited works with who cites them', () => {
      const roots = rootsOf('cited');
      assert.ok(roots.length > 0);
      assert.ok(roots.every((r) => r.node.type === 'work' && r.node.work!['x-corpus'].kind === 'cited'));
      // Reference-list entries without authors are labelled as author–date styles cite them.
      const labels = roots.map((r) => labelOf(r.item));
      assert.ok(labels.includes('“Review of the literature” n.d.'), labels.join(' | '));
      assert.ok(!labels.some((l) => /^(Review|Update) n\.d\.$/.test(l)), 'no title word that reads like an author');
      const v = roots.find((r) => r.node.work!.id === 'voronka2019')!;
      // After "cited N× · " when the workspace's Markdown cites it (review.md does).
      assert.match(String(v.item.description), /(^|· )cited by Gillard 2022$/);
      assert.ok(/cited/.test(String(v.item.contextValue)));
    });

    it('tells records, cited-only and related works apart by icon and context value', () => {
      rootsOf('file');
      const item = (id: string) => {
        for (const g of api.tree.getChildren()) {
          const n = api.tree.getChildren(g).find((x) => x.work?.id === id);
          if (n) return api.tree.getTreeItem(n);
        }
        assert.fail(`no node for ${id}`);
      };
      const rec = item('gillard2022');
      const cited = item('voronka2019');
      const related = item('kaggwa2023');
      assert.strictEqual(rec.contextValue, 'corpusCite.work.record+doi');
      assert.strictEqual(cited.contextValue, 'corpusCite.work.cited');
      assert.match(String(related.contextValue), /^corpusCite\.work\.related/);
      const icon = (i: vscode.TreeItem) => (i.iconPath as vscode.ThemeIcon).id;
      assert.strictEqual(new Set([icon(rec), icon(cited), icon(related)]).size, 3);
    });

    it('expands a work to details, the works it cites and the works citing it', () => {
      rootsOf('file');
      const file = api.tree.getChildren().find((n) => labelOf(api.tree.getTreeItem(n)) === '000_6ad9d3d0f971004f.txt')!;
      const gillard = api.tree.getChildren(file).find((n) => n.work?.id === 'gillard2022')!;
      const details = api.tree.getChildren(gillard);
      const labels = details.map((d) => labelOf(api.tree.getTreeItem(d)));
      assert.ok(labels.includes('10.1080/18387357.2022.2037356'), `details: ${labels.join(' | ')}`);
      assert.ok(labels.some((l) => /Advances in Mental Health/.test(l)));
      const cites = details.find((d) => d.type === 'relation' && /^Cites \(\d+\)$/.test(labelOf(api.tree.getTreeItem(d))))!;
      assert.ok(cites, 'no Cites group');
      assert.strictEqual(api.tree.getTreeItem(cites).description, undefined, 'the count once, in the label');
      const voronka = api.tree.getChildren(cites).find((n) => n.work?.id === 'voronka2019')!;
      assert.ok(voronka, 'Gillard 2022 does not list Voronka 2019 among the works it cites');
      // A cited-only work has no title: its row says who cites it, with no dangling separator.
      const row = String(api.tree.getTreeItem(voronka).description);
      assert.match(row, /^(cited \d+× · )?cited by Gillard 2022$/);
      assert.strictEqual(api.tree.getParent(voronka), cites);
      const citedBy = api.tree.getChildren(voronka).find((d) => labelOf(api.tree.getTreeItem(d)) === 'Cited by (1)')!;
      assert.ok(citedBy, 'no Cited by group');
      assert.deepStrictEqual(api.tree.getChildren(citedBy).map((n) => n.work?.id), ['gillard2022']);
    });

    it('filters by text through the search index', () => {
      api.tree.setGrouping('year');
      api.tree.setFilter('voronka');
      const roots = api.tree.getChildren();
      assert.deepStrictEqual(roots.map((r) => labelOf(api.tree.getTreeItem(r))), ['2019']);
      assert.deepStrictEqual(api.tree.getChildren(roots[0]).map((n) => n.work?.id), ['voronka2019']);
      assert.match(String(api.treeView.message), /voronka/);
      api.tree.setFilter(undefined);
      assert.ok(api.tree.getChildren().length > 1);
    });

    it('cuts long levels into alphabetical shelves, builds them off the view’s request, and reveals a work on a shelf', async function () {
      this.timeout(90_000);
      // 700 works by 700 different first authors (over the 500 rows a level lists).
      const syllables = ['ba', 'ko', 'mi', 'ra', 'te', 'su', 'lo', 'ne', 'di', 'ha', 'gu', 'we'];
      const names: string[] = [];
      for (const a of syllables) for (const b of syllables) for (const c of ['n', 'r', 'l', 's', 'k']) names.push(`${a[0].toUpperCase()}${a.slice(1)}${b}${c}`);
      const bib = names
        .slice(0, 700)
        .map((name, i) => `@article{long${String(i).padStart(4, '0')},\n  title = {Shelved work number ${i}},\n  author = {${name}, Alex},\n  year = {${1990 + (i % 30)}},\n  journal = {Journal of Long Lists}\n}\n`)
        .join('\n');
      const file = path.join(root, 'corpus', 'long.bib');
      await afterReindex('the long library', () => writeCorpusFile('long.bib', bib), () => api.works.some((w) => w.id === 'long0699'));
      try {
        api.tree.setGrouping('year');
        api.tree.setGrouping('file');
        await api.tree.whenReady();
        const group = api.tree.getChildren().find((n) => labelOf(api.tree.getTreeItem(n)) === 'long.bib');
        assert.ok(group, 'no group for long.bib');
        assert.strictEqual(api.tree.getTreeItem(group).description, '700 works', 'a file of many records names none of them');
        const shelves = api.tree.getChildren(group);
        assert.ok(shelves.length > 1 && shelves.every((n) => n.type === 'shelf'), shelves.map((n) => n.type).join());
        const labels = shelves.map((n) => labelOf(api.tree.getTreeItem(n)));
        assert.deepStrictEqual([...labels].sort(), labels, 'shelves in alphabetical order');
        const counted = (sh: TreeNodeLike, unit: string) => {
          const m = new RegExp(`^([\\d,]+) ${unit}$`).exec(String(api.tree.getTreeItem(sh).description));
          assert.ok(m, `shelf ${labelOf(api.tree.getTreeItem(sh))} says ${String(api.tree.getTreeItem(sh).description)}, not how many ${unit}`);
          return Number(m[1].replace(/,/g, ''));
        };
        assert.strictEqual(shelves.reduce((n, sh) => n + counted(sh, 'works'), 0), 700, 'every work on a shelf');
        // A work sits on the shelf of its label's first letter, under the file's group.
        const target = api.works.find((w) => w.id === 'long0421')!;
        const shelf = shelves.find((n) => labelOf(api.tree.getTreeItem(n)) === target['citation-label'][0].toUpperCase())!;
        const node = api.tree.getChildren(shelf).find((n) => n.work?.id === 'long0421');
        assert.ok(node, 'the work is on its shelf');
        assert.strictEqual(api.tree.getParent(node), shelf);
        assert.strictEqual(api.tree.getParent(shelf), group);

        // By author: 700 people and more → the top level is shelves too.
        api.tree.setGrouping('author');
        await api.tree.whenReady();
        const authorRows = api.tree.getChildren();
        // Shelves, and where a letter has a single author, that author's group in its place.
        assert.ok(authorRows.every((n) => n.type === 'shelf' || n.type === 'group'), authorRows.map((n) => n.type).join());
        const authorShelves = authorRows.filter((n) => n.type === 'shelf');
        assert.ok(authorShelves.length > 1);
        for (const g of authorRows.filter((n) => n.type === 'group')) assert.ok(api.tree.getChildren(g).length >= 1);
        assert.ok(authorShelves.reduce((n, sh) => n + counted(sh, 'authors'), 0) + authorRows.length - authorShelves.length >= 700, 'author shelves count authors');

        // Reveal goes through the shelves.
        const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: 'As shown [@long0421].' });
        const editor = await vscode.window.showTextDocument(doc);
        editor.selection = new vscode.Selection(0, 14, 0, 14);
        await vscode.commands.executeCommand('corpusCite.revealCurrent');
        await waitFor('the tree selection', () => api.treeView.selection[0]?.work?.id === 'long0421', 10_000);
        const selected = api.treeView.selection[0];
        assert.strictEqual(api.tree.getParent(api.tree.getParent(selected)!)?.type, 'shelf');
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      } finally {
        await afterReindex('the long library gone', () => fs.rmSync(file, { force: true }), () => !api.works.some((w) => w.id === 'long0699'));
        api.tree.setGrouping('file');
        await api.tree.whenReady();
      }
    });

    it('reveals the work under the cursor', async () => {
      const editor = await vscode.window.showTextDocument(review);
      const pos = find('(Voronka, 2019)', 3);
      editor.selection = new vscode.Selection(pos, pos);
      await vscode.commands.executeCommand('corpusCite.revealCurrent');
      await waitFor('the tree selection', () => api.treeView.selection.length > 0, 10_000);
      assert.strictEqual(api.treeView.selection[0].work?.id, 'voronka2019');
    });
  });

  describe('commands', () => {
    it('inserts a citation at the cursor from the tree', async () => {
      const pos = await setLastLine('Peer support is ');
      const editor = await vscode.window.showTextDocument(review);
      editor.selection = new vscode.Selection(pos, pos);
      await vscode.commands.executeCommand('corpusCite.insertCitation', 'perkins2019');
      assert.strictEqual(review.lineAt(pos.line).text, 'Peer support is [@perkins2019]');
    });

    it('copies a citation and BibTeX', async () => {
      await vscode.commands.executeCommand('corpusCite.copyCitation', 'voronka2019');
      assert.strictEqual(await vscode.env.clipboard.readText(), '[@voronka2019]');
      await vscode.commands.executeCommand('corpusCite.copyBibtex', 'gillard2022');
      const bib = await vscode.env.clipboard.readText();
      assert.match(bib, /@article\{gillard2022,/);
      assert.match(bib, /10\.1080\/18387357\.2022\.2037356/);
    });

    it('opens the source record at its line', async () => {
      await vscode.commands.executeCommand('corpusCite.openSource', 'perkins2019');
      const editor = vscode.window.activeTextEditor!;
      assert.match(editor.document.uri.fsPath, /002_b981369f0f33fc2d\.txt$/);
      await vscode.window.showTextDocument(review);
    });

    it('copies a bibliography entry in the corpusCite.bibliographyStyle', async () => {
      await vscode.commands.executeCommand('corpusCite.copyBibliographyEntry', 'perkins2019');
      const text = await vscode.env.clipboard.readText();
      assert.match(text, /^Perkins, R\., & Repper, J\. \(2019\)\. Where is peer support going\?/);
    });

    it('inserts a citation for a tree node', async () => {
      const pos = await setLastLine('See ');
      const editor = await vscode.window.showTextDocument(review);
      editor.selection = new vscode.Selection(pos, pos);
      api.tree.setGrouping('cited');
      const node = api.tree.getChildren().find((n) => n.work?.id === 'slade2017');
      assert.ok(node);
      await vscode.commands.executeCommand('corpusCite.insertCitation', node);
      assert.strictEqual(review.lineAt(pos.line).text, 'See [@slade2017]');
      api.tree.setGrouping('file');
    });

    it('registers every contributed command', async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
      const registered = new Set(await vscode.commands.getCommands(true));
      for (const c of contributed) assert.ok(registered.has(c), `${c} is contributed but not registered`);
    });

    it('opens the sample corpus bundled with the extension, leads to the workspace’s own copy of a record, and closes it again', async () => {
      const fromSample = (w: WorkLike) => w['x-corpus'].sources.some((s) => /fixtures[\\/]seeds[\\/]/.test(s.file));
      const before = api.works.map((w) => w.id).sort();
      assert.ok(!api.works.some(fromSample));
      await afterReindex('the sample records', () => vscode.commands.executeCommand('corpusCite.openSampleCorpus'), () =>
        api.works.some((w) => w['x-corpus'].sources.some((s) => /fixtures[\\/]seeds[\\/]000_6ad9d3d0f971004f\.txt$/.test(s.file))),
      );
      // The workspace holds the same seed under corpus/: the two records merge, and go to
      // definition leads to the workspace's file, whichever was indexed first.
      const g = work('gillard2022');
      const records = g['x-corpus'].sources.filter((s) => s.relation === 'record').map((s) => s.file);
      assert.ok(records.some((f) => /fixtures[\\/]seeds[\\/]/.test(f)) && records.includes(path.join(root, 'corpus', '000_6ad9d3d0f971004f.txt')), records.join(', '));
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: 'As shown [@gillard2022].' });
      const locs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, new vscode.Position(0, 14));
      assert.strictEqual(locs.length, 1);
      const target = 'targetUri' in locs[0] ? locs[0].targetUri : locs[0].uri;
      assert.strictEqual(target.fsPath, path.join(root, 'corpus', '000_6ad9d3d0f971004f.txt'));
      await afterReindex('the sample records gone', () => vscode.commands.executeCommand('corpusCite.closeSampleCorpus'), () => !api.works.some(fromSample));
      assert.deepStrictEqual(api.works.map((w) => w.id).sort(), before);
    });
  });
});
