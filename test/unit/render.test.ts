import * as assert from 'assert';
import type { CitationContext, Name, Work } from '../../src/core/model';
import {
  excerptAround,
  cleanText,
  encodeDoiForUrl,
  escapeMarkdown,
  formatCitation,
  renderCard,
  renderPlain,
  authorsShort,
  markdownMessage,
  referenceMarkdown,
  titleLine,
} from '../../src/core/render';
import { xCorpus } from './helpers/builders';

function work(over: Partial<Work> & { id: string; 'citation-label': string }, x: Partial<Work['x-corpus']> = {}): Work {
  return {
    type: 'article-journal',
    ...over,
    'x-corpus': xCorpus(x),
  };
}

const names = (...ns: string[]): Name[] =>
  ns.map((n) => {
    const [family, given] = n.split(', ');
    return given === undefined ? { literal: family } : { family, given };
  });

const ctx = (by: string, sentence: string): CitationContext => ({
  by,
  sentence,
  text: '(X, 2019)',
  file: 'records.md',
  line: 3,
});

const noLabels = { citedByLabels: (): string | undefined => undefined };

const HOSTILE = [
  '[x](command:foo)',
  '<script>alert(1)</script>',
  '![img](http://evil/x.png)',
  '<img src=x onerror=alert(1)>',
  '\u202Egnp.exe\u202C',
  '[y]: command:bar',
  '<a href="command:baz">z</a>',
  '`code` **bold** _it_ # head',
  'https://evil.example/x',
  '&lt;script&gt;',
].join(' ');

/** Checks that Markdown cannot escape from text: no live link/image/HTML syntax. */
function assertInert(md: string): void {
  assert.ok(!md.includes('](command:'), 'command link');
  assert.ok(!/\]\(\s*command/i.test(md), 'command link');
  // Every `](` that remains is our own DOI link.
  for (const m of md.matchAll(/\]\(/g)) assert.ok(md.startsWith('](https://doi.org/', m.index), 'unexpected link');
  assert.ok(!md.includes('<'), 'raw <');
  assert.ok(!md.includes('>'), 'raw >');
  assert.ok(!md.includes('!['), 'image');
  assert.ok(!/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/.test(md), 'bidi control');
}

describe('escapeMarkdown', () => {
  it('escapes every Markdown-significant character', () => {
    const s = escapeMarkdown('\\ ` * _ { } [ ] ( ) # + - . ! | < > ~ &');
    assert.strictEqual(s, '\\\\ \\` \\* \\_ \\{ \\} \\[ \\] \\( \\) \\# \\+ \\- \\. \\! \\| &lt; &gt; \\~ &amp;');
  });

  it('neutralises links, images, HTML and autolinks', () => {
    const s = escapeMarkdown(HOSTILE);
    assertInert(s);
    assert.ok(s.includes('\\[x\\]\\(command\\:foo\\)'));
    assert.ok(s.includes('https\\://evil\\.example/x'));
    assert.ok(s.includes('&amp;lt;script&amp;gt;'));
  });

  it('strips bidi and control characters and collapses whitespace', () => {
    const s = escapeMarkdown('a\u202Eb\u2066c\u200Fd\u0000e\u0007f\n\n  g\th\r\ni\u2028j');
    assert.strictEqual(s, 'abcdef g h i j');
  });

  it('caps long text without splitting a surrogate pair', () => {
    const s = cleanText('😀'.repeat(100), 11);
    assert.ok(s.endsWith('…'));
    assert.ok(!/[\ud800-\udbff]…$/.test(s));
    assert.ok(s.length <= 12);
  });

  it('handles a 100,000-character line quickly', () => {
    const long = '[x](command:a) <b> '.repeat(5300).slice(0, 100_000);
    const s = escapeMarkdown(long);
    assert.ok(s.length < 20_000);
    assertInert(s);
    const noSpace = '('.repeat(100_000);
    assert.ok(escapeMarkdown(noSpace).endsWith('…'));
  });
});

