/**
 * The BibTeX scanner reads a one-byte twin of a text that has characters above U+00FF (memory,
 * issue 15: see `oneByteTwin` in bibtex.ts). It must give exactly what scanning the text itself
 * gives, wherever such characters are: in values, keys, types, field and macro names, between
 * tokens (U+FEFF is a space to the scanner), in broken entries and in the messages about them.
 * 'Ż' (U+017B) is there because its low byte is '{', '⁽' (U+207D) because its low byte is '}'.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseCleanBibtex } from '../../src/core/parsers/bibtex';
import { ROOT } from './helpers/corpus';

const HIGH = ['Ż', '⁽', '€', '𝄞', '\ufeff', '“', 'ı'];

const same = (text: string, name: string) => assert.deepStrictEqual(parseCleanBibtex(text, name, true), parseCleanBibtex(text, name, false), name);

const BIB_DIR = path.join(ROOT, 'fixtures');
const bibs = (): string[] => {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.bib')) out.push(path.join(d, e.name));
    }
  };
  walk(BIB_DIR);
  return out;
};

describe('BibTeX scanned through its one-byte twin reads as the text itself', () => {
  it('characters above U+00FF in every place of an entry', () => {
    for (const h of HIGH) {
      same(`@article{k${h}ey, title = {A ${h} title}, author = "B${h} and C", year = 2020}\n`, `value ${h}`);
      same(`@string{m${h} = {Macro ${h}}}\n@book{b, title = m${h} # { and more}, publisher = m${h}}\n`, `macro ${h}`);
      same(`@art${h}icle{k, title = {T}}\n@misc{n, ti${h}tle = {T}, note${h} = x}\n`, `names ${h}`);
      same(`@article{k,${h}title = {T},${h}year = 2020${h}}\n`, `between tokens ${h}`);
      same(`@article{k, title = {T} ${h} year = 2020}\n@book{b, title = {B}}\n`, `unexpected ${h}`);
      same(`@article{k, title = {T ${h}\n@book{b, title = {B ${h}}}\n`, `unclosed ${h}`);
      same(`@article{k, title = {T}, year = 2020\n  note${h} = {N}}\n`, `missing comma ${h}`);
      same(`${h}@article{k, title = {T}}${h}\n@comment{${h}}\n@preamble{"${h}"}\n`, `outside entries ${h}`);
      same(`@article{k, crossref = {p${h}}}\n@book{p${h}, title = {P ${h}}, booktitle = {B}}\n`, `crossref ${h}`);
    }
  });

  it('the fixtures, with one such character put at each of many places', () => {
    let checked = 0;
    for (const f of bibs()) {
      const text = fs.readFileSync(f, 'utf8').replace(/\r\n?/g, '\n');
      same(text, f);
      const step = Math.max(1, Math.floor(text.length / 150));
      for (let at = 0, k = 0; at <= text.length; at += step, k++) {
        same(text.slice(0, at) + HIGH[k % HIGH.length] + text.slice(at), `${path.basename(f)} +${at}`);
        checked++;
      }
    }
    assert.ok(checked > 300, `${checked} variants`);
  });
});
