/** Hover cards as MarkdownStrings: corpus text is untrusted, so no command links, HTML or icons. */
import * as vscode from 'vscode';
import type { Work } from '../core/model';
import { renderCard } from '../core/render';

/** Markdown that VS Code renders without running links or HTML (renderCard already escapes). */
export function untrustedMarkdown(value: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(value, false);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

/** The card of one work; `byId` names the citing works in "Cited in …". */
export function workCard(work: Work, byId: ReadonlyMap<string, Work>): vscode.MarkdownString {
  return untrustedMarkdown(renderCard(work, { citedByLabels: (id) => byId.get(id)?.['citation-label'] }));
}

/** Several works (one citation of several): one card each, separated by a rule. */
export function workCards(works: readonly Work[], byId: ReadonlyMap<string, Work>): vscode.MarkdownString {
  return untrustedMarkdown(works.map((w) => renderCard(w, { citedByLabels: (id) => byId.get(id)?.['citation-label'] })).join('\n\n---\n\n'));
}
