import * as path from 'path';
import type { Corpus } from '../../../src/core/build/corpus';
import { indexPaths } from '../../../src/core/build/loadFiles';
import type { Work } from '../../../src/core/model/model';

export const ROOT = path.resolve(__dirname, '../../..');
export const SEEDS = path.join(ROOT, 'fixtures', 'seeds');
export const VARIED = path.join(ROOT, 'fixtures', 'varied');

const cache = new Map<string, Corpus>();

/** Indexes a fixture folder once per test run. */
export function corpusOf(dir: string): Corpus {
  let c = cache.get(dir);
  if (!c) {
    c = indexPaths([dir]);
    cache.set(dir, c);
  }
  return c;
}

/** The work with this id, or a failed assertion listing what there is. */
export function work(c: Corpus, id: string): Work {
  const w = c.byId.get(id);
  if (!w) throw new Error(`no work ${id}; have: ${c.works.map((x) => x.id).join(', ')}`);
  return w;
}

export function year(w: Work): unknown {
  return w.issued?.['date-parts']?.[0]?.[0];
}

export function families(w: Work): string[] {
  return (w.author ?? []).map((a) => a.family ?? a.literal ?? '');
}

/** Ids of the works `w` cites in running text or reference lists. */
export function citedIds(c: Corpus, w: Work): string[] {
  return [...w['x-corpus'].cites].sort();
}

/**
 * A modification time `msAgo` in the past that is never a whole second: a whole-second mtime reads
 * as a file system with coarse timestamps, so the cache re-hashes the file every time (a test that
 * used `Date.now() - n` saw that once in a thousand runs).
 */
export function pastMtime(msAgo: number): Date {
  return new Date(Math.floor((Date.now() - msAgo) / 1000) * 1000 + 437);
}
