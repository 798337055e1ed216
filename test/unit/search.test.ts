import * as assert from 'assert';
import type { Work } from '../../src/core/model/model';
import { SearchIndex, normalizeForSearch, sortByKey } from '../../src/core/search/search';
import { xCorpus } from './helpers/builders';

interface Spec {
  label: string;
  id?: string;
  title?: string;
  authors?: string[]; // "Family, Given" or a literal name
  year?: number;
  venue?: string;
  doi?: string;
  keyword?: string;
  translatedTitle?: string;
  kind?: 'record' | 'cited';
}

function work(s: Spec): Work {
  const id = s.id ?? s.label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]/g, '');
  return {
    id,
    'citation-label': s.label,
    type: 'article-journal',
    title: s.title,
    author: (s.authors ?? []).map((a) => {
      const [family, given] = a.split(', ');
      return given === undefined ? { literal: family } : { family, given };
    }),
    issued: s.year !== undefined ? { 'date-parts': [[s.year]] } : undefined,
    'container-title': s.venue,
    DOI: s.doi,
    keyword: s.keyword,
    'x-corpus': xCorpus({ kind: s.kind ?? 'record', translatedTitle: s.translatedTitle }),
  };
}

const corpus: Work[] = [
  work({ label: 'Voronka 2019', title: 'Storytelling beyond the psychiatric gaze', authors: ['Voronka, Jijian'], year: 2019, venue: 'Journal of Ethics in Mental Health', doi: '10.1080/18387357.2019.1634978', keyword: 'peer support; service user involvement' }),
  work({ label: 'Voron 2001', title: 'Unrelated work', authors: ['Voron, Anna'], year: 2001, kind: 'cited' }),
  work({ label: 'Mead 2001', title: 'Peer support: a theoretical perspective to 2017', authors: ['Mead, Shery', 'Hilton, David', 'Curtis, Laurie'], year: 2001, venue: 'Psychiatric Rehabilitation Journal' }),
  work({ label: 'Mead 2017', title: 'Intentional peer support', authors: ['Mead, Shery', 'Filson, Beth'], year: 2017, kind: 'cited' }),
  work({ label: 'Gillard 2022', title: 'Shared values in peer work', authors: ['Gillard, Steve', 'Mead, Shery'], year: 2022, venue: 'Health Expectations' }),
  work({ label: 'Smith 2022', title: 'Core values of mental health nursing', authors: ['Smith, Jane'], year: 2022 }),
  work({ label: 'Smith 2020', title: 'Values in practice', authors: ['Smith, Jane'], year: 2020 }),
  work({ label: 'Müller 2015', title: 'Genesung und Teilhabe', authors: ['Müller, Jürgen'], year: 2015, venue: 'Psychiatrische Praxis' }),
  work({ label: 'Wang 2020', title: 'Peer support workers in China', authors: ['Wang, Li'], year: 2020, translatedTitle: '中国同伴支持工作者的角色研究' }),
  work({ label: "O'Brien 2018", id: 'obrien2018', title: 'Relational recovery', authors: ["O'Brien, Kate"], year: 2018 }),
  work({ label: 'World Health Organization 2021', id: 'who2021', title: 'Guidance on community mental health services', authors: ['World Health Organization'], year: 2021 }),
];

const labels = (r: { results: { work: Work }[] }): string[] => r.results.map((h) => h.work['citation-label']);

