/**
 * English and Simplified Chinese: every `%key%` of package.json is in package.nls.json and
 * package.nls.zh-cn.json (and neither has keys of its own), and every message the extension
 * passes to `vscode.l10n.t` — and every problem template the core makes with `problemText` —
 * has a Chinese translation in l10n/bundle.l10n.zh-cn.json with the same placeholders.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { spawnSync } from 'child_process';
import { indexWithCache } from '../../src/core/index/indexCache';
import { incompleteEntryNotes } from '../../src/core/format/bibliographyBlock';
import { bundleTranslate, localeFromEnv } from '../../src/core/format/l10nBundle';
import { englishText, renderCard } from '../../src/core/format/render';
import { ParsedFileSchema, type Problem } from '../../src/core/model/model';
import { type ProblemArg, problemMessage, problemText } from '../../src/core/model/problemText';
import { pastMtime, ROOT } from './helpers/corpus';

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

/** A string literal (`'…'` or `"…"`) at the start of `s` (after spaces): its value, or undefined. */
function leadingLiteral(s: string): string | undefined {
  const m = /^\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)")/.exec(s);
  return m ? (m[1] ?? m[2]).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)) : undefined;
}

/** Every .ts file under `dir` (relative to ROOT). */
function tsFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : []));
}

/**
 * The problem templates of the core: the first argument of every `problemText(` call in
 * src/core, which must be a string literal (a template built at run time could not be checked,
 * so it is reported in `notLiteral`).
 */
