/**
 * BibTeX / BibLaTeX → ParsedRecords. A hand-written brace-aware scanner: one forward pass over
 * the text (no backtracking regex), so a 50,000-entry file indexes in a fraction of a second.
 * A broken entry becomes one error Problem and the scanner resyncs at the next line starting with
 * `@`, so one bad entry never costs the rest of the file.
 */
import type { CslDate, CslFields, Name, ParsedFile, ParsedRecord, Problem } from '../model/model';
import { latexToUnicode } from './latex';
import { type ProblemText, problemText } from '../model/problemText';

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const MONTH_NUMBER: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  // A few non-English abbreviations seen in exports.
  mrz: 3, mär: 3, mai: 5, okt: 10, dez: 12, fév: 2, fev: 2, avr: 4, juin: 6, juil: 7, déc: 12,
};

const TYPE_MAP: Record<string, string> = {
  article: 'article-journal',
  book: 'book',
  mvbook: 'book',
  booklet: 'pamphlet',
  inbook: 'chapter',
  incollection: 'chapter',
  bookinbook: 'chapter',
  suppbook: 'chapter',
  suppcollection: 'chapter',
  inproceedings: 'paper-conference',
  conference: 'paper-conference',
  proceedings: 'book',
  mvproceedings: 'book',
  collection: 'book',
  mvcollection: 'book',
  reference: 'book',
  mvreference: 'book',
  inreference: 'entry-encyclopedia',
  manual: 'report',
  phdthesis: 'thesis',
  mastersthesis: 'thesis',
  thesis: 'thesis',
  techreport: 'report',
  report: 'report',
  online: 'webpage',
  electronic: 'webpage',
  www: 'webpage',
  webpage: 'webpage',
  unpublished: 'manuscript',
  patent: 'patent',
  dataset: 'dataset',
  data: 'dataset',
  software: 'software',
  periodical: 'periodical',
  suppperiodical: 'article-journal',
  standard: 'standard',
  artwork: 'graphic',
  image: 'graphic',
  audio: 'song',
  music: 'song',
  video: 'motion_picture',
  movie: 'motion_picture',
  legislation: 'legislation',
  jurisdiction: 'legal_case',
  legal: 'legal_case',
  letter: 'personal_communication',
  review: 'review',
  newsarticle: 'article-newspaper',
  magazinearticle: 'article-magazine',
  presentation: 'speech',
  performance: 'performance',
};

const LANGUAGES: Record<string, string> = {
  english: 'en', american: 'en-US', usenglish: 'en-US', british: 'en-GB', ukenglish: 'en-GB',
  german: 'de', ngerman: 'de', austrian: 'de-AT', naustrian: 'de-AT', swissgerman: 'de-CH',
  french: 'fr', francais: 'fr', spanish: 'es', italian: 'it', portuguese: 'pt', brazil: 'pt-BR',
  brazilian: 'pt-BR', dutch: 'nl', swedish: 'sv', norwegian: 'nb', norsk: 'nb', danish: 'da',
  finnish: 'fi', polish: 'pl', russian: 'ru', czech: 'cs', slovak: 'sk', greek: 'el',
  latin: 'la', japanese: 'ja', chinese: 'zh', korean: 'ko', turkish: 'tr', hungarian: 'hu',
  catalan: 'ca', croatian: 'hr', romanian: 'ro', ukrainian: 'uk', hebrew: 'he', arabic: 'ar',
};

/** BibLaTeX `type` keys → the words they print as. */
const GENRES: Record<string, string> = {
  phdthesis: 'PhD thesis',
  mathesis: "Master's thesis",
  mastersthesis: "Master's thesis",
  bathesis: "Bachelor's thesis",
  candthesis: 'Candidate thesis',
  techreport: 'Technical report',
  resreport: 'Research report',
  software: 'Software',
  datacd: 'Data CD',
  audiocd: 'Audio CD',
};

/** Strips a BOM and NULs and turns CRLF / bare CR into LF (positions are internal only). */
function cleanText(text: string): string {
  let s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (s.indexOf('\r') !== -1) s = s.replace(/\r\n?/g, '\n');
  if (s.indexOf('\0') !== -1) s = s.replace(/\0/g, '');
  return s;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 0xa0 || c === 0xfeff;
}

/** Characters allowed in field names, entry types and macro names. */
function isNameChar(c: number): boolean {
  if (c >= 97 && c <= 122) return true; // a-z
  if (c >= 65 && c <= 90) return true; // A-Z
  if (c >= 48 && c <= 57) return true; // 0-9
  return c === 95 || c === 45 || c === 46 || c === 58 || c === 43 || c === 47 || c > 127; // _ - . : + /
}

/**
 * The fields the converter reads, by id. The scanner files their values in a reused array instead
 * of a per-entry dictionary, and `fieldLines` gets them through named (not keyed) stores: both
 * keep V8 on fast paths and the retained records small, which is most of the cost at 50k entries.
 */
const KNOWN_FIELDS = [
  'title', 'subtitle', 'shorttitle', 'author', 'editor', 'journal', 'journaltitle', 'booktitle',
  'shortjournal', 'series', 'publisher', 'organization', 'institution', 'school', 'address',
  'location', 'volume', 'number', 'issue', 'edition', 'chapter', 'pagetotal', 'pages', 'doi', 'url',
  'howpublished', 'isbn', 'issn', 'pmid', 'pmcid', 'type', 'langid', 'language', 'note',
  'eventtitle', 'venue', 'year', 'date', 'month', 'day', 'urldate', 'keywords', 'abstract', 'eprint',
  'eprinttype', 'archiveprefix', 'entrysubtype',
  // Inheritance (crossref, BibLaTeX xdata) and the BibLaTeX titles it maps into.
  'crossref', 'xdata', 'maintitle', 'mainsubtitle', 'maintitleaddon', 'booksubtitle', 'booktitleaddon',
  'titleaddon', 'journalsubtitle', 'issuetitle', 'part', 'fjournal',
] as const;
const KNOWN = new Map<string, number>(KNOWN_FIELDS.map((f, i) => [f, i]));
const F_TITLE = 0, F_SUBTITLE = 1, F_SHORTTITLE = 2, F_AUTHOR = 3, F_EDITOR = 4, F_JOURNAL = 5;
const F_JOURNALTITLE = 6, F_BOOKTITLE = 7, F_SHORTJOURNAL = 8, F_SERIES = 9, F_PUBLISHER = 10;
const F_ORGANIZATION = 11, F_INSTITUTION = 12, F_SCHOOL = 13, F_ADDRESS = 14, F_LOCATION = 15;
const F_VOLUME = 16, F_NUMBER = 17, F_ISSUE = 18, F_EDITION = 19, F_CHAPTER = 20, F_PAGETOTAL = 21;
const F_PAGES = 22, F_DOI = 23, F_URL = 24, F_HOWPUBLISHED = 25, F_ISBN = 26, F_ISSN = 27;
const F_PMID = 28, F_PMCID = 29, F_TYPE = 30, F_LANGID = 31, F_LANGUAGE = 32, F_NOTE = 33;
const F_EVENTTITLE = 34, F_VENUE = 35, F_YEAR = 36, F_DATE = 37, F_MONTH = 38, F_DAY = 39;
const F_URLDATE = 40, F_KEYWORDS = 41, F_ABSTRACT = 42, F_EPRINT = 43, F_EPRINTTYPE = 44;
const F_ARCHIVEPREFIX = 45, F_ENTRYSUBTYPE = 46, F_CROSSREF = 47, F_XDATA = 48, F_MAINTITLE = 49;
const F_MAINSUBTITLE = 50, F_MAINTITLEADDON = 51, F_BOOKSUBTITLE = 52, F_BOOKTITLEADDON = 53;
const F_TITLEADDON = 54, F_JOURNALSUBTITLE = 55, F_ISSUETITLE = 56, F_PART = 57, F_FJOURNAL = 58;
const KNOWN_COUNT = KNOWN_FIELDS.length;

type Vals = (string | undefined)[];