describe('renderCard', () => {
  const voronka = work(
    {
      id: 'voronka2019',
      'citation-label': 'Voronka 2019',
      title: 'Storytelling beyond the psychiatric gaze',
      author: names('Voronka, Jijian'),
      issued: { 'date-parts': [[2019]] },
      'container-title': 'Canadian Journal of Disability Studies',
      volume: '8',
      issue: '4',
      page: '8-30',
      DOI: '10.15353/cjds.v8i4.563',
      PMID: '123456',
      keyword: 'peer support; storytelling, mad studies',
      abstract: 'Word '.repeat(400),
    },
    { translatedTitle: '超越精神病学凝视的叙事' },
  );

  it('renders the fields', () => {
    const md = renderCard(voronka, noLabels);
    assert.ok(md.startsWith('**Storytelling beyond the psychiatric gaze**  \n*超越精神病学凝视的叙事*'));
    assert.ok(md.includes('Jijian Voronka · 2019'));
    assert.ok(md.includes('*Canadian Journal of Disability Studies*, 8\\(4\\):8\\-30'));
    assert.ok(md.includes('DOI: [10\\.15353/cjds\\.v8i4\\.563](https://doi.org/10.15353/cjds.v8i4.563)'));
    assert.ok(md.includes('PMID: 123456'));
    assert.ok(md.includes('Keywords: peer support, storytelling, mad studies'));
    assert.ok(md.includes('\n\n---\n\n'));
    const abstract = md.split('\n\n---\n\n')[1];
    assert.ok(abstract.endsWith('…'));
    assert.ok(abstract.length <= 601);
    assert.ok(/Word…$/.test(abstract), 'cut at a word boundary');
    assertInert(md);
  });

  it('shortens long author lists', () => {
    const w = work({
      id: 'a',
      'citation-label': 'Ahmed 2015',
      author: names('Ahmed, A', 'Bo, B', 'Cy, C', 'Di, D', 'Ed, E'),
    });
    const md = renderCard(w, { ...noLabels, maxAuthors: 3 });
    assert.ok(md.includes('A Ahmed, B Bo, C Cy et al\\. · n\\.d\\.'));
  });

  it('makes hostile corpus text inert everywhere', () => {
    const w = work(
      {
        id: 'evil',
        'citation-label': 'Evil ](command:x) 2020',
        title: HOSTILE,
        abstract: HOSTILE,
        author: [{ family: '<img src=x onerror=alert(1)>', given: '![a](b)' }],
        'container-title': '[v](command:workbench.action.terminal.new)',
        volume: '1)',
        page: '<b>',
        keyword: '[k](command:k); <script>',
        PMID: '](command:p)',
        DOI: '10.1234/evil)[x](command:foo',
      },
      { kind: 'cited', translatedTitle: '\u2066[t](command:t)\u2069', contexts: [ctx('evil', HOSTILE)] },
    );
    const md = renderCard(w, { citedByLabels: () => '**[z](command:z)**' });
    assertInert(md);
    assert.ok(!md.includes('<script'));
  });

  it('never lets a DOI break out of its link', () => {
    for (const doi of ['10.1234/a)b', '10.1234/a)[x](command:y)', '10.1234/a>b<c', '10.1234/a"b\'c\\d', '10.1234/x%29y']) {
      const md = renderCard(work({ id: 'd', 'citation-label': 'D 2020', DOI: doi }), noLabels);
      const m = /\]\(https:\/\/doi\.org\/([^)]*)\)/.exec(md);
      assert.ok(m, `link for ${doi}`);
      assert.ok(!/[\s()<>"'\\[\]]/.test(m[1]), `encoded: ${m[1]}`);
      assert.strictEqual(decodeURIComponent(m[1]), doi);
      assertInert(md);
    }
  });

  it('shows a malformed DOI as text, not a link', () => {
    const md = renderCard(work({ id: 'd', 'citation-label': 'D 2020', DOI: 'javascript:alert(1)' }), noLabels);
    assert.ok(!md.includes('](http'));
    assert.ok(md.includes('DOI: javascript\\:alert\\(1\\)'));
    const spaced = renderCard(work({ id: 'd', 'citation-label': 'D 2020', DOI: '10.1234/a b' }), noLabels);
    assert.ok(!spaced.includes('](http'));
  });

  it('percent-encodes DOIs', () => {
    assert.strictEqual(encodeDoiForUrl('10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0'),
      '10.1002/%28SICI%291097-4571%28199806%2949%3A8%3C693%3A%3AAID-ASI4%3E3.0.CO%3B2-0');
  });

  it('shows where a cited-only work is cited', () => {
    const labels: Record<string, string> = { gillard2022: 'Gillard 2022', mead2017: 'Mead 2017' };
    const w = work(
      { id: 'voronka2019', 'citation-label': 'Voronka 2019', title: 'T' },
      {
        kind: 'cited',
        contexts: [
          ctx('gillard2022', 'Peer work is political (Voronka, 2019).'),
          ctx('mead2017', 'Second.'),
          ctx('x2020', 'Third.'),
          ctx('y2020', 'Fourth.'),
          ctx('z2020', 'Fifth.'),
        ],
      },
    );
    const md = renderCard(w, { citedByLabels: (id) => labels[id] });
    assert.ok(md.includes('Cited in **Gillard 2022**: “Peer work is political \\(Voronka, 2019\\)\\.”'));
    assert.ok(md.includes('Cited in **Mead 2017**: “Second\\.”'));
    assert.ok(md.includes('Cited in **x2020**: “Third\\.”'));
    assert.ok(!md.includes('Fourth'));
    assert.ok(md.includes('and 2 more'));
    // Records don't get "Cited in" lines.
    const rec = renderCard({ ...w, 'x-corpus': { ...w['x-corpus'], kind: 'record' } }, noLabels);
    assert.ok(!rec.includes('Cited in'));
  });

  it('renders a 100,000-character title and abstract', () => {
    const long = 'x'.repeat(100_000);
    const md = renderCard(work({ id: 'l', 'citation-label': 'L 2020', title: long, abstract: long, keyword: long }), noLabels);
    assert.ok(md.length < 5000);
  });

  it('drops publisher markup from titles and abstracts', () => {
    const md = renderCard(
      work({ id: 'j', 'citation-label': 'J 2020', title: 'H<sub>2</sub>O and <i>care</i>', abstract: '<jats:p>One.</jats:p><jats:p>Two: x<y and z>w.</jats:p>' }),
      noLabels,
    );
    assert.ok(md.startsWith('**H2O and care**'));
    assert.ok(md.includes('One\\. Two\\: x&lt;y and z&gt;w\\.'));
  });
});

