/** Format sniffing from content (never from the file name) and dispatch to one parser per format. */
import type { ParsedFile, SourceFormat } from '../model';
import { parseBibtex } from './bibtex';
import { parseCslJson } from './cslJson';
import { parseEmerald, sniffEmerald } from './emerald';
import { parseMedline, sniffMedline } from './medline';
import { parseOvid, sniffOvid } from './ovid';
import { parseRefer, sniffRefer } from './refer';
import { parseRefworks, sniffRefworks } from './refworks';
import { parseRis } from './ris';
import { parseScienceOpen, sniffScienceOpen } from './scienceOpen';
import { parseSemanticScholar, sniffSemanticScholar } from './semanticScholar';
import { parseWosChinese, sniffWosChinese } from './wosChinese';
import { parseWosTagged, sniffWosTagged } from './wosTagged';

type Parser = (text: string, file: string) => ParsedFile;

const PARSERS: Record<Exclude<SourceFormat, 'markdown'>, Parser> = {
  'semantic-scholar-json': parseSemanticScholar,
  'wos-cn': parseWosChinese,
  'emerald-vlex': parseEmerald,
  scienceopen: parseScienceOpen,
  bibtex: parseBibtex,
  ris: parseRis,
  'csl-json': parseCslJson,
  medline: parseMedline,
  'wos-tagged': parseWosTagged,
  ovid: parseOvid,
  refer: parseRefer,
  refworks: parseRefworks,
};

/** Decides the layout of a corpus file from its first 64 KB of text. */
export function sniffFormat(text: string): Exclude<SourceFormat, 'markdown'> | undefined {
  const head = text.slice(0, 65536).replace(/^\uFEFF/, '');
  const trimmed = head.trimStart();
  if (trimmed.startsWith('{') && sniffSemanticScholar(trimmed)) return 'semantic-scholar-json';
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && /"(?:type|id|title|author|items)"\s*:/.test(head))) return 'csl-json';
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
  return undefined;
}

/** Parses text of a known or sniffed format. Never throws: a parser crash becomes a problem. */
export function parseText(text: string, file: string, format = sniffFormat(text)): ParsedFile {
  if (!format) {
    return { file, records: [], problems: [{ file, line: 1, severity: 'warning', message: 'Not a recognised corpus format (BibTeX, RIS, CSL-JSON, MEDLINE/PubMed, Web of Science tagged, Ovid, Refer/EndNote, RefWorks, Semantic Scholar JSON, Web of Science, ScienceOpen or Emerald page); skipped it.' }] };
  }
  try {
    return PARSERS[format](text, file);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { file, format, records: [], problems: [{ file, line: 1, severity: 'error', message: `Could not read this ${format} file (${msg}); skipped it.` }] };
  }
}
