import type { Work } from '../../../src/core/model/model';

/** An `x-corpus` object with every list empty, for works built by hand in tests. */
export function xCorpus(over: Partial<Work['x-corpus']> = {}): Work['x-corpus'] {
  return { kind: 'record', citedBy: [], cites: [], related: [], referencedBy: [], contexts: [], sources: [], inferred: [], ...over };
}
