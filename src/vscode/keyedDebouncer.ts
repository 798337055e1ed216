/** One pending timer per key (a document URI): a new call for the key replaces the pending one. */
export class KeyedDebouncer {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** Runs `run` after `delay` ms unless the key is scheduled again or cancelled first. */
  schedule(key: string, delay: number, run: () => void): void {
    this.cancel(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        run();
      }, delay),
    );
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