describe('renderPlain', () => {
  it('is one line: label — title. venue.', () => {
    const w = work({ id: 'v', 'citation-label': 'Voronka 2019', title: 'Storytelling\nbeyond', 'container-title': 'CJDS' });
    assert.strictEqual(renderPlain(w), 'Voronka 2019 — Storytelling beyond. CJDS.');
    assert.strictEqual(renderPlain(work({ id: 'q', 'citation-label': 'Q 2020', title: 'Why?' })), 'Q 2020 — Why?');
    assert.strictEqual(renderPlain(work({ id: 'q', 'citation-label': 'Q 2020' })), 'Q 2020');
  });
});

describe('formatCitation', () => {
  const voronka = work({ id: 'voronka2019', 'citation-label': 'Voronka 2019', author: names('Voronka, Jijian'), issued: { 'date-parts': [[2019]] } });
  const mead = work({ id: 'mead2017', 'citation-label': 'Mead 2017', author: names('Mead, Shery', 'Filson, Beth'), issued: { 'date-parts': [[2017]] } });
  const ahmed = work({ id: 'ahmed2015', 'citation-label': 'Ahmed 2015', author: names('Ahmed, A', 'Bo, B', 'Cy, C'), issued: { 'date-parts': [[2015]] } });
  const ahmedEtAl = work({ id: 'ahmed2015b', 'citation-label': 'Ahmed 2015', author: names('Ahmed, A'), issued: { 'date-parts': [[2015]] } }, { etAl: true });
  const who = work({ id: 'who2021', 'citation-label': 'World Health Organization 2021', author: names('World Health Organization'), issued: { 'date-parts': [[2021]] } });
  const group = work({ id: 'nice2020', 'citation-label': 'NICE 2020', issued: { 'date-parts': [[2020]] } }, { groupAuthors: ['NICE'] });
  const nd = work({ id: 'smith', 'citation-label': 'Smith n.d.', author: names('Smith, J') });
  const smithA = work({ id: 'smith2020a', 'citation-label': 'Smith 2020a', author: names('Smith, J'), issued: { 'date-parts': [[2020, 5]] } });
  const vanGogh = work({ id: 'vangogh1888', 'citation-label': 'van Gogh 1888', author: [{ family: 'Gogh', given: 'Vincent', 'non-dropping-particle': 'van' }], issued: { 'date-parts': [[1888]] } });
  const none = { insideBrackets: false };

  it('pandoc', () => {
    assert.strictEqual(formatCitation(voronka, 'pandoc', none), '[@voronka2019]');
    assert.strictEqual(formatCitation(voronka, 'pandoc', { insideBrackets: true }), '@voronka2019');
    const odd = work({ id: 'smith2020.', 'citation-label': 'Smith 2020' });
    assert.strictEqual(formatCitation(odd, 'pandoc', none), '[@{smith2020.}]');
  });

  it('authorDate', () => {
    assert.strictEqual(formatCitation(voronka, 'authorDate', none), '(Voronka, 2019)');
    assert.strictEqual(formatCitation(mead, 'authorDate', none), '(Mead & Filson, 2017)');
    assert.strictEqual(formatCitation(ahmed, 'authorDate', none), '(Ahmed et al., 2015)');
    assert.strictEqual(formatCitation(ahmedEtAl, 'authorDate', none), '(Ahmed et al., 2015)');
    assert.strictEqual(formatCitation(who, 'authorDate', none), '(World Health Organization, 2021)');
    assert.strictEqual(formatCitation(group, 'authorDate', none), '(NICE, 2020)');
    assert.strictEqual(formatCitation(nd, 'authorDate', none), '(Smith, n.d.)');
    assert.strictEqual(formatCitation(smithA, 'authorDate', none), '(Smith, 2020a)');
    assert.strictEqual(formatCitation(vanGogh, 'authorDate', none), '(van Gogh, 1888)');
  });

  it('narrative', () => {
    assert.strictEqual(formatCitation(voronka, 'narrative', none), 'Voronka (2019)');
    assert.strictEqual(formatCitation(mead, 'narrative', none), 'Mead and Filson (2017)');
    assert.strictEqual(formatCitation(ahmed, 'narrative', none), 'Ahmed et al. (2015)');
    assert.strictEqual(formatCitation(smithA, 'narrative', none), 'Smith (2020a)');
    assert.strictEqual(formatCitation(nd, 'narrative', none), 'Smith (n.d.)');
  });

  it('falls back to the label for works without names', () => {
    const anon = work({ id: 'report2019', 'citation-label': 'Mental Health Report 2019', issued: { 'date-parts': [[2019]] } });
    assert.strictEqual(formatCitation(anon, 'authorDate', none), '(Mental Health Report, 2019)');
    const bidi = work({ id: 'b', 'citation-label': 'B 2019', author: [{ family: 'Ev\u202Eil' }], issued: { 'date-parts': [[2019]] } });
    assert.strictEqual(formatCitation(bidi, 'narrative', none), 'Evil (2019)');
  });
});

