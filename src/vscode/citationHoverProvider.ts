/**
 * Hover cards on citations in Markdown: `[@id]`, `@id`, author–date text (`(Voronka, 2019)`,
 * `Slade et al. (2017)`, also broken across lines) and bare labels (`Voronka 2019`). A bracket
 * citing several works shows one card each. Corpus text in a card is escaped; its only links
 * to run are the actions the extension adds (workCard.ts).
 *
 * Each card shows the work's entry in `corpusCite.bibliographyStyle`, formatted by citeproc in
 * the index worker. A hover never waits long for it: entries are cached per style and corpus
 * version, and when the worker has not answered within REFERENCE_WAIT_MS (the engine is still
 * being built, or the worker is indexing) the card is shown without it; the next hover has it.
 */
import * as vscode from 'vscode';
import { toCsl } from '../core/bibliography';
import type { WorkLookup } from '../core/lookup';
import type { Work } from '../core/model';
import { referenceMarkdown } from '../core/render';
import { resolveStyle } from '../core/styles';
import { type CitationHit, citationAt } from './citationText';
import type { CorpusService } from './corpusService';
import { MARKDOWN } from './ids';
import { workCards } from './workCard';

/** Lines read on each side of the position: a citation may wrap over a few lines. */
const WINDOW = 3;
/** How long a hover waits for the formatted entries before it shows the card without them. */
export const REFERENCE_WAIT_MS = 150;
/** Formatted entries kept (style, corpus version, work). */
const KEEP = 500;

/** The citation at a position of a document and the works it names (plain data). */
export function citationAtPosition(document: vscode.TextDocument, position: vscode.Position, lookup: WorkLookup): CitationHit | undefined {
  const first = Math.max(0, position.line - WINDOW);
  const last = Math.min(document.lineCount - 1, position.line + WINDOW);
  const lines: string[] = [];
  for (let l = first; l <= last; l++) lines.push(document.lineAt(l).text);
  return citationAt(lines, first, position.line, position.character, lookup);
}

export class CitationHoverProvider implements vscode.HoverProvider {
  /** Markdown of each work's formatted entry ('' when the style could not format it). */
  private readonly references = new Map<string, string>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly service: CorpusService) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (this.service.works.length === 0) return undefined;
    const hit = this.service.timedRequest('hover', () => citationAtPosition(document, position, this.service.lookup));
    if (!hit || token.isCancellationRequested) return undefined;
    const references = await this.referencesOf(hit.works);
    if (token.isCancellationRequested) return undefined;
    const range = new vscode.Range(hit.start.line, hit.start.character, hit.end.line, hit.end.character);
    return new vscode.Hover(workCards(hit.works, this.service.corpus.byId, references), range);
  }

  /** The entries known now, after waiting at most REFERENCE_WAIT_MS for the missing ones. */
  private async referencesOf(works: readonly Work[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const name = this.service.settings.bibliographyStyle;
    const style = resolveStyle(name, this.service.styleOptions());
    if (!style) return out;
    const keyOf = (w: Work) => `${style.id}\u0000${style.xml.length}\u0000${this.service.version}\u0000${w.id}`;
    // A work without a title (known only from a citation) prints as a bare "Voronka. (2019).": no entry for it.
    const missing = works.filter((w) => w.title && !this.references.has(keyOf(w)));
    if (missing.length) {
      const batch = keyOf(missing[0]) + missing.length;
      let request = this.pending.get(batch);
      if (!request) {
        request = this.service
          .renderCitations({ style: { key: style.id, xml: style.xml, defaultLocale: style.defaultLocale }, lang: style.defaultLocale ?? 'en-US', items: Object.fromEntries(missing.map((w) => [w.id, toCsl(w)])), clusters: [], uncited: missing.map((w) => w.id) })
          .then(
            (r) => {
              const html = new Map(r.bibliography.map((e) => [e.id, e.html]));
              for (const w of missing) this.remember(keyOf(w), html.has(w.id) ? referenceMarkdown(html.get(w.id)!) : '');
            },
            () => {
              for (const w of missing) this.remember(keyOf(w), '');
            },
          )
          .finally(() => this.pending.delete(batch));
        this.pending.set(batch, request);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([request, new Promise<void>((r) => (timer = setTimeout(r, REFERENCE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    for (const w of works) {
      const md = this.references.get(keyOf(w));
      if (md) out.set(w.id, md);
    }
    return out;
  }

  private remember(key: string, md: string): void {
    this.references.set(key, md);
    while (this.references.size > KEEP) this.references.delete(this.references.keys().next().value as string);
  }
}

export function registerCitationHover(service: CorpusService, selector: vscode.DocumentSelector = MARKDOWN): vscode.Disposable {
  const provider = new CitationHoverProvider(service);
  return vscode.languages.registerHoverProvider(selector, provider);
}
