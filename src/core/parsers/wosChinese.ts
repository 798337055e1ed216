/**
 * Web of Science records copied from its Chinese interface: a title line, then labelled
 * sections (作者, 机构, 关键词, D O I, 摘要, 页码, 相关论文 ...), each label on its own line or
 * run together with its value (`页码:157 / 169`).
 */
import type { CslFields, Name, ParsedFile, ParsedRecord, Problem } from '../model/model';
import { parsePersonName } from '../model/names';
import { type Line, extractDoi, normalisePages, squash, titleCaseIfShouting, toLines, yearFromDoi } from '../model/text';
import { problemText } from '../model/problemText';

type Section =
  | 'authors' | 'affiliations' | 'keywords' | 'doi' | 'clc' | 'subject' | 'abstract' | 'cite' | 'collect'
  | 'pages' | 'pageCount' | 'related' | 'timesCited' | 'journal' | 'year' | 'volume' | 'issue' | 'issn'
  | 'language' | 'docType' | 'pmid' | 'funding' | 'publisher' | 'date' | 'ignore';

const LABELS: [RegExp, Section][] = [
  [/^作\s*者$/, 'authors'],
  [/^(?:机\s*构|作者单位|地址)$/, 'affiliations'],
  [/^(?:关键词|关\s*键\s*词|作者关键词|Keywords?)$/i, 'keywords'],
  [/^(?:D\s*O\s*I|DOI)$/, 'doi'],
  [/^中图分类号$/, 'clc'],
  [/^学科分类号$/, 'subject'],
  [/^摘\s*要$/, 'abstract'],
  [/^引\s*用$/, 'cite'],
  [/^收\s*藏$/, 'collect'],
  [/^页\s*码$/, 'pages'],
  [/^页\s*数$/, 'pageCount'],
  [/^相关论文$/, 'related'],
  [/^被\s*引(?:频次)?$/, 'timesCited'],
  [/^(?:来源出版物|出版物名称|期刊(?:名称)?|来\s*源|刊\s*名)$/, 'journal'],
  [/^(?:出版年|年\s*份|发表年份|年)$/, 'year'],
  [/^(?:出版日期|发表时间|发表日期)$/, 'date'],
  [/^卷$/, 'volume'],
  [/^期$/, 'issue'],
  [/^(?:ISSN|eISSN)$/i, 'issn'],
  [/^语\s*种$/, 'language'],
  [/^文献类型$/, 'docType'],
  [/^(?:PubMed\s*ID|PMID)$/i, 'pmid'],
  [/^(?:基金资助|基金)$/, 'funding'],
  [/^出版商$/, 'publisher'],
  [/^\|$/, 'ignore'],
];

function labelOf(text: string): { section: Section; value: string } | undefined {
  for (const [re, section] of LABELS) if (re.test(text)) return { section, value: '' };
  // Label and value on one line: "页码:157 / 169", "被引:1", "DOI: 10.1/x".
  const m = /^([^:：]{1,12})\s*[:：]\s*(.*)$/.exec(text);
  if (m) {
    for (const [re, section] of LABELS) if (re.test(m[1].trim())) return { section, value: m[2].trim() };
  }
  return undefined;
}

/** True when the text looks like a Chinese-interface Web of Science record. */
export function sniffWosChinese(head: string): boolean {
  const lines = head.slice(0, 65536).split('\n').map((l) => l.trim());
  let score = 0;
  for (const l of lines) {
    if (/^作\s*者$/.test(l)) score += 2;
    else if (/^(?:摘\s*要|机\s*构|关键词|相关论文|中图分类号)$/.test(l) || /^(?:页\s*码|被\s*引)\s*[:：]/.test(l)) score++;
  }
  return score >= 3;
}

const GROUP_NOUN = /\b(?:collaborative|collaboration|consortium|group|investigators|committee|network|alliance|task force|working party|partnership|initiative|team)$/i;

/** Splits "Title The X writing collaborative" into title and trailing group author. */
export function splitTrailingGroupAuthor(title: string): { title: string; group?: string } {
  let at = title.lastIndexOf(' The ');
  while (at > 0) {
    const rest = title.slice(at + 1);
    const before = title.slice(0, at);
    if (GROUP_NOUN.test(rest) && !/[:;,–—-]$/.test(before.trim()) && rest.split(' ').length <= 12) {
      return { title: before.trim(), group: rest.trim() };
    }
    at = title.lastIndexOf(' The ', at - 1);
  }
  return { title };
}

