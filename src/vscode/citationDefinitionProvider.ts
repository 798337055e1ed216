/**
 * Go to definition from a citation in Markdown: to the record's line in its corpus file (or the
 * related-paper or reference entry that names the work); for a work known only from citations,
 * to the sentence that cites it, selected (a citing line can be a 3,000-character paragraph).
 */
import * as vscode from 'vscode';
import type { Work } from '../core/model';
import { definitionTarget, sentenceRange } from '../core/navigation';
import { worksAtCursor } from './citationText';
import type { CorpusService } from './corpusService';

/** Lines read on each side of the position: a citation may wrap over a few lines. */
const WINDOW = 3;

/** The works of the citation under the cursor, and the citation's range. */
export function citedWorksAt(document: vscode.TextDocument, position: vscode.Position, service: CorpusService): { works: Work[]; range: vscode.Range; key?: string } | undefined {
  if (service.works.length === 0) return undefined;
  const first = Math.max(0, position.line - WINDOW);
  const last = Math.min(document.lineCount - 1, position.line + WINDOW);
  const lines: string[] = [];
  for (let l = first; l <= last; l++) lines.push(document.lineAt(l).text);
  const hit = worksAtCursor(lines, first, position.line, position.character, service.lookup);
  return hit && { works: hit.works, range: new vscode.Range(hit.start.line, hit.start.character, hit.end.line, hit.end.character), key: hit.key };
}

/** Where a work is defined, as a location in the editor (the entry with `key`, when cited by one). */
export function definitionLocation(work: Work, service: CorpusService, key?: string): vscode.Location | undefined {
  const t = definitionTarget(work, (file) => service.fileRank(file), key);
  const uri = t && service.uriOf(t.file);
  return uri && new vscode.Location(uri, new vscode.Position(Math.max(0, t.line - 1), 0));
}

/**
 * The definition location with its range: for a work known only from citations, the citing
 * sentence selected, read from the file as it is now; else the target line's start.
 */
export async function definitionRange(work: Work, service: CorpusService, key?: string): Promise<vscode.Location | undefined> {
  const t = definitionTarget(work, (file) => service.fileRank(file), key);
  const uri = t && service.uriOf(t.file);
  if (!t || !uri) return undefined;
  const line = new vscode.Position(Math.max(0, t.line - 1), 0);
  if (t.sentence === undefined) return new vscode.Location(uri, line);
  try {
    const doc = await vscode.workspace.openTextDocument(uri);
    const r = sentenceRange(doc.getText(), t.line, t.sentence, t.citation);
    if (r) return new vscode.Location(uri, new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character));
  } catch {
    // Unreadable now: the line is all we know.
  }
  return new vscode.Location(uri, line);
}

export class CitationDefinitionProvider implements vscode.DefinitionProvider {
  constructor(private readonly service: CorpusService) {}

  async provideDefinition(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.LocationLink[] | undefined> {
    const hit = citedWorksAt(document, position, this.service);
    if (!hit || token.isCancellationRequested) return undefined;
    const links: vscode.LocationLink[] = [];
    for (const w of hit.works) {
      const loc = await definitionRange(w, this.service, hit.key);
      if (token.isCancellationRequested) return undefined;
      if (loc) links.push({ originSelectionRange: hit.range, targetUri: loc.uri, targetRange: loc.range, targetSelectionRange: loc.range });
    }
    return links.length ? links : undefined;
  }
}

export function registerCitationDefinition(selector: vscode.DocumentSelector, service: CorpusService): vscode.Disposable {
  return vscode.languages.registerDefinitionProvider(selector, new CitationDefinitionProvider(service));
}
