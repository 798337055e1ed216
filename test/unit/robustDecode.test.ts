/**
 * Legacy encodings decided from the bytes (issue 12): a European .bib in Windows-1252 or Latin-1
 * is not read as GB18030, a file mixing UTF-8 and Latin-1 lines is read line by line, the file's
 * own declaration is taken unless its bytes contradict it, and GB18030 stays GB18030.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { declaredEncoding, decodeBytes } from '../../src/core/io/decode';
import { parseBytes } from '../../src/core/build/loadFiles';
import { ROOT } from './helpers/corpus';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const titles = (bytes: Buffer) => parseBytes(bytes, 'x.bib').records.map((r) => r.csl.title);
/** GB2312 bytes of a few common ideographs (two bytes each). */
const GB: Record<string, number[]> = { 心: [0xd0, 0xc4], 理: [0xc0, 0xed], 健: [0xbd, 0xa1], 康: [0xbf, 0xb5], 研: [0xd1, 0xd0], 究: [0xbe, 0xbf], 中: [0xd6, 0xd0], 文: [0xce, 0xc4] };
const gb = (s: string) => Buffer.from([...s].flatMap((c) => GB[c] ?? [c.charCodeAt(0)]));

describe('legacy encodings decided from the bytes', () => {
  it('a Latin-1 / Windows-1252 .bib keeps its accents and every entry', () => {
    const src = '@article{a,\n  title = {Über die Straße nach München},\n  year = {1999}\n}\n@article{b,\n  title = {Ça, Ação e reação},\n  author = {Gödel, Kurt and Sørensen, Åse},\n  year = {2000}\n}\n@book{c, title = {Œuvres – “complètes”}, year = 2001}\n';
    const bytes = Buffer.from(new TextEncoder().encode(src)).toString('utf8');
    const w1252 = Buffer.from([...bytes].map((ch) => ({ 'Œ': 0x8c, '–': 0x96, '“': 0x93, '”': 0x94 })[ch] ?? ch.charCodeAt(0)));
    const d = decodeBytes(w1252);
    assert.strictEqual(d.encoding, 'windows-1252');
    assert.deepStrictEqual(titles(w1252), ['Über die Straße nach München', 'Ça, Ação e reação', 'Œuvres – “complètes”']);
    assert.deepStrictEqual(titles(latin1('@article{m, title = {Über die Straße nach München}, year = 1999}\n@article{n, title = {Ähnlichkeit}, year = 2000}\n')), ['Über die Straße nach München', 'Ähnlichkeit']);
    // Portuguese alone (accented pairs inside words) is not Chinese either.
    assert.strictEqual(decodeBytes(latin1('@misc{p, title = {Ação e reação na educação}}\n')).encoding, 'windows-1252');
  });

  it('a file mixing UTF-8 lines and Latin-1 lines: each line in its own encoding', () => {
    const bytes = Buffer.concat([Buffer.from('@article{a, title = {Grüße aus Köln}, year = 2001}\n', 'utf8'), latin1('@article{b, title = {Über die Straße}, year = 2002}\n'), Buffer.from('@article{c, title = {日本語の題名}, year = 2003}\n', 'utf8')]);
    const d = decodeBytes(bytes);
    assert.match(d.notes[0], /read 1 line as Windows-1252, the other 2 with accents as UTF-8/);
    assert.deepStrictEqual(titles(bytes), ['Grüße aus Köln', 'Über die Straße', '日本語の題名']);
  });

  it('GB18030 stays GB18030: the Web of Science fixture and hand-made GB2312 text', () => {
    const wos = decodeBytes(fs.readFileSync(path.join(ROOT, 'fixtures', 'bad', 'wos-gb18030.txt')));
    assert.strictEqual(wos.encoding, 'gb18030');
    assert.match(wos.text, /被引/);
    assert.match(wos.text, /作者/);
    const bib = gb('@article{z, title = {心理健康研究}, journal = {中文}, year = 2020}\n@article{y, title = {健康 心理}, year = 2021}\n');
    assert.strictEqual(decodeBytes(bib).encoding, 'gb18030');
    assert.deepStrictEqual(titles(bib), ['心理健康研究', '健康 心理']);
  });

  it('the file’s own declaration is read, and taken unless the bytes contradict it', () => {
    assert.strictEqual(declaredEncoding(latin1('@comment{jabref-meta: encoding:ISO8859_15;}\n')), undefined); // not a label TextDecoder knows
    assert.strictEqual(declaredEncoding(latin1('% Encoding: windows-1252\n')), 'windows-1252');
    assert.strictEqual(declaredEncoding(latin1('@comment{jabref-meta: encoding:UTF8;}\n')), 'utf-8');
    assert.strictEqual(declaredEncoding(latin1('% !TEX encoding = ISO-8859-15\n')), 'iso-8859-15');
    assert.strictEqual(declaredEncoding(latin1('<?xml version="1.0" encoding="ISO-8859-1"?>\n')), 'windows-1252');
    // ISO-8859-15 has € at 0xA4 where Latin-1 has ¤: the declaration decides.
    const euro = Buffer.concat([latin1('% !TEX encoding = ISO-8859-15\n@misc{e, title = {Kosten in '), Buffer.from([0xa4]), latin1(' für Straßen}}\n')]);
    const d = decodeBytes(euro);
    assert.strictEqual(d.encoding, 'iso-8859-15');
    assert.match(d.notes[0], /as it says/);
    assert.deepStrictEqual(titles(euro), ['Kosten in € für Straßen']);
    // A declared GB18030 on European bytes: the bytes win, and the note says so.
    const wrong = latin1('@comment{jabref-meta: encoding:GB18030;}\n@article{a, title = {Über die Straße nach München}, year = 1999}\n');
    const w = decodeBytes(wrong);
    assert.strictEqual(w.encoding, 'windows-1252');
    assert.match(w.notes[0], /it says gb18030, which its bytes contradict/);
    assert.deepStrictEqual(titles(wrong), ['Über die Straße nach München']);
  });

  it('valid UTF-8 is UTF-8 whatever it declares', () => {
    const u = Buffer.from('% Encoding: windows-1252\n@misc{u, title = {Grüße}}\n', 'utf8');
    assert.strictEqual(decodeBytes(u).encoding, 'utf-8');
    assert.deepStrictEqual(titles(u), ['Grüße']);
  });
});
