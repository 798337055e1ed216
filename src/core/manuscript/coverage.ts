/**
 * Coverage of a systematic review: the corpus records a manuscript never cites, as a Markdown
 * report. Corpus text is escaped (the report is opened as a Markdown document and may be
 * previewed); ids sit in code spans, so the report itself holds no citation.
 */
import type { CheckReport } from './manuscript';
import type { Work } from '../model/model';
import { escapeMarkdown, yearOf } from '../format/render';

/** Formats a message with `{0}`-style placeholders (what the editor's l10n does). */
export type Translate = (message: string, ...args: (string | number)[]) => string;

const english: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));

function byLabel(a: Work, b: Work): number {
  const la = a['citation-label'];
  const lb = b['citation-label'];
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/** The report of the records `manuscript` never cites. */
export function uncitedReport(manuscript: string, report: Pick<CheckReport, 'citations' | 'uncited'>, recordCount: number, t: Translate = english): string {
  const cited = new Set(report.citations.flatMap((c) => c.works));
  const lines: string[] = [];
  lines.push(`# ${t('Works never cited in {0}', escapeMarkdown(manuscript, 300))}`, '');
  lines.push(t('{0} of {1} corpus records are never cited; the manuscript cites {2} works in {3} citations.', report.uncited.length, recordCount, cited.size, report.citations.length), '');
  if (!report.uncited.length) {
    lines.push(t('Every record of the corpus is cited.'), '');
    return lines.join('\n');
  }
  lines.push(`| ${t('Work')} | ${t('Year')} | ${t('Title')} | ${t('Key')} |`, '|---|---|---|---|');
  for (const w of [...report.uncited].sort(byLabel)) {
    const title = escapeMarkdown(w.title ?? w['x-corpus'].translatedTitle, 300);
    lines.push(`| ${escapeMarkdown(w['citation-label'], 200)} | ${escapeMarkdown(yearOf(w) ?? '', 20)} | ${title} | \`${w.id}\` |`);
  }
  lines.push('');
  return lines.join('\n');
}
