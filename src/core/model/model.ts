/**
 * The corpus model: zod schemas at every boundary, types from `z.infer`.
 *
 * A work is a CSL-JSON item plus an `x-corpus` object that says where it came from and how it
 * relates to the rest of the corpus. Parsers produce `ParsedRecord`s; `buildCorpus` turns them
 * into `Work`s (merging duplicates, extracting cited works, assigning keys).
 */
import { z } from 'zod';

export const NameSchema = z.object({
  family: z.string().optional(),
  given: z.string().optional(),
  literal: z.string().optional(),
  'non-dropping-particle': z.string().optional(),
  'dropping-particle': z.string().optional(),
  suffix: z.string().optional(),
});
export type Name = z.infer<typeof NameSchema>;

export const DateSchema = z.object({
  'date-parts': z.array(z.array(z.union([z.number(), z.string()]))).optional(),
  raw: z.string().optional(),
  literal: z.string().optional(),
});
export type CslDate = z.infer<typeof DateSchema>;

/** The CSL-JSON fields a parser may fill. Unknown CSL fields pass through. */
export const CslFieldsSchema = z
  .object({
    type: z.string().optional(),
    title: z.string().optional(),
    'title-short': z.string().optional(),
    author: z.array(NameSchema).optional(),
    editor: z.array(NameSchema).optional(),
    issued: DateSchema.optional(),
    'available-date': DateSchema.optional(),
    'container-title': z.string().optional(),
    'container-title-short': z.string().optional(),
    publisher: z.string().optional(),
    'publisher-place': z.string().optional(),
    volume: z.string().optional(),
    issue: z.string().optional(),
    page: z.string().optional(),
    'number-of-pages': z.string().optional(),
    DOI: z.string().optional(),
    PMID: z.string().optional(),
    PMCID: z.string().optional(),
    ISSN: z.string().optional(),
    ISBN: z.string().optional(),
    URL: z.string().optional(),
    abstract: z.string().optional(),
    keyword: z.string().optional(),
    genre: z.string().optional(),
    license: z.string().optional(),
    language: z.string().optional(),
    note: z.string().optional(),
  })
  .catchall(z.unknown());
export type CslFields = z.infer<typeof CslFieldsSchema>;

export const SourceFormatSchema = z.enum([
  'semantic-scholar-json',
  'wos-cn',
  'emerald-vlex',
  'scienceopen',
  'bibtex',
  'ris',
  'csl-json',
  'csv',
  'datacite-json',
  'openalex-json',
  'pubmed-xml',
  'crossref-xml',
  'endnote-xml',
  'mods',
  'zotero-rdf',
  'marcxml',
  'medline',
  'wos-tagged',
  'ovid',
  'refer',
  'refworks',
  'markdown',
]);
export type SourceFormat = z.infer<typeof SourceFormatSchema>;

/** A block of running text whose author–date citations belong to the record. */
export const TextBlockSchema = z.object({ text: z.string(), line: z.number().int().positive() });
export type TextBlock = z.infer<typeof TextBlockSchema>;

export const RelationSchema = z.enum(['related', 'reference']);
export type Relation = z.infer<typeof RelationSchema>;

export interface ParsedRecord {
  /** 1-based line where the record starts in its file. */
  line: number;
  csl: CslFields;
  /** Field name → 1-based line, where cheap to know. */
  fieldLines: Record<string, number>;
  /** The key the source itself gave (BibTeX key, CSL id, RIS ID), if any. */
  sourceKey?: string;
  translatedTitle?: string;
  /** Group authors the source names beside the personal authors (not part of the title). */
  groupAuthors?: string[];
  /** Fields the parser inferred rather than read. */
  inferred?: string[];
  /** Running text to search for author–date citations (abstract, body). */
  textBlocks?: TextBlock[];
  /** Works the record lists: related papers, reference lists. */
  children?: { relation: Relation; record: ParsedRecord }[];
  /** Source-specific facts worth showing (citation count, classification...). */
  extra?: Record<string, string>;
}

