import * as assert from 'assert';
import { shelve } from '../../src/core/tree/shelves';

describe('shelve (long tree levels cut alphabetically)', () => {
  const id = (s: string) => s.toLowerCase();

  it('leaves a short list alone', () => {
    assert.strictEqual(shelve(['b', 'a'], id, 2), undefined);
  });

  it('cuts a long list by first letter, keeping the order within each shelf, "#" last', () => {
    const items = ['Mead 2017', 'adams', 'Mead 2001', '1999 report', '(anon)', 'Baker', 'ávila'];
    const shelves = shelve(items, id, 3)!;
    assert.deepStrictEqual(
      shelves.map((s) => `${s.label}:${s.items.join('|')}`),
      ['1:1999 report', 'A:adams', 'B:Baker', 'M:Mead 2017|Mead 2001', 'Á:ávila', '#:(anon)'],
    );
    assert.strictEqual(shelves.reduce((n, s) => n + s.items.length, 0), items.length, 'nothing lost');
  });

  it('goes a letter deeper when every item shares the first one, and stops at the depth limit', () => {
    const items = ['smith', 'smyth', 'sato', 'sanders'];
    assert.deepStrictEqual(shelve(items, id, 2)!.map((s) => s.label), ['SA', 'SM']);
    assert.deepStrictEqual(shelve(['aaaa1', 'aaaa2', 'aaaa3'], id, 2, 1, 4), undefined);
    // A shelf opened later is cut again by two letters.
    const m = shelve(['mead', 'mead b', 'moore', 'miller'], id, 2, 2)!;
    assert.deepStrictEqual(m.map((s) => `${s.label}:${s.items.length}`), ['ME:2', 'MI:1', 'MO:1']);
  });

  it('counts characters, not UTF-16 units', () => {
    const shelves = shelve(['𝔄bc', '𝔄bd', 'x'], id, 2, 1)!;
    assert.deepStrictEqual(shelves.map((s) => s.label), ['X', '𝔄']);
  });
});
