/**
 * A quick pick over the corpus with the matching of citation completion: the search index ranks
 * the works for what is typed (mid-word, several words, DOI), so the quick pick's own filter is
 * kept out of it (no matching on description or detail, and every item is always shown).
 */
import * as vscode from 'vscode';
import type { Work } from '../core/model';
import { authorsShort, titleLine } from '../core/render';
import { firstRecords, headOf } from '../core/workStore';
import type { CorpusService } from './corpusService';

/** Works listed for an empty query and per search. */
const PICK_LIMIT = 100;

type WorkItem = vscode.QuickPickItem & { work: Work };

/** The items for `value`: the search index's ranking, or the records alphabetically when empty. */
export function workPickItems(service: CorpusService, value: string): WorkItem[] {
  const works = value.trim() ? service.search.search(value, PICK_LIMIT).results.map((h) => h.work) : firstRecords(service.works, PICK_LIMIT);
  // Each field once: the label, the authors (and "cited only") beside it, the title and venue below.
  return works.map((w) => ({
    label: w['citation-label'],
    description: [authorsShort(w), headOf(w).role === 'cited' ? vscode.l10n.t('cited only') : ''].filter((s) => s !== '').join(' · ') || undefined,
    detail: titleLine(w) || undefined,
    work: w,
    alwaysShow: true,
  }));
}

/** Lets the user choose a work; `value` pre-fills the search. */
export async function pickWork(service: CorpusService, title: string, value = ''): Promise<Work | undefined> {
  await service.whenIndexed();
  const qp = vscode.window.createQuickPick<WorkItem>();
  qp.title = title;
  qp.placeholder = vscode.l10n.t('Search by author, year, title, journal, keyword or DOI');
  qp.matchOnDescription = false;
  qp.matchOnDetail = false;
  qp.value = value;
  qp.items = workPickItems(service, value);
  return new Promise<Work | undefined>((resolve) => {
    qp.onDidChangeValue((v) => {
      qp.items = workPickItems(service, v);
    });
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]?.work ?? qp.activeItems[0]?.work);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
