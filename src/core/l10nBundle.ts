/**
 * The extension's l10n bundle for code outside VS Code (the CLI): the same
 * `l10n/bundle.l10n.<locale>.json` that `vscode.l10n` reads, chosen by the usual locale
 * variables, so the terminal speaks the language the editor does. English (the messages
 * themselves) when no bundle matches.
 */
import * as fs from 'fs';
import * as path from 'path';
import { type Translate, englishText } from './render';

/** `zh_CN.UTF-8`, `zh-Hans-CN`, `zh` → `zh-cn`; `C`, `POSIX`, English or unset → undefined. */
export function localeFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  // LANGUAGE is a list (`zh_CN:en`); LC_ALL overrides LC_MESSAGES, which overrides LANG.
  const raw = env.CORPUS_CITE_LOCALE || env.LANGUAGE?.split(':')[0] || env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  const tag = raw.replace(/[.@].*$/, '').replace(/_/g, '-').toLowerCase();
  if (!tag || tag === 'c' || tag === 'posix' || tag.startsWith('en')) return undefined;
  if (tag === 'zh' || tag.startsWith('zh-cn') || tag.startsWith('zh-hans') || tag === 'zh-sg') return 'zh-cn';
  return tag;
}

/** A translation function over the bundle of `locale` in `dir` (English when there is none). */
export function bundleTranslate(dir: string, locale: string | undefined): Translate {
  if (!locale) return englishText;
  let bundle: Record<string, unknown>;
  try {
    bundle = JSON.parse(fs.readFileSync(path.join(dir, `bundle.l10n.${locale}.json`), 'utf8')) as Record<string, unknown>;
  } catch {
    return englishText;
  }
  return (message, ...args) => {
    const m = bundle[message];
    return englishText(typeof m === 'string' ? m : message, ...args);
  };
}
