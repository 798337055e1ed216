/**
 * Citation completion in Markdown: after `@`, after `[` (Pandoc), and on Ctrl+Space anywhere.
 * Matching happens here with the corpus search index (VS Code's own filter sees only a prefix of
 * `filterText` and rejects mid-word matches), so every item gets the typed text as `filterText`
 * and its rank as `sortText`; the list is capped and marked incomplete so VS Code asks again as
 * the user types.
 */
import * as vscode from 'vscode';
import type { Work } from '../core/model';
import { cleanText, formatCitation } from '../core/render';
import { firstRecords } from '../core/workStore';
import type { CorpusService } from './corpusService';
import { MARKDOWN } from './ids';
import { completionQueryAt, workRole } from './citationText';
import { workCard } from './workCard';

/** Items per list; more matches → the list is incomplete and VS Code re-queries on typing. */
export const COMPLETION_LIMIT = 50;
const MAX_LINE_PREFIX = 400;

const ROLE_NOTE = {
  record: () => undefined,
  related: () => vscode.l10n.t('related'),
  cited: () => vscode.l10n.t('cited only'),
} as const;

export class CitationCompletionProvider implements vscode.CompletionItemProvider<vscode.CompletionItem> {
  private readonly workOf = new WeakMap<vscode.CompletionItem, Work>();

  constructor(private readonly service: CorpusService) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken, context: vscode.CompletionContext): vscode.CompletionList | undefined {
    const line = document.lineAt(position.line).text;
    const before = line.slice(Math.max(0, position.character - MAX_LINE_PREFIX), position.character);
    const offset = position.character - before.length;
    const after = line.slice(position.character);
    const style = this.service.settings.citationStyle;
    const explicit = context.triggerKind !== vscode.CompletionTriggerKind.TriggerCharacter;
    const q = completionQueryAt(before, after, style, explicit);
    if (!q || token.isCancellationRequested) return undefined;
    if (this.service.works.length === 0) {
      // Still indexing: ask again on the next keystroke.
      return new vscode.CompletionList([], this.service.state === 'indexing');
    }

    let works: Work[];
    /** The alias a hit was found by, per work (see SearchHit.key). */
    let keys: (string | undefined)[] = [];
    let incomplete: boolean;
    if (q.query.trim()) {
      const r = this.service.search.search(q.query, COMPLETION_LIMIT);
      works = r.results.map((h) => h.work);
      keys = r.results.map((h) => h.key);
      incomplete = r.incomplete;
    } else {
      // Nothing typed yet (`@`, `[`): the records, alphabetically.
      works = firstRecords(this.service.works, COMPLETION_LIMIT);
      incomplete = true;
    }

    const range = new vscode.Range(position.line, offset + q.replaceStart, position.line, offset + q.replaceEnd);
    const typed = document.getText(new vscode.Range(range.start, position));
    const items = works.map((work, rank) => {
      const role = workRole(work);
      const label: vscode.CompletionItemLabel = { label: work['citation-label'], description: ROLE_NOTE[role]() };
      const item = new vscode.CompletionItem(label, role === 'cited' ? vscode.CompletionItemKind.Reference : vscode.CompletionItemKind.Text);
      item.detail = cleanText(work.title ?? work['x-corpus'].translatedTitle, 300) || undefined;
      item.insertText = formatCitation(work, style, { insideBrackets: q.insideBrackets, key: keys[rank] });
      item.range = range;
      item.filterText = typed;
      item.sortText = String(rank).padStart(4, '0');
      if (rank === 0) item.preselect = true;
      this.workOf.set(item, work);
      return item;
    });
    return new vscode.CompletionList(items, incomplete);
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
  return vscode.languages.registerCompletionItemProvider(
    selector,
    {
      provideCompletionItems: (document, position, token, context) => service.timedRequest('completion', () => provider.provideCompletionItems(document, position, token, context)),
      resolveCompletionItem: (item) => provider.resolveCompletionItem(item),
    },
    '@',
    '[',
  );
}
