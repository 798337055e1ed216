/** Every command, view, context key and channel id the extension contributes, in one place. */

export const EXTENSION_ID = 'corpus-cite.corpus-cite';
export const LOG_CHANNEL = 'Corpus Cite';
export const DIAGNOSTIC_SOURCE = 'Corpus Cite';

export const ViewIds = {
  container: 'corpusCite',
  corpus: 'corpusCite.corpus',
} as const;

export const CommandIds = {
  groupBy: 'corpusCite.groupBy',
  filter: 'corpusCite.filter',
  /** The filter command's title action while a filter is on (filled icon). */
  editFilter: 'corpusCite.editFilter',
  clearFilter: 'corpusCite.clearFilter',
  revealCurrent: 'corpusCite.revealCurrent',
  insertCitation: 'corpusCite.insertCitation',
  openSource: 'corpusCite.openSource',
  copyCitation: 'corpusCite.copyCitation',
  copyBibtex: 'corpusCite.copyBibtex',
  copyBibliographyEntry: 'corpusCite.copyBibliographyEntry',
  openDoi: 'corpusCite.openDoi',
  reindex: 'corpusCite.reindex',
  openSampleCorpus: 'corpusCite.openSampleCorpus',
  closeSampleCorpus: 'corpusCite.closeSampleCorpus',
  showLog: 'corpusCite.showLog',
  updateBibliography: 'corpusCite.updateBibliography',
  exportCitedWorks: 'corpusCite.exportCitedWorks',
  showUncitedWorks: 'corpusCite.showUncitedWorks',
  showCitationMap: 'corpusCite.showCitationMap',
  /** Internal (quick fix "Search the corpus…"): not contributed to the palette. */
  replaceCitation: 'corpusCite.replaceCitation',
} as const;
export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

/** The documents citations are completed and hovered in: Markdown files and unsaved drafts. */
export const MARKDOWN: readonly { language: string; scheme: string }[] = [
  { language: 'markdown', scheme: 'file' },
  { language: 'markdown', scheme: 'untitled' },
];

/**
 * MARKDOWN plus the Markdown documents of a virtual workspace's own scheme (`vscode-vfs:` ...),
 * never those of other schemes (git: diffs, output, chat).
 */
export function markdownSelector(folderSchemes: readonly string[]): { language: string; scheme: string }[] {
  const schemes = new Set(MARKDOWN.map((s) => s.scheme));
  return [...MARKDOWN, ...[...new Set(folderSchemes)].filter((s) => !schemes.has(s)).map((scheme) => ({ language: 'markdown', scheme }))];
}

/** Diagnostic code of an unknown citation in a manuscript (its quick fixes look for it). */
export const UNKNOWN_CITATION_CODE = 'unknown-citation';

/** Context keys used in `when` clauses of package.json. */
export const ContextKeys = {
  /** 'indexing' | 'empty' | 'ready' */
  state: 'corpusCite.state',
  filtered: 'corpusCite.filtered',
  /** The corpus holds works: the view's title actions show only then (not on its welcome). */
  hasWorks: 'corpusCite.hasWorks',
  /** The bundled sample records are in the corpus. */
  sampleOpen: 'corpusCite.sampleOpen',
} as const;

/** `TreeItem.contextValue`s of works; menus match them with `viewItem =~ /.../`. */
export const WorkContext = {
  record: 'corpusCite.work.record',
  cited: 'corpusCite.work.cited',
  related: 'corpusCite.work.related',
  /** Appended when the work has a DOI (enables "Open DOI"). */
  doiSuffix: '+doi',
} as const;
