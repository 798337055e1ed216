/** "Did you mean": the labels closest to a citation the corpus does not know. */
import type { Work } from '../model/model';
import { fold } from '../model/names';
import { headOf } from '../model/workStore';

const cited = (w: Work): boolean => headOf(w).role === 'cited';

/** Optimal string alignment distance, bounded: stops early once every cell exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The works whose label or id is nearest to `key` (`Voronka 2018` → `Voronka 2019`,
 * `@voronk2019` → `voronka2019`), nearest first, within a distance that grows with the length.
 */
export function nearestWorks(works: readonly Work[], key: string, limit = 3): Work[] {
  const q = fold(key).replace(/\s+/g, '');
  if (!q) return [];
  const max = Math.max(2, Math.floor(q.length / 3));
  const scored: { w: Work; d: number }[] = [];
  for (const w of works) {
    const d = Math.min(editDistance(q, w.id, max), editDistance(q, fold(w['citation-label']).replace(/\s+/g, ''), max));
    if (d <= max) scored.push({ w, d });
  }
  scored.sort((x, y) => x.d - y.d || (cited(x.w) === cited(y.w) ? 0 : cited(x.w) ? 1 : -1) || (x.w.id < y.w.id ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.w);
}