describe('excerptAround', () => {
  it('keeps the citation of a long sentence in view', () => {
    const sentence = 'It has been suggested that ' + 'peer support struggles within services; '.repeat(20) + 'that peer workers must prove they are well enough (Voronka, 2019).';
    const out = excerptAround(sentence, '(Voronka, 2019)', 300);
    assert.ok(out.includes('(Voronka, 2019)'), out);
    assert.ok(out.startsWith('…'));
    assert.ok(out.length <= 301);
  });
  it('returns short sentences whole', () => {
    assert.strictEqual(excerptAround('Short (Smith, 2020).', '(Smith, 2020)', 300), 'Short (Smith, 2020).');
  });
});

describe('cards say each field once', () => {
  it('heads a work without a title by its label, without repeating the label’s author and year', () => {
    const v = work({ id: 'voronka2019', 'citation-label': 'Voronka 2019', author: [{ family: 'Voronka' }], issued: { 'date-parts': [[2019]] } }, { kind: 'cited' });
    const md = renderCard(v, noLabels);
    assert.strictEqual(md.split('Voronka').length - 1, 1, md);
    // Co-authors or given names say more than the label: they stay.
    const two = renderCard(work({ id: 'm', 'citation-label': 'Mead 2017', author: [{ family: 'Mead', given: 'Shery' }, { family: 'Filson', given: 'Beth' }], issued: { 'date-parts': [[2017]] } }, { kind: 'cited' }), noLabels);
    assert.match(two, /^\*\*Mead 2017\*\*\n\nShery Mead, Beth Filson$/m);
  });

  it('puts the formatted entry in place of the authors and venue lines, and the actions before the abstract', () => {
    const w = work({ id: 'p', 'citation-label': 'Perkins 2019', title: 'Where is peer support going?', author: [{ family: 'Perkins', given: 'Rachel' }], 'container-title': 'MHSI', issued: { 'date-parts': [[2019]] } });
    const md = renderCard({ ...w, abstract: 'Long.' }, { ...noLabels, reference: 'Perkins, R\\. \\(2019\\)\\. Where\\.', actions: '[Copy Citation](command:x)' });
    assert.doesNotMatch(md, /Rachel Perkins|\*MHSI\*/);
    assert.match(md, /^Perkins, R\\\. /m);
    assert.ok(md.endsWith('\n\n[Copy Citation](command:x)\n\n---\n\nLong\\.'), md);
  });

  it('turns citeproc HTML into inert Markdown, italics kept, a numeric margin dropped', () => {
    assert.strictEqual(referenceMarkdown('<div class="csl-entry">Perkins, R., &#38; Repper, J. (2019). Where? <i>Mental Health</i>, <i>23</i>(1), 2–5. https://doi.org/10.1/x</div>'), 'Perkins, R\\., &amp; Repper, J\\. \\(2019\\)\\. Where? *Mental Health*, *23*\\(1\\), 2–5\\.');
    assert.strictEqual(referenceMarkdown('<div class="csl-left-margin">[1]</div><div class="csl-right-inline">A &lt;b&gt;x&lt;/b&gt; [link](command:evil)</div>'), 'A &lt;b&gt;x&lt;/b&gt; \\[link\\]\\(command\\:evil\\)');
  });

  it('escapes a translated message but not its Markdown arguments', () => {
    const t = (m: string, ...a: (string | number)[]) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(a[Number(i)]));
    assert.strictEqual(markdownMessage(t, 'Cited in {0}: “{1}”', '**A 2020**', 'x\\.'), 'Cited in **A 2020**: “x\\.”');
    assert.strictEqual(markdownMessage(() => '*1.* [x]', 'm'), '\\*1\\.\\* \\[x\\]');
  });

  it('gives completion rows their authors and title line', () => {
    const w = work({ id: 'm', 'citation-label': 'Mackay 2022', title: 'Values <i>matter</i>', 'container-title': 'J', author: ['Mackay', 'Gillard', 'Mead', 'Smith'].map((family) => ({ family })) });
    assert.strictEqual(authorsShort(w), 'Mackay, Gillard, Mead et al.');
    assert.strictEqual(titleLine(w), 'Values matter · J');
  });
});
