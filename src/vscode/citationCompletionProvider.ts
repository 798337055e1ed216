/**
 * Citation completion in Markdown: after `@`, after `[` (Pandoc), on a space inside an open
 * citation (`[@peer support 2019`), and on Ctrl+Space anywhere.
 *
 * Rows: the label, the authors when there are several (and "cited only") as the label's detail, the title and journal
 * as its description, the Reference icon. The card (title once, as wrapping text) is the
 * documentation; `detail` stays empty, since VS Code shows it in monospace above the card.
 *
 * Ranking is the corpus search's own (core/search/search.ts: exact label or key, first author, author
 * and year, title words; ties by kind, then recency), written into `sortText`. VS Code's own
 * filter must neither re-order nor hide those rows, so every row's `filterText` is the text
 * typed (the item's range up to the cursor): all rows score alike and keep our order. Because
 * that filter cannot follow the next keystroke, a list with a query is always marked incomplete
 * and VS Code asks again on each keystroke (a search is well under a millisecond).
 *
 * Several words: VS Code ends a completion session at a space (the editor word before the
 * cursor is empty, so it neither re-asks an incomplete list nor keeps rows whose filter text
 * lacks the space). So a space is a trigger character too, answered only inside an open Pandoc
 * citation whose `@query` the space continues (`[@peer `, `[see @mead `, `[@a; @peer `);
 * anywhere else it returns nothing, and costs one regular expression on the line.
 *
 * While the corpus is being indexed the list answers from what is indexed (nothing during the
 * first index, the previous corpus during a re-index), is marked incomplete, and is asked for
 * again when the index is ready if the cursor has not moved. At a warm start (the works on their
 * way from the cache, in under a second) a first request waits for them instead.
 */
import * as vscode from 'vscode';
import type { Work } from '../core/model/model';
import { authorsShort, formatCitation, titleLine } from '../core/format/render';
import { firstRecords } from '../core/model/workStore';
import type { CorpusService } from './corpusService';
import { MARKDOWN } from './ids';
import { completionQueryAt, continuesCitation, workRole } from './citationText';
import { workCard } from './workCard';

/**
 * How long a completion asked for at a warm start waits for the works from the cache (they take
 * 0.5–1 s after activation at 50,000 works on two busy cores: bench/RESULTS.md).
 */
const WARM_WAIT_MS = 2000;

/** Items per list; more matches → the list is incomplete and VS Code re-queries on typing. */
export const COMPLETION_LIMIT = 50;
const MAX_LINE_PREFIX = 400;

/** The trigger characters: `@` and `[` open a citation, a space continues its query. */
export const COMPLETION_TRIGGERS = ['@', '[', ' '] as const;

const ROLE_NOTE = {
  record: () => undefined,
  related: () => vscode.l10n.t('related'),
  cited: () => vscode.l10n.t('cited only'),
} as const;

/** The label's detail: the authors, and what kind of work it is when not a record. */
function rowDetail(work: Work): string | undefined {
  // Two names at most: the row's description (the title) needs the room. A lone author is the
  // label's own name: not again.
  const several = (work.author?.length ?? 0) + (work['x-corpus'].groupAuthors?.length ?? 0) > 1 || work['x-corpus'].etAl === true;
  const parts = [several ? authorsShort(work, 2) : '', ROLE_NOTE[workRole(work)]()].filter((s): s is string => !!s);
  return parts.length ? `  ${parts.join(' · ')}` : undefined;
}

/** The sortText of the row at `rank`: ranks sort as strings. */
export function rankText(rank: number): string {
  return String(rank).padStart(4, '0');
}

