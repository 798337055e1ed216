/**
 * Every field of the four seed documents, as a reader of those pages would state it. The values
 * here are read off the seeds by a person; the parsers never see them.
 */
import * as assert from 'assert';
import * as path from 'path';
import { corpusOf, families, SEEDS, work, year } from './helpers/corpus';
import { WorkSchema } from '../../src/core/model/model';

const c = () => corpusOf(SEEDS);
const seedFile = (prefix: string) => path.join(SEEDS, require('fs').readdirSync(SEEDS).find((f: string) => f.startsWith(prefix)));

describe('seed corpus', () => {
  it('indexes the four seeds with no problems, each as its layout', () => {
    assert.deepStrictEqual(c().problems, []);
    const formats = c().works.filter((w) => w['x-corpus'].sources.some((s) => s.relation === 'record')).map((w) => w['x-corpus'].sources[0].format).sort();
    assert.deepStrictEqual(formats, ['emerald-vlex', 'scienceopen', 'semantic-scholar-json', 'wos-cn']);
  });

  it('every work validates against the zod schema and has a valid, unique Pandoc id and label', () => {
    const ids = new Set<string>();
    const labels = new Set<string>();
    for (const w of c().works) {
      WorkSchema.parse(w);
      assert.match(w.id, /^[a-z][a-z0-9]*$/);
      assert.ok(!ids.has(w.id), `duplicate id ${w.id}`);
      assert.ok(!labels.has(w['citation-label']), `duplicate label ${w['citation-label']}`);
      ids.add(w.id);
      labels.add(w['citation-label']);
    }
  });

  describe('seed 000: Semantic Scholar JSON dump', () => {
    const w = () => work(c(), 'gillard2022');
    it('English title, Chinese translated title', () => {
      assert.strictEqual(w().title, 'Guest editorial: re-balancing the discourse, inviting critique and welcoming marginalised voices in research about peer support in mental health services');
      assert.strictEqual(w()['x-corpus'].translatedTitle, '客座编辑:重新平衡话语,邀请批评和欢迎边缘化的声音在精神卫生服务同伴支持的研究');
      assert.strictEqual(w()['citation-label'], 'Gillard 2022');
    });
    it('author, date, venue, volume, issue, pages, DOI', () => {
      assert.deepStrictEqual(w().author, [{ given: 'S.', family: 'Gillard' }]);
      assert.deepStrictEqual(w().issued, { 'date-parts': [[2022, 5, 4]] });
      assert.strictEqual(w()['container-title'], 'Advances in Mental Health');
      assert.strictEqual(w().volume, '20');
      assert.strictEqual(w().issue, '1');
      assert.strictEqual(w().page, '87-90');
      assert.strictEqual(w().DOI, '10.1080/18387357.2022.2037356');
      assert.strictEqual(w().type, 'article-journal');
    });
    it('abstract from the plain text, traced to its line', () => {
      assert.match(w().abstract!, /^Important arguments have been made about peer support/);
      assert.match(w().abstract!, /properly responded to\.$/);
      const src = w()['x-corpus'].sources.find((s) => s.relation === 'record')!;
      assert.strictEqual(src.file, seedFile('000'));
      assert.strictEqual(src.line, 1);
      assert.strictEqual(src.fields!.title, 2);
      assert.strictEqual(src.fields!.abstract, 3);
    });
    it('each in-text citation is a cited work that knows its citing work and sentence', () => {
      const expected: [string, string[], number, string][] = [
        ['faulkner2012', ['Faulkner', 'Kalathil'], 2012, 'risk-adverse environment of mental health services (Faulkner & Kalathil, 2012)'],
        ['mead2001', ['Mead', 'Hilton', 'Curtis'], 2001, 'trained and paid to provide support to another (Mead, Hilton, & Curtis, 2001)'],
        ['scott2012', ['Scott', 'Doughty'], 2012, 'about the person they are supporting (Scott & Doughty, 2012)'],
        ['voronka2019', ['Voronka'], 2019, 'perceived requisite authenticity (Voronka, 2019)'],
        ['borkman1999', ['Borkman'], 1999, 'mutual aid movement (Borkman, 1999)'],
        ['watkins2020', ['Watkins', 'Morris', 'Fox'], 2020, 'National Health Service (Watkins, Morris, & Fox, 2020)'],
        ['nhse2019', ['NHSE'], 2019, 'nearly 5000 in the years to come (NHSE, 2019)'],
        ['mead2017', ['Mead', 'Filson'], 2017, 'other forms of mental health support (Mead & Filson, 2017;'],
        ['oborn2019', ['Oborn', 'Barrett', 'Gibson', 'Gillard'], 2019, 'Oborn, Barrett, Gibson, & Gillard, 2019)'],
        ['gillard2013', ['Gillard', 'Edwards', 'Gibson', 'Owen', 'Wright'], 2013, 'organisational constraints (Gillard, Edwards, Gibson, Owen, &Wright, 2013)'],
        ['king2018', ['King', 'Simmons'], 2018, 'supported in their role (King & Simmons, 2018;'],
        ['white2020', ['White'], 2020, 'White et al., 2020)'],
        ['mirbahaeddin2022', ['Mirbahaeddin', 'Chreim'], 2022, 'is not in place (Mirbahaeddin & Chreim, 2022)'],
        ['ahmed2015', ['Ahmed', 'Hunter', 'Mabe', 'Tucker', 'Buckley'], 2015, 'avoiding relapse (Ahmed, Hunter, Mabe, Tucker, & Buckley, 2015)'],
      ];
      assert.deepStrictEqual(w()['x-corpus'].cites, expected.map((e) => e[0]).sort());
      for (const [id, authors, y, sentencePart] of expected) {
        const cited = work(c(), id);
        assert.strictEqual(cited['x-corpus'].kind, 'cited', id);
        assert.deepStrictEqual(families(cited), authors, id);
        assert.strictEqual(year(cited), y, id);
        assert.deepStrictEqual(cited['x-corpus'].citedBy, ['gillard2022'], id);
        const ctx = cited['x-corpus'].contexts;
        assert.strictEqual(ctx.length, 1, id);
        assert.strictEqual(ctx[0].by, 'gillard2022');
        assert.ok(ctx[0].sentence.includes(sentencePart), `${id}: "${ctx[0].sentence}" lacks "${sentencePart}"`);
        assert.strictEqual(ctx[0].line, 3);
      }
      assert.strictEqual(work(c(), 'white2020')['x-corpus'].etAl, true);
    });
    it('keeps Mead 2001 / Mead 2017 and Gillard 2013 / Gillard 2022 apart', () => {
      assert.strictEqual(work(c(), 'mead2001')['citation-label'], 'Mead 2001');
      assert.strictEqual(work(c(), 'mead2017')['citation-label'], 'Mead 2017');
      assert.strictEqual(work(c(), 'gillard2013')['x-corpus'].kind, 'cited');
      assert.strictEqual(work(c(), 'gillard2022')['x-corpus'].kind, 'record');
    });
  });

  describe('seed 001: Chinese-interface Web of Science record', () => {
    const w = () => work(c(), 'mackay2022');
    it('title without the trailing group author, which is kept as a group author', () => {
      assert.strictEqual(w().title, 'The evolution of community peer support values: reflections from three UK mental health project teams');
      assert.deepStrictEqual(w()['x-corpus'].groupAuthors, ['The McPin peer support evaluation writing collaborative']);
    });
    it('all 15 authors without affiliation markers', () => {
      assert.deepStrictEqual(
        w().author!.map((a) => `${a.family}, ${a.given}`),
        ['Mackay, Tanya', 'Ahmed, Nisba', 'Andleeb, Humma', 'Billsborough, Julie', 'Currie, Richard', 'Hazzard, Raj', 'Haider, Fozia', 'Iqbal, Naima', 'Matthews, Ffion', 'Mesaric, Andreja', 'Parker, Jennie', 'Pinfold, Vanessa', 'Richmond, Laura', 'Robotham, Dan', 'Thompson, Rose'],
      );
    });
    it('keywords, DOI, pages, page count, structured abstract', () => {
      assert.strictEqual(w().keyword, 'Peer support, peer research, mental health, lived experience, value-led');
      assert.strictEqual(w().DOI, '10.1080/18387357.2022.2033128');
      assert.strictEqual(w().page, '157-169');
      assert.strictEqual(w()['number-of-pages'], '13');
      assert.match(w().abstract!, /^Objective: To explore emergent values/);
      assert.match(w().abstract!, /Discussion: We propose caution/);
      assert.match(w().abstract!, /values of peer support itself\.$/);
      assert.doesNotMatch(w().abstract!, /引用|收藏|页码/);
    });
    it('year inferred from the DOI and marked inferred; journal inferred from a sibling DOI', () => {
      assert.strictEqual(year(w()), 2022);
      assert.ok(w()['x-corpus'].inferred.includes('issued'));
      assert.strictEqual(w()['container-title'], 'Advances in Mental Health');
      assert.ok(w()['x-corpus'].inferred.includes('container-title'));
      assert.ok(!work(c(), 'gillard2022')['x-corpus'].inferred.includes('issued'));
    });
    it('related papers become works with their relation, fields and line', () => {
      const related = w()['x-corpus'].related;
      assert.deepStrictEqual(related, ['byrom2018', 'kaggwa2023', 'kemp2012', 'lu2023', 'mcleish2022', 'nash2022', 'prescott2020', 'rayland2023', 'thompsonnd']);
      const k = work(c(), 'kaggwa2023');
      assert.strictEqual(k.title, 'Peer support mental health teams in correctional settings in Uganda');
      assert.deepStrictEqual(families(k), ['Kaggwa', 'Olagunju', 'Prat', 'Harms', 'Chaimowitz']);
      assert.strictEqual(k['container-title'], 'Lancet Psychiatry');
      assert.deepStrictEqual([year(k), k.volume, k.issue, k.page], [2023, '10', '2', '76-79']);
      assert.deepStrictEqual(k['x-corpus'].related, ['mackay2022']);
      assert.strictEqual(k['x-corpus'].sources[0].relation, 'related');
      assert.strictEqual(k['x-corpus'].sources[0].line, 42);
      const b = work(c(), 'byrom2018');
      assert.deepStrictEqual([b['container-title'], year(b), b.volume, b.issue, b.page], ['Journal of Mental Health', 2018, '27', '3', '240-246']);
      const m = work(c(), 'mcleish2022');
      assert.deepStrictEqual([m['container-title'], m.volume, m.issue, m.page], ['Journal of Reproductive and Infant Psychology', '40', '2', 'XVI']);
      const kemp = work(c(), 'kemp2012');
      assert.deepStrictEqual(kemp.author, [{ family: 'Kemp', given: 'Vivien' }, { family: 'Henderson', given: 'Anthony R.' }]);
      const t = work(c(), 'thompsonnd');
      assert.strictEqual(t['citation-label'], 'Thompson n.d.');
      assert.deepStrictEqual(t.author![0], { family: 'Thompson', given: 'D.M.' });
      assert.deepStrictEqual([t['container-title'], t.volume, t.issue, t.issued], ['Discover Mental Health', '3', '1', undefined]);
      const p = work(c(), 'prescott2020');
      assert.deepStrictEqual([p['container-title'], p.volume, p.page], ['Digital Health', '6', undefined]);
      assert.strictEqual(work(c(), 'rayland2023')['container-title'], 'JMIR Mental Health');
      const n = work(c(), 'nash2022');
      assert.deepStrictEqual([n['container-title'], n.volume, n.issue, n.page, families(n).length], ['Journal of Forensic Practice', '24', '4', '354-363', 4]);
    });
    it('merges the two listings of the 2023 BMC Psychology paper into one work', () => {
      const lu = work(c(), 'lu2023');
      assert.strictEqual(lu['container-title'], 'BMC Psychology');
      assert.deepStrictEqual([year(lu), lu.volume, lu.issue], [2023, '11', '1']);
      assert.deepStrictEqual(families(lu), ['Lu', 'Hart', 'Jorm', 'Gregg', 'Gross', 'Mackinnon', 'Morgan']);
      assert.deepStrictEqual(lu['x-corpus'].sources.map((s) => s.line), [75, 84]);
      assert.strictEqual(c().works.filter((x) => /^Adolescent peer support/.test(x.title ?? '')).length, 1);
    });
    it('finds no citations in "(n = 69)" and the like', () => {
      assert.deepStrictEqual(w()['x-corpus'].cites, []);
    });
  });

  describe('seed 002: Emerald/vLex page', () => {
    const w = () => work(c(), 'perkins2019');
    it('header fields run together with their labels', () => {
      assert.strictEqual(w().title, 'Where is peer support going?');
      assert.deepStrictEqual(w().author, [{ given: 'Rachel', family: 'Perkins' }, { given: 'Julie', family: 'Repper' }]);
      assert.deepStrictEqual(w().issued, { 'date-parts': [[2019, 5, 15]] });
      assert.strictEqual(w().page, '61-63');
      assert.strictEqual(w().DOI, '10.1108/MHSI-05-2019-060');
      assert.strictEqual(w().keyword, 'Health & social care, Mental health, Social inclusion');
    });
    it('footer: volume, issue, ISSN, publisher; the mangled running head as the journal', () => {
      assert.deepStrictEqual([w().volume, w().issue, w().ISSN, w().publisher], ['23', '2', '2042-8308', 'Emerald Publishing Limited']);
      assert.strictEqual(w()['container-title'], 'Mental Health and Social Inclusion');
      assert.strictEqual(w().genre, 'Editorial');
    });
    it('body text without paywall, cookie or page furniture', () => {
      const a = w().abstract!;
      assert.match(a, /^Peer support is not new\./);
      assert.match(a, /claims to special knowledge remain and impede the mutuality$/);
      for (const junk of [/continue reading/i, /trial/i, /cookie/i, /VLEX/, /PAG E/, /Emerald Publishing/, /MENTALHEALTH/, /Rachel Perkins and Julie Repper/]) assert.doesNotMatch(a, junk);
    });
    it('each in-text citation, narrative or parenthetical, with its sentence', () => {
      const expected: [string, string, number, string][] = [
        ['chamberlin1978', 'Chamberlin', 1978, 'peer led groups and services have become widespread'],
        ['ohagan2014', 'OHagan', 2014, '(see, e.g. Chamberlin, 1978; OHagan, 2014)'],
        ['mind2013', 'Mind', 2013, 'can access peer support by 2016(Mind, 2013, p. 1)'],
        ['repper2013', 'Repper', 2013, 'more formal peer roles have been created'],
        ['mentalhealthtaskforce2016', 'Mental Health Task Force', 2016, 'included in policy documents (see, e.g. Mental Health Task Force, 2016)'],
        ['onken2002', 'Onken', 2002, 'conducted by Onken et al. (2002), found that people greatly valued peer support'],
        ['repper2011', 'Repper', 2011, '(see Repper and Carter, 2011; Repper et al., 2013)'],
        ['slade2017', 'Slade', 2017, 'Indeed, Slade et al. (2017) claim that there is more evidence'],
      ];
      assert.deepStrictEqual(w()['x-corpus'].cites, expected.map((e) => e[0]).sort());
      for (const [id, first, y, part] of expected) {
        const cited = work(c(), id);
        assert.strictEqual(families(cited)[0], first, id);
        assert.strictEqual(year(cited), y, id);
        assert.strictEqual(cited['x-corpus'].kind, 'cited');
        assert.ok(cited['x-corpus'].contexts.some((x) => x.by === 'perkins2019' && x.sentence.includes(part)), `${id}: ${JSON.stringify(cited['x-corpus'].contexts.map((x) => x.sentence))}`);
      }
      assert.strictEqual(work(c(), 'mind2013')['x-corpus'].contexts[0].locator, 'p. 1');
      assert.strictEqual(work(c(), 'repper2013')['x-corpus'].contexts.length, 2, 'Repper et al. 2013 is cited twice: one work, two contexts');
      assert.deepStrictEqual(work(c(), 'repper2011').author, [{ family: 'Repper' }, { family: 'Carter' }]);
      assert.deepStrictEqual(work(c(), 'mentalhealthtaskforce2016').author, [{ literal: 'Mental Health Task Force' }]);
      assert.strictEqual(work(c(), 'mentalhealthtaskforce2016')['citation-label'], 'Mental Health Task Force 2016');
      assert.deepStrictEqual(work(c(), 'chamberlin1978')['x-corpus'].contexts[0].line, 13, 'citation broken across lines 12–13 is traced to where its part starts');
    });
    it('indexes none of the non-citations (run-together years, year ranges)', () => {
      // "Minds 20122016 strategy", "programme 20182021", "by 2016(Mind, ...": none is a work.
      const fromSeed = c().works.filter((x) => x['x-corpus'].sources.some((s) => s.file === seedFile('002') && s.relation === 'citation'));
      assert.deepStrictEqual(fromSeed.map((x) => year(x)).filter((y) => y === 2012 || y === 2018 || y === 2021), []);
      assert.deepStrictEqual(fromSeed.map((x) => families(x)[0]).filter((f) => /^(?:Minds|Everyone|Wales|UK|Network)$/.test(f)), []);
    });
  });

  describe('seed 003: ScienceOpen page', () => {
    const w = () => work(c(), 'moore2021');
    it('title, author from the correspondence note, type', () => {
      assert.strictEqual(w().title, 'More ‘milk’ than ‘psychology or tablets’: Mental health professionals’ perspectives on the value of peer support workers');
      assert.deepStrictEqual(w().author, [{ given: 'Timothy', family: 'Moore' }]);
      assert.strictEqual(w().type, 'article-journal');
      assert.strictEqual(w()['x-corpus'].extra?.articleType, 'research-article');
    });
    it('journal, ISSNs, dates, volume, issue, pages', () => {
      assert.strictEqual(w()['container-title'], 'Health Expectations : An International Journal of Public Participation in Health Care and Health Policy');
      assert.strictEqual(w()['container-title-short'], 'Health Expect');
      assert.strictEqual(w().ISSN, '1369-6513, 1369-7625');
      assert.deepStrictEqual(w().issued, { 'date-parts': [[2021, 4]] });
      assert.deepStrictEqual(w()['available-date'], { 'date-parts': [[2020, 12, 12]] });
      assert.deepStrictEqual([w().volume, w().issue, w().page], ['24', '2', '234-242']);
      assert.strictEqual(w().publisher, 'John Wiley and Sons Inc.');
    });
    it('DOI (not the journal or issue DOI), PMCID, PMID, licence, keywords', () => {
      assert.strictEqual(w().DOI, '10.1111/hex.13151');
      assert.strictEqual(w().PMCID, 'PMC8077122');
      assert.strictEqual(w().PMID, '33314538');
      assert.strictEqual(w().license, 'http://creativecommons.org/licenses/by/4.0/');
      assert.strictEqual(w().keyword, 'discourse analysis, experiential knowledge, lived experience, mental health, mental health professionals, peer support, psychology, psychosocial, subjectivity, user involvement');
    });
    it('structured abstract without page furniture', () => {
      const a = w().abstract!;
      const headings = a.split('\n').map((p) => p.split(':')[0]);
      assert.deepStrictEqual(headings, ['Background', 'Objectives', 'Design', 'Results', 'Conclusions', 'Patient or Public Contribution']);
      assert.match(a, /^Background: Though growing numbers of peer support workers/);
      for (const junk of [/Bookmark/, /Record: found/, /Related collections/, /@/, /author summary/, /\bviews\b/, /\brecommends\b/]) assert.doesNotMatch(a, junk);
    });
    it('most cited references become cited works of the record', () => {
      assert.strictEqual(w()['x-corpus'].extra?.referenceCount, '49');
      const refs = w()['x-corpus'].cites.map((id) => work(c(), id));
      assert.deepStrictEqual(refs.map((r) => r.title).sort(), [
        'A review of the literature on peer support in mental health services.',
        'An update on the growing evidence base for peer support',
        'Now I see it, now I don\'t: researcher\'s position and reflexivity in qualitative research',
      ]);
      const berger = work(c(), 'berger2015');
      assert.deepStrictEqual(berger.author, [{ given: 'M R', family: 'Berger' }]);
      assert.deepStrictEqual(berger['x-corpus'].referencedBy, ['moore2021']);
      const review = refs.find((r) => r.title!.startsWith('A review'))!;
      assert.match(review.abstract!, /^Although mutual support and self-help groups/);
      assert.match(review.abstract!, /are required\.$/);
      assert.strictEqual(review.issued, undefined, 'the page states no year for it');
    });
  });
});