function problemTemplates(): { templates: Map<string, string>; notLiteral: string[] } {
  const templates = new Map<string, string>();
  const notLiteral: string[] = [];
  for (const f of tsFiles('src/core')) {
    const src = read(f);
    for (const m of src.matchAll(/\bproblemText\(/g)) {
      if (/function\s+$/.test(src.slice(Math.max(0, m.index - 12), m.index))) continue;
      const rest = src.slice(m.index + m[0].length);
      const lit = leadingLiteral(rest);
      if (lit === undefined) notLiteral.push(`${f}: problemText(${rest.slice(0, 40)}`);
      else if (!templates.has(lit)) templates.set(lit, f);
    }
  }
  return { templates, notLiteral };
}

/** The messages given to `l10n.t('…')` in the extension's sources (and `t('…')` of the report). */
function runtimeMessages(): Map<string, string> {
  const out = new Map<string, string>();
  const files = fs
    .readdirSync(path.join(ROOT, 'src', 'vscode'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `src/vscode/${f}`)
    .concat(['src/extension.ts']);
  const literalsAfter = (f: string, call: RegExp) => {
    const src = read(f);
    return [...src.matchAll(call)].map((m) => leadingLiteral(src.slice(m.index + m[0].length))).filter((s) => s !== undefined);
  };
  for (const f of files) for (const m of literalsAfter(f, /\bl10n\.t\(/g)) out.set(m, f);
  // The core's reports, cards and bibliography notes are translated through the `t` the editor
  // passes in (core never imports vscode): `t('…')` and `markdownMessage(t, '…')`.
  for (const f of CORE_TRANSLATED) for (const m of literalsAfter(f, /(?:\bt\(|markdownMessage\(\s*t,)/g)) out.set(m, f);
  // The core's problems, translated where they are shown (Problems panel, log, CLI).
  for (const [m, f] of problemTemplates().templates) out.set(m, f);
  // The hover's action links (workCard.ts `link('…', command)`).
  for (const m of literalsAfter('src/vscode/workCard.ts', /\blink\(/g)) out.set(m, 'src/vscode/workCard.ts');
  return out;
}

/** Core files whose user-facing text goes through a translation function. */
const CORE_TRANSLATED = ['src/core/manuscript/coverage.ts', 'src/core/format/render.ts', 'src/core/format/bibliographyBlock.ts', 'src/cli.ts'];

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

describe('problems in Simplified Chinese', () => {
  const bundle = json('l10n/bundle.l10n.zh-cn.json');
  const { templates, notLiteral } = problemTemplates();

  it('every problem template of the core is a string literal with a Chinese translation that keeps its placeholders', () => {
    assert.deepStrictEqual(notLiteral, [], 'problemText called with a template that is not a string literal');
    assert.ok(templates.size > 100, `only ${templates.size} problem templates found`);
    const missing = [...templates].filter(([m]) => typeof bundle[m] !== 'string').map(([m, f]) => `${f}: ${m}`);
    assert.deepStrictEqual(missing, [], 'problem templates without a zh-CN translation');
    for (const m of templates.keys()) {
      assert.deepStrictEqual(placeholders(String(bundle[m])), placeholders(m), `placeholders of ${m}`);
      assert.match(String(bundle[m]), /[\u4e00-\u9fff]/, `not translated: ${m}`);
    }
  });

  it('makes the English message from the template, translates nested phrases first, fills each place once', () => {
    const text = problemText('Item {0} is {1}, not a CSL item; skipped it', 3, problemText('a string'));
    assert.strictEqual(text.message, 'Item 3 is a string, not a CSL item; skipped it');
    assert.deepStrictEqual(text.args, [3, { template: 'a string' }]);
    const zh = bundleTranslate(path.join(ROOT, 'l10n'), 'zh-cn');
    assert.strictEqual(problemMessage(text, zh), '第 3 项是字符串，不是 CSL 条目；已跳过');
    assert.strictEqual(problemMessage(text, englishText), text.message);
    // A value that looks like a placeholder stays as it is (record data is never re-filled).
    assert.strictEqual(problemText("Duplicate key '{0}' (also at line {1}); kept both", '{1}', 7).message, "Duplicate key '{1}' (also at line 7); kept both");
    // A problem without a template (an older cache) shows its English message.
    assert.strictEqual(problemMessage({ message: 'Old text.' }, zh), 'Old text.');
  });

  it('the problem schema keeps the template and its arguments (nested phrases too)', () => {
    const p: Problem = { file: 'a.json', line: 2, severity: 'error', ...problemText('Item {0} is {1}, not a CSL item; skipped it', 1, problemText('a value of type {0}', 'bigint')) };
    const parsed = ParsedFileSchema.parse({ file: 'a.json', records: [], problems: [p] });
    assert.deepStrictEqual(parsed.problems[0], p);
  });

  it('problems keep their templates through the warm-start cache (files and corpus from the cache)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-cite-l10n-'));
    try {
      const corpus = path.join(dir, 'corpus');
      fs.mkdirSync(corpus);
      const past = pastMtime(60_000);
      for (const f of fs.readdirSync(path.join(ROOT, 'fixtures', 'bad'))) {
        fs.copyFileSync(path.join(ROOT, 'fixtures', 'bad', f), path.join(corpus, f));
        fs.utimesSync(path.join(corpus, f), past, past);
      }
      const cold = indexWithCache([corpus], path.join(dir, 'cache'));
      const warm = indexWithCache([corpus], path.join(dir, 'cache'));
      assert.strictEqual(warm.stats.corpusFromCache, true);
      assert.ok(cold.problems.length >= 10 && cold.problems.every((p) => p.template !== undefined));
      assert.deepStrictEqual(warm.problems, cold.problems);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints `index fixtures/bad` in Chinese: no English sentence left besides file names and record data', () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'cli.js')), 'dist/cli.js is missing: run `npm run build` (npm test does)');
    const run = (lang: string, ...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'index', ...args, 'fixtures/bad'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LANG: lang, LC_ALL: '', LANGUAGE: '', LC_MESSAGES: '', CORPUS_CITE_LOCALE: '' } });
    const data = JSON.parse(run('C', '--json').stdout) as { works: { 'citation-label': string; title?: string; 'x-corpus': { sources: { file: string; line: number }[] } }[]; problems: Problem[] };
    assert.ok(data.problems.length >= 10 && data.problems.every((p) => p.template), 'every problem of fixtures/bad has a template');
    const zh = run('zh_CN.UTF-8');
    const en = run('C');
    assert.strictEqual(zh.status, en.status);
    // Record data (labels, titles as the table cuts them, sources), file names and the values that
    // fill the templates (keys, field names, Node's own error texts) are not ours to translate.
    const leaves = (a: ProblemArg): string[] => (typeof a === 'object' ? (a.args ?? []).flatMap(leaves) : [String(a)]);
    const dataText = new Set<string>(['fixtures/bad']);
    for (const w of data.works) {
      const title = (w.title ?? '').replace(/\s+/g, ' ');
      for (const s of [w['citation-label'], title, title.slice(0, 59) + '…', ...w['x-corpus'].sources.map((s) => `${s.file.split('/').pop()}:${s.line}`)]) if (s) dataText.add(s);
    }
    for (const p of data.problems) for (const s of [p.file, ...(p.args ?? []).flatMap(leaves)]) dataText.add(s);
    const strip = (s: string) => [...dataText].sort((a, b) => b.length - a.length).reduce((acc, d) => acc.split(d).join(' '), s);
    // Names and codes that the Chinese text keeps as they are.
    const kept = new Set(['CSL', 'JSON', 'ER', 'NUL', 'UTF', 'id', 'ms']);
    const english = (s: string) => (strip(s).match(/[A-Za-z]{2,}/g) ?? []).filter((w) => !kept.has(w));
    const problemLines = zh.stderr.split('\n').filter((l) => /^fixtures\//.test(l));
    assert.strictEqual(problemLines.length, data.problems.length, zh.stderr);
    for (const l of problemLines) assert.match(l, /^[^:]+:\d+: (错误|警告|信息): /, l);
    for (const l of zh.stderr.split('\n')) assert.deepStrictEqual(english(l), [], l);
    const rows = zh.stdout.trimEnd().split('\n');
    assert.strictEqual(rows.length, data.works.length + 1);
    for (const l of rows) assert.deepStrictEqual(english(l), [], l);
    assert.match(rows[1], /\s(记录|被引用)\s/);
    // The English run is the English text, unchanged.
    assert.match(en.stderr, /: error: Unbalanced braces in entry starting here; skipped it/);
    assert.match(en.stdout, /^LABEL\s+KIND\s+TITLE\s+SOURCE$/m);
    assert.match(en.stdout, /\srecord\s/);
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
