import * as assert from 'assert';
import { promiseSignal, type Subscribe, whenSettled } from '../../src/core/index/settle';

/** A minimal event: `on` subscribes, `fire` calls the listeners; `count` is how many listen. */
function emitter(): { on: Subscribe; fire(): void; readonly count: number } {
  const listeners = new Set<() => void>();
  return {
    on: (l) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    fire: () => [...listeners].forEach((l) => l()),
    get count() {
      return listeners.size;
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('whenSettled (waiting for the works from the warm-start cache)', () => {
  it('resolves at once when nothing is pending, subscribing to nothing', async () => {
    const e = emitter();
    await whenSettled(() => false, [e.on], 10_000);
    assert.strictEqual(e.count, 0);
  });

  it('resolves on the first signal after which nothing is pending, not before, and stops listening', async () => {
    const a = emitter();
    const b = emitter();
    let pending = true;
    let done = false;
    const p = whenSettled(() => pending, [a.on, b.on], 10_000).then(() => (done = true));
    a.fire(); // still pending: keeps waiting
    await tick();
    assert.ok(!done);
    assert.strictEqual(a.count + b.count, 2);
    pending = false;
    b.fire();
    await p;
    assert.ok(done);
    assert.strictEqual(a.count + b.count, 0, 'unsubscribed from every signal');
  });

  it('resolves after maxMs at the latest, even when still pending', async () => {
    const e = emitter();
    const t0 = Date.now();
    await whenSettled(() => true, [e.on], 30);
    assert.ok(Date.now() - t0 >= 25);
    assert.strictEqual(e.count, 0);
  });

  it('takes a promise as a signal, resolved or rejected, and ignores it once disposed', async () => {
    let pending = true;
    let fired = 0;
    const sub = promiseSignal(Promise.resolve())(() => fired++);
    await tick();
    assert.strictEqual(fired, 1);
    const late = promiseSignal(new Promise((r) => setTimeout(r, 20)))(() => fired++);
    late.dispose();
    await new Promise((r) => setTimeout(r, 30));
    assert.strictEqual(fired, 1, 'a disposed promise signal does not fire');
    sub.dispose();
    const rejected = Promise.reject(new Error('worker gone'));
    const t0 = Date.now();
    const p = whenSettled(() => pending, [promiseSignal(rejected)], 10_000);
    pending = false;
    await p;
    assert.ok(Date.now() - t0 < 1000, 'resolved by the rejection, not by the 10 s timeout');
  });
});
