/**
 * Citations in the Markdown preview (core/preview/markdownItCitations.ts) rendered through markdown-it
 * as VS Code's preview does: each Pandoc citation form in an author–date and a numeric style,
 * the reference list at Pandoc's places, the front-matter keys Pandoc reads, unknown keys, and
 * hostile corpus text kept inert.
 */
import * as assert from 'assert';
import MarkdownIt from 'markdown-it';
import { buildCorpus } from '../../src/core/build/corpus';
import { WorkLookup } from '../../src/core/search/lookup';
import { type PreviewCorpus, citationsPlugin, inThreadRenderer, sanitizeCslHtml } from '../../src/core/preview/markdownItCitations';
import { parseText } from '../../src/core/parsers';
import { citationClusters, parseLocator, readCitationMeta } from '../../src/core/preview/previewCitations';
import { resolveStyle } from '../../src/core/format/styles';
import { corpusOf, SEEDS } from './helpers/corpus';

const BIB = `
@article{doe99, author={Doe, Jane}, title={A first study}, journal={Journal of Tests}, year=1999, volume=3, pages={1--10}}
@book{smith04, author={Smith, John and Jones, Ann}, title={The second book}, publisher={Press}, year=2004}
@article{evil, author={Mallory, Eve}, title={<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3))}, journal={J}, year=2020}
@article{lee10, author={Lee, Kim}, title={Third}, journal={J}, year=2010}
`;

function previewCorpus(styleName = 'apa', render: PreviewCorpus['render'] = inThreadRenderer()): PreviewCorpus {
  const corpus = buildCorpus([parseText(BIB, 'refs.bib')]);
  const lookup = new WorkLookup(corpus.works);
  return {
    work: (k) => lookup.id(k),
    authorDate: (c) => lookup.authorYear(c.authors![0], c.year, c.yearSuffix),
    records: () => corpus.works.filter((w) => w['x-corpus'].kind === 'record'),
    version: () => 1,
    render,
    style: (meta) => {
      const s = resolveStyle(meta.csl ?? styleName);
      return s ? { style: s } : { style: resolveStyle('apa')!, problem: `no style ${meta.csl}` };
    },
  };
}

function render(src: string, style = 'apa', c = previewCorpus(style)): string {
  const md = new MarkdownIt({ html: true });
  citationsPlugin(md, () => c);
  return md.render(src, {});
}