export class CitationCompletionProvider implements vscode.CompletionItemProvider<vscode.CompletionItem>, vscode.Disposable {
  private readonly workOf = new WeakMap<vscode.CompletionItem, Work>();
  /** A request answered while indexing: asked again when the index is ready, if the cursor is still there. */
  private waiting: { uri: string; version: number; line: number; character: number } | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: CorpusService) {
    this.subscription = service.onDidChangeState((s) => {
      const w = this.waiting;
      if (s !== 'ready' || !w) return;
      this.waiting = undefined;
      const editor = vscode.window.activeTextEditor;
      const pos = editor?.selection.active;
      if (!editor || !pos || editor.document.uri.toString() !== w.uri || editor.document.version !== w.version) return;
      if (pos.line !== w.line || pos.character !== w.character) return;
      void vscode.commands.executeCommand('editor.action.triggerSuggest').then(undefined, () => undefined);
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /**
   * `mayWait`: with no works yet and a warm start under way (the works come from the cache in
   * well under a second), the answer waits for them (at most WARM_WAIT_MS, cancellable) rather
   * than showing an empty list that is asked again when the index is ready.
   */
  provideCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
    context: vscode.CompletionContext,
    mayWait = true,
  ): vscode.CompletionList | undefined | Promise<vscode.CompletionList | undefined> {
    const line = document.lineAt(position.line).text;
    const before = line.slice(Math.max(0, position.character - MAX_LINE_PREFIX), position.character);
    const offset = position.character - before.length;
    const after = line.slice(position.character);
    const style = this.service.settings.citationStyle;
    const byCharacter = context.triggerKind === vscode.CompletionTriggerKind.TriggerCharacter;
    // Another provider's trigger character (`vscode.executeCompletionItemProvider` asks every provider with it).
    if (byCharacter && !(COMPLETION_TRIGGERS as readonly (string | undefined)[]).includes(context.triggerCharacter)) return undefined;
    const q = completionQueryAt(before, after, style, !byCharacter);
    if (!q || token.isCancellationRequested) return undefined;
    if (byCharacter && context.triggerCharacter === ' ' && !continuesCitation(before, q.trigger, q.query)) return undefined;
    if (mayWait && this.service.works.length === 0 && this.service.expectingCachedWorks) {
      return this.service.whenCachedWorks(WARM_WAIT_MS, token).then(() => (token.isCancellationRequested ? undefined : this.service.timedRequest('completion', () => this.provideCompletionItems(document, position, token, context, false))));
    }
    const indexing = this.service.state === 'indexing';
    // After waiting for the works from the cache, a list with them needs no second asking.
    if (indexing && (mayWait || this.service.works.length === 0)) this.waiting = { uri: document.uri.toString(), version: document.version, line: position.line, character: position.character };
    if (this.service.works.length === 0) return new vscode.CompletionList([], indexing);

    let works: Work[];
    /** The alias a hit was found by, per work (see SearchHit.key). */
    let keys: (string | undefined)[] = [];
    if (q.query.trim()) {
      const r = this.service.search.search(q.query, COMPLETION_LIMIT);
      works = r.results.map((h) => h.work);
      keys = r.results.map((h) => h.key);
    } else {
      // Nothing typed yet (`@`, `[`): the records, alphabetically.
      works = firstRecords(this.service.works, COMPLETION_LIMIT);
    }

    const range = new vscode.Range(position.line, offset + q.replaceStart, position.line, offset + q.replaceEnd);
    const typed = document.getText(new vscode.Range(range.start, position));
    const items = works.map((work, rank) => {
      const label: vscode.CompletionItemLabel = { label: work['citation-label'], detail: rowDetail(work), description: titleLine(work) || undefined };
      const item = new vscode.CompletionItem(label, vscode.CompletionItemKind.Reference);
      item.insertText = formatCitation(work, style, { insideBrackets: q.insideBrackets, key: keys[rank] });
      item.range = range;
      item.filterText = typed;
      item.sortText = rankText(rank);
      if (rank === 0) item.preselect = true;
      this.workOf.set(item, work);
      return item;
    });
    // Always incomplete: the next keystroke asks again (see the file's comment).
    return new vscode.CompletionList(items, true);
  }

  /** The card is rendered only for the item the user looks at. */
  resolveCompletionItem(item: vscode.CompletionItem): vscode.CompletionItem {
    const work = this.workOf.get(item);
    if (work && !item.documentation) item.documentation = workCard(work, this.service.corpus.byId);
    return item;
  }
}

export function registerCitationCompletion(service: CorpusService, selector: vscode.DocumentSelector = MARKDOWN): vscode.Disposable {
  const provider = new CitationCompletionProvider(service);
  return vscode.Disposable.from(
    provider,
    vscode.languages.registerCompletionItemProvider(
      selector,
      {
        provideCompletionItems: (document, position, token, context) => service.timedRequest('completion', () => provider.provideCompletionItems(document, position, token, context)),
        resolveCompletionItem: (item) => provider.resolveCompletionItem(item),
      },
      ...COMPLETION_TRIGGERS,
    ),
  );
}