const DOC_TYPES: Record<string, string> = { J: 'article-journal', C: 'paper-conference', M: 'book', D: 'thesis', R: 'report', P: 'patent', N: 'article-newspaper', S: 'chapter', A: 'chapter' };

/** `[J]. LANCET PSYCHIATRY, 2023, 10 (02): : 76 - 79` → container, year, volume, issue, pages. */
export function parseSourceLine(text: string): Partial<CslFields> & { year?: number } {
  const m = /^\[(\w)\]\s*\.?\s*(.*)$/.exec(text);
  if (!m) return {};
  const out: Partial<CslFields> & { year?: number } = { type: DOC_TYPES[m[1].toUpperCase()] ?? 'article-journal' };
  const parts = m[2].split(',').map((p) => p.trim());
  const journal: string[] = [];
  let i = 0;
  // The journal runs until the first part that is a year or starts with a volume number.
  for (; i < parts.length; i++) {
    if (i > 0 && (/^\d{4}$/.test(parts[i]) || /^[\w.-]*\d[\w.-]*\s*(?:\(|:|$)/.test(parts[i]))) break;
    journal.push(parts[i]);
  }
  const name = journal.join(', ').trim();
  if (name) out['container-title'] = titleCaseIfShouting(name);
  for (; i < parts.length; i++) {
    const p = parts[i];
    if (/^\d{4}$/.test(p) && out.year === undefined) {
      out.year = Number(p);
      continue;
    }
    const vm = /^([\w.-]+)?\s*(?:\(\s*([\w.-]+)\s*\))?\s*[:\s]*(.*)$/.exec(p);
    if (!vm) continue;
    if (vm[1]) out.volume = vm[1];
    if (vm[2]) out.issue = vm[2].replace(/^0+(?=\d)/, '');
    const pages = vm[3] ? normalisePages(vm[3].replace(/^[:\s]+/, '')) : undefined;
    if (pages) out.page = pages;
  }
  return out;
}

function parseRelated(lines: Line[], file: string, problems: Problem[]): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  let cur: { rec: ParsedRecord; authors: Name[]; done: boolean } | undefined;
  const flush = () => {
    if (!cur) return;
    if (cur.authors.length) cur.rec.csl.author = cur.authors;
    if (!cur.done) problems.push({ file, line: cur.rec.line, severity: 'info', ...problemText('Related paper "{0}" has no source line ([J]. Journal, year, ...); kept its title and authors.', String(cur.rec.csl.title)) });
    out.push(cur.rec);
    cur = undefined;
  };
  for (const l of lines) {
    if (!l.text) continue;
    const head = /^(?:[•·*\-–]\s*)?\[(\d+)\]\s+(.+)$/.exec(l.text);
    if (head) {
      flush();
      cur = { rec: { line: l.n, csl: { type: 'article-journal', title: squash(head[2]) }, fieldLines: { title: l.n } }, authors: [], done: false };
      continue;
    }
    if (!cur) continue;
    if (/^\[\w\]/.test(l.text)) {
      const src = parseSourceLine(l.text);
      const { year, ...fields } = src;
      Object.assign(cur.rec.csl, fields);
      if (year) cur.rec.csl.issued = { 'date-parts': [[year]] };
      for (const k of Object.keys(src)) cur.rec.fieldLines[k === 'year' ? 'issued' : k] = l.n;
      cur.done = true;
      continue;
    }
    if (!cur.done) {
      const name = parsePersonName(l.text);
      if (name) {
        cur.authors.push(name);
        cur.rec.fieldLines.author ??= l.n;
      }
    }
  }
  flush();
  return out;
}

