// Citations in VS Code's own Markdown preview, in a real extension host: documents rendered
// through the built-in Markdown extension's `markdown.api.render` (the engine the preview uses,
// with our markdown-it plugin from `extendMarkdownIt`), the HTML asserted. Formatting runs in the
// index worker: a first render shows citations as written (`corpus-cite-pending`), so each render
// here is polled until the worker's answer is in. Works on a .bib of its own (zz-preview/) beside
// the fixture's corpus; removes what it made.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { type Api, activate, waitFor } from './helpers';

const BIB = `
@article{doe99, author={Doe, Jane}, title={A first study}, journal={Journal of Tests}, year=1999, volume=3, pages={1--10}}
@book{smith04, author={Smith, John and Jones, Ann}, title={The second book}, publisher={Press}, year=2004}
@article{lee10, author={Lee, Kim}, title={Third}, journal={J}, year=2010}
@article{evil, author={Mallory, Eve}, title={<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3)) <a href="command:workbench.action.quit">q</a>}, journal={J}, year=2020}
`;

/** One paragraph of every Pandoc form, and author–date text naming a work of the fixture corpus. */
const FORMS = 'A [@doe99; @smith04, p. 33]. B [see @doe99, chap. 2]. C [-@smith04]. D @doe99 says. E @smith04 [p. 4] too. F (Voronka, 2019) wrote.\n';

let api: Api;
let root: string;
const created: string[] = [];

/** The visible text of HTML, entities decoded, white space folded. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The preview's HTML of `source` once its citations are formatted: the first render asks the
 * index worker and shows the citations as written; the next renders take the worker's answer.
 */
