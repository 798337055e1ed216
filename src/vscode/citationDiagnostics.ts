/**
 * Unknown citations in open Markdown documents become warnings (Pandoc `@key` and author–date
 * text alike; never in code, links or e-mail addresses: the core masks them). Checked when a
 * document opens in an editor, a moment after each edit, and after each rebuild of the corpus;
 * cleared when its last tab closes. Nothing is reported while the corpus is empty or still being
 * built. The citation being typed (`[@mead` with the cursor at its end, after an edit there) is
 * not reported until the cursor leaves it: a key is unknown at every keystroke until it is whole.
 */
import * as vscode from 'vscode';
import { unknownCitations } from '../core/citationFixes';
import type { ManuscriptCitation } from '../core/manuscript';
import type { CorpusService } from './corpusService';
import { DIAGNOSTIC_SOURCE, UNKNOWN_CITATION_CODE } from './ids';
import { KeyedDebouncer } from './keyedDebouncer';

const DEBOUNCE_MS = 300;

/** The text document a tab shows (the modified side of a diff). */
function tabUri(tab: vscode.Tab): vscode.Uri | undefined {
  const i = tab.input;
  if (i instanceof vscode.TabInputText) return i.uri;
  if (i instanceof vscode.TabInputTextDiff) return i.modified;
  return undefined;
}