/** The visible text of HTML, entities decoded, white space folded. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

describe('Markdown preview: citations as Pandoc renders them', function () {
  this.timeout(60_000);

  it('each Pandoc form in APA: cluster with locator, prefix, suppress-author, narrative, narrative with locator', () => {
    const html = render('A [@doe99; @smith04, p. 33]. B [see @doe99, chap. 2]. C [-@smith04]. D @doe99 says. E @smith04 [p. 4] too.\n');
    const t = text(html);
    assert.match(t, /A \(Doe, 1999; Smith & Jones, 2004, p\. 33\)\./);
    assert.match(t, /B \(see Doe, 1999, Chapter 2\)\./);
    assert.match(t, /C \(2004\)\./);
    assert.match(t, /D Doe \(1999\) says\./);
    assert.match(t, /E Smith (?:&|and) Jones \(2004, p\. 4\) too\./);
    assert.match(html, /<a href="#ref-doe99" title="A first study — Journal of Tests, 1999">/);
    assert.match(html, /data-cites="doe99 smith04"/);
  });

  it('a numeric style numbers works in order of first citation, and the list follows that order', () => {
    const html = render('First [@smith04], then [@doe99; @smith04] and [@lee10].\n', 'vancouver');
    const t = text(html);
    assert.match(t, /First \(1\), then \(1,2\)|First \[1\], then \[1, ?2\]|First 1, then 1,2/);
    const refs = html.slice(html.indexOf('<div id="refs"'));
    assert.ok(refs.indexOf('ref-smith04') < refs.indexOf('ref-doe99') && refs.indexOf('ref-doe99') < refs.indexOf('ref-lee10'), refs);
    assert.match(text(refs), /^1\. ?Smith J, Jones A\. The second book\. Press; 2004\. 2\. ?Doe J\. A first study/);
  });

  it('in a numeric style, as Pandoc 2.17: a narrative citation is the number, an unknown key an item of the layout, `p.` no locator under zh-CN', () => {
    const t = text(render('Says @doe99. Also @smith04 [see there]. X [@lee10; @nosuch, p. 3]. Y [@nosuch].\n', 'vancouver'));
    assert.match(t, /Says \(1\)\. Also \(2, see there\)\. X \(3,nosuch\?\)\. Y \(nosuch\?\)\./);
    assert.doesNotMatch(t, /NO_PRINTED_FORM/);
    const gb = text(render('A [@doe99, p. 3]. B [@lee10, 7].\n', 'gb-t-7714-2015-numeric'));
    assert.match(gb, /A \[1, p\. 3\]\. B \[2\]\./);
  });

  it('the reference list goes in a ::: {#refs} div, a <div id="refs">, the generated block, or at the end', () => {
    const div = render('Text [@doe99].\n\n::: {#refs}\n:::\n\nAfter the references.\n');
    assert.ok(div.indexOf('id="refs"') < div.indexOf('After the references.'), div);
    assert.doesNotMatch(div, /:::/);
    const html = render('Text [@doe99].\n\n<div id="refs"></div>\n\nAppendix.\n');
    assert.ok(html.indexOf('id="ref-doe99"') < html.indexOf('Appendix.'));
    assert.strictEqual(html.match(/id="refs"/g)?.length, 1, 'one element with id refs');
    const block = render('Text [@doe99].\n\n## References\n\n<!-- corpus-cite:bibliography:start -->\nDoe, J. (1999). Old text of the entry.\n<!-- corpus-cite:bibliography:end -->\n\nEnd.\n');
    assert.doesNotMatch(block, /Old text of the entry/, 'the generated block is not shown twice');
    assert.ok(block.indexOf('id="ref-doe99"') > block.indexOf('References') && block.indexOf('id="ref-doe99"') < block.indexOf('End.'));
    const end = render('Text [@doe99].\n\nLast paragraph.\n');
    assert.ok(end.indexOf('id="refs"') > end.indexOf('Last paragraph.'));
  });

  it('reads reference-section-title, suppress-bibliography, link-citations, nocite (also @*) and csl from the front matter', () => {
    const titled = render('---\nreference-section-title: Works cited\nnocite: "@lee10"\n---\nText [@doe99].\n');
    assert.match(titled, /<h1 class="unnumbered">Works cited<\/h1>/);
    assert.match(titled, /ref-lee10/);
    assert.doesNotMatch(text(titled.slice(0, titled.indexOf('id="refs"'))), /Lee/);
    const all = render('---\nnocite: |\n  @*\n---\nText [@doe99].\n');
    for (const id of ['doe99', 'smith04', 'lee10', 'evil']) assert.match(all, new RegExp(`id="ref-${id}"`));
    const none = render('---\nsuppress-bibliography: true\n---\nText [@doe99].\n');
    assert.doesNotMatch(none, /id="refs"/);
    assert.match(text(none), /Text \(Doe, 1999\)\./);
    const unlinked = render('---\nlink-citations: false\n---\nText [@doe99].\n');
    assert.doesNotMatch(unlinked, /<a href="#ref-/);
    const gb = render('---\ncsl: gb-t-7714-2015-numeric\n---\nText [@doe99].\n');
    assert.match(text(gb), /Text \[1\]\./);
    assert.match(text(gb.slice(gb.indexOf('<div id="refs"'))), /DOE J\. A first study\[J\]\. Journal of Tests, 1999, 3: 1-10\./);
    const missing = render('---\ncsl: no-such-style\n---\nText [@doe99].\n');
    assert.match(missing, /class="corpus-cite-warning">no style no-such-style/);
  });

  it('an unknown key shows as Pandoc shows it, in bold with a question mark, styled as a warning', () => {
    const html = render('See [@doe99; @nosuch, p. 3] and @nosuch.\n');
    assert.match(text(html), /See \(Doe, 1999; nosuch\?\) and \(nosuch\?\)\./);
    assert.match(html, /<strong class="corpus-cite-unknown" title="@nosuch is not in the corpus">nosuch\?<\/strong>/);
  });

  it('corpus text is inert: a hostile title renders as text, not HTML or a link', () => {
    const html = render('Text [@evil].\n');
    assert.doesNotMatch(html, /<img|<script|href="javascript/i);
    assert.match(text(html), /<img src=x onerror=alert\(1\)>/, 'the title is shown as it is written');
    assert.strictEqual(sanitizeCslHtml('<i>ok</i><img src=x><span style="font-variant:small-caps;">Sc</span><a href="x">'), '<i>ok</i>&#60;img src=x&#62;<span style="font-variant:small-caps;">Sc</span>&#60;a href=&#34;x&#34;&#62;');
  });

  it('leaves code, code spans and e-mail addresses alone, and author–date text as written but linked', () => {
    const html = render('Code `[@doe99]` and\n\n```\n[@doe99]\n```\n\nmail jane@doe99.org, and (Doe, 1999) said.\n');
    assert.match(html, /<code>\[@doe99\]<\/code>/);
    assert.match(html, /<pre><code>\[@doe99\]\n<\/code><\/pre>/);
    // Named by text alone the work has no entry (Pandoc lists only works cited with a key): a tooltip, no link to nowhere.
    assert.match(html, /<span class="citation corpus-cite-text" data-cites="doe99"><span title="A first study — Journal of Tests, 1999">Doe, 1999<\/span><\/span>/);
    const cited = render('As (Doe, 1999) said [@doe99].\n');
    assert.match(cited, /<a href="#ref-doe99" title="A first study — Journal of Tests, 1999">Doe, 1999<\/a>/);
    assert.match(cited, /id="ref-doe99"/);
  });

  it('a citation broken across lines, and in a block quote, is one citation', () => {
    const html = render('> As shown [see\n> @doe99, pp. 3-5;\n> @smith04].\n');
    assert.match(text(html), /As shown \(see Doe, 1999, pp\. 3–5; Smith & Jones, 2004\)\./);
  });

  it('while the worker formats, citations show as written, marked pending; no reference list yet', () => {
    const html = render('Text [@doe99].\n', 'apa', previewCorpus('apa', () => undefined));
    assert.match(html, /<span class="citation corpus-cite-pending" data-cites="doe99" title="Formatting citations…">\[@doe99\]<\/span>/);
    assert.doesNotMatch(html, /id="refs"/);
  });

  it('a parse alone (the Markdown language server’s) formats nothing; the render formats once', () => {
    const base = previewCorpus();
    const calls = { work: 0, render: 0, style: 0 };
    const pc: PreviewCorpus = {
      ...base,
      work: (k) => (calls.work++, base.work(k)),
      render: (req, key) => (calls.render++, base.render(req, key)),
      style: (meta, env, src) => (calls.style++, base.style(meta, env, src)),
    };
    const md = new MarkdownIt({ html: true });
    citationsPlugin(md, () => pc);
    const src = 'Text [@doe99; @smith04].\n\n::: {#refs}\n:::\n';
    const tokens = md.parse(src, {});
    assert.ok(tokens.length > 0);
    assert.deepStrictEqual(calls, { work: 0, render: 0, style: 0 }, 'the parse looked up or formatted');
    const html = md.render(src, {});
    assert.deepStrictEqual(calls, { work: 2, render: 1, style: 1 });
    assert.strictEqual(html, render(src));
  });

  it('when formatting fails: one warning, the citations and a refs div as written', () => {
    const pc: PreviewCorpus = {
      ...previewCorpus(),
      style: () => {
        throw new Error('style broke');
      },
    };
    const html = render('Text [@doe99] and *[see @smith04]*.\n\n::: {#refs}\n:::\n', 'apa', pc);
    const plain = new MarkdownIt({ html: true }).render('Text [@doe99] and *[see @smith04]*.\n\n::: {#refs}\n:::\n');
    assert.strictEqual(html, `<p class="corpus-cite-warning">Corpus Cite could not format the citations: style broke</p>\n${plain}`);
  });

  it('renders the review manuscript with the sample corpus: every citation formatted, none left raw', () => {
    const c = corpusOf(SEEDS);
    const lookup = new WorkLookup(c.works);
    const pc: PreviewCorpus = { ...previewCorpus(), work: (k) => lookup.id(k), authorDate: (m) => lookup.authorYear(m.authors![0], m.year, m.yearSuffix), records: () => c.works };
    const fs = require('fs') as typeof import('fs');
    const src = fs.readFileSync(require('path').join(SEEDS, '..', 'review.md'), 'utf8') as string;
    const html = render(src, 'apa', pc);
    const body = html.slice(0, html.indexOf('id="refs"'));
    assert.doesNotMatch(text(body).replace(/`[^`]*`/g, ''), /\[@[a-z]/, 'no raw Pandoc citation left');
    assert.doesNotMatch(html, /corpus-cite-unknown/);
  });
});

describe('citation clusters and front matter, as Pandoc parses them', () => {
  it('splits a bracket into prefix, key, locator and suffix', () => {
    const [c] = citationClusters('[see @doe99, pp. 33-35, 38 and *passim*; also -@smith04 chap. 1]');
    assert.strictEqual(c.kind, 'bracket');
    assert.deepStrictEqual(
      c.parts.map((p) => [p.prefix, p.key, p.label, p.locator, p.suffix?.trim(), p.suppressAuthor]),
      [
        ['see', 'doe99', 'page', '33-35, 38', 'and *passim*', undefined],
        ['also', 'smith04', 'chapter', '1', undefined, true],
      ],
    );
    assert.deepStrictEqual(parseLocator(', 12'), { locator: '12', label: 'page', suffix: undefined });
    assert.deepStrictEqual(parseLocator(', {ii, A, D-Z}'), { locator: 'ii, A, D-Z', label: 'page', suffix: undefined });
    assert.strictEqual(parseLocator(' and others').suffix, ' and others');
  });

  it('a link is not a citation bracket; -@k outside brackets is a narrative citation', () => {
    const cl = citationClusters('[@doe99](http://x) and -@smith04 here');
    assert.deepStrictEqual(
      cl.map((c) => [c.kind, c.raw]),
      [
        ['narrative', '@doe99'],
        ['narrative', '@smith04'],
      ],
    );
  });

  it('reads nocite as a string or a list, and YAML booleans as Pandoc does', () => {
    assert.deepStrictEqual(readCitationMeta('---\nnocite: "@a, @b"\nsuppress-bibliography: yes\nlink-citations: false\nlang: zh-CN\n---\n').nocite, ['a', 'b']);
    const m = readCitationMeta('---\nnocite:\n  - "@c"\n  - "@{d e}"\nsuppress-bibliography: yes\nlink-citations: false\nlang: zh-CN\ncsl: styles/my.csl\n---\n');
    assert.deepStrictEqual(m, { nocite: ['c', 'd e'], suppressBibliography: true, linkCitations: false, lang: 'zh-CN', csl: 'styles/my.csl', referenceSectionTitle: undefined });
    assert.deepStrictEqual(readCitationMeta('---\n: not yaml [\n---\n').nocite, []);
  });
});