describe('SearchIndex', () => {
  const index = SearchIndex.build(corpus);

  it('normalises case and accents', () => {
    assert.strictEqual(normalizeForSearch('MÜLLER Ærø Łódź straße'), 'muller aero lodz strasse');
  });

  it('ranks label prefixes first, the exact name above a longer one: voron → Voron 2001, Voronka 2019', () => {
    const r = index.search('voron');
    assert.deepStrictEqual(labels(r).slice(0, 2), ['Voron 2001', 'Voronka 2019']);
    assert.deepStrictEqual(labels(index.search('smith')), ['Smith 2022', 'Smith 2020']);
  });

  it('breaks ties by recency: the newer of two equal matches first', () => {
    assert.deepStrictEqual(labels(index.search('smith')), ['Smith 2022', 'Smith 2020']);
    assert.deepStrictEqual(labels(index.search('jane')), ['Smith 2022', 'Smith 2020']);
    const r = index.search('values');
    // Title-word matches of equal weight: Gillard 2022 and Smith 2022 before Smith 2020.
    assert.strictEqual(labels(r)[2], 'Smith 2020');
  });

  it('puts records above cited-only works on equal label-prefix rank', () => {
    const r = index.search('Voron 20');
    // Voronka 2019 also matches (voron* AND 20*), but only Voron 2001 is a label prefix.
    assert.deepStrictEqual(labels(r), ['Voron 2001', 'Voronka 2019']);
    const v = index.search('vor');
    // Both are label-prefix matches; the record comes first although its label sorts later.
    assert.deepStrictEqual(labels(v), ['Voronka 2019', 'Voron 2001']);
  });

  it('matches citekeys', () => {
    assert.deepStrictEqual(labels(index.search('voronka2019')), ['Voronka 2019']);
    assert.deepStrictEqual(labels(index.search('@who20')), ['World Health Organization 2021']);
  });

  it('mead 2017 ranks Mead 2017 above Mead 2001', () => {
    const r = index.search('mead 2017');
    assert.deepStrictEqual(labels(r), ['Mead 2017', 'Mead 2001']);
    assert.ok(r.results[0].score > r.results[1].score);
  });

  it('ranks first authors above co-authors', () => {
    const r = index.search('mead');
    assert.deepStrictEqual(labels(r), ['Mead 2001', 'Mead 2017', 'Gillard 2022']);
  });

  it('ranks author + year above title matches', () => {
    const r = index.search('smith 2022');
    assert.deepStrictEqual(labels(r), ['Smith 2022']);
    const v = index.search('values 2022');
    assert.deepStrictEqual(labels(v).sort(), ['Gillard 2022', 'Smith 2022']);
  });

  it('ANDs the words of a query', () => {
    assert.deepStrictEqual(labels(index.search('peer china')), ['Wang 2020']);
    assert.deepStrictEqual(labels(index.search('peer nothingmatches')), []);
  });

  it('matches venues and keywords', () => {
    assert.deepStrictEqual(labels(index.search('rehabilitation')), ['Mead 2001']);
    assert.deepStrictEqual(labels(index.search('involvem')), ['Voronka 2019']);
  });

  it('matches a DOI prefix', () => {
    assert.deepStrictEqual(labels(index.search('10.1080/1838')), ['Voronka 2019']);
    assert.deepStrictEqual(labels(index.search('https://doi.org/10.1080/18387357.2019.1634978')), ['Voronka 2019']);
    assert.deepStrictEqual(labels(index.search('10.9999/')), []);
  });

  it('is accent-insensitive both ways', () => {
    assert.deepStrictEqual(labels(index.search('muller')), ['Müller 2015']);
    assert.deepStrictEqual(labels(index.search('Jürg')), ['Müller 2015']);
    assert.deepStrictEqual(labels(index.search('juergen')), []);
  });

  it('matches Chinese substrings of a translated title', () => {
    assert.deepStrictEqual(labels(index.search('同伴支持')), ['Wang 2020']);
    assert.deepStrictEqual(labels(index.search('工作者')), ['Wang 2020']);
    // Every character occurs, but not as this substring.
    assert.deepStrictEqual(labels(index.search('支持同伴')), []);
  });

  it("matches names with apostrophes typed either way: O'Brien", () => {
    assert.deepStrictEqual(labels(index.search("o'brien")), ["O'Brien 2018"]);
    assert.deepStrictEqual(labels(index.search('obrien 2018')), ["O'Brien 2018"]);
    assert.deepStrictEqual(labels(index.search('brien')), ["O'Brien 2018"]);
  });

  it('matches group authors written as literals', () => {
    assert.deepStrictEqual(labels(index.search('world health')), ['World Health Organization 2021']);
  });

  it('handles empty and punctuation-only queries', () => {
    assert.deepStrictEqual(index.search(''), { results: [], incomplete: false });
    assert.deepStrictEqual(index.search('  ;; '), { results: [], incomplete: false });
  });

  it('applies the limit and flags incomplete results', () => {
    const many: Work[] = [];
    for (let i = 0; i < 120; i++) {
      many.push(work({ label: `Author${i} ${2000 + (i % 20)}`, title: `Recovery study number ${i}`, authors: [`Author${i}, A`], year: 2000 + (i % 20) }));
    }
    const idx = SearchIndex.build(many);
    const r = idx.search('recovery', 10);
    assert.strictEqual(r.results.length, 10);
    assert.strictEqual(r.incomplete, true);
    const all = idx.search('recovery', 500);
    assert.strictEqual(all.results.length, 120);
    assert.strictEqual(all.incomplete, false);
    const one = idx.search('author7 2007', 10);
    assert.deepStrictEqual(labels(one), ['Author7 2007']);
    assert.strictEqual(one.incomplete, false);
  });

  it('is deterministic: ties sort by label', () => {
    const r = index.search('peer');
    const again = index.search('peer');
    assert.deepStrictEqual(labels(r), labels(again));
    const scores = r.results.map((h) => h.score);
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1] >= scores[i]);
  });

  it('answers a one-letter query from the label list on a large corpus', () => {
    const big: Work[] = [];
    for (let i = 0; i < 10000; i++) {
      big.push(work({ label: `Name${i} ${1990 + (i % 30)}`, title: `Some small stuff, see ${i % 97}`, authors: [`Name${i}, B`], year: 1990 + (i % 30), kind: i % 3 ? 'cited' : 'record' }));
    }
    big.push(work({ label: 'Xu 2010', title: 'A study', authors: ['Xu, Y'], year: 2010, kind: 'cited' }));
    const idx = SearchIndex.build(big);
    const r = idx.search('s', 20);
    assert.strictEqual(r.incomplete, true);
    const x = idx.search('x', 20);
    assert.deepStrictEqual(labels(x), ['Xu 2010']);
    const n = idx.search('n', 5);
    assert.strictEqual(n.results.length, 5);
    assert.ok(n.results.every((h) => h.work['x-corpus'].kind === 'record'));
  });
});

