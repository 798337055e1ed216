/**
 * The `bibliography:` field of a Markdown document's YAML front matter, as Pandoc reads it: a
 * string, a flow list `[a.bib, b.json]` or a block list of `- item` lines. Plain text in, plain
 * strings out (no `vscode` import), so it is unit-tested in Node.
 */

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

function unquote(s: string): string {
  const t = s.trim();
  const dq = /^"((?:[^"\\]|\\.)*)"/.exec(t);
  if (dq) return dq[1].replace(/\\(["\\])/g, '$1');
  const sq = /^'((?:[^']|'')*)'/.exec(t);
  if (sq) return sq[1].replace(/''/g, "'");
  return t.replace(/\s+#.*$/, ''); // an unquoted YAML value ends at a comment
}

/** The bibliography paths named in a document's front matter, as written (not resolved). */
export function bibliographyFromFrontMatter(text: string): string[] {
  const m = FRONT_MATTER.exec(text.slice(0, 65536));
  if (!m) return [];
  const lines = m[1].split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const field = /^bibliography[ \t]*:(.*)$/.exec(lines[i]);
    if (!field) continue;
    const value = field[1].trim();
    if (value.startsWith('[')) {
      const inner = value.replace(/^\[/, '').replace(/\][ \t]*(?:#.*)?$/, '');
      return inner.split(',').map(unquote).filter(Boolean);
    }
    if (value && !value.startsWith('#')) {
      const v = unquote(value);
      return v ? [v] : [];
    }
    const out: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const item = /^[ \t]*-[ \t]+(.+)$/.exec(lines[j]);
      if (item) {
        const v = unquote(item[1]);
        if (v) out.push(v);
      } else if (/^\S/.test(lines[j])) break; // the next top-level field
    }
    return out;
  }
  return [];
}
