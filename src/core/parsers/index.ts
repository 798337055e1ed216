/** Format sniffing from content (never from the file name) and dispatch to one parser per format. */
import type { ParsedFile, SourceFormat } from '../model/model';
import { parseBibtex, parseCleanBibtex } from './bibtex';
import { parseCrossrefXml, sniffCrossrefXml } from './crossrefXml';
import { parseCslJson } from './cslJson';
import { parseCsv, sniffCsv } from './csv';
import { parseDataCite, sniffDataCite } from './datacite';
import { parseEmerald, sniffEmerald } from './emerald';
import { parseOpenAlex, sniffOpenAlex } from './openalex';
import { parseEndnoteXml, sniffEndnoteXml } from './endnoteXml';
import { parseMarcxml, sniffMarcxml } from './marcxml';
import { parseMods, sniffMods } from './mods';
import { parsePubmedXml, sniffPubmedXml } from './pubmedXml';
import { parseMedline, sniffMedline } from './medline';
import { parseOvid, sniffOvid } from './ovid';
import { parseRefer, sniffRefer } from './refer';
import { parseRefworks, sniffRefworks } from './refworks';
import { parseRis } from './ris';
import { parseScienceOpen, sniffScienceOpen } from './scienceOpen';
import { parseSemanticScholar, sniffSemanticScholar } from './semanticScholar';
import { parseWosChinese, sniffWosChinese } from './wosChinese';
import { parseZoteroRdf, sniffZoteroRdf } from './zoteroRdf';
import { parseWosTagged, sniffWosTagged } from './wosTagged';
import { problemText } from '../model/problemText';

type Parser = (text: string, file: string) => ParsedFile;

const PARSERS: Record<Exclude<SourceFormat, 'markdown'>, Parser> = {
  'semantic-scholar-json': parseSemanticScholar,
  'wos-cn': parseWosChinese,
  'emerald-vlex': parseEmerald,
  scienceopen: parseScienceOpen,
  bibtex: parseBibtex,
  ris: parseRis,
  'csl-json': parseCslJson,
  csv: parseCsv,
  'datacite-json': parseDataCite,
  'openalex-json': parseOpenAlex,
  'pubmed-xml': parsePubmedXml,
  'crossref-xml': parseCrossrefXml,
  'endnote-xml': parseEndnoteXml,
  mods: parseMods,
  'zotero-rdf': parseZoteroRdf,
  marcxml: parseMarcxml,
  medline: parseMedline,
  'wos-tagged': parseWosTagged,
  ovid: parseOvid,
  refer: parseRefer,
  refworks: parseRefworks,
};

/** Parsers that would clean the text again (BOM, NULs, CRs): their form for a text known clean (`parseText`'s `clean`). */
const CLEAN_PARSERS: Partial<Record<Exclude<SourceFormat, 'markdown'>, Parser>> = { bibtex: parseCleanBibtex };

/** Decides the layout of a corpus file from its first 64 KB of text. */
export function sniffFormat(text: string): Exclude<SourceFormat, 'markdown'> | undefined {
  const head = text.slice(0, 65536).replace(/^\uFEFF/, '');
  const trimmed = head.trimStart();
  if (trimmed.startsWith('{') && sniffSemanticScholar(trimmed)) return 'semantic-scholar-json';
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && sniffOpenAlex(head)) return 'openalex-json';
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && sniffDataCite(head)) return 'datacite-json';
  // Any other JSON goes to the CSL-JSON reader, which reads only items that look like CSL and
  // calls the file "not a recognised corpus format" when none does.
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && /"(?:type|id|title|author|items)"\s*:/.test(head))) return 'csl-json';
  if (trimmed.startsWith('<')) {
    if (sniffPubmedXml(trimmed)) return 'pubmed-xml';
    if (sniffCrossrefXml(trimmed)) return 'crossref-xml';
    if (sniffEndnoteXml(trimmed)) return 'endnote-xml';
    if (sniffMods(trimmed)) return 'mods';
    if (sniffZoteroRdf(trimmed)) return 'zotero-rdf';
    if (sniffMarcxml(trimmed)) return 'marcxml';
  }
  if (/^\s*TY\s{1,2}-\s?\S/m.test(head) && /^\s*(?:TY|ER)\s{1,2}-/m.test(head)) return 'ris';
  // Tagged plain-text exports, each by its own marks (record numbers, header, tag shapes).
  if (sniffOvid(head)) return 'ovid';
  if (sniffWosTagged(head)) return 'wos-tagged';
  if (sniffMedline(head)) return 'medline';
  if (sniffRefworks(head)) return 'refworks';
  if (sniffRefer(head)) return 'refer';
  if (/^\s*@(?:article|book|inbook|incollection|inproceedings|conference|misc|online|phdthesis|mastersthesis|thesis|techreport|report|unpublished|manual|booklet|proceedings|string|preamble|comment|collection|dataset|software|patent|periodical|electronic|www|\w+)\s*[{(]/im.test(head)) return 'bibtex';
  if (sniffWosChinese(head)) return 'wos-cn';
  if (sniffScienceOpen(head)) return 'scienceopen';
  if (sniffEmerald(head)) return 'emerald-vlex';
  if (sniffCsv(head)) return 'csv';
  return undefined;
}

/** Parses text of a known or sniffed format (`clean`: it has no BOM, NULs or CRs). Never throws: a parser crash becomes a problem. */
export function parseText(text: string, file: string, format = sniffFormat(text), clean = false): ParsedFile {
  if (!format) {
    return { file, records: [], problems: [{ file, line: 1, severity: 'warning', ...problemText('Not a recognised corpus format (BibTeX, RIS, CSL-JSON, MEDLINE/PubMed, PubMed XML, Crossref XML, EndNote XML, MODS, Zotero RDF, MARCXML, Web of Science tagged, Ovid, Refer/EndNote, RefWorks, Scopus/CSV, DataCite, OpenAlex, Semantic Scholar JSON, Web of Science, ScienceOpen or Emerald page); skipped it.') }] };
  }
  try {
    return (clean ? (CLEAN_PARSERS[format] ?? PARSERS[format]) : PARSERS[format])(text, file);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { file, format, records: [], problems: [{ file, line: 1, severity: 'error', ...problemText('Could not read this {0} file ({1}); skipped it.', format, msg) }] };
  }
}
