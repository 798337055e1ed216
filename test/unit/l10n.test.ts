/**
 * English and Simplified Chinese: every `%key%` of package.json is in package.nls.json and
 * package.nls.zh-cn.json (and neither has keys of its own), and every message the extension
 * passes to `vscode.l10n.t` has a Chinese translation in l10n/bundle.l10n.zh-cn.json with the
 * same placeholders.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { incompleteEntryNotes } from '../../src/core/bibliographyBlock';
import { bundleTranslate, localeFromEnv } from '../../src/core/l10nBundle';
import { renderCard } from '../../src/core/render';
import { ROOT } from './helpers/corpus';

const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');
const json = (p: string) => JSON.parse(read(p)) as Record<string, unknown>;

/** The `%key%` placeholders anywhere in package.json. */
function nlsKeys(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const m = /^%([^%\s]+)%$/.exec(value);
    if (m) out.add(m[1]);
  } else if (Array.isArray(value)) for (const v of value) nlsKeys(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) nlsKeys(v, out);
  return out;
}

/** The messages given to `l10n.t('…')` in the extension's sources (and `t('…')` of the report). */
function runtimeMessages(): Map<string, string> {
  const out = new Map<string, string>();
  const files = fs
    .readdirSync(path.join(ROOT, 'src', 'vscode'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `src/vscode/${f}`)
    .concat(['src/extension.ts']);
  const literal = String.raw`'((?:[^'\\]|\\.)*)'`;
  for (const f of files) for (const m of read(f).matchAll(new RegExp(String.raw`l10n\.t\(\s*` + literal, 'g'))) out.set(m[1].replace(/\\'/g, "'"), f);
  // The core's reports, cards and bibliography notes are translated through the `t` the editor
  // passes in (core never imports vscode): `t('…')` and `markdownMessage(t, '…')`.
  for (const f of CORE_TRANSLATED) {
    for (const m of read(f).matchAll(new RegExp(String.raw`(?:\bt\(|markdownMessage\(\s*t,)\s*` + literal, 'g'))) out.set(m[1].replace(/\\'/g, "'"), f);
  }
  // The hover's action links (workCard.ts `link('…', command)`).
  for (const m of read('src/vscode/workCard.ts').matchAll(new RegExp(String.raw`\blink\(\s*` + literal, 'g'))) out.set(m[1], 'src/vscode/workCard.ts');
  return out;
}

/** Core files whose user-facing text goes through a translation function. */
const CORE_TRANSLATED = ['src/core/coverage.ts', 'src/core/render.ts', 'src/core/bibliographyBlock.ts', 'src/cli.ts'];

const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

describe('localization (English, Simplified Chinese)', () => {
  const pkg = json('package.json');
  const en = json('package.nls.json');
  const zh = json('package.nls.zh-cn.json');

  it('every %key% of package.json is in package.nls.json and package.nls.zh-cn.json', () => {
    const keys = nlsKeys(pkg);
    assert.ok(keys.size > 20, `only ${keys.size} keys`);
    for (const k of keys) {
      assert.ok(typeof en[k] === 'string' && en[k], `package.nls.json lacks ${k}`);
      assert.ok(typeof zh[k] === 'string' && zh[k], `package.nls.zh-cn.json lacks ${k}`);
    }
    assert.deepStrictEqual(Object.keys(en).filter((k) => !keys.has(k)), [], 'package.nls.json has unused keys');
    assert.deepStrictEqual(Object.keys(zh).filter((k) => !keys.has(k)), [], 'package.nls.zh-cn.json has unused keys');
  });

  it('contributed titles and descriptions are all localized', () => {
    const c = pkg.contributes as { commands: { title: string; category: string }[]; configuration: { title: string; properties: Record<string, { markdownDescription?: string; description?: string; enumDescriptions?: string[] }> }; views: Record<string, { name: string }[]> };
    for (const cmd of c.commands) {
      assert.match(cmd.title, /^%.+%$/, `command title ${cmd.title}`);
      assert.match(cmd.category, /^%.+%$/, `command category ${cmd.category}`);
    }
    for (const [k, p] of Object.entries(c.configuration.properties)) {
      assert.match(p.markdownDescription ?? p.description ?? '', /^%.+%$/, `description of ${k}`);
      for (const d of p.enumDescriptions ?? []) assert.match(d, /^%.+%$/, `enum description of ${k}`);
    }
    for (const list of Object.values(c.views)) for (const v of list) assert.match(v.name, /^%.+%$/);
    assert.match(String(pkg.displayName), /^%.+%$/);
    assert.match(String(pkg.description), /^%.+%$/);
  });

  it('the Chinese texts keep the command links and setting names of the English ones', () => {
    for (const [k, v] of Object.entries(en)) {
      const links = (s: string) => [...s.matchAll(/\]\((command:[^)]+)\)|`([^`]+)`|corpusCite\.\w+/g)].map((m) => m[0].replace(/^\][^(]*/, '')).sort();
      assert.deepStrictEqual(links(String(zh[k])), links(String(v)), `links, code and settings of ${k}`);
    }
  });

  it('every vscode.l10n.t message has a Chinese translation with the same placeholders', () => {
    const bundle = json('l10n/bundle.l10n.zh-cn.json');
    const messages = runtimeMessages();
    assert.ok(messages.size > 50, `only ${messages.size} messages found`);
    const missing = [...messages].filter(([m]) => typeof bundle[m] !== 'string').map(([m, f]) => `${f}: ${m}`);
    assert.deepStrictEqual(missing, [], 'untranslated messages');
    for (const [m, t] of Object.entries(bundle)) {
      assert.ok(messages.has(m), `the bundle translates a message no source uses: ${m}`);
      assert.deepStrictEqual(placeholders(String(t)), placeholders(m), `placeholders of ${m}`);
      assert.match(String(t), /[\u4e00-\u9fff]|^Corpus Cite/, `not translated: ${m}`);
    }
  });
});

describe('cards and reports in Simplified Chinese', () => {
  const bundle = JSON.parse(read('l10n/bundle.l10n.zh-cn.json')) as Record<string, string>;
  /** vscode.l10n.t with the zh-CN bundle; a message the bundle lacks is marked, so it shows up as English. */
  const zh = (message: string, ...args: (string | number)[]) => (bundle[message] ?? `UNTRANSLATED(${message})`).replace(/\{(\d+)\}/g, (m, i: string) => String(args[Number(i)] ?? m));

  /** A work whose own text is all Chinese: any Latin word left in its card is the card's own. */
  const work = {
    id: 'wang2020',
    type: 'article-journal',
    'citation-label': '王 2020',
    title: '同伴支持工作者的角色',
    author: [{ family: '王', given: '丽' }, { family: '李', given: '明' }, { family: '张', given: '伟' }],
    issued: { 'date-parts': [[2020]] },
    'container-title': '中国心理卫生杂志',
    volume: '34',
    issue: '2',
    page: '101-108',
    keyword: '同伴支持; 精神卫生',
    DOI: '10.1000/abc',
    'x-corpus': { kind: 'record', citedBy: [], cites: [], related: [], referencedBy: [], contexts: [], sources: [], inferred: [], etAl: true },
  };
  const cited = {
    id: 'zhao',
    type: 'article-journal',
    'citation-label': '赵 n.d.',
    'x-corpus': {
      kind: 'cited',
      citedBy: ['wang2020'],
      cites: [],
      related: [],
      referencedBy: [],
      sources: [],
      inferred: [],
      contexts: ['一', '二', '三', '四'].map((n) => ({ by: 'wang2020', sentence: `第${n}句引用了赵（无日期）。`, text: '赵（无日期）', file: '/c/a.txt', line: 1 })),
    },
  };

  /** Latin words other than the identifiers a card shows as they are (DOI, its link). */
  const latin = (md: string) => md.replace(/DOI\\?: \[[^\]]*\]\([^)]*\)/g, '').replace(/赵 n\\?\.d\\?\./g, '').match(/[A-Za-z][A-Za-z.]*/g) ?? [];

  it('renders hover cards with no English words of their own', () => {
    for (const w of [work, cited]) {
      const md = renderCard(w as never, { citedByLabels: () => '王 2020', t: zh, maxContexts: 3, maxAuthors: 2 });
      assert.deepStrictEqual(latin(md), [], md);
    }
    const md = renderCard(cited as never, { citedByLabels: () => '王 2020', t: zh, maxContexts: 3 });
    assert.match(md, /\*\*王 2020\*\* 引用：“第一句/);
    assert.match(md, /另有 1 处/);
    assert.match(renderCard(work as never, { citedByLabels: () => undefined, t: zh }), /关键词：同伴支持/);
  });

  it('writes the bibliography notes in Chinese', () => {
    const notes = incompleteEntryNotes([cited as never, { ...work, title: undefined } as never], zh);
    assert.deepStrictEqual(notes.map(latin), [[], []], notes.join('\n'));
    assert.match(notes[0], /赵 n\.d\. 仅见于引文/);
    assert.match(notes[1], /缺少标题/);
  });
});

describe('the CLI in Simplified Chinese', () => {
  it('reads the locale from the environment as gettext does', () => {
    assert.strictEqual(localeFromEnv({ LANG: 'zh_CN.UTF-8' }), 'zh-cn');
    assert.strictEqual(localeFromEnv({ LANG: 'en_US.UTF-8', LC_ALL: 'zh_CN.GB18030' }), 'zh-cn');
    assert.strictEqual(localeFromEnv({ LANGUAGE: 'zh_CN:en', LANG: 'C' }), 'zh-cn');
    assert.strictEqual(localeFromEnv({ LANG: 'C.UTF-8' }), undefined);
    assert.strictEqual(localeFromEnv({}), undefined);
  });

  it('prints its human output from the bundle, in English without one', () => {
    const zh = bundleTranslate(path.join(ROOT, 'l10n'), 'zh-cn');
    assert.strictEqual(zh('{0} citations, {1} unknown, {2} corpus records never cited.', 3, 1, 2), '3 处引用，1 处未知，2 条语料记录从未被引用。');
    assert.strictEqual(bundleTranslate(path.join(ROOT, 'l10n'), 'fr')('unknown citation {0}', '@x'), 'unknown citation @x');
    const out = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'check', 'nothing.md'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LANG: 'zh_CN.UTF-8', LC_ALL: '', LANGUAGE: '' } });
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'cli.js')), 'dist/cli.js is missing: run `npm run build` (npm test does)');
    assert.match(out.stderr, /check 需要 --corpus PATH/);
  });
});