export const ParsedRecordSchema: z.ZodType<ParsedRecord> = z.lazy(() =>
  z.object({
    line: z.number().int().positive(),
    csl: CslFieldsSchema,
    fieldLines: z.record(z.string(), z.number().int().positive()),
    sourceKey: z.string().optional(),
    translatedTitle: z.string().optional(),
    groupAuthors: z.array(z.string()).optional(),
    inferred: z.array(z.string()).optional(),
    textBlocks: z.array(TextBlockSchema).optional(),
    children: z.array(z.object({ relation: RelationSchema, record: ParsedRecordSchema })).optional(),
    extra: z.record(z.string(), z.string()).optional(),
  }),
);

export const SeveritySchema = z.enum(['error', 'warning', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;

/** A value in a problem's template: data, or a phrase translated before it fills its place (`problemText.ts`). */
export type ProblemArgValue = string | number | { template: string; args?: ProblemArgValue[] };
const ProblemArgSchema: z.ZodType<ProblemArgValue> = z.lazy(() => z.union([z.string(), z.number(), z.object({ template: z.string(), args: z.array(ProblemArgSchema).optional() })]));

export const ProblemSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  severity: SeveritySchema,
  /** The English text (always complete: logs, JSON output and tests read it). */
  message: z.string(),
  /** The English template of `message` with `{0}` placeholders: its l10n key. */
  template: z.string().optional(),
  /** The values of the template's placeholders. */
  args: z.array(ProblemArgSchema).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** What one parser returns for one file. */
export const ParsedFileSchema = z.object({
  file: z.string(),
  format: SourceFormatSchema.optional(),
  records: z.array(ParsedRecordSchema),
  problems: z.array(ProblemSchema),
});
export type ParsedFile = z.infer<typeof ParsedFileSchema>;

export const SourceRefSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  format: SourceFormatSchema,
  fields: z.record(z.string(), z.number().int().positive()).optional(),
  relation: z.enum(['record', 'related', 'reference', 'citation']),
  /** The citekey the source gave this record (BibTeX key, CSL-JSON id), when usable as one. */
  key: z.string().optional(),
});
export type SourceRef = z.infer<typeof SourceRefSchema>;

export const CitationContextSchema = z.object({
  /** Id of the citing work. */
  by: z.string(),
  /** The sentence the citation stands in, whitespace normalised. */
  sentence: z.string(),
  /** The citation as written, e.g. `(Voronka, 2019)`. */
  text: z.string(),
  file: z.string(),
  line: z.number().int().positive(),
  locator: z.string().optional(),
});
export type CitationContext = z.infer<typeof CitationContextSchema>;

export const WorkKindSchema = z.enum(['record', 'cited']);
export type WorkKind = z.infer<typeof WorkKindSchema>;

export const XCorpusSchema = z.object({
  kind: WorkKindSchema,
  translatedTitle: z.string().optional(),
  groupAuthors: z.array(z.string()).optional(),
  /** True when the author list is known to be incomplete ("et al."). */
  etAl: z.boolean().optional(),
  citedBy: z.array(z.string()),
  cites: z.array(z.string()),
  /** Works this one is listed as related to, or that list it as related. */
  related: z.array(z.string()),
  /** Works whose reference list names this one. */
  referencedBy: z.array(z.string()),
  contexts: z.array(CitationContextSchema),
  sources: z.array(SourceRefSchema),
  inferred: z.array(z.string()),
  extra: z.record(z.string(), z.string()).optional(),
  /**
   * The work's other citekeys: when records with different keys (in different files) are one
   * work, `id` is the first record's key and these are the others. Each resolves to the work.
   */
  aliases: z.array(z.string().min(1)).optional(),
});
export type XCorpus = z.infer<typeof XCorpusSchema>;

export const WorkSchema = CslFieldsSchema.extend({
  /**
   * A Pandoc citekey: the key of the work's own export (BibTeX key, CSL-JSON id) or one made up
   * (`voronka2019`). Any key without white space or braces: Pandoc resolves `@{zhang_}` too.
   */
  id: z.string().regex(/^[^\s{}]+$/u),
  'citation-label': z.string(),
  type: z.string(),
  'x-corpus': XCorpusSchema,
});
export type Work = z.infer<typeof WorkSchema>;

export const CorpusJsonSchema = z.object({ works: z.array(WorkSchema), problems: z.array(ProblemSchema) });
export type CorpusJson = z.infer<typeof CorpusJsonSchema>;