/** `fl.<name> = line` with a named store per known field (see KNOWN_FIELDS). */
function setKnownLine(fl: Record<string, number>, id: number, line: number): void {
  switch (id) {
    case F_TITLE: fl.title = line; break;
    case F_SUBTITLE: fl.subtitle = line; break;
    case F_SHORTTITLE: fl.shorttitle = line; break;
    case F_AUTHOR: fl.author = line; break;
    case F_EDITOR: fl.editor = line; break;
    case F_JOURNAL: fl.journal = line; break;
    case F_JOURNALTITLE: fl.journaltitle = line; break;
    case F_BOOKTITLE: fl.booktitle = line; break;
    case F_SHORTJOURNAL: fl.shortjournal = line; break;
    case F_SERIES: fl.series = line; break;
    case F_PUBLISHER: fl.publisher = line; break;
    case F_ORGANIZATION: fl.organization = line; break;
    case F_INSTITUTION: fl.institution = line; break;
    case F_SCHOOL: fl.school = line; break;
    case F_ADDRESS: fl.address = line; break;
    case F_LOCATION: fl.location = line; break;
    case F_VOLUME: fl.volume = line; break;
    case F_NUMBER: fl.number = line; break;
    case F_ISSUE: fl.issue = line; break;
    case F_EDITION: fl.edition = line; break;
    case F_CHAPTER: fl.chapter = line; break;
    case F_PAGETOTAL: fl.pagetotal = line; break;
    case F_PAGES: fl.pages = line; break;
    case F_DOI: fl.doi = line; break;
    case F_URL: fl.url = line; break;
    case F_HOWPUBLISHED: fl.howpublished = line; break;
    case F_ISBN: fl.isbn = line; break;
    case F_ISSN: fl.issn = line; break;
    case F_PMID: fl.pmid = line; break;
    case F_PMCID: fl.pmcid = line; break;
    case F_TYPE: fl.type = line; break;
    case F_LANGID: fl.langid = line; break;
    case F_LANGUAGE: fl.language = line; break;
    case F_NOTE: fl.note = line; break;
    case F_EVENTTITLE: fl.eventtitle = line; break;
    case F_VENUE: fl.venue = line; break;
    case F_YEAR: fl.year = line; break;
    case F_DATE: fl.date = line; break;
    case F_MONTH: fl.month = line; break;
    case F_DAY: fl.day = line; break;
    case F_URLDATE: fl.urldate = line; break;
    case F_KEYWORDS: fl.keywords = line; break;
    case F_ABSTRACT: fl.abstract = line; break;
    case F_EPRINT: fl.eprint = line; break;
    case F_EPRINTTYPE: fl.eprinttype = line; break;
    case F_ARCHIVEPREFIX: fl.archiveprefix = line; break;
    case F_ENTRYSUBTYPE: fl.entrysubtype = line; break;
    case F_CROSSREF: fl.crossref = line; break;
    case F_XDATA: fl.xdata = line; break;
    case F_MAINTITLE: fl.maintitle = line; break;
    case F_MAINSUBTITLE: fl.mainsubtitle = line; break;
    case F_MAINTITLEADDON: fl.maintitleaddon = line; break;
    case F_BOOKSUBTITLE: fl.booksubtitle = line; break;
    case F_BOOKTITLEADDON: fl.booktitleaddon = line; break;
    case F_TITLEADDON: fl.titleaddon = line; break;
    case F_JOURNALSUBTITLE: fl.journalsubtitle = line; break;
    case F_ISSUETITLE: fl.issuetitle = line; break;
    case F_PART: fl.part = line; break;
    case F_FJOURNAL: fl.fjournal = line; break;
  }
}

/** An entry's fields kept for crossref/xdata resolution. */
interface Entry {
  type: string;
  key: string;
  line: number;
  vals: Vals;
  lines: number[];
  /** The entry's own fieldLines (children only). */
  fl: Record<string, number>;
  /** Index of its record, or -1 (@xdata). */
  record: number;
  /** Whether it names a crossref or xdata parent. */
  child: boolean;
  /** 0 unresolved, 1 resolving, 2 resolved. */
  state: number;
}

/** A longer crossref chain than this is taken for a cycle. */
const MAX_INHERITANCE_DEPTH = 32;

const MV_TITLES: [number, number][] = [[F_TITLE, F_MAINTITLE], [F_SUBTITLE, F_MAINSUBTITLE], [F_TITLEADDON, F_MAINTITLEADDON]];
const BOOK_TITLES: [number, number][] = [[F_TITLE, F_BOOKTITLE], [F_SUBTITLE, F_BOOKSUBTITLE], [F_TITLEADDON, F_BOOKTITLEADDON]];
const PERIODICAL_TITLES: [number, number][] = [[F_TITLE, F_JOURNALTITLE], [F_SUBTITLE, F_JOURNALSUBTITLE]];

/** BibLaTeX's inheritance of titles (its manual, appendix B): which parent field fills which child field. */
function titleMapping(parent: string, child: string): [number, number][] | undefined {
  switch (parent) {
    case 'mvbook':
      return child === 'book' || child === 'inbook' || child === 'bookinbook' || child === 'suppbook' ? MV_TITLES : undefined;
    case 'mvcollection':
    case 'mvreference':
      return child === 'collection' || child === 'reference' || child === 'incollection' || child === 'inreference' || child === 'suppcollection' ? MV_TITLES : undefined;
    case 'mvproceedings':
      return child === 'proceedings' || child === 'inproceedings' ? MV_TITLES : undefined;
    case 'book':
      return child === 'inbook' || child === 'bookinbook' || child === 'suppbook' ? BOOK_TITLES : undefined;
    case 'collection':
    case 'reference':
      return child === 'incollection' || child === 'inreference' || child === 'suppcollection' ? BOOK_TITLES : undefined;
    case 'proceedings':
      return child === 'inproceedings' || child === 'conference' ? BOOK_TITLES : undefined;
    case 'periodical':
      return child === 'article' || child === 'suppperiodical' ? PERIODICAL_TITLES : undefined;
  }
  return undefined;
}

/**
 * Fills the child's missing fields from one parent. Fields the parent has under the child's own
 * names come first (a classic BibTeX parent's `booktitle` is meant for its children), then the
 * mapped titles (BibLaTeX: a @proceedings' `title` is its papers' `booktitle`). Where titles are
 * mapped the parent's own title and short title are not the child's.
 */
function inherit(child: Entry, parent: Entry, xdata: boolean): void {
  const map = xdata ? undefined : titleMapping(parent.type, child.type);
  const cv = child.vals;
  const pv = parent.vals;
  for (let id = 0; id < KNOWN_COUNT; id++) {
    if (cv[id] !== undefined || pv[id] === undefined) continue;
    if (id === F_CROSSREF || id === F_XDATA || id === F_ENTRYSUBTYPE) continue;
    if (map && (id === F_SHORTTITLE || map.some(([from]) => from === id))) continue;
    cv[id] = pv[id];
    child.lines[id] = parent.lines[id];
  }
  if (!map) return;
  for (const [from, to] of map) {
    if (cv[to] === undefined && pv[from] !== undefined) {
      cv[to] = pv[from];
      child.lines[to] = parent.lines[from];
    }
  }
}

/** Parses a whole .bib file. Never throws; problems are returned with their lines. */
export function parseBibtex(text: string, file: string): ParsedFile {
  return parseCleanBibtex(cleanText(text), file);
}

/**
 * `parseBibtex` of a text already without BOM, NULs and CRs (as `decodeBytes` + `normaliseNewlines`
 * leave it): no second pass over it. `oneByte` false: scan the text itself (the tests' reference
 * for the one-byte twin, see `oneByteTwin`).
 */
export function parseCleanBibtex(text: string, file: string, oneByte = true): ParsedFile {
  const twin = oneByte ? oneByteTwin(text) : undefined;
  return new BibScanner(twin?.text ?? text, file, twin ? text : undefined, twin?.highs).run();
}

/**
 * What `parseBibtexSlice` found in a slice of a file, for joining the slices in file order
 * (build/bibtexSlices.ts): the records and problems as `parseCleanBibtex` gives them, except that
 * no "Duplicate key" warning is made (they depend on the whole file): instead every entry's key,
 * line and the place in `problems` where its warning would go; what @string expanded; and the
 * macros in force at the slice's end.
 */
export interface BibSlice {
  file: ParsedFile;
  keys: string[];
  keyLines: number[];
  /** For each key: `problems.length` where its "Duplicate key" warning goes. */
  keyProblemAt: number[];
  expanded: number;
  expansionWarned: boolean;
  macros: [string, string][];
  /** Whether the slice ends outside any entry, with no '@' after its last entry (see `runSlice`). */
  tailClean: boolean;
}