describe('SearchIndex against a brute-force matcher', () => {
  // A tiny deterministic generator of ASCII works and queries.
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const syllables = ['ka', 'ro', 'mi', 'le', 'son', 'an', 'el', 'is', 'mar', 'tin', 'do', 'ph'];
  const word = (): string => pick(syllables) + pick(syllables) + (rnd() < 0.5 ? pick(syllables) : '');
  const cap = (s: string): string => s[0].toUpperCase() + s.slice(1);

  const works: Work[] = [];
  for (let i = 0; i < 400; i++) {
    const year = 1990 + Math.floor(rnd() * 30);
    const family = cap(word());
    works.push(
      work({
        label: `${family} ${year}${i % 7 === 0 ? 'a' : ''}`,
        id: `${family.toLowerCase()}${year}${i % 7 === 0 ? 'a' : ''}x${i}`,
        title: Array.from({ length: 3 + Math.floor(rnd() * 5) }, word).join(' '),
        authors: [`${family}, ${cap(word())}`, ...(rnd() < 0.5 ? [`${cap(word())}, ${cap(word())}`] : [])],
        year,
        venue: rnd() < 0.5 ? `Journal of ${cap(word())}` : undefined,
        keyword: rnd() < 0.3 ? `${word()}; ${word()}` : undefined,
        kind: rnd() < 0.4 ? 'record' : 'cited',
      }),
    );
  }
  const index = SearchIndex.build(works);
  const tokensOfWork = (w: Work): string[] =>
    [
      w['citation-label'],
      ...(w.author ?? []).flatMap((a) => [a.family ?? '', a.given ?? '']),
      String(w.issued?.['date-parts']?.[0]?.[0] ?? ''),
      w.title ?? '',
      w['container-title'] ?? '',
      w.keyword ?? '',
    ]
      .join(' ')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((t) => t);
  const workTokens = new Map(works.map((w) => [w, tokensOfWork(w)]));

  it('returns exactly the works whose words all prefix-match, records first on ties', () => {
    for (let q = 0; q < 300; q++) {
      const target = pick(works);
      const toks = workTokens.get(target)!;
      const nWords = 1 + Math.floor(rnd() * 3);
      const words = Array.from({ length: nWords }, () => {
        const t = pick(toks);
        return t.slice(0, 1 + Math.floor(rnd() * t.length));
      });
      const query = words.join(' ');
      const expected = works
        .filter((w) => {
          const wt = workTokens.get(w)!;
          return words.every((x) => wt.some((t) => t.startsWith(x)) || w.id.startsWith(x));
        })
        .map((w) => w.id)
        .sort();
      const r = index.search(query, 10_000);
      const got = r.results.map((h) => h.work.id).sort();
      assert.deepStrictEqual(got, expected, `query ${JSON.stringify(query)}`);
      assert.ok(got.includes(target.id));
      assert.strictEqual(r.incomplete, false);
      // Scores never increase; on equal scores records come first.
      for (let i = 1; i < r.results.length; i++) {
        const a = r.results[i - 1];
        const b = r.results[i];
        assert.ok(a.score >= b.score);
        if (a.score === b.score && a.work['x-corpus'].kind === 'cited') {
          assert.strictEqual(b.work['x-corpus'].kind, 'cited', `query ${JSON.stringify(query)}`);
        }
      }
    }
  });

  it('ranks label prefixes first', () => {
    for (let q = 0; q < 100; q++) {
      const target = pick(works);
      const label = target['citation-label'].toLowerCase();
      const query = label.slice(0, 1 + Math.floor(rnd() * label.length)).trim();
      const r = index.search(query, 10_000);
      const isPrefix = (w: Work): boolean => w['citation-label'].toLowerCase().startsWith(query) || w.id.startsWith(query.replace(/ /g, ''));
      const firstNon = r.results.findIndex((h) => !isPrefix(h.work));
      const lastPrefix = r.results.map((h) => isPrefix(h.work)).lastIndexOf(true);
      assert.ok(firstNon === -1 || lastPrefix < firstNon, `query ${JSON.stringify(query)}`);
      assert.ok(r.results.some((h) => h.work.id === target.id));
    }
  });
});