export class CitationDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('corpusCite.citations');
  private readonly timers = new KeyedDebouncer();
  /** The unknown citations last reported per document, for the quick fixes. */
  private readonly latest = new Map<string, { version: number; unknown: ManuscriptCitation[] }>();
  /** Documents the extension opened itself (reports): never checked. */
  private readonly ignored = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Per document, where the last edit ended (0-based): the citation there is being typed. */
  private readonly lastEdit = new Map<string, vscode.Position>();
  /** Per document, the citation left out of its warnings because it is being typed. */
  private readonly typing = new Map<string, { line: number; start: number; end: number }>();

  constructor(
    private readonly service: CorpusService,
    private readonly schemes: ReadonlySet<string>,
  ) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!e.contentChanges.length) return;
        // A keystroke (a character or two typed or deleted, as auto-closing `[]`), not a paste or a replace.
        const c = e.contentChanges[0];
        const key = e.document.uri.toString();
        if (e.contentChanges.length === 1 && c.text.length <= 2 && c.rangeLength <= 2 && !/[\r\n]/.test(c.text)) this.lastEdit.set(key, c.range.start.translate(0, c.text.length));
        else this.lastEdit.delete(key);
        this.schedule(e.document, DEBOUNCE_MS);
      }),
      // The cursor left the citation being typed: its warning (if it is still unknown) shows.
      vscode.window.onDidChangeTextEditorSelection((e) => {
        const key = e.textEditor.document.uri.toString();
        const t = this.typing.get(key);
        if (!t) return;
        const p = e.selections[0]?.active;
        const line = p && p.line === t.line ? e.textEditor.document.lineAt(p.line).text : undefined;
        if (p && line !== undefined && p.character >= t.start && !/[\];)]/.test(line.slice(t.end, p.character))) return;
        this.lastEdit.delete(key);
        this.schedule(e.textEditor.document, 0);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      // A document stays open for a while after its last editor closes (VS Code keeps the
      // model): its warnings leave the Problems panel with the last tab showing it.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        if (e.closed.length) this.scheduleSweep();
        for (const t of [...e.opened, ...e.changed]) {
          const uri = tabUri(t);
          const doc = uri && vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
          if (doc && !this.latest.has(doc.uri.toString())) this.schedule(doc, 0);
        }
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.scheduleSweep()),
      service.onDidChange(() => this.checkAll()),
      service.onDidChangeState((s) => {
        if (s === 'empty') this.clearAll();
      }),
    );
    this.checkAll();
  }

  /** Never check this document (a report the extension wrote). */
  ignore(uri: vscode.Uri): void {
    this.ignored.add(uri.toString());
    this.forget(uri);
  }

  /** The unknown citation reported at `range` of `doc`, if the report is current. */
  citationAt(doc: vscode.TextDocument, range: vscode.Range): ManuscriptCitation | undefined {
    let entry = this.latest.get(doc.uri.toString());
    if (!entry || entry.version !== doc.version) {
      // Edited since the last check: look again now (the quick fix must match the text).
      if (!this.applies(doc) || !this.ready()) return undefined;
      entry = { version: doc.version, unknown: unknownCitations(doc.getText(), this.service.lookup) };
    }
    return entry.unknown.find((c) => c.line === range.start.line && c.start === range.start.character && c.end === range.end.character);
  }

  private applies(doc: vscode.TextDocument): boolean {
    return doc.languageId === 'markdown' && this.schemes.has(doc.uri.scheme) && !this.ignored.has(doc.uri.toString()) && !doc.isClosed && this.isShown(doc.uri);
  }

  /** A tab or a visible editor shows the document (documents opened only by code are not checked). */
  private isShown(uri: vscode.Uri): boolean {
    const key = uri.toString();
    if (vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === key)) return true;
    for (const g of vscode.window.tabGroups.all) for (const t of g.tabs) if (tabUri(t)?.toString() === key) return true;
    return false;
  }

  /** The corpus has works to check against (not empty, not the first build still running). */
  private ready(): boolean {
    return this.service.state !== 'empty' && this.service.works.length > 0;
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!this.applies(doc)) return;
    this.timers.schedule(doc.uri.toString(), delay, () => this.check(doc));
  }

  private checkAll(): void {
    for (const d of vscode.workspace.textDocuments) if (this.applies(d)) this.check(d);
  }

  private check(doc: vscode.TextDocument): void {
    if (!this.applies(doc)) return;
    if (!this.ready()) {
      if (this.service.state === 'empty') this.clearAll();
      return;
    }
    const unknown = unknownCitations(doc.getText(), this.service.lookup);
    const key = doc.uri.toString();
    this.latest.set(key, { version: doc.version, unknown });
    const typed = this.beingTyped(doc, unknown);
    if (typed) this.typing.set(key, { line: typed.line, start: typed.start, end: typed.end });
    else this.typing.delete(key);
    this.collection.set(
      doc.uri,
      unknown.filter((c) => c !== typed).map((c) => {
        const range = new vscode.Range(c.line, c.start, c.line, c.end);
        const message =
          c.kind === 'pandoc'
            ? vscode.l10n.t('Unknown citation {0}: no work in the corpus has the key “{1}”.', c.text, c.key)
            : vscode.l10n.t('Unknown citation “{0}”: no work in the corpus by {1} from {2}.', doc.getText(range), c.authors?.[0] ?? c.key, c.year !== undefined ? `${c.year}${c.yearSuffix ?? ''}` : vscode.l10n.t('no year'));
        const d = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Warning);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = UNKNOWN_CITATION_CODE;
        return d;
      }),
    );
  }

  /** The unknown citation the cursor of an editor on `doc` is in, when the last edit was in it too. */
  private beingTyped(doc: vscode.TextDocument, unknown: readonly ManuscriptCitation[]): ManuscriptCitation | undefined {
    const edit = this.lastEdit.get(doc.uri.toString());
    if (!edit) return undefined;
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const cursor = editor?.selection.active;
    if (!cursor || !editor.selection.isEmpty) return undefined;
    // The citation the cursor is in or after, with nothing between that ends it (`]`, `;`, `)`):
    // `[@mead|`, and `[@peer support|` while a several-word query is typed.
    const line = doc.lineAt(cursor.line).text;
    let typed: ManuscriptCitation | undefined;
    for (const c of unknown) {
      if (c.line !== cursor.line || c.start > cursor.character || /[\];)]/.test(line.slice(c.end, cursor.character))) continue;
      if (!typed || c.start > typed.start) typed = c;
    }
    if (!typed || edit.line !== cursor.line || edit.character < typed.start || edit.character > cursor.character) return undefined;
    return typed;
  }

  /** Soon (once tabs and visible editors agree): forgets the documents no editor shows any more. */
  private scheduleSweep(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      for (const key of [...this.latest.keys()]) {
        const uri = vscode.Uri.parse(key);
        if (!this.isShown(uri)) this.forget(uri);
      }
    }, 50);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.lastEdit.delete(key);
    this.typing.delete(key);
    this.timers.cancel(key);
    this.latest.delete(key);
    this.collection.delete(uri);
  }

  private clearAll(): void {
    this.latest.clear();
    this.collection.clear();
  }

  dispose(): void {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.timers.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
