/**
 * Work cards as MarkdownStrings. Corpus text in them is escaped by the core (renderCard), and
 * never runs: no HTML, no command links of its own. The hover's card ends with actions that
 * the extension writes itself (Open Source Record, Copy Citation, Copy BibTeX, Open DOI): the
 * string is trusted for exactly those command ids, with the work's id as the only argument
 * (JSON, percent-encoded), so nothing from the corpus can name a command or pass it more.
 */
import * as vscode from 'vscode';
import type { Work } from '../core/model';
import { type Translate, markdownMessage, renderCard } from '../core/render';
import { CommandIds } from './ids';

/** The commands a hover card links to: the only ones its MarkdownString may run. */
export const CARD_COMMANDS = [CommandIds.openSource, CommandIds.copyCitation, CommandIds.copyBibtex, CommandIds.openDoi] as const;

/** The user's language for the core's card texts. */
export const translate: Translate = (message, ...args) => vscode.l10n.t(message, ...args);

/** Markdown that VS Code renders without running links or HTML (renderCard already escapes). */
export function untrustedMarkdown(value: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(value, false);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

/** Markdown whose only runnable links are our card actions. */
function cardMarkdown(value: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(value, false);
  md.isTrusted = { enabledCommands: [...CARD_COMMANDS] };
  md.supportHtml = false;
  return md;
}

/** A command URI with one argument, encoded so that no character can end the Markdown link. */
export function commandUri(command: string, arg: string): string {
  const json = encodeURIComponent(JSON.stringify([arg])).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return `command:${command}?${json}`;
}

/** The action links of a work's card, one line. */
export function cardActions(work: Work): string {
  const link = (label: string, command: string) => `[${markdownMessage(translate, label)}](${commandUri(command, work.id)})`;
  const actions = [link('Open Source Record', CommandIds.openSource), link('Copy Citation', CommandIds.copyCitation), link('Copy BibTeX', CommandIds.copyBibtex)];
  if (work.DOI) actions.push(link('Open DOI', CommandIds.openDoi));
  return actions.join(' · ');
}

const labels = (byId: ReadonlyMap<string, Work>) => (id: string) => byId.get(id)?.['citation-label'];

/** The card of one work (completion details, tree tooltips): no actions. */
export function workCard(work: Work, byId: ReadonlyMap<string, Work>): vscode.MarkdownString {
  return untrustedMarkdown(renderCard(work, { citedByLabels: labels(byId), t: translate }));
}

/**
 * Hover cards of the works of one citation, each with its actions and, when the style engine
 * had it in time, its entry in the bibliography style (`references`, Markdown by work id).
 */
export function workCards(works: readonly Work[], byId: ReadonlyMap<string, Work>, references?: ReadonlyMap<string, string>): vscode.MarkdownString {
  return cardMarkdown(works.map((w) => renderCard(w, { citedByLabels: labels(byId), t: translate, reference: references?.get(w.id), actions: cardActions(w) })).join('\n\n---\n\n'));
}
