/** Personal and group names as they appear in records and citations. */
import type { Name } from './model';

const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'da', 'di', 'du', 'le', 'la', 'dos', 'das', 'ter', 'ten', 'zu', 'af', 'al', 'bin', 'ibn']);

/** `D.M.`, `DM`, `D. M.`, `M R`: initials only. */
function isInitials(s: string): boolean {
  return /^(?:\p{Lu}\.?[\s-]*){1,4}$/u.test(s.trim());
}

function clean(s: string): string {
  return s
    .replace(/\[\s*\d+(?:\s*,\s*\d+)*\s*\]/g, '') // affiliation markers: [1 ], [1, 2]
    .replace(/[*†‡§]+$/u, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Parses one personal name written as `Family, Given`, `Given Family`, `Family G.M.` or
 * `G. Family`. Returns undefined for empty input.
 */
export function parsePersonName(raw: string): Name | undefined {
  const s = clean(raw);
  if (!s) return undefined;
  const comma = s.indexOf(',');
  if (comma > 0) {
    const family = s.slice(0, comma).trim();
    const rest = s.slice(comma + 1).trim();
    const parts = rest.split(',').map((p) => p.trim());
    const name: Name = { family };
    if (parts[0]) name.given = parts[0];
    if (parts[1] && /^(jr|sr|ii|iii|iv)\.?$/i.test(parts[1])) name.suffix = parts[1];
    return name;
  }
  const words = s.split(' ');
  if (words.length === 1) return { family: s };
  // "Thompson D.M." / "Thompson DM": family first, initials after.
  const last = words[words.length - 1];
  if (words.length >= 2 && isInitials(words.slice(1).join(' ')) && !isInitials(words[0])) {
    return { family: words[0], given: words.slice(1).join(' ') };
  }
  void last;
  // "Given [particles] Family"
  let i = words.length - 1;
  while (i > 1 && PARTICLES.has(words[i - 1].toLowerCase())) i--;
  return { given: words.slice(0, i).join(' '), family: words.slice(i).join(' ') };
}

/** The name used in labels and matching: family, or the literal of a group author. */
export function nameKey(n: Name): string {
  return (n.family ?? n.literal ?? '').trim();
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Lower-case, accents and punctuation removed: for comparing names and titles. */
export function fold(s: string): string {
  // ASCII is unchanged by NFKD and has no combining marks; its letters and digits are [a-z0-9]
  // once lower-cased. Same result as below, without the Unicode-aware passes (a hot path).
  if (ASCII_ONLY.test(s)) return s.toLowerCase().replace(/['`]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[‘’'`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** `Family, Given` display for tables; `Given Family` reads better in cards. */
export function displayName(n: Name): string {
  if (n.literal) return n.literal;
  return [n.given, n['non-dropping-particle'], n.family].filter(Boolean).join(' ');
}
