/**
 * Long lists cut into alphabetical shelves, as a library does: a tree level with 50,000 rows (the
 * authors of a large library, the works of one big .bib file) is slow to hand to the editor and
 * useless to scroll. A list longer than `max` becomes one shelf per first letter ("A", "B", …,
 * "#" for anything else); a shelf still longer than `max` is cut again by its first two letters
 * when opened, and so on to `maxDepth` letters, after which it is listed whole.
 */

export interface Shelf<T> {
  /** Upper-case prefix: "A", "MA", or "#" (not a letter or digit). */
  label: string;
  items: T[];
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** The first `n` characters (code points) of `s`. */
function prefix(s: string, n: number): string {
  let end = 0;
  for (let i = 0; i < n && end < s.length; i++) {
    const c = s.charCodeAt(end);
    end += c >= 0xd800 && c <= 0xdbff && end + 1 < s.length ? 2 : 1;
  }
  return s.slice(0, end);
}

/**
 * The shelves of `items` (kept in their order within each shelf; shelves in prefix order, "#"
 * last) by the first `depth` characters of `key` (a folded, lower-case sort key), or undefined
 * when the list is short enough, or cutting it would not split it.
 */
export function shelve<T>(items: readonly T[], key: (t: T) => string, max: number, depth = 1, maxDepth = 4): Shelf<T>[] | undefined {
  if (items.length <= max || depth > maxDepth) return undefined;
  const byPrefix = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t).trimStart();
    const cp = k.codePointAt(0);
    const first = cp === undefined ? '' : String.fromCodePoint(cp);
    const p = first && LETTER_OR_DIGIT.test(first) ? prefix(k, depth).toUpperCase() : '#';
    const list = byPrefix.get(p);
    if (list) list.push(t);
    else byPrefix.set(p, [t]);
  }
  if (byPrefix.size < 2) return depth < maxDepth && !byPrefix.has('#') ? shelve(items, key, max, depth + 1, maxDepth) : undefined;
  return [...byPrefix.keys()]
    .sort((a, b) => (a === '#' ? 1 : b === '#' ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map((label) => ({ label, items: byPrefix.get(label)! }));
}
