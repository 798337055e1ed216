/**
 * Nesting depth of JSON, bounded without recursion. `JSON.parse` itself copes with any depth,
 * but a value nested 100,000 deep kept in a record overflows the stack later, wherever it is
 * walked recursively: `JSON.stringify` (the cache, `--json`), the structured clone between the
 * worker and the editor, zod. Records therefore never keep a value deeper than MAX_JSON_DEPTH.
 */

/** Deepest nesting a record's field value may have (CSL dates and names need 3). */
export const MAX_JSON_DEPTH = 32;

/**
 * The deepest nesting of `[`/`{` in JSON text (strings skipped), counting no further than
 * `stop`. Linear, no allocation.
 */
export function jsonTextDepth(text: string, stop = Infinity): number {
  let depth = 0;
  let max = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // To the closing quote: found natively (most of a CSL-JSON file's text is inside strings),
      // skipping a quote after an odd run of backslashes.
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q === -1) return max;
        let bs = 0;
        for (let k = q - 1; text.charCodeAt(k) === 92 /* \ */; k--) bs++;
        i = q;
        if (bs % 2 === 0) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > max) {
        max = depth;
        if (max >= stop) return max;
      }
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return max;
}

/** Whether a parsed value nests deeper than `limit` (iterative; stops at the first such path). */
export function deeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: { v: object; d: number }[] = [{ v: value, d: 1 }];
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (d > limit) return true;
    for (const k in v) {
      const c = (v as Record<string, unknown>)[k];
      if (c !== null && typeof c === 'object') stack.push({ v: c, d: d + 1 });
    }
  }
  return false;
}
