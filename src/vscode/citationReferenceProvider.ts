/**
 * Find all references of a work: every citation of it in the workspace's Markdown files. Works
 * from a citation in Markdown, and from a record or reference entry in a corpus file.
 */
import * as vscode from 'vscode';
import { citedWorksAt, definitionLocation } from './citationDefinitionProvider';
import type { CorpusService } from './corpusService';
import type { ManuscriptIndex } from './manuscriptIndex';

export class CitationReferenceProvider implements vscode.ReferenceProvider {
  constructor(
    private readonly service: CorpusService,
    private readonly manuscripts: ManuscriptIndex,
  ) {}

  async provideReferences(document: vscode.TextDocument, position: vscode.Position, context: vscode.ReferenceContext, token: vscode.CancellationToken): Promise<vscode.Location[] | undefined> {
    const ids = await this.workIdsAt(document, position);
    if (!ids.length) return undefined;
    const uses = await this.manuscripts.uses();
    if (token.isCancellationRequested) return undefined;
    const out: vscode.Location[] = [];
    if (context.includeDeclaration) {
      for (const id of ids) {
        const w = this.service.corpus.byId.get(id);
        const loc = w && definitionLocation(w, this.service);
        if (loc) out.push(loc);
      }
    }
    for (const u of uses) {
      if (u.works.some((id) => ids.includes(id))) out.push(new vscode.Location(u.uri, new vscode.Range(u.citation.line, u.citation.start, u.citation.line, u.citation.end)));
    }
    return out;
  }

  private async workIdsAt(document: vscode.TextDocument, position: vscode.Position): Promise<string[]> {
    if (document.languageId === 'markdown') {
      const hit = citedWorksAt(document, position, this.service);
      if (hit) return hit.works.map((w) => w.id);
    }
    // A corpus file: the works named on this line.
    return (await this.service.workEntries(document.uri)).filter((e) => e.line - 1 === position.line).map((e) => e.workId);
  }
}

export function registerCitationReferences(selector: vscode.DocumentSelector, service: CorpusService, manuscripts: ManuscriptIndex): vscode.Disposable {
  return vscode.languages.registerReferenceProvider(selector, new CitationReferenceProvider(service, manuscripts));
}
