/**
 * The text of a problem in two forms: `message`, the English sentence every reader of a problem
 * has always had, and `template` + `args`, the same sentence as its English template with `{0}`
 * placeholders — which is also its key in the l10n bundle (VS Code's convention) — and the values
 * that fill them. The editor translates with `vscode.l10n.t(template, ...args)`, the CLI with the
 * bundle; a problem without a template (an older cache) shows its English message.
 *
 * Arguments are data (file names, keys, counts, field names, an error text from Node or a
 * parser library), never English words of our own: a phrase that must itself be translated is a
 * nested phrase made the same way (e.g. "a string" in "Item 3 is a string, not a CSL item"), translated
 * first. Every template is the first argument of a call of `problemText`, written as a string literal, so test/unit/l10n.test.ts finds them all and fails on one the zh-CN bundle lacks.
 */

/** A value that fills a placeholder: data as it is, or a phrase translated before it is put in. */
export type ProblemArg = string | number | ProblemPhrase;

/** A translatable phrase: its English template and arguments. */
export interface ProblemPhrase {
  template: string;
  args?: ProblemArg[];
}

/** A problem's text: the English `message` and the template it was made from. */
export interface ProblemText extends ProblemPhrase {
  message: string;
}

/** Formats `{0}`-style placeholders (one pass: a value that contains `{1}` stays as it is). */
export function fillTemplate(template: string, args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}

/** The English text of a phrase or an argument. */
function english(a: ProblemArg): string {
  return typeof a === 'object' ? fillTemplate(a.template, (a.args ?? []).map(english)) : String(a);
}

/** A problem message from its English template (a string literal: it is the l10n key) and its arguments. */
export function problemText(template: string, ...args: ProblemArg[]): ProblemText {
  const plain = args.map((a) => (typeof a === 'object' ? (a.args?.length ? { template: a.template, args: a.args } : { template: a.template }) : a));
  const message = fillTemplate(template, plain.map(english));
  return plain.length ? { message, template, args: plain } : { message, template };
}

/** Translates like `vscode.l10n.t(message, ...args)`. */
export type TranslateMessage = (message: string, ...args: (string | number)[]) => string;

/** A phrase or argument in the language of `t` (nested phrases first). */
export function translatePhrase(p: ProblemArg, t: TranslateMessage): string {
  return typeof p === 'object' ? t(p.template, ...(p.args ?? []).map((a) => translatePhrase(a, t))) : String(p);
}

/** A problem's message in the language of `t`; its English `message` when it has no template. */
export function problemMessage(p: { message: string; template?: string; args?: ProblemArg[] }, t: TranslateMessage): string {
  return p.template === undefined ? p.message : translatePhrase({ template: p.template, args: p.args }, t);
}
