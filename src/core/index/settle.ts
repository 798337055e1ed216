/**
 * Waiting for a condition that events change: the completion provider at a warm start waits for
 * the works from the cache (src/vscode/corpusIndexing.ts `whenCachedWorks`). Pure: the events are
 * plain subscribe functions (a `vscode.Event` is one).
 */

/** Subscribes a listener; the result ends the subscription. */
export type Subscribe = (listener: () => void) => { dispose(): void };

/**
 * Resolves once `pending()` is false, checked at once and each time one of `signals` fires, or
 * after `maxMs` at the latest; it then stops listening. Never rejects.
 */
export function whenSettled(pending: () => boolean, signals: readonly Subscribe[], maxMs: number): Promise<void> {
  if (!pending()) return Promise.resolve();
  return new Promise((resolve) => {
    const subs: { dispose(): void }[] = [];
    let over = false;
    const finish = () => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      for (const d of subs.splice(0)) d.dispose();
      resolve();
    };
    const timer = setTimeout(finish, maxMs);
    for (const on of signals) {
      subs.push(
        on(() => {
          if (!pending()) finish();
        }),
      );
      if (over) for (const d of subs.splice(0)) d.dispose(); // a signal that fired as it was subscribed
    }
  });
}

/** A promise as a signal: fires once when it settles (resolved or rejected). */
export function promiseSignal(p: Promise<unknown>): Subscribe {
  return (listener) => {
    let on = true;
    const fire = () => {
      if (on) listener();
    };
    p.then(fire, fire);
    return { dispose: () => (on = false) };
  };
}