/**
 * Parses a slice of a clean .bib text that starts at the start of line `firstLine` of the file,
 * with the @string macros in force there (the month names when undefined). Only for a file
 * without crossref/xdata: their inheritance is resolved over the whole file.
 */
export function parseBibtexSlice(text: string, file: string, firstLine: number, macros?: readonly [string, string][]): BibSlice {
  const twin = oneByteTwin(text);
  const scanner = new BibScanner(twin?.text ?? text, file, twin ? text : undefined, twin?.highs, firstLine, macros);
  return scanner.runSlice();
}

/** Placeholders in the twin: a name character that is no space, and a space (for U+FEFF, a space to the scanner). */
const TWIN_OTHER = 0x80;
const TWIN_SPACE = 0xa0;

/**
 * A text of one byte a character with the same length and structure as `text`, and where it
 * differs. One character above U+00FF makes V8 store a whole text two bytes a character, and so
 * every value sliced or copied from it (87 such characters in 25.9 M at 50,000 entries: the
 * parses took ~25 MB more heap, kept as long as the corpus). The scanner reads the twin, in which
 * each character above U+00FF is a placeholder that its tests take alike (a name character, not a
 * space; U+FEFF a space, as `isSpace` says); what it keeps is cut from the twin, or from the text
 * where the cut covers such a character (`BibScanner.cut`). Undefined when the text has none.
 */
function oneByteTwin(text: string): { text: string; highs: Int32Array } | undefined {
  const high = /[^\u0000-\u00ff]/g;
  const found: number[] = [];
  while (high.exec(text) !== null) found.push(high.lastIndex - 1);
  if (!found.length) return undefined;
  // latin1 keeps each UTF-16 unit's low byte: right for all but the characters found.
  const bytes = Buffer.from(text, 'latin1');
  for (const at of found) bytes[at] = text.charCodeAt(at) === 0xfeff ? TWIN_SPACE : TWIN_OTHER;
  return { text: bytes.toString('latin1'), highs: Int32Array.from(found) };
}

/**
 * The start of the first line at or after `from` (a line start) that opens an entry as the
 * scanner sees one (blanks, `@name`, blanks, `{` or `(`), or -1: where a .bib text may be cut
 * into slices (build/bibtexSlices.ts).
 */
