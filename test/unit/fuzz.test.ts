/**
 * Property-based fuzzing (fixed seed, bounded runs): no parser and not the citation extractor
 * ever throws, and parser output always validates against the zod schema.
 */
import * as assert from 'assert';
import fc from 'fast-check';
import { extractCitations } from '../../src/core/build/citations';
import { buildCorpus } from '../../src/core/build/corpus';
import { parseBytes } from '../../src/core/build/loadFiles';
import { findManuscriptCitations } from '../../src/core/manuscript/manuscript';
import { ParsedFileSchema, WorkSchema } from '../../src/core/model/model';
import { parseBibtex } from '../../src/core/parsers/bibtex';
import { parseCslJson } from '../../src/core/parsers/cslJson';
import { parseEmerald } from '../../src/core/parsers/emerald';
import { parseRis } from '../../src/core/parsers/ris';
import { parseScienceOpen } from '../../src/core/parsers/scienceOpen';
import { parseSemanticScholar } from '../../src/core/parsers/semanticScholar';
import { parseWosChinese } from '../../src/core/parsers/wosChinese';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helpers/corpus';

const SEED = 20261125;
const RUNS = 150;

/** Real files of each format, to mutate: fuzzing from scratch rarely reaches the deep paths. */
const samples: Record<string, string> = {};
for (const dir of ['seeds', 'varied', 'formats']) {
  for (const f of fs.readdirSync(path.join(ROOT, 'fixtures', dir))) samples[`${dir}/${f}`] = fs.readFileSync(path.join(ROOT, 'fixtures', dir, f), 'utf8');
}
const sampleTexts = Object.values(samples);

const tokens = fc.constantFrom('(', ')', ';', ',', '&', ' and ', ' et al.', '2019', '20122016', 'n.d.', 'Smith', 'O’Hagan', '\n', '{', '}', '@article{', '"', '\\', 'TY  - ', 'ER  - ', '作者', '摘要', '• [1] ', '[J]. ', ':', 'Bookmark', 'Published date', 'VOL. 1 NO. 2 2019, pp. 1-2', '\u202e', '\u0000', '[x](command:evil)', '<script>');
const noisyText = fc.array(fc.oneof(tokens, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 120 }).map((a) => a.join(''));

/** A sample with a random slice cut out and random noise spliced in. */
const mutated = fc.tuple(fc.constantFrom(...sampleTexts), fc.nat(), fc.nat(), noisyText).map(([s, a, b, noise]) => {
  const i = a % (s.length + 1);
  const j = Math.min(s.length, i + (b % 400));
  return s.slice(0, i) + noise + s.slice(j);
});

const parsers = { parseBibtex, parseCslJson, parseRis, parseEmerald, parseScienceOpen, parseSemanticScholar, parseWosChinese };

describe('fuzz', function () {
  this.timeout(120_000);
  for (const [name, parse] of Object.entries(parsers)) {
    it(`${name} never throws and always validates`, () => {
      fc.assert(
        fc.property(fc.oneof(mutated, noisyText), (text) => {
          const out = parse(text, 'fuzz.txt');
          ParsedFileSchema.parse(out);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }

  it('the citation extractor never throws and reports lines inside the block', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, noisyText), fc.integer({ min: 1, max: 1000 }), (text, line) => {
        const lines = text.split('\n').length;
        for (const c of extractCitations({ text, line })) {
          assert.ok(c.line >= line && c.line < line + lines, `line ${c.line} outside ${line}..${line + lines - 1}`);
          assert.ok(c.authors.length > 0);
        }
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it('whole pipeline from random bytes: decode, sniff, parse, build — works always validate', () => {
    fc.assert(
      fc.property(fc.oneof(mutated.map((s) => Buffer.from(s, 'utf8')), fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a))), (bytes) => {
        const parsed = parseBytes(bytes, 'fuzz.bin');
        ParsedFileSchema.parse(parsed);
        for (const w of buildCorpus([parsed]).works) WorkSchema.parse(w);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the manuscript scanner never throws and ranges stay on their line', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, noisyText), (text) => {
        const lines = text.replace(/\r\n?/g, '\n').split('\n');
        for (const c of findManuscriptCitations(text)) {
          assert.ok(c.line < lines.length);
          assert.ok(c.start <= c.end && c.end <= lines[c.line].length + 1, JSON.stringify(c));
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
