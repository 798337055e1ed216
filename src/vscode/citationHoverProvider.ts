/**
 * Hover cards on citations in Markdown: `[@id]`, `@id`, author–date text (`(Voronka, 2019)`,
 * `Slade et al. (2017)`, also broken across lines) and bare labels (`Voronka 2019`). A bracket
 * citing several works shows one card each. Cards are untrusted Markdown.
 */
import * as vscode from 'vscode';
import type { WorkLookup } from '../core/lookup';
import { type CitationHit, citationAt } from './citationText';
import type { CorpusService } from './corpusService';
import { MARKDOWN } from './ids';
import { workCards } from './workCard';

/** Lines read on each side of the position: a citation may wrap over a few lines. */
const WINDOW = 3;

/** The citation at a position of a document and the works it names (plain data). */
export function citationAtPosition(document: vscode.TextDocument, position: vscode.Position, lookup: WorkLookup): CitationHit | undefined {
  const first = Math.max(0, position.line - WINDOW);
  const last = Math.min(document.lineCount - 1, position.line + WINDOW);
  const lines: string[] = [];
  for (let l = first; l <= last; l++) lines.push(document.lineAt(l).text);
  return citationAt(lines, first, position.line, position.character, lookup);
}

export class CitationHoverProvider implements vscode.HoverProvider {
  constructor(private readonly service: CorpusService) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): vscode.Hover | undefined {
    if (this.service.works.length === 0) return undefined;
    const hit = citationAtPosition(document, position, this.service.lookup);
    if (!hit || token.isCancellationRequested) return undefined;
    const range = new vscode.Range(hit.start.line, hit.start.character, hit.end.line, hit.end.character);
    return new vscode.Hover(workCards(hit.works, this.service.corpus.byId), range);
  }
}

export function registerCitationHover(service: CorpusService, selector: vscode.DocumentSelector = MARKDOWN): vscode.Disposable {
  const provider = new CitationHoverProvider(service);
  return vscode.languages.registerHoverProvider(selector, { provideHover: (document, position, token) => service.timedRequest('hover', () => provider.provideHover(document, position, token)) });
}
