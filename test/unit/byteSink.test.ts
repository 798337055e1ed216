import * as assert from 'assert';
import { ByteSink } from '../../src/core/model/byteSink';

describe('ByteSink (text appended as UTF-8 into one growing buffer)', () => {
  const texts = ['plain ascii', 'é and ü', '漢字 and 𝄞 (a surrogate pair)', '', 'x'.repeat(5000)];
  const expected = Buffer.concat(texts.map((t) => Buffer.from(t, 'utf8')));

  for (const shared of [false, true]) {
    it(`${shared ? 'shared' : 'private'}: the bytes are the UTF-8 of every text in order, ends as returned, past the first reservation`, () => {
      // A tiny guess: the reservation (at least 1 MB) is outgrown by appending ~3 MB.
      const sink = new ByteSink(1, shared);
      const ends: number[] = [];
      const want: Buffer[] = [];
      for (let round = 0; round < 120; round++)
        for (const t of texts) {
          ends.push(sink.append(t));
          want.push(Buffer.from(t, 'utf8'));
        }
      const bytes = sink.bytes();
      const all = Buffer.concat(want);
      assert.strictEqual(bytes.length, all.length);
      assert.ok(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).equals(all));
      let at = 0;
      want.forEach((w, i) => {
        at += w.length;
        assert.strictEqual(ends[i], at);
      });
      assert.strictEqual(bytes.buffer instanceof SharedArrayBuffer, shared);
      if (!shared) assert.strictEqual(bytes.buffer.byteLength, bytes.length, 'a private sink shrinks to what was written');
    });
  }

  it('one round of texts decodes back to them', () => {
    const sink = new ByteSink(64);
    for (const t of texts) sink.append(t);
    const bytes = sink.bytes();
    assert.ok(Buffer.from(bytes).equals(expected));
    assert.strictEqual(new TextDecoder().decode(bytes), texts.join(''));
  });
});
