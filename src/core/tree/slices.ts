/**
 * Work cut into slices: generators that yield between steps, so the editor's event loop can run
 * in between (the tree's grouping of 50,000 works is driven this way, about 8 ms per slice).
 */

/** Lets the event loop run (timers, I/O, other requests) before going on. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Sorts `list` in place, yielding between steps: runs of 4,096 sorted one at a time, then merged
 * pairwise a few thousand elements per step, so no step takes long however long the list.
 */
export function* sortInSlices<T>(list: T[], cmp: (a: T, b: T) => number): Generator<void, void> {
  const RUN = 4096;
  const n = list.length;
  if (n <= RUN) {
    list.sort(cmp);
    return;
  }
  for (let i = 0; i < n; i += RUN) {
    const run = list.slice(i, i + RUN).sort(cmp);
    for (let k = 0; k < run.length; k++) list[i + k] = run[k];
    yield;
  }
  let src = list;
  let dst: T[] = new Array<T>(n);
  for (let width = RUN; width < n; width *= 2) {
    let steps = 0;
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let a = lo;
      let b = mid;
      for (let k = lo; k < hi; k++) {
        dst[k] = a < mid && (b >= hi || cmp(src[a], src[b]) <= 0) ? src[a++] : src[b++];
        if ((++steps & 8191) === 0) yield;
      }
    }
    [src, dst] = [dst, src];
  }
  if (src !== list) for (let k = 0; k < n; k++) list[k] = src[k];
}

/** Runs a sliced computation to the end at once. */
export function runToEnd<R>(gen: Generator<void, R>): R {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}
