/**
 * CSL styles: the ones shipped in `media/csl/styles/` (from the CSL project, CC BY-SA 3.0: see
 * `media/csl/README.md`), the styles a user already has (Zotero's `styles` folder, folders named
 * in `corpusCite.styleFolders`), and any `.csl` file given by path. One resolver serves the
 * preview, "Insert or Update Bibliography", "Copy Bibliography Entry" and `corpus-cite bib`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface StyleInfo {
  /** The name the user writes (`apa`, `ieee`), or the absolute path of a `.csl` file. */
  id: string;
  title: string;
  xml: string;
  /** Numeric styles number the works in order of first citation. */
  numeric: boolean;
  defaultLocale?: string;
  source: 'bundled' | 'folder' | 'zotero' | 'path';
  file: string;
}

/** The shipped styles, by the name a user writes; the first is the default. */
export const BUNDLED_STYLES: readonly { id: string; file: string; title: string }[] = [
  { id: 'apa', file: 'apa.csl', title: 'APA 7th edition' },
  { id: 'chicago-author-date', file: 'chicago-author-date.csl', title: 'Chicago Manual of Style 17th edition (author-date)' },
  { id: 'harvard-cite-them-right', file: 'harvard-cite-them-right.csl', title: 'Cite Them Right 12th edition - Harvard' },
  { id: 'vancouver', file: 'vancouver.csl', title: 'Vancouver' },
  { id: 'ieee', file: 'ieee.csl', title: 'IEEE' },
  { id: 'nature', file: 'nature.csl', title: 'Nature' },
  { id: 'gb-t-7714-2015-numeric', file: 'china-national-standard-gb-t-7714-2015-numeric.csl', title: 'GB/T 7714-2015 (numeric, 顺序编码制)' },
  { id: 'gb-t-7714-2015-author-date', file: 'china-national-standard-gb-t-7714-2015-author-date.csl', title: 'GB/T 7714-2015 (author-date, 著者-出版年制)' },
];

/** Older names kept working: `harvard1` was citation-js's Harvard, the CSL project's file names. */
const ALIASES: Record<string, string> = {
  harvard1: 'harvard-cite-them-right',
  'china-national-standard-gb-t-7714-2015-numeric': 'gb-t-7714-2015-numeric',
  'china-national-standard-gb-t-7714-2015-author-date': 'gb-t-7714-2015-author-date',
};

/** The shipped locales (CSL locale files) by language tag. */
export const BUNDLED_LOCALES = ['en-US', 'en-GB', 'zh-CN'] as const;

/** `media/csl` of the extension: beside the bundle (dist/…) or above the sources (src/core/…/), found
 *  by walking up a few folders so the answer does not depend on how deep this file sits. */
export function cslDir(): string {
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const c = path.join(dir, 'media', 'csl');
    if (fs.existsSync(path.join(c, 'styles'))) return c;
  }
  return path.join(__dirname, '..', 'media', 'csl');
}

/** Zotero's data folder's `styles`, where Zotero keeps the styles its user installed. */
export function zoteroStylesDir(home = os.homedir()): string {
  return path.join(home, 'Zotero', 'styles');
}

const cache = new Map<string, StyleInfo | null>();

function readStyle(file: string, id: string, source: StyleInfo['source']): StyleInfo | undefined {
  const key = `${source}\u0000${file}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  let xml: string;
  try {
    const st = fs.statSync(file);
    // A CSL style is a few tens of KB; anything far larger is not one.
    if (!st.isFile() || st.size > 4 * 1024 * 1024) throw new Error('not a style');
    xml = fs.readFileSync(file, 'utf8');
  } catch {
    cache.set(key, null);
    return undefined;
  }
  if (!/<style\b[^>]*xmlns="http:\/\/purl\.org\/net\/xbiblio\/csl"/.test(xml) || /<link[^>]+rel="independent-parent"/.test(xml)) {
    // Not CSL, or a dependent style (metadata only, naming a parent we may not have).
    cache.set(key, null);
    return undefined;
  }
  const title = /<title>([^<]*)<\/title>/.exec(xml)?.[1]?.trim() || id;
  const info: StyleInfo = {
    id,
    title,
    xml,
    numeric: /citation-format="(?:numeric|label)"/.test(xml),
    defaultLocale: /<style\b[^>]*default-locale="([^"]+)"/.exec(xml)?.[1],
    source,
    file,
  };
  cache.set(key, info);
  return info;
}

export interface StyleOptions {
  /** Folders of `.csl` files named in settings. */
  folders?: readonly string[];
  /** Where relative `.csl` paths are read from (the manuscript's folder). */
  baseDir?: string;
  /** Zotero's styles folder (default: ~/Zotero/styles); `null` to not look there. */
  zoteroDir?: string | null;
}

function folderCandidates(opts: StyleOptions): { dir: string; source: StyleInfo['source'] }[] {
  const out: { dir: string; source: StyleInfo['source'] }[] = (opts.folders ?? []).map((dir) => ({ dir, source: 'folder' as const }));
  if (opts.zoteroDir !== null) out.push({ dir: opts.zoteroDir ?? zoteroStylesDir(), source: 'zotero' });
  return out;
}

/**
 * The style a setting or a front matter's `csl:` names: a path to a `.csl` file (absolute, or
 * relative to `baseDir`), a shipped name, or the name of a style in a styles folder or Zotero's
 * (the file name without `.csl`). The user's folders come before Zotero's, both before nothing:
 * a shipped name always means the shipped style.
 */
export function resolveStyle(name: string, opts: StyleOptions = {}): StyleInfo | undefined {
  const n = name.trim();
  if (!n) return undefined;
  if (/\.csl$/i.test(n) || n.includes('/') || n.includes('\\')) {
    const file = path.isAbsolute(n) ? n : path.resolve(opts.baseDir ?? process.cwd(), n);
    return readStyle(file, file, 'path');
  }
  const id = ALIASES[n] ?? n;
  const bundled = BUNDLED_STYLES.find((s) => s.id === id);
  if (bundled) return readStyle(path.join(cslDir(), 'styles', bundled.file), bundled.id, 'bundled');
  for (const { dir, source } of folderCandidates(opts)) {
    const info = readStyle(path.join(dir, `${n}.csl`), n, source);
    if (info) return info;
  }
  return undefined;
}

/** Every style that can be named: shipped ones, then those in the folders and Zotero's. */
export function listStyles(opts: StyleOptions = {}): StyleInfo[] {
  const out = new Map<string, StyleInfo>();
  for (const s of BUNDLED_STYLES) {
    const info = resolveStyle(s.id, opts);
    if (info) out.set(info.id, info);
  }
  for (const { dir, source } of folderCandidates(opts)) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter((f) => f.endsWith('.csl'));
    } catch {
      continue;
    }
    for (const f of names.sort()) {
      const id = f.slice(0, -4);
      if (out.has(id)) continue;
      const info = readStyle(path.join(dir, f), id, source);
      if (info) out.set(id, info);
    }
  }
  return [...out.values()];
}

/** A shipped CSL locale's XML (`en-US`, `en-GB`, `zh-CN`), or undefined. */
export function readLocale(lang: string): string | undefined {
  const tag = BUNDLED_LOCALES.find((l) => l.toLowerCase() === lang.toLowerCase());
  if (!tag) return undefined;
  try {
    return fs.readFileSync(path.join(cslDir(), 'locales', `locales-${tag}.xml`), 'utf8');
  } catch {
    return undefined;
  }
}

/** Forgets styles read from disk (a style file edited while the editor runs). */
export function clearStyleCache(): void {
  cache.clear();
}