async function render(source: string | vscode.TextDocument, what: string): Promise<string> {
  let last = '';
  try {
    return await waitFor(
      `formatted citations (${what})`,
      async () => {
        last = await vscode.commands.executeCommand<string>('markdown.api.render', source);
        return typeof last === 'string' && !last.includes('corpus-cite-pending') ? last : undefined;
      },
      30_000,
    );
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; the last render was:\n${last.slice(0, 2000)}`);
  }
}

/** The HTML before the reference list, and the list itself. */
function split(html: string): { body: string; refs: string } {
  const i = html.indexOf('<div id="refs"');
  assert.ok(i >= 0, `no reference list in:\n${html}`);
  return { body: html.slice(0, i), refs: html.slice(i) };
}

/** Ids of the reference list's entries, in order. */
const entryIds = (refs: string) => [...refs.matchAll(/<div id="ref-([^"]+)" class="csl-entry"/g)].map((m) => m[1]);

describe('Markdown preview (markdown.api.render)', function () {
  this.timeout(120_000);

  before(async () => {
    ({ api, root } = await activate());
    const dir = path.join(root, 'zz-preview');
    fs.mkdirSync(dir, { recursive: true });
    created.push(dir);
    let changes = 0;
    const sub = api.onDidChange(() => changes++);
    fs.writeFileSync(path.join(dir, 'refs.bib'), BIB);
    await waitFor('the preview .bib indexed', () => changes > 0 && ['doe99', 'smith04', 'lee10', 'evil'].every((id) => api.works.some((w) => w.id === id)), 60_000);
    sub.dispose();
    await api.whenIndexed();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('corpusCite').update('bibliographyStyle', undefined, vscode.ConfigurationTarget.Workspace);
    for (const f of created) fs.rmSync(f, { recursive: true, force: true });
    // The suites after this one see the fixture's corpus again, not ours.
    await waitFor('the preview records gone', () => !api.works.some((w) => w.id === 'doe99' || w.id === 'zzlater2021'), 60_000);
    await api.whenIndexed();
  });

  it('formats each Pandoc form in APA, links it to its entry with a tooltip, and leaves author–date text as written', async () => {
    // The very first render of a request shows the citations as written, marked pending (the worker formats).
    const first = await vscode.commands.executeCommand<string>('markdown.api.render', 'Pending [@lee10; @doe99, p. 99].\n');
    assert.match(first, /<span class="citation corpus-cite-pending" data-cites="lee10 doe99" title="Formatting citations…">\[@lee10; @doe99, p\. 99\]<\/span>/);
    const html = await render(FORMS, 'APA forms');
    const { body, refs } = split(html);
    const t = text(body);
    assert.match(t, /A \(Doe, 1999; Smith & Jones, 2004, p\. 33\)\./);
    assert.match(t, /B \(see Doe, 1999, Chapter 2\)\./);
    assert.match(t, /C \(2004\)\./);
    assert.match(t, /D Doe \(1999\) says\./);
    assert.match(t, /E Smith (?:&|and) Jones \(2004, p\. 4\) too\./);
    assert.match(t, /F \(Voronka, 2019\) wrote\./, 'the author–date text is kept as written');
    assert.match(body, /<span class="citation" data-cites="doe99 smith04"><a href="#ref-doe99" title="A first study — Journal of Tests, 1999\n/);
    // Named by text alone, the work has a tooltip but no entry to link to (Pandoc lists works cited with a key).
    assert.match(body, /<span class="citation corpus-cite-text" data-cites="voronka2019"><span title="[^"]+">Voronka, 2019<\/span><\/span>/);
    // Each work once, APA's order (author, year).
    assert.deepStrictEqual(entryIds(refs), ['doe99', 'smith04']);
    const both = await render('As (Voronka, 2019) argues [@voronka2019].\n', 'author–date text of a cited work');
    assert.match(split(both).body, /<span class="citation corpus-cite-text" data-cites="voronka2019"><a href="#ref-voronka2019" title="[^"]+">Voronka, 2019<\/a><\/span>/);
    assert.match(text(split(both).body), /As \(Voronka, 2019\) argues \(Voronka, 2019\)\./);
    assert.match(text(refs), /^Doe, J\. \(1999\)\. A first study\. Journal of Tests, 3, 1–10\. Smith, J\., & Jones, A\. \(2004\)\. The second book\. Press\./);
  });

  it('while one edited citation is formatted, the others keep their formatted text and the list stays', async () => {
    const before = 'One [@doe99]. Two [@smith04, p. 7]. Three [@lee10]. Four @doe99 says.\n';
    await render(before, 'before the edit');
    const edited = before.replace('[@lee10]', '[@lee10, p. 12]');
    // The first render of the edited text: the worker has not answered yet.
    const during = await vscode.commands.executeCommand<string>('markdown.api.render', edited);
    assert.match(during, /<span class="citation corpus-cite-pending" data-cites="lee10" [^>]*>\[@lee10, p\. 12\]<\/span>/);
    assert.doesNotMatch(text(split(during).body), /@doe99|@smith04/, 'the unchanged citations flashed back to raw keys');
    assert.match(text(split(during).body), /One \(Doe, 1999\)\. Two \(Smith & Jones, 2004, p\. 7\)\./);
    assert.match(split(during).refs, /^<div id="refs" class="references csl-bib-body hanging-indent corpus-cite-pending"/, 'the list stays, dimmed until the answer');
    const after = await render(edited, 'after the edit');
    assert.match(text(split(after).body), /Three \(Lee, 2010, p\. 12\)\./);
  });

  it('formats the same forms in a numeric style (csl: vancouver from the front matter), numbered in order of first citation', async () => {
    const html = await render(`---\ncsl: vancouver\n---\n\nFirst [@smith04]. ${FORMS}\nLast [@lee10].\n`, 'Vancouver forms');
    const { body, refs } = split(html);
    const t = text(body);
    assert.match(t, /First \(1\)\. A \(1,2\)\. B \(see 2\)\. C \(1\)\. D \(2\) says\. E \(1\) too\. F \(Voronka, 2019\) wrote\. Last \(3\)\./);
    assert.deepStrictEqual(entryIds(refs), ['smith04', 'doe99', 'lee10']);
    assert.match(text(refs), /^1\. ?Smith J, Jones A\. The second book\. Press; 2004\. 2\. ?Doe J\. A first study\. Journal of Tests\. 1999;3:1–10\. 3\. ?Lee K\. Third\. J\. 2010;/);
  });

  it('follows corpusCite.bibliographyStyle, and the front matter’s csl: wins over it', async () => {
    await vscode.workspace.getConfiguration('corpusCite').update('bibliographyStyle', 'ieee', vscode.ConfigurationTarget.Workspace);
    try {
      const ieee = await render('Setting [@doe99] and [@smith04; @lee10].\n', 'IEEE from the setting');
      assert.match(text(split(ieee).body), /Setting \[1\] and \[2\], \[3\]\./);
      assert.match(text(split(ieee).refs), /^\[1\] ?J\. Doe, “A first study,” Journal of Tests, vol\. 3, pp\. 1–10, 1999\./);
      const apa = await render('---\ncsl: apa\n---\nSetting [@doe99].\n', 'APA from csl: over the setting');
      assert.match(text(split(apa).body), /Setting \(Doe, 1999\)\./);
    } finally {
      await vscode.workspace.getConfiguration('corpusCite').update('bibliographyStyle', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('takes csl: as a path to a .csl file, relative to the manuscript, and warns about a style it cannot find', async () => {
    const dir = path.join(root, 'zz-preview');
    fs.mkdirSync(path.join(dir, 'styles'), { recursive: true });
    const ext = vscode.extensions.getExtension('corpus-cite.corpus-cite')!;
    // A house style: GB/T 7714 numeric under a name of the user's.
    fs.copyFileSync(path.join(ext.extensionPath, 'media', 'csl', 'styles', 'china-national-standard-gb-t-7714-2015-numeric.csl'), path.join(dir, 'styles', 'house.csl'));
    const byPath = await render(`---\ncsl: ${path.join(dir, 'styles', 'house.csl')}\n---\nText [@doe99].\n`, 'an absolute .csl path');
    assert.match(text(split(byPath).body), /Text ?\[1\]\./);
    assert.match(split(byPath).body, /<sup>\[1\]<\/sup>/, 'GB/T numeric citations are superscript');
    assert.match(text(split(byPath).refs), /DOE J\. A first study\[J\]\. Journal of Tests, 1999, 3: 1-10\./);
    const file = path.join(dir, 'relative.md');
    fs.writeFileSync(file, '---\ncsl: styles/house.csl\n---\nText [@doe99].\n');
    const doc = await vscode.workspace.openTextDocument(file);
    const relative = await render(doc, 'a .csl path relative to the manuscript');
    assert.match(text(split(relative).refs), /DOE J\. A first study\[J\]/);
    const missing = await render('---\ncsl: no-such-style\n---\nText [@doe99].\n', 'an unknown style');
    assert.match(missing, /<p class="corpus-cite-warning">Corpus Cite: no CSL style &#34;no-such-style&#34;/);
    assert.match(text(split(missing).body), /Text \(Doe, 1999\)\./, 'shown in APA meanwhile');
  });

  it('puts the reference list in a ::: {#refs} div, else under reference-section-title at the end, else at the end', async () => {
    const div = await render('Text [@doe99].\n\n::: {#refs}\n:::\n\n# Appendix\n\nAfter the references.\n', 'refs div');
    assert.ok(div.indexOf('id="ref-doe99"') < div.indexOf('After the references.'), div);
    assert.ok(div.indexOf('id="ref-doe99"') > div.indexOf('Text'), div);
    assert.doesNotMatch(div, /:::/);
    const titled = await render('---\nreference-section-title: Works cited\n---\n\n# Intro\n\nText [@smith04] and [@doe99].\n\nLast paragraph.\n', 'reference-section-title');
    const h = titled.indexOf('<h1 class="unnumbered">Works cited</h1>');
    assert.ok(h > titled.indexOf('Last paragraph.'), `the titled list is not at the end:\n${titled}`);
    assert.ok(h < titled.indexOf('<div id="refs"'));
    assert.deepStrictEqual(entryIds(titled), ['doe99', 'smith04'], 'APA orders by author');
    const end = await render('Text [@doe99].\n\nLast paragraph.\n', 'end of document');
    assert.ok(end.indexOf('<div id="refs"') > end.indexOf('Last paragraph.'));
    assert.strictEqual(end.match(/id="refs"/g)?.length, 1);
  });

  it('replaces the block "Insert or Update Bibliography" wrote: the list is never shown twice', async () => {
    const html = await render('Text [@doe99].\n\n## References\n\n<!-- corpus-cite:bibliography:start -->\nDoe, J. (1999). An old text of the entry.\n<!-- corpus-cite:bibliography:end -->\n\nEnd.\n', 'generated block');
    assert.doesNotMatch(html, /An old text of the entry/);
    assert.strictEqual(html.match(/id="ref-doe99"/g)?.length, 1);
    assert.ok(html.indexOf('id="ref-doe99"') > html.indexOf('References') && html.indexOf('id="ref-doe99"') < html.indexOf('End.'));
  });

  it('lists nocite works without citing them (and every record with @*); suppress-bibliography hides the list', async () => {
    const some = await render('---\nnocite: "@lee10"\n---\nText [@doe99].\n', 'nocite');
    assert.deepStrictEqual(entryIds(split(some).refs), ['doe99', 'lee10']);
    assert.doesNotMatch(text(split(some).body), /Lee/);
    const all = await render('---\nnocite: |\n  @*\n---\nText [@doe99].\n', 'nocite @*');
    const ids = entryIds(split(all).refs);
    for (const id of ['doe99', 'smith04', 'lee10', 'evil', 'gillard2022']) assert.ok(ids.includes(id), `${id} missing from the @* list: ${ids.join(', ')}`);
    const none = await render('---\nsuppress-bibliography: true\n---\nText [@doe99].\n', 'suppress-bibliography');
    assert.doesNotMatch(none, /id="refs"/);
    assert.match(text(none), /Text \(Doe, 1999\)\./);
  });

  it('shows an unknown key as Pandoc does, in bold with a question mark, marked for the warning colour; a new record resolves it', async () => {
    const source = 'See [@doe99; @zzlater2021, p. 3] and [@zzlater2021].\n';
    const html = await render(source, 'unknown key');
    assert.match(text(split(html).body), /See \(Doe, 1999; zzlater2021\?\) and \(zzlater2021\?\)\./);
    assert.match(html, /<strong class="corpus-cite-unknown" title="@zzlater2021 is not in the corpus">zzlater2021\?<\/strong>/);
    // The record arrives: the same document now resolves the key (the preview's cache follows the corpus).
    let changes = 0;
    const sub = api.onDidChange(() => changes++);
    fs.writeFileSync(path.join(root, 'zz-preview', 'later.bib'), '@article{zzlater2021, author={Later, Lou}, title={Arrived late}, journal={J}, year=2021}\n');
    await waitFor('the new record', () => changes > 0 && api.works.some((w) => w.id === 'zzlater2021'), 60_000);
    sub.dispose();
    const resolved = await waitFor('the key resolved', async () => {
      const h = await render(source, 'resolved key');
      return /Later, 2021/.test(h) && h;
    });
    assert.match(text(split(resolved).body), /See \(Doe, 1999; Later, 2021, p\. 3\) and \(Later, 2021\)\./);
    assert.doesNotMatch(resolved, /corpus-cite-unknown/);
  });

  it('renders a hostile title inert: text, never an element, a script, a javascript: or command: link', async () => {
    const html = await render('Text [@evil] and @evil.\n', 'hostile title');
    assert.doesNotMatch(html, /<img|<script|<a href="(?:javascript|command):|href="javascript/i);
    const { refs, body } = split(html);
    assert.match(text(refs), /<img src=x onerror=alert\(1\)> <script>alert\(2\)<\/script> \[x\]\(javascript:alert\(3\)\)/, 'the title is shown as it is written');
    assert.match(body, /title="&#60;img src=x onerror=alert\(1\)&#62;/, 'the tooltip is escaped');
    // Every tag in the list is one of citeproc's formatting tags or ours.
    for (const tag of refs.match(/<[a-z][^>]*>/gi) ?? []) assert.match(tag, /^<(?:div|i|b|em|strong|span)\b/, tag);
  });
});