/** Parses one (or several, separated by a repeated layout) Chinese-interface WoS record. */
export function parseWosChinese(text: string, file: string): ParsedFile {
  const lines = toLines(text);
  const problems: Problem[] = [];
  const titleLine = lines.find((l) => l.text && !labelOf(l.text));
  if (!titleLine) return { file, format: 'wos-cn', records: [], problems: [{ file, line: 1, severity: 'error', ...problemText('No title line found in this Web of Science record; skipped the file.') }] };
  const { title, group } = splitTrailingGroupAuthor(squash(titleLine.text));
  const csl: CslFields = { type: 'article-journal', title };
  const fieldLines: Record<string, number> = { title: titleLine.n };
  const rec: ParsedRecord = { line: titleLine.n, csl, fieldLines };
  if (group) rec.groupAuthors = [group];

  // Group the lines that follow each label.
  const sections: { section: Section; n: number; inline: string; body: Line[] }[] = [];
  for (const l of lines) {
    if (l.n <= titleLine.n) continue;
    const lab = labelOf(l.text);
    const inRelated = sections.length > 0 && sections[sections.length - 1].section === 'related';
    if (lab && !(inRelated && lab.section !== 'related' && !/^(?:相关论文)$/.test(l.text))) {
      sections.push({ section: lab.section, n: l.n, inline: lab.value, body: [] });
    } else if (sections.length) {
      sections[sections.length - 1].body.push(l);
    }
  }
  const extra: Record<string, string> = {};
  const textOf = (s: (typeof sections)[number]) => [s.inline, ...s.body.map((b) => b.text)].filter(Boolean);
  for (const s of sections) {
    const values = textOf(s);
    const joined = squash(values.join(' '));
    switch (s.section) {
      case 'authors': {
        const names = values.map((v) => parsePersonName(v)).filter((n): n is Name => n !== undefined);
        if (names.length) {
          csl.author = names;
          fieldLines.author = s.body[0]?.n ?? s.n;
        }
        break;
      }
      case 'keywords': {
        const kws = joined.split(/[;；]/).map((k) => k.trim()).filter(Boolean);
        if (kws.length) {
          csl.keyword = kws.join(', ');
          fieldLines.keyword = s.body[0]?.n ?? s.n;
        }
        break;
      }
      case 'doi': {
        const doi = extractDoi(joined);
        if (doi) {
          csl.DOI = doi;
          fieldLines.DOI = s.body[0]?.n ?? s.n;
        }
        break;
      }
      case 'abstract':
        if (joined) {
          csl.abstract = joined;
          fieldLines.abstract = s.body[0]?.n ?? s.n;
          rec.textBlocks = [{ text: s.body.map((b) => b.text).join('\n') || s.inline, line: fieldLines.abstract }];
        }
        break;
      case 'pages': {
        const p = normalisePages(joined);
        if (p) {
          csl.page = p;
          fieldLines.page = s.n;
        }
        break;
      }
      case 'pageCount':
        if (/^\d+$/.test(joined)) {
          csl['number-of-pages'] = joined;
          fieldLines['number-of-pages'] = s.n;
        }
        break;
      case 'timesCited':
        if (/^\d+$/.test(joined)) extra.timesCited = joined;
        break;
      case 'clc':
        if (joined) extra.clc = joined.replace(/[;；]\s*$/, '');
        break;
      case 'subject':
        if (joined) extra.subjectCode = joined.replace(/\s*[;；]\s*$/, '');
        break;
      case 'journal':
        if (joined) {
          csl['container-title'] = titleCaseIfShouting(joined);
          fieldLines['container-title'] = s.body[0]?.n ?? s.n;
        }
        break;
      case 'year':
        if (/^\d{4}$/.test(joined)) {
          csl.issued = { 'date-parts': [[Number(joined)]] };
          fieldLines.issued = s.n;
        }
        break;
      case 'volume':
        if (joined) csl.volume = joined;
        break;
      case 'issue':
        if (joined) csl.issue = joined;
        break;
      case 'issn':
        if (joined) csl.ISSN = joined;
        break;
      case 'language':
        if (joined) csl.language = joined;
        break;
      case 'pmid':
        if (/^\d+$/.test(joined)) csl.PMID = joined;
        break;
      case 'publisher':
        if (joined) csl.publisher = joined;
        break;
      case 'related': {
        const m = /共\s*(\d+)\s*条/.exec(joined);
        if (m) extra.relatedTotal = m[1];
        const children = parseRelated(s.body, file, problems);
        if (children.length) rec.children = children.map((record) => ({ relation: 'related' as const, record }));
        break;
      }
      default:
        break;
    }
  }
  if (!csl.issued && csl.DOI) {
    const y = yearFromDoi(csl.DOI);
    if (y) {
      csl.issued = { 'date-parts': [[y]] };
      fieldLines.issued = fieldLines.DOI;
      rec.inferred = ['issued'];
    }
  }
  if (Object.keys(extra).length) rec.extra = extra;
  return { file, format: 'wos-cn', records: [rec], problems };
}
