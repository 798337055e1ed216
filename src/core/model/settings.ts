/**
 * The extension's settings: one zod schema, per-field defaults, parsed field by field so that one
 * bad value falls back to its own default (with a warning) instead of discarding the others.
 * `package.json` `contributes.configuration` is the user-facing schema; a unit test checks both
 * list the same keys and defaults.
 */
// zod/mini: the tree-shakable build (~20 KB bundled instead of ~450 KB for the classic API),
// since the extension bundle needs nothing else from zod.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

/** Prefix of every setting key in `package.json` (`corpusCite.corpus`...). */
export const SETTINGS_SECTION = 'corpusCite';

/**
 * Default corpus globs (relative to each workspace folder).
 *
 * What a researcher expects to be indexed without configuring anything:
 * - a `corpus/` or `references/` folder anywhere in the workspace, which is where paper records
 *   (Semantic Scholar JSON, Web of Science text, saved publisher pages, MEDLINE, XML, RDF,
 *   Refer, Ovid, CSV, MARC exports) end up. Only files with an extension a record can have are
 *   taken from them; the PDFs, images and notes kept beside the records are counted in one
 *   information problem per folder (core/io/glob.ts `report`), not a warning each;
 * - reference-manager exports anywhere: `*.bib` (BibTeX/BibLaTeX, Zotero and Better BibTeX
 *   auto-exports), `*.ris`, CSL-JSON as `*.csl.json` / `*.csljson`, PubMed's `*.nbib` and EndNote's
 *   `*.enw` (names no other tool uses). A bare `*.json`, `*.xml` or `*.csv` is not
 *   taken: it would index `package.json`, `tsconfig.json` and every other configuration file.
 * `node_modules` and `.git` are always excluded, as are the user's `files.exclude` patterns.
 */
export const DEFAULT_CORPUS_GLOBS: readonly string[] = [
  '**/corpus/**/*.{txt,json,jsonl,bib,biblatex,ris,csl,htm,html,nbib,medline,xml,rdf,enw,ovd,csv,mrc,marc}',
  '**/references/**/*.{txt,json,jsonl,bib,biblatex,ris,csl,htm,html,nbib,medline,xml,rdf,enw,ovd,csv,mrc,marc}',
  '**/*.bib',
  '**/*.ris',
  '**/*.csl.json',
  '**/*.csljson',
  '**/*.nbib',
  '**/*.enw',
];

export const CITATION_STYLES = ['pandoc', 'authorDate', 'narrative'] as const;
export type CitationStyle = (typeof CITATION_STYLES)[number];

/** The shipped CSL styles (core/format/styles.ts); the setting also takes a user style's name or a `.csl` path. */
export const BIBLIOGRAPHY_STYLES = ['apa', 'chicago-author-date', 'harvard-cite-them-right', 'vancouver', 'ieee', 'nature', 'gb-t-7714-2015-numeric', 'gb-t-7714-2015-author-date'] as const;

/** Default of `maxFileSizeMB`; the same limit as `DEFAULT_MAX_FILE_BYTES` of the CLI (loadFiles.ts). */
export const DEFAULT_MAX_FILE_SIZE_MB = 64;

/** Largest `maxFileSizeMB` accepted: beyond this a single file would exhaust the extension host. */
export const MAX_FILE_SIZE_MB_LIMIT = 1024;

export const SettingsSchema = z.object({
  /** Glob patterns of corpus files, relative to each workspace folder. */
  corpus: z._default(z.array(z.string().check(z.minLength(1))), () => [...DEFAULT_CORPUS_GLOBS]),
  /** How completion and "insert citation" write a citation. */
  citationStyle: z._default(z.enum(CITATION_STYLES), 'pandoc'),
  /** Corpus files larger than this are skipped with a warning. */
  maxFileSizeMB: z._default(z.number().check(z.positive(), z.lte(MAX_FILE_SIZE_MB_LIMIT)), DEFAULT_MAX_FILE_SIZE_MB),
  /** CSL style for the preview and formatted bibliographies: a shipped name, a user style's name, or a `.csl` path. */
  bibliographyStyle: z._default(z.string().check(z.minLength(1)), 'apa'),
  /** Folders of the user's `.csl` styles. */
  styleFolders: z._default(z.array(z.string().check(z.minLength(1))), () => []),
  /** Keep the index in the workspace storage between sessions (a fast start for big libraries). */
  indexCache: z._default(z.boolean(), true),
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;

/** The allowed values of the enum settings (package.json must offer the same). */
export const SETTING_ENUMS: Partial<Record<SettingKey, readonly string[]>> = {
  citationStyle: CITATION_STYLES,
};

/** Settings whose package.json schema suggests these values but takes other strings too (`anyOf`). */
export const SETTING_SUGGESTIONS: Partial<Record<SettingKey, readonly string[]>> = {
  bibliographyStyle: BIBLIOGRAPHY_STYLES,
};

/** The setting keys, in schema order. */
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];

/** Every setting at its default. */
export function defaultSettings(): Settings {
  return SettingsSchema.parse({});
}

/**
 * Parses raw setting values (`undefined` = not set). Each field is checked on its own: a bad
 * value falls back to that field's default and produces one warning.
 */
export function parseSettings(raw: Partial<Record<string, unknown>> | undefined): { settings: Settings; warnings: string[] } {
  const input = raw ?? {};
  const defaults = defaultSettings();
  const out: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const key of SETTING_KEYS) {
    const value = input[key];
    if (value === undefined || value === null) {
      out[key] = defaults[key];
      continue;
    }
    const field = SettingsSchema.shape[key];
    const r = field.safeParse(value);
    if (r.success) out[key] = r.data;
    else {
      out[key] = defaults[key];
      const why = r.error.issues[0]?.message ?? 'invalid value';
      warnings.push(`Setting ${SETTINGS_SECTION}.${key} has an invalid value ${JSON.stringify(value)} (${why}); using the default ${JSON.stringify(defaults[key])}.`);
    }
  }
  return { settings: out as Settings, warnings };
}