export function nextEntryLine(text: string, from: number): number {
  const n = text.length;
  let p = from;
  while (p < n) {
    let q = p;
    while (q < n && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
    if (text.charCodeAt(q) === 64) {
      const start = ++q;
      // As in the one-byte twin the scanner reads: a character above U+00FF is a name character.
      while (q < n && isNameChar(Math.min(text.charCodeAt(q), TWIN_OTHER))) q++;
      if (q > start) {
        while (q < n && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
        const c = text.charCodeAt(q);
        if (c === 123 || c === 40) return p;
      }
    }
    const nl = text.indexOf('\n', p);
    if (nl === -1) return -1;
    p = nl + 1;
  }
  return -1;
}

/** Longest value @string macros may expand to, and all expansions of one file together. */
export const MAX_EXPANDED_VALUE = 64 * 1024;
export const MAX_EXPANDED_TOTAL = 16 * 1024 * 1024;

class BibScanner {
  private readonly n: number;
  private readonly records: ParsedRecord[] = [];
  private readonly problems: Problem[] = [];
  private readonly macros = new Map<string, string>();
  private readonly keyLines = new Map<string, number>();
  private lineCursor = 0;
  private lineNo = 1;
  /** Set when a scan fails: what went wrong and where to resync. */
  private errMessage: ProblemText = problemText('Unbalanced braces in entry starting here; skipped it');
  private errAt = -1;
  /** The field before which a comma is missing (a warning on the entry once it is read). */
  private warned: string | undefined;
  // The current entry's fields: known ones by id (values), unknown ones by name (lines only).
  private readonly vals: Vals = new Array<string | undefined>(KNOWN_COUNT).fill(undefined);
  private readonly valLines: number[] = new Array<number>(KNOWN_COUNT).fill(0);
  private readonly knownIds: number[] = [];
  private knownCount = 0;
  private readonly unkNames: string[] = [];
  private readonly unkLines: number[] = [];
  private unkCount = 0;
  /** Whether the file may use crossref/xdata: then every entry's fields are kept for the children. */
  private readonly inherit: boolean;
  private readonly entries: Entry[] = [];

  constructor(
    private readonly src: string,
    private readonly file: string,
    /** The text itself when `src` is its one-byte twin (see `oneByteTwin`), and where they differ (ascending). */
    private readonly orig?: string,
    private readonly highs?: Int32Array,
    /** The file's line at which `src` starts (a slice, see `parseBibtexSlice`). */
    private readonly firstLine = 1,
    macros?: readonly [string, string][],
  ) {
    this.n = src.length;
    this.inherit = /crossref|xdata/i.test(src);
    this.lineNo = firstLine;
    if (macros) for (const [k, v] of macros) this.macros.set(k, v);
    else for (let m = 0; m < 12; m++) this.macros.set(MONTH_NAMES[m].slice(0, 3).toLowerCase(), MONTH_NAMES[m]);
  }

  /** Set by `runSlice`: keys are listed (`sliceKeys`), not checked for duplicates. */
  private slice: { keys: string[]; keyLines: number[]; keyProblemAt: number[] } | undefined;

  /** Where the last entry, @string, @comment or @preamble read whole ended. */
  private lastEnd = 0;

  runSlice(): BibSlice {
    const slice = (this.slice = { keys: [], keyLines: [], keyProblemAt: [] });
    const file = this.run();
    // No '@' after the last construct read whole: the scan of the whole file would reach the
    // next slice's first entry from the same state (looking for an '@' outside entries).
    const tailClean = this.src.indexOf('@', this.lastEnd) === -1;
    return { file, ...slice, expanded: this.expanded, expansionWarned: this.expansionWarned, macros: [...this.macros], tailClean };
  }

  /**
   * A kept value as a string of its own. A slice of the file's text (V8 makes one for 13
   * characters and more) keeps the whole text alive as long as the record lives: 52 MB at 50,000
   * entries. (One byte a character where they fit: the scanner reads a one-byte twin of the
   * text, see `oneByteTwin`.)
   */
  private flat(s: string): string {
    return s.length < 13 ? s : (' ' + s).slice(1); // flattening the concatenation copies it
  }

  /** The text of [a, b): from the twin, or from the text itself where the two differ in it. */
  private cut(a: number, b: number): string {
    const highs = this.highs;
    if (highs === undefined) return this.src.slice(a, b);
    // The first difference at or after a (a handful in a file: binary search).
    let lo = 0;
    let hi = highs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (highs[mid] < a) lo = mid + 1;
      else hi = mid;
    }
    return lo < highs.length && highs[lo] < b ? this.orig!.slice(a, b) : this.src.slice(a, b);
  }

  /** 1-based line of a position; cheap when positions arrive in increasing order. */
  private lineAt(pos: number): number {
    if (pos < this.lineCursor) {
      this.lineCursor = 0;
      this.lineNo = this.firstLine;
    }
    const src = this.src;
    let cur = this.lineCursor;
    let line = this.lineNo;
    for (;;) {
      const nl = src.indexOf('\n', cur);
      if (nl === -1 || nl >= pos) break;
      line++;
      cur = nl + 1;
    }
    this.lineCursor = cur;
    this.lineNo = line;
    return line;
  }

  private skipWs(p: number): number {
    const src = this.src;
    const n = this.n;
    while (p < n && isSpace(src.charCodeAt(p))) p++;
    return p;
  }

  /** If a line starting at `p` (after optional blanks) opens an entry (`@type{`), its `@`; else -1. */
  private entryStartAt(p: number): number {
    const src = this.src;
    const n = this.n;
    while (p < n) {
      const c = src.charCodeAt(p);
      if (c !== 32 && c !== 9) break;
      p++;
    }
    if (src.charCodeAt(p) !== 64) return -1;
    const at = p;
    p++;
    const start = p;
    while (p < n && isNameChar(src.charCodeAt(p))) p++;
    if (p === start) return -1;
    while (p < n && (src.charCodeAt(p) === 32 || src.charCodeAt(p) === 9)) p++;
    const c = src.charCodeAt(p);
    return c === 123 || c === 40 ? at : -1;
  }

  /** The next line (after `from`) whose first non-blank character is `@`; n if none. */
  private resync(from: number): number {
    const src = this.src;
    let p = from;
    for (;;) {
      const nl = src.indexOf('\n', p);
      if (nl === -1) return this.n;
      let j = nl + 1;
      while (j < this.n && (src.charCodeAt(j) === 32 || src.charCodeAt(j) === 9)) j++;
      if (src.charCodeAt(j) === 64) return j;
      p = nl + 1;
    }
  }

  private fail(message: ProblemText, at: number): -1 {
    this.errMessage = message;
    this.errAt = at;
    return -1;
  }

  private failUnbalanced(at: number): -1 {
    return this.fail(problemText('Unbalanced braces in entry starting here; skipped it'), at);
  }

  /** `{...}` starting at `p`: index after the closing brace, or -1 (runaway / EOF). */
  private scanBraced(p: number): number {
    const src = this.src;
    const n = this.n;
    let depth = 0;
    for (let i = p; i < n; i++) {
      const c = src.charCodeAt(i);
      if (c === 125) {
        if (--depth === 0) return i + 1;
      } else if (c === 123) depth++;
      else if (c === 92) i++;
      else if (c === 10) {
        const at = this.entryStartAt(i + 1);
        if (at !== -1) return this.failUnbalanced(at);
      }
    }
    return this.failUnbalanced(n);
  }

  /** `"..."` starting at `p` (braces inside counted): index after the closing quote, or -1. */
  private scanQuoted(p: number): number {
    const src = this.src;
    const n = this.n;
    let depth = 0;
    for (let i = p + 1; i < n; i++) {
      const c = src.charCodeAt(i);
      if (c === 34) {
        if (depth === 0) return i + 1;
      } else if (c === 123) depth++;
      else if (c === 125) {
        if (depth > 0) depth--;
      } else if (c === 92) i++;
      else if (c === 10) {
        const at = this.entryStartAt(i + 1);
        if (at !== -1) return this.failUnbalanced(at);
      }
    }
    return this.failUnbalanced(n);
  }

  /** Skips a balanced body (for @comment / @preamble): index after `close`, or -1. */
  private skipBody(open: number, close: number): number {
    if (close === 125) return this.scanBraced(open);
    const src = this.src;
    let depth = 0;
    for (let i = open + 1; i < this.n; i++) {
      const c = src.charCodeAt(i);
      if (c === 123) depth++;
      else if (c === 125) depth--;
      else if (c === 92) i++;
      else if (c === 41 && depth <= 0) return i + 1;
      else if (c === 10) {
        const at = this.entryStartAt(i + 1);
        if (at !== -1) return this.failUnbalanced(at);
      }
    }
    return this.failUnbalanced(this.n);
  }

  /** Characters of @string expansion so far in this file (see `expansion`). */
  private expanded = 0;
  private expansionWarned = false;

  /**
   * A macro's text to append to a value of `have` characters: whole while the value stays under
   * MAX_EXPANDED_VALUE and the file under MAX_EXPANDED_TOTAL, cut (one warning per file) past
   * that. Macros of macros double at each step: 800 bytes of @string can mean 200 MB.
   */
  private expansion(macro: string, have: number, at: number): string {
    const room = Math.max(0, Math.min(MAX_EXPANDED_VALUE - have, MAX_EXPANDED_TOTAL - this.expanded));
    const take = macro.length <= room ? macro : macro.slice(0, room);
    this.expanded += take.length;
    if (take.length < macro.length && !this.expansionWarned) {
      this.expansionWarned = true;
      this.problems.push({ file: this.file, line: this.lineAt(at), severity: 'warning', ...problemText('@string expansion past the limit ({0}K characters per value, {1}M per file): the value was cut there.', MAX_EXPANDED_VALUE / 1024, MAX_EXPANDED_TOTAL / 1048576) });
    }
    return take;
  }

  /**
   * Reads `name = value, ...` up to the entry's closing delimiter. Values go into `fields` (or the
   * macro table for @string). Returns the index after the closing delimiter, or -1.
   */
  private scanFields(p: number, close: number, entry: boolean): number {
    const src = this.src;
    const n = this.n;
    for (;;) {
      p = this.skipWs(p);
      if (p >= n) return this.failUnbalanced(n);
      let c = src.charCodeAt(p);
      if (c === close) return p + 1;
      if (c === 44) {
        p++; // stray comma: `title = {x},,`
        continue;
      }
      const nameStart = p;
      let upper = false;
      for (; p < n; p++) {
        const d = src.charCodeAt(p);
        if (!isNameChar(d)) break;
        if (d >= 65 && d <= 90) upper = true;
      }
      if (p === nameStart) return this.unexpected(nameStart, problemText('a field name'));
      const name = upper ? this.cut(nameStart, p).toLowerCase() : this.cut(nameStart, p);
      p = this.skipWs(p);
      if (src.charCodeAt(p) !== 61) return this.unexpected(p, problemText("'=' after field '{0}'", name));
      p = this.skipWs(p + 1);
      let value = '';
      for (;;) {
        c = src.charCodeAt(p);
        let end: number;
        if (c === 123) {
          end = this.scanBraced(p);
          if (end < 0) return -1;
          value += this.cut(p + 1, end - 1);
        } else if (c === 34) {
          end = this.scanQuoted(p);
          if (end < 0) return -1;
          value += this.cut(p + 1, end - 1);
        } else if (p < n && isNameChar(c)) {
          end = p + 1;
          while (end < n && isNameChar(src.charCodeAt(end))) end++;
          const word = this.cut(p, end);
          if (c >= 48 && c <= 57) value += word;
          else {
            const macro = this.macros.get(word.toLowerCase());
            value += macro === undefined ? word : this.expansion(macro, value.length, nameStart);
          }
        } else return this.unexpected(p, problemText("a value for field '{0}'", name));
        p = this.skipWs(end);
        if (src.charCodeAt(p) !== 35) break; // '#'
        p = this.skipWs(p + 1);
      }
      if (entry) {
        const id = KNOWN.get(name);
        if (id === undefined) {
          this.unkNames[this.unkCount] = name;
          this.unkLines[this.unkCount++] = this.lineAt(nameStart);
        } else if (this.vals[id] === undefined) {
          this.vals[id] = this.flat(value);
          this.valLines[id] = this.lineAt(nameStart);
          this.knownIds[this.knownCount++] = id;
        }
      } else this.macros.set(name, this.flat(value));
      c = src.charCodeAt(p);
      if (c === 44) {
        p++;
        continue;
      }
      if (c === close) return p + 1;
      // Forgive a missing comma between fields: `title = {x}\n  year = 2020`.
      if (isNameChar(c) && entry) {
        let q = p;
        while (q < n && isNameChar(src.charCodeAt(q))) q++;
        q = this.skipWs(q);
        if (src.charCodeAt(q) === 61) {
          this.warned = this.cut(p, q).trim();
          continue;
        }
      }
      return this.unexpected(p, problemText("',' or '{0}' after field '{1}'", String.fromCharCode(close), name));
    }
  }

  private unexpected(p: number, expected: ProblemText): -1 {
    if (p >= this.n) return this.failUnbalanced(this.n);
    const c = this.src.charCodeAt(p);
    // An entry that never closes runs into the next one.
    if (c === 64 && this.entryStartAt(this.src.lastIndexOf('\n', p) + 1) === p) return this.failUnbalanced(p);
    const ch = (this.orig ?? this.src)[p];
    return this.fail(problemText("Unexpected '{0}' in entry starting here (expected {1}); skipped it", ch, expected), p);
  }

  private problem(line: number, severity: Problem['severity'], text: ProblemText): void {
    this.problems.push({ file: this.file, line, severity, ...text });
  }

  /** Records a failed entry and returns the position to resume scanning from. */
  private recover(line: number, entryAt: number): number {
    this.problem(line, 'error', this.errMessage);
    const at = this.errAt;
    // errAt is either the '@' of the next entry (runaway value) or the offending character.
    if (at > entryAt && at < this.n && this.src.charCodeAt(at) === 64) return at;
    return this.resync(Math.max(at, entryAt + 1));
  }

  /**
   * After an entry closes, leftover field text before the next entry means a stray `}` closed it
   * early (`title = {A}} ,\n year = 2020 }`).
   */
  private closedEarly(end: number): boolean {
    const src = this.src;
    let p = end;
    while (p < this.n && isSpace(src.charCodeAt(p))) p++;
    if (p >= this.n || src.charCodeAt(p) === 64) return false;
    const next = src.indexOf('@', p);
    const gap = src.slice(p, next === -1 ? this.n : next);
    return /(?:^|\n)[ \t]*,?[ \t]*[A-Za-z][\w.:+/-]*[ \t]*=[ \t]*[{"\w]/.test(gap);
  }

  run(): ParsedFile {
    const src = this.src;
    const n = this.n;
    let pos = 0;
    while (pos < n) {
      const at = src.indexOf('@', pos);
      if (at === -1) break;
      let p = this.skipWs(at + 1);
      const typeStart = p;
      while (p < n && isNameChar(src.charCodeAt(p))) p++;
      const type = this.cut(typeStart, p).toLowerCase();
      p = this.skipWs(p);
      const open = src.charCodeAt(p);
      if (type === '' || (open !== 123 && open !== 40)) {
        // Outside entries everything is a comment; only complain about `@word` starting a line.
        if (type !== '' && this.atLineStart(at)) {
          this.problem(this.lineAt(at), 'error', problemText("'@{0}' has no opening brace; skipped it", type));
          pos = this.resync(at + 1);
        } else pos = at + 1;
        continue;
      }
      const close = open === 123 ? 125 : 41;
      const line = this.lineAt(at);
      this.warned = undefined;
      if (type === 'comment' || type === 'preamble') {
        const end = this.skipBody(p, close);
        if (end < 0) {
          if (type === 'comment') {
            this.errMessage = problemText('Unbalanced braces in @comment starting here; skipped to the next entry');
            this.problem(line, 'warning', this.errMessage);
            pos = this.errAt > at && this.errAt < n ? this.errAt : this.resync(at + 1);
          } else pos = this.recover(line, at);
        } else pos = this.lastEnd = end;
        continue;
      }
      if (type === 'string') {
        const end = this.scanFields(p + 1, close, false);
        pos = end < 0 ? this.recover(line, at) : (this.lastEnd = end);
        continue;
      }
      // Citation key.
      p = this.skipWs(p + 1);
      const keyStart = p;
      for (; p < n; p++) {
        const c = src.charCodeAt(p);
        if (isSpace(c) || c === 44 || c === close || c === 123 || c === 125 || c === 61 || c === 34 || c === 35) break;
      }
      const key = this.flat(this.cut(keyStart, p));
      p = this.skipWs(p);
      const afterKey = src.charCodeAt(p);
      if (key === '' || afterKey === 61) {
        this.problem(line, 'error', problemText("Entry '@{0}' has no citation key; skipped it", type));
        pos = this.resync(at + 1);
        continue;
      }
      for (let k = 0; k < this.knownCount; k++) this.vals[this.knownIds[k]] = undefined;
      this.knownCount = 0;
      this.unkCount = 0;
      let end: number;
      if (afterKey === close) end = p + 1;
      else if (afterKey === 44) end = this.scanFields(p + 1, close, true);
      else end = this.unexpected(p, problemText("',' after the key '{0}'", key));
      if (end < 0) {
        pos = this.recover(line, at);
        continue;
      }
      if (this.closedEarly(end)) {
        this.problem(line, 'error', problemText('Unbalanced braces in entry starting here (an extra closing brace ends it early); skipped it'));
        pos = this.resync(at + 1);
        continue;
      }
      if (this.warned !== undefined) this.problem(line, 'warning', problemText("Missing comma before field '{0}' in entry '{1}'", this.warned, key));
      const prev = this.slice ? undefined : this.keyLines.get(key);
      if (this.slice) {
        this.slice.keys.push(key);
        this.slice.keyLines.push(line);
        this.slice.keyProblemAt.push(this.problems.length);
      } else if (prev !== undefined) {
        this.problem(line, 'warning', problemText("Duplicate key '{0}' (also at line {1}); kept both", key, prev));
      } else this.keyLines.set(key, line);
      const fl = this.fieldLines();
      const child = this.inherit && (this.vals[F_CROSSREF] !== undefined || this.vals[F_XDATA] !== undefined);
      const own = child ? { ...fl } : fl;
      // A BibLaTeX @xdata entry only lends its fields; it is no work of its own (as Biber and Pandoc read it).
      if (type !== 'xdata') this.records.push(convertEntry(type, key, line, this.vals, this.valLines, fl));
      if (this.inherit) {
        this.entries.push({ type, key, line, vals: this.vals.slice(), lines: this.valLines.slice(), fl: own, record: type === 'xdata' ? -1 : this.records.length - 1, child, state: 0 });
      }
      pos = this.lastEnd = end;
    }
    if (this.inherit) this.resolveInheritance();
    return { file: this.file, format: 'bibtex', records: this.records, problems: this.problems };
  }

  /**
   * `crossref` and BibLaTeX `xdata`: a child gets every field it lacks from its parents (xdata
   * first, then crossref, each parent's own inheritance first), wherever in the file the parent
   * is, under BibLaTeX's mapping (a book's `title` is an inbook's `booktitle`...). The inherited
   * fields' lines are the parent's. Cycles and missing parents are warnings; the entry keeps what
   * it has.
   */
  private resolveInheritance(): void {
    const byKey = new Map<string, Entry>();
    const byLower = new Map<string, Entry>();
    for (const e of this.entries) {
      if (!byKey.has(e.key)) byKey.set(e.key, e);
      const lower = e.key.toLowerCase();
      if (!byLower.has(lower)) byLower.set(lower, e);
    }
    const find = (k: string) => byKey.get(k) ?? byLower.get(k.toLowerCase());
    const resolve = (e: Entry, depth: number): void => {
      if (e.state === 2) return;
      if (e.state === 1) {
        this.problem(e.line, 'warning', problemText("Entry '{0}' inherits from itself through crossref/xdata; kept its own fields only", e.key));
        return;
      }
      if (depth > MAX_INHERITANCE_DEPTH) {
        this.problem(e.line, 'warning', problemText("Entry '{0}' is more than {1} crossref/xdata steps from the entry citing it; those above it inherit nothing through it", e.key, MAX_INHERITANCE_DEPTH));
        return;
      }
      e.state = 1;
      const parents: [Entry, boolean][] = [];
      for (const id of [F_XDATA, F_CROSSREF]) {
        const raw = e.vals[id];
        if (raw === undefined) continue;
        for (const k of raw.split(/[\s,{}]+/)) {
          if (!k) continue;
          const p = find(k);
          if (p === undefined) {
            this.problem(e.lines[id], 'warning', problemText("Entry '{0}': {1} '{2}' names no entry in this file; nothing inherited from it", e.key, id === F_XDATA ? 'xdata' : 'crossref', k));
          } else if (p !== e) parents.push([p, id === F_XDATA]);
          else this.problem(e.line, 'warning', problemText("Entry '{0}' inherits from itself through crossref/xdata; kept its own fields only", e.key));
        }
      }
      for (const [p, xdata] of parents) {
        if (p.child) resolve(p, depth + 1);
        inherit(e, p, xdata);
      }
      e.state = 2;
      if (e.record >= 0) {
        const fl = { ...e.fl };
        for (let id = 0; id < KNOWN_COUNT; id++) if (e.vals[id] !== undefined && e.lines[id] !== 0) setKnownLine(fl, id, e.lines[id]);
        for (const [k, v] of Object.entries(e.fl)) fl[k] = v;
        this.records[e.record] = convertEntry(e.type, e.key, e.line, e.vals, e.lines, fl);
      }
    };
    for (const e of this.entries) if (e.child) resolve(e, 0);
  }

  /** `fieldLines` for the current entry: unknown fields first (keyed stores), then known ones. */
  private fieldLines(): Record<string, number> {
    const fl: Record<string, number> = {};
    for (let k = 0; k < this.unkCount; k++) {
      const name = this.unkNames[k];
      if (fl[name] === undefined) fl[name] = this.unkLines[k];
    }
    for (let k = 0; k < this.knownCount; k++) {
      const id = this.knownIds[k];
      setKnownLine(fl, id, this.valLines[id]);
    }
    return fl;
  }

  private atLineStart(at: number): boolean {
    for (let p = at - 1; p >= 0; p--) {
      const c = this.src.charCodeAt(p);
      if (c === 10) return true;
      if (c !== 32 && c !== 9) return false;
    }
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Field conversion

/** Verbatim fields (url, doi, eprint): no LaTeX, but undo the usual over-escaping. */
function verbatim(v: string): string {
  let s = v;
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 92 || c === 123 || c === 125) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  if (s.indexOf('\\') !== -1 || s.indexOf('{') !== -1 || s.indexOf('}') !== -1) {
    s = s.replace(/\\url\{([^}]*)\}/g, '$1').replace(/\\([_%&#$~])/g, '$1').replace(/[{}]/g, '');
  }
  return s.replace(/\s+/g, ' ').trim();
}

function cleanDoi(v: string): string {
  const s = verbatim(v);
  const c = s.charCodeAt(0);
  return c === 104 || c === 72 || c === 100 || c === 68 ? s.replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '') : s;
}

function cleanPages(v: string): string {
  let s = v.indexOf('-') !== -1 ? v.replace(/\s*-{1,3}\s*/g, '-') : v;
  s = latexToUnicode(s);
  return s.indexOf('–') !== -1 || s.indexOf('—') !== -1 ? s.replace(/\s*[–—]\s*/g, '-') : s;
}

// BibLaTeX's dates are ISO 8601 with a four-digit year: `15/05/84` is none (the `year` field then counts).
const ISO_DATE = /^\s*(-?\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?![\d/])/;

function isoParts(s: string): number[] | undefined {
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const parts = [Number(m[1])];
  if (m[2]) {
    const month = Number(m[2]);
    if (month >= 1 && month <= 12) {
      parts.push(month);
      if (m[3]) {
        const day = Number(m[3]);
        if (day >= 1 && day <= 31) parts.push(day);
      }
    }
  }
  return parts;
}

/** BibLaTeX `date` / `urldate` (ISO 8601 / EDTF-ish, ranges with `/`). */
export function parseBibDate(raw: string): CslDate | undefined {
  const s = raw.replace(/[{}]/g, '').trim();
  if (!s) return undefined;
  const slash = s.indexOf('/');
  const first = isoParts(slash === -1 ? s : s.slice(0, slash));
  if (!first) return { literal: latexToUnicode(s) };
  if (slash !== -1) {
    const second = isoParts(s.slice(slash + 1));
    if (second) return { 'date-parts': [first, second] };
  }
  return { 'date-parts': [first] };
}

function monthNumber(raw: string): number | undefined {
  const c = raw.charCodeAt(0);
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
    const m = MONTH_NUMBER[raw.slice(0, 3).toLowerCase()];
    if (m !== undefined) return m;
  } else if (c >= 49 && c <= 57 && raw.length <= 2) {
    const m = Number(raw);
    if (m >= 1 && m <= 12) return m;
  }
  const s = raw.replace(/[{}.~\s]/g, '').toLowerCase();
  if (!s) return undefined;
  const num = Number(s);
  if (Number.isInteger(num)) return num >= 1 && num <= 12 ? num : undefined;
  return MONTH_NUMBER[s.slice(0, 3)] ?? MONTH_NUMBER[s.slice(0, 4)];
}

const YEAR_ONLY = /^-?\d{1,4}$/;
const YEAR_IN = /\b(\d{4})\b/;

/** `date` (BibLaTeX) when it parses, else `year` + `month` (+ `day`). */
function issuedFrom(v: Vals): CslDate | undefined {
  const date = v[F_DATE];
  let fallback: CslDate | undefined;
  if (date !== undefined) {
    const d = parseBibDate(date);
    if (d && d['date-parts']) return d;
    fallback = d;
  }
  const year = v[F_YEAR];
  if (year === undefined) return fallback;
  const y = latexToUnicode(year);
  let yearNum: number;
  if (YEAR_ONLY.test(y)) yearNum = Number(y);
  else {
    const m = YEAR_IN.exec(y);
    if (!m) return y ? { literal: y } : fallback;
    yearNum = Number(m[1]);
  }
  const month = v[F_MONTH] !== undefined ? monthNumber(v[F_MONTH]) : undefined;
  if (month === undefined) return { 'date-parts': [[yearNum]] };
  const dayRaw = v[F_DAY];
  const day = dayRaw !== undefined ? Number(dayRaw.replace(/[{}\s]/g, '')) : NaN;
  return { 'date-parts': [Number.isInteger(day) && day >= 1 && day <= 31 ? [yearNum, month, day] : [yearNum, month]] };
}

function cslType(type: string, v: Vals): string {
  if (type === 'article') {
    const sub = v[F_ENTRYSUBTYPE]?.toLowerCase();
    if (sub === 'magazine') return 'article-magazine';
    if (sub === 'newspaper') return 'article-newspaper';
    return 'article-journal';
  }
  if (type === 'misc') {
    const how = v[F_HOWPUBLISHED];
    const online = v[F_URL] !== undefined || (how !== undefined && /\\url|https?:\/\//.test(how));
    return online && v[F_JOURNAL] === undefined && v[F_PUBLISHER] === undefined && v[F_DOI] === undefined
      ? 'webpage'
      : 'document';
  }
  return TYPE_MAP[type] ?? 'document';
}

/** The first of the given known fields that is present and not empty after conversion. */
function text(v: Vals, a: number, b = -1, c = -1, d = -1): string | undefined {
  let s: string | undefined;
  if (v[a] !== undefined && (s = latexToUnicode(v[a]))) return s;
  if (b >= 0 && v[b] !== undefined && (s = latexToUnicode(v[b]))) return s;
  if (c >= 0 && v[c] !== undefined && (s = latexToUnicode(v[c]))) return s;
  if (d >= 0 && v[d] !== undefined && (s = latexToUnicode(v[d]))) return s;
  return undefined;
}

/** A field as CSL rich text (`<i>`, `<b>`, small caps), or undefined when absent or empty. */
function rich(v: Vals, id: number): string | undefined {
  const raw = v[id];
  if (raw === undefined) return undefined;
  return latexToUnicode(raw, true) || undefined;
}

/** `title: subtitle. addon` (no colon after a title ending in punctuation), as Pandoc joins them. */
function title(v: Vals, main: number, sub = -1, addon = -1): string | undefined {
  let s = rich(v, main);
  if (s === undefined) return undefined;
  const st = sub >= 0 ? rich(v, sub) : undefined;
  if (st !== undefined) s = /[.:;,?!]$/.test(plainEnd(s)) ? `${s} ${st}` : `${s}: ${st}`;
  const ad = addon >= 0 ? rich(v, addon) : undefined;
  if (ad !== undefined) s = /[.:;,?!]$/.test(plainEnd(s)) ? `${s} ${ad}` : `${s}. ${ad}`;
  return s;
}

/** The text without closing rich-text tags at its end (`<i>Why?</i>` ends with '?'). */
function plainEnd(s: string): string {
  return s.charCodeAt(s.length - 1) === 62 ? s.replace(/(?:<\/[a-z]+>)+$/, '') : s;
}

/** Entry types whose `number` is their number in a series (Pandoc: CSL `collection-number`). */
const SERIES_NUMBERED = new Set([
  'book', 'collection', 'proceedings', 'reference', 'mvbook', 'mvcollection', 'mvproceedings', 'mvreference',
  'bookinbook', 'inbook', 'incollection', 'inproceedings', 'conference', 'inreference', 'suppbook', 'suppcollection',
]);
/** Entry types whose `number` is a journal issue. */
const ARTICLE_LIKE = new Set(['article', 'periodical', 'suppperiodical', 'review']);

/** Line of the first of the given known fields that is present. */
function lineOf(v: Vals, lines: number[], a: number, b = -1, c = -1, d = -1): number {
  if (v[a] !== undefined) return lines[a];
  if (b >= 0 && v[b] !== undefined) return lines[b];
  if (c >= 0 && v[c] !== undefined) return lines[c];
  return d >= 0 ? lines[d] : 0;
}

/**
 * Fields → CSL. Every CSL field set gets a `fieldLines` entry under its CSL name as well as the
 * BibTeX field's own name (`journal` and `container-title`, `pages` and `page`...).
 */
function convertEntry(etype: string, key: string, line: number, v: Vals, ln: number[], fl: Record<string, number>): ParsedRecord {
  const type = cslType(etype, v);
  const csl: CslFields = { type };
  let s: string | undefined;
  let etAl = false;

  const periodical = etype === 'periodical';
  const inBook = type === 'chapter' || type === 'paper-conference' || type === 'entry-encyclopedia';
  // A @periodical's own title is its issue's (`issuetitle`) and the periodical is the container.
  const titleId = periodical && v[F_ISSUETITLE] !== undefined ? F_ISSUETITLE : F_TITLE;
  if ((s = title(v, titleId, periodical ? -1 : F_SUBTITLE, periodical ? -1 : F_TITLEADDON)) !== undefined) {
    csl.title = s;
    if (titleId !== F_TITLE) fl.title = ln[titleId];
  }
  if ((s = text(v, F_SHORTTITLE)) !== undefined) {
    csl['title-short'] = s;
    fl['title-short'] = ln[F_SHORTTITLE];
  }
  if (v[F_AUTHOR] !== undefined) {
    const r = parseNames(v[F_AUTHOR]);
    if (r.names.length) csl.author = r.names;
    etAl = r.etAl;
  }
  if (v[F_EDITOR] !== undefined) {
    const r = parseNames(v[F_EDITOR]);
    if (r.names.length) csl.editor = r.names;
  }
  // The container as Pandoc's reader has it: a chapter's or paper's book (`maintitle` of a
  // multi-volume work first, its volume's `booktitle` then being the volume title), an article's
  // journal. A book's or a proceedings' own `booktitle` is no container.
  let container = -1;
  if (periodical) {
    if ((s = title(v, F_TITLE, F_SUBTITLE)) !== undefined) container = F_TITLE;
  } else if (inBook) {
    if ((s = title(v, F_MAINTITLE, F_MAINSUBTITLE, F_MAINTITLEADDON)) !== undefined) {
      container = F_MAINTITLE;
      const vol = title(v, F_BOOKTITLE, F_BOOKSUBTITLE, F_BOOKTITLEADDON);
      if (vol !== undefined) {
        csl['volume-title'] = vol;
        fl['volume-title'] = ln[F_BOOKTITLE];
      }
    } else if ((s = title(v, F_BOOKTITLE, F_BOOKSUBTITLE, F_BOOKTITLEADDON)) !== undefined) container = F_BOOKTITLE;
  }
  if (container === -1) {
    if ((s = title(v, F_JOURNALTITLE, F_JOURNALSUBTITLE)) !== undefined) container = F_JOURNALTITLE;
    else if ((s = title(v, F_JOURNAL, F_JOURNALSUBTITLE)) !== undefined) container = F_JOURNAL;
  }
  if (container !== -1 && s !== undefined) {
    csl['container-title'] = s;
    fl['container-title'] = ln[container];
  }
  // MathSciNet: `fjournal` is the journal's full name, `journal` then its abbreviation.
  const fj = inBook ? undefined : text(v, F_FJOURNAL);
  if (fj !== undefined) {
    const abbrev = csl['container-title'];
    csl['container-title'] = fj;
    fl['container-title'] = ln[F_FJOURNAL];
    if (abbrev !== undefined && abbrev !== fj && v[F_SHORTJOURNAL] === undefined) {
      csl['container-title-short'] = abbrev;
      fl['container-title-short'] = lineOf(v, ln, F_JOURNALTITLE, F_JOURNAL);
    }
  }
  if ((s = text(v, F_SHORTJOURNAL)) !== undefined) {
    csl['container-title-short'] = s;
    fl['container-title-short'] = ln[F_SHORTJOURNAL];
  }
  if ((s = rich(v, F_SERIES)) !== undefined) {
    csl['collection-title'] = s;
    fl['collection-title'] = ln[F_SERIES];
  }
  if (type === 'thesis') s = text(v, F_SCHOOL, F_INSTITUTION, F_PUBLISHER);
  else if (type === 'report') s = text(v, F_INSTITUTION, F_PUBLISHER, F_ORGANIZATION);
  else s = text(v, F_PUBLISHER, F_ORGANIZATION, F_INSTITUTION, F_SCHOOL);
  if (s !== undefined) {
    csl.publisher = s;
    if (v[F_PUBLISHER] === undefined) {
      fl.publisher = type === 'thesis'
        ? lineOf(v, ln, F_SCHOOL, F_INSTITUTION)
        : lineOf(v, ln, F_INSTITUTION, F_ORGANIZATION, F_SCHOOL);
    }
  }
  if ((s = text(v, F_LOCATION, F_ADDRESS)) !== undefined) {
    csl['publisher-place'] = s;
    fl['publisher-place'] = lineOf(v, ln, F_LOCATION, F_ADDRESS);
  }
  // BibLaTeX's `part` of a volume: "7.2", as Pandoc writes it.
  if ((s = text(v, F_VOLUME)) !== undefined) csl.volume = v[F_PART] !== undefined ? `${s}.${latexToUnicode(v[F_PART])}` : s;
  // `number` as Pandoc's reader files it: a book's (or its parts') number in a series, an
  // article's issue (with any `issue` beside it: "3, Spring"), anything else's own number (a
  // report's, a patent's, a standard's).
  const number = text(v, F_NUMBER);
  if (number !== undefined) {
    if (SERIES_NUMBERED.has(etype)) {
      csl['collection-number'] = number;
      fl['collection-number'] = ln[F_NUMBER];
    } else if (ARTICLE_LIKE.has(etype)) {
      const issue = text(v, F_ISSUE);
      csl.issue = issue !== undefined && issue !== number ? `${number}, ${issue}` : number;
      if (v[F_ISSUE] === undefined) fl.issue = ln[F_NUMBER];
    } else csl.number = number;
  }
  if (csl.issue === undefined && (s = text(v, F_ISSUE)) !== undefined) csl.issue = s;
  if ((s = text(v, F_EDITION)) !== undefined) csl.edition = s;
  if ((s = text(v, F_CHAPTER)) !== undefined) {
    csl['chapter-number'] = s;
    fl['chapter-number'] = ln[F_CHAPTER];
  }
  if ((s = text(v, F_PAGETOTAL)) !== undefined) {
    csl['number-of-pages'] = s;
    fl['number-of-pages'] = ln[F_PAGETOTAL];
  }
  if (v[F_PAGES] !== undefined && (s = cleanPages(v[F_PAGES]))) {
    csl.page = s;
    fl.page = ln[F_PAGES];
  }
  if (v[F_DOI] !== undefined && (s = cleanDoi(v[F_DOI]))) {
    csl.DOI = s;
    fl.DOI = ln[F_DOI];
  }
  if (v[F_URL] !== undefined && (s = verbatim(v[F_URL]))) {
    csl.URL = s;
    fl.URL = ln[F_URL];
  } else if (v[F_HOWPUBLISHED] !== undefined) {
    const m = /https?:\/\/[^\s{}]+/.exec(verbatim(v[F_HOWPUBLISHED]));
    if (m) {
      csl.URL = m[0];
      fl.URL = ln[F_HOWPUBLISHED];
    }
  }
  if (v[F_ISBN] !== undefined && (s = verbatim(v[F_ISBN]))) {
    csl.ISBN = s;
    fl.ISBN = ln[F_ISBN];
  }
  if (v[F_ISSN] !== undefined && (s = verbatim(v[F_ISSN]))) {
    csl.ISSN = s;
    fl.ISSN = ln[F_ISSN];
  }
  if (v[F_PMID] !== undefined && (s = verbatim(v[F_PMID]))) {
    csl.PMID = s;
    fl.PMID = ln[F_PMID];
  }
  if (v[F_PMCID] !== undefined && (s = verbatim(v[F_PMCID]))) {
    csl.PMCID = s;
    fl.PMCID = ln[F_PMCID];
  }
  if ((s = text(v, F_TYPE)) !== undefined) {
    csl.genre = GENRES[s.toLowerCase()] ?? s;
    fl.genre = ln[F_TYPE];
  } else if (etype === 'phdthesis') csl.genre = 'PhD thesis';
  else if (etype === 'mastersthesis') csl.genre = "Master's thesis";
  if (v[F_LANGID] !== undefined || v[F_LANGUAGE] !== undefined) {
    const id = v[F_LANGID] !== undefined;
    const l = latexToUnicode((id ? v[F_LANGID] : v[F_LANGUAGE]) as string);
    if (l) {
      csl.language = LANGUAGES[l.toLowerCase()] ?? l;
      if (id) fl.language = ln[F_LANGID];
    }
  }
  if ((s = text(v, F_NOTE)) !== undefined) csl.note = s;
  if ((s = rich(v, F_EVENTTITLE)) !== undefined) {
    csl['event-title'] = s;
    fl['event-title'] = ln[F_EVENTTITLE];
  }
  if ((s = text(v, F_VENUE)) !== undefined) {
    csl['event-place'] = s;
    fl['event-place'] = ln[F_VENUE];
  }
  const issued = issuedFrom(v);
  if (issued) {
    csl.issued = issued;
    fl.issued = v[F_DATE] !== undefined && (issued['date-parts'] !== undefined || v[F_YEAR] === undefined)
      ? ln[F_DATE]
      : ln[F_YEAR];
  }
  if (v[F_URLDATE] !== undefined) {
    const accessed = parseBibDate(v[F_URLDATE]);
    if (accessed) {
      csl.accessed = accessed;
      fl.accessed = ln[F_URLDATE];
    }
  }
  if (v[F_KEYWORDS] !== undefined) {
    const kw = splitKeywords(latexToUnicode(v[F_KEYWORDS]));
    if (kw) {
      csl.keyword = kw;
      fl.keyword = ln[F_KEYWORDS];
    }
  }
  const record: ParsedRecord = { line, csl, fieldLines: fl, sourceKey: key };
  if (v[F_ABSTRACT] !== undefined && (s = latexToUnicode(v[F_ABSTRACT]))) {
    csl.abstract = s;
    record.textBlocks = [{ text: s, line: ln[F_ABSTRACT] }];
  }
  let extra: Record<string, string> | undefined;
  if (v[F_EPRINT] !== undefined && (s = verbatim(v[F_EPRINT]))) {
    const kind = (v[F_EPRINTTYPE] ?? v[F_ARCHIVEPREFIX])?.toLowerCase().replace(/[{}\s]/g, '');
    extra = { eprint: kind === 'arxiv' ? `arXiv:${s}` : kind ? `${kind}:${s}` : s };
  }
  if (etAl) (extra ??= {}).etAl = 'true';
  if (extra) record.extra = extra;
  return record;
}

/** `a, b; c` → `a, b, c`. */
function splitKeywords(s: string): string {
  if (s.indexOf(';') === -1 && !/\s,|,\S|,\s*,|^,|,$/.test(s)) return s;
  return s
    .split(/\s*[,;]\s*/)
    .filter((k) => k.length > 0)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// Names

/** Case of the first letter in `s`: true for lower case, false for upper case or no letter. */
function firstLetterIsLower(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    if (lo !== up) return ch === lo;
  }
  return false;
}

/** Whether the token raw[start, end) counts as lower case (the `von` test of BibTeX's grammar). */
function isLowerToken(raw: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 97 && c <= 122) return true;
    if (c >= 65 && c <= 90) return false;
    if (c === 123) {
      // `{\"u}ber`: a special character takes the case of its letter; any other group is caseless.
      if (raw.charCodeAt(i + 1) !== 92) return false;
      return firstLetterIsLower(latexToUnicode(raw.slice(i, end)));
    }
    if (c === 92) return firstLetterIsLower(latexToUnicode(raw.slice(i, end)));
    if (c > 127) {
      const ch = raw[i];
      const lo = ch.toLowerCase();
      const up = ch.toUpperCase();
      if (lo !== up) return ch === lo;
    }
  }
  return false;
}

/** Whether raw[start, end) is one brace group from first to last character: `{World Health Organization}`. */
function isWholeGroup(raw: string, start: number, end: number): boolean {
  if (raw.charCodeAt(start) !== 123 || raw.charCodeAt(end - 1) !== 125 || raw.charCodeAt(start + 1) === 92) return false;
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i === end - 1;
  }
  return false;
}

// Token boundaries of the name being built (reused: names are parsed one at a time).
const tokStarts: number[] = [];
const tokEnds: number[] = [];
/** Token index at which each comma-separated part of the name starts. */
const partStarts: number[] = [];

/** Text of tokens [from, to) of the current name. */
function tokens(raw: string, from: number, to: number): string {
  return from >= to ? '' : latexToUnicode(raw.slice(tokStarts[from], tokEnds[to - 1]));
}

function buildName(raw: string, ntok: number, nparts: number): Name | undefined {
  // Drop empty comma parts (`Smith, , John`, a trailing comma).
  let parts = 0;
  for (let k = 0; k < nparts; k++) {
    const from = partStarts[k];
    const to = k + 1 < nparts ? partStarts[k + 1] : ntok;
    if (to > from) partStarts[parts++] = from;
  }
  if (parts === 0) return undefined;
  const name: Name = {};
  const headEnd = parts > 1 ? partStarts[1] : ntok;
  if (parts === 1) {
    if (ntok === 1 && isWholeGroup(raw, tokStarts[0], tokEnds[0])) {
      const literal = tokens(raw, 0, 1);
      if (literal) name.literal = literal;
      return literal ? name : undefined;
    }
    // First von Last: von = from the first to the last lower-case token before the last token.
    let first = -1;
    let last = -1;
    for (let i = 0; i < ntok - 1; i++) {
      if (isLowerToken(raw, tokStarts[i], tokEnds[i])) {
        if (first === -1) first = i;
        last = i;
      }
    }
    if (first === -1) {
      const given = tokens(raw, 0, ntok - 1);
      if (given) name.given = given;
      name.family = tokens(raw, ntok - 1, ntok);
    } else {
      const given = tokens(raw, 0, first);
      if (given) name.given = given;
      name['non-dropping-particle'] = tokens(raw, first, last + 1);
      name.family = tokens(raw, last + 1, ntok);
    }
  } else {
    // von Last, [Jr,] First
    let vonEnd = -1;
    if (isLowerToken(raw, tokStarts[0], tokEnds[0])) {
      for (let i = 0; i < headEnd - 1; i++) if (isLowerToken(raw, tokStarts[i], tokEnds[i])) vonEnd = i;
    }
    if (vonEnd >= 0) name['non-dropping-particle'] = tokens(raw, 0, vonEnd + 1);
    name.family = tokens(raw, vonEnd + 1, headEnd);
    if (parts === 2) {
      const given = tokens(raw, headEnd, ntok);
      if (given) name.given = given;
    } else {
      const suffixEnd = parts > 2 ? partStarts[2] : ntok;
      const suffix = tokens(raw, headEnd, suffixEnd);
      const given = tokens(raw, suffixEnd, ntok);
      if (given) name.given = given;
      if (suffix) name.suffix = suffix;
    }
  }
  if (!name.family) delete name.family;
  if (!name['non-dropping-particle']) delete name['non-dropping-particle'];
  return name.family || name.given ? name : undefined;
}

/**
 * BibTeX name list → CSL names: split on `and` at brace depth 0; `Last, First`, `First von Last`,
 * `von Last, Jr, First`; a single `{Braced Group}` is a literal; `others` means et al.
 */
export function parseNames(raw: string): { names: Name[]; etAl: boolean } {
  const names: Name[] = [];
  let etAl = false;
  let ntok = 0;
  let nparts = 1;
  partStarts[0] = 0;
  let tokStart = -1;
  let depth = 0;
  const n = raw.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? raw.charCodeAt(i) : 32;
    if (c === 92) {
      if (tokStart < 0) tokStart = i;
      i++;
      continue;
    }
    if (c === 123) {
      if (tokStart < 0) tokStart = i;
      depth++;
      continue;
    }
    if (c === 125) {
      if (depth > 0) depth--;
      continue;
    }
    if (i < n && (depth > 0 || !(isSpace(c) || c === 126 || c === 44))) {
      if (tokStart < 0) tokStart = i;
      continue;
    }
    // A separator at depth 0 (or the end): close the token; `and` or the end closes the name.
    let endName = i === n;
    if (tokStart >= 0) {
      const len = i - tokStart;
      if (len === 3 && (raw.charCodeAt(tokStart) | 32) === 97 && (raw.charCodeAt(tokStart + 1) | 32) === 110 && (raw.charCodeAt(tokStart + 2) | 32) === 100) {
        endName = true;
      } else {
        tokStarts[ntok] = tokStart;
        tokEnds[ntok++] = i;
      }
      tokStart = -1;
    }
    if (endName) {
      if (ntok === 1 && nparts === 1 && tokEnds[0] - tokStarts[0] === 6 && raw.startsWith('others', tokStarts[0])) etAl = true;
      else if (ntok > 0) {
        const name = buildName(raw, ntok, nparts);
        if (name) names.push(name);
      }
      ntok = 0;
      nparts = 1;
    } else if (c === 44) partStarts[nparts++] = ntok;
  }
  return { names, etAl };
}