describe('SearchIndex.pack / unpack (the index built in the worker, used in the editor)', () => {
  const queries = ['voron', 'mead 2017', 'peer support', 'values 2022', 'mu', 'muller', '10.1080/1838', 'doi 10.1080', '同伴', '中国同伴', "o'brien", 'obrien', 'world health', 'who2021', 'v', 'psychiatric', ''];
  const answers = (index: SearchIndex, works: readonly Work[]) => queries.map((q) => {
    const r = index.search(q, 5);
    return `${q} → ${r.results.map((h) => `${works.indexOf(h.work)}:${h.score}`).join(',')} ${r.incomplete}`;
  });

  it('answers every query as the index it was packed from, after a transfer to another thread', () => {
    const built = SearchIndex.build(corpus);
    const expected = answers(built, corpus);
    const { packed, transfer } = built.pack();
    assert.ok(transfer.length >= 10, 'the typed arrays move without a copy');
    const received = structuredClone(packed, { transfer });
    // The works come separately (from the worker, in chunks): equal copies in the same order.
    const copies = structuredClone(corpus);
    const unpacked = SearchIndex.unpack(copies, received);
    assert.deepStrictEqual(answers(unpacked, copies), expected);
    assert.ok(expected.some((a) => a.startsWith('10.1080/1838 → ') && !a.endsWith('→  false')), 'the DOI index came along');
    assert.ok(expected.some((a) => a.startsWith('同伴 → ') && !a.endsWith('→  false')), 'the CJK text came along');
    assert.throws(() => SearchIndex.unpack(copies.slice(1), structuredClone(SearchIndex.build(corpus).pack().packed)), /works/);
  });

  it('carries the years: the receiving thread reads no work for them; without them (an older cache) it answers the same', () => {
    const built = SearchIndex.build(corpus);
    const expected = answers(built, corpus);
    const packed = built.pack().packed;
    assert.ok(packed.years instanceof Uint16Array && packed.years.length === corpus.length);
    assert.ok(packed.years.some((y) => y > 0));
    // Works that count reads of their date (the year's source).
    let dateReads = 0;
    const counting = structuredClone(corpus).map((w) => new Proxy(w, { get: (t, k, r) => (k === 'issued' && dateReads++, Reflect.get(t, k, r)) }));
    const withYears = SearchIndex.unpack(counting, structuredClone(packed));
    assert.deepStrictEqual(answers(withYears, counting), expected);
    assert.strictEqual(dateReads, 0, 'no work read for its year');
    const { years, ...older } = structuredClone(packed);
    void years;
    const withoutYears = SearchIndex.unpack(counting, older);
    assert.deepStrictEqual(answers(withoutYears, counting), expected);
    assert.ok(dateReads >= corpus.length, 'the years computed from the works instead');
  });

  it('keeps strings that hold a newline', () => {
    const odd = [...corpus, work({ label: 'Odd 2020', id: 'odd\nid', title: 'A title', authors: ['Odd, One'], year: 2020 })];
    const built = SearchIndex.build(odd);
    const expected = [...answers(built, odd), built.search('odd', 5).results.map((h) => h.work.id).join()];
    const unpacked = SearchIndex.unpack(odd, structuredClone(built.pack().packed));
    assert.deepStrictEqual([...answers(unpacked, odd), unpacked.search('odd', 5).results.map((h) => h.work.id).join()], expected);
  });
});

describe('sortByKey', () => {
  it('sorts like `<` with ties by index, whatever the characters', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const alphabet = ['a', 'b', 'z', 'A', 'Z', '0', '9', ' ', '_', '-', ':', '~', 'é', '中', '\u0001', '😀'];
    for (const n of [0, 1, 5, 13, 200, 3000]) {
      const keys = Array.from({ length: n }, () => {
        const len = Math.floor(rnd() * 12);
        let k = rnd() < 0.3 ? 'common prefix ' : '';
        for (let i = 0; i < len; i++) k += alphabet[Math.floor(rnd() * alphabet.length)];
        return k;
      });
      const items = Int32Array.from(keys.keys());
      sortByKey(keys, items, n);
      const ref = [...keys.keys()].sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
      assert.deepStrictEqual([...items], ref, `n=${n}`);
    }
  });
});
