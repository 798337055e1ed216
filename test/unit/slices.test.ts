import * as assert from 'assert';
import { runToEnd, sortInSlices } from '../../src/core/tree/slices';

describe('sortInSlices', () => {
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;

  it('sorts like Array.prototype.sort, stable, for every length around the run size', () => {
    for (const n of [0, 1, 5, 4095, 4096, 4097, 8192, 8193, 20000, 50001]) {
      const list = Array.from({ length: n }, (_, i) => ({ k: Math.floor(rnd() * 500), i }));
      const expected = [...list].sort((a, b) => a.k - b.k);
      runToEnd(sortInSlices(list, (a, b) => a.k - b.k));
      assert.deepStrictEqual(list, expected, `n = ${n}`);
    }
  });

  it('yields between steps on a long list, never between none', () => {
    const list = Array.from({ length: 30000 }, () => rnd());
    let yields = 0;
    const gen = sortInSlices(list, (a, b) => a - b);
    while (!gen.next().done) yields++;
    assert.ok(yields >= 8, `${yields} yields`);
    for (let i = 1; i < list.length; i++) assert.ok(list[i - 1] <= list[i]);
  });
});
