/**
 * Citations in VS Code's built-in Markdown preview: the markdown-it plugin of the core
 * (core/markdownItCitations.ts), given the current corpus and the style settings. Formatting
 * (citeproc) runs in the index worker, never in the extension host: a render whose citations are
 * not formatted yet shows them as written, asks the worker, and refreshes the preview when the
 * answer is there. Results are kept per request, so typing prose re-renders from the cache.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { RenderRequest, RenderResult } from '../core/citationJsImpl';
import { type MarkdownItLike, type PreviewCorpus, type PreviewRender, citationsPlugin } from '../core/markdownItCitations';
import { resolveStyle } from '../core/styles';
import { headOf } from '../core/workStore';
import type { CorpusService } from './corpusService';

/** Formatted results kept, most recent last (a few documents and styles at once). */
const KEEP = 16;

export interface MarkdownPreview extends vscode.Disposable {
  extendMarkdownIt<T>(md: T): T;
}

/** The open Markdown document holding exactly `text` (the active editor's first). */
function documentWithText(text: string): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === 'markdown' && active.getText() === text) return active.uri;
  return vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && d !== active && d.getText() === text)?.uri;
}

export function registerMarkdownPreview(service: CorpusService, log: vscode.LogOutputChannel): MarkdownPreview {
  const results = new Map<string, RenderResult>();
  /** The last few answers with their requests: what a changed request can take over while the worker formats it. */
  let recent: { req: RenderRequest; out: RenderResult }[] = [];
  const pending = new Set<string>();
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void vscode.commands.executeCommand('markdown.preview.refresh').then(undefined, () => undefined), 50);
  };

  /**
   * While the worker formats a changed request (one citation edited), the clusters that did not
   * change keep their formatted text from the last answer in the same style, and the reference
   * list stays: only the edited citation shows as written, instead of the whole document
   * flashing back to raw keys for the few hundred milliseconds a re-format takes. (A numeric
   * style's numbers may be the old ones until the answer is in.)
   */
  const carryOver = (req: RenderRequest): PreviewRender | undefined => {
    const prev = recent.find((r) => r.req.style.key === req.style.key && r.req.lang === req.lang);
    if (!prev) return undefined;
    const byCluster = new Map<string, string>();
    prev.req.clusters.forEach((c, i) => byCluster.set(JSON.stringify(c), prev.out.clusters[i]));
    const clusters = req.clusters.map((c) => byCluster.get(JSON.stringify(c)));
    // Most clusters the same: the same document, edited. Otherwise (another document) nothing is
    // carried over, least of all another document's reference list.
    if (clusters.filter((c) => c !== undefined).length * 2 <= req.clusters.length) return undefined;
    return { clusters, bibliography: prev.out.bibliography, stale: true };
  };

  const render = (req: RenderRequest, key: string): PreviewRender | undefined => {
    const hit = results.get(key);
    if (hit) {
      results.delete(key);
      results.set(key, hit);
      return hit;
    }
    if (!pending.has(key)) {
      pending.add(key);
      service.renderCitations(req).then(
        (r) => {
          pending.delete(key);
          results.set(key, r);
          recent = [{ req, out: r }, ...recent.filter((x) => x.req.style.key !== req.style.key || x.req.lang !== req.lang)].slice(0, 4);
          while (results.size > KEEP) results.delete(results.keys().next().value as string);
          refresh();
        },
        (e: unknown) => {
          pending.delete(key);
          log.warn(`[preview] could not format the citations: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
    }
    return carryOver(req);
  };

  const corpus: PreviewCorpus = {
    work: (key) => service.lookup.id(key),
    authorDate: (c) => (c.authors?.length ? service.lookup.authorYear(c.authors[0], c.year, c.yearSuffix) : []),
    records: () => service.works.filter((w) => headOf(w).role !== 'cited'),
    version: () => service.version,
    render,
    style: (meta, env, src) => {
      // The built-in preview parses with an empty env (its renderer alone gets currentDocument):
      // a `csl:` path relative to the manuscript needs the document, found by its text.
      const doc = (env as { currentDocument?: vscode.Uri } | undefined)?.currentDocument ?? (meta.csl ? documentWithText(src) : undefined);
      const baseDir = doc?.scheme === 'file' ? path.dirname(doc.fsPath) : undefined;
      const opts = service.styleOptions(baseDir);
      const name = meta.csl ?? service.settings.bibliographyStyle;
      const style = resolveStyle(name, opts);
      if (style) return { style };
      const fallback = resolveStyle('apa')!;
      return { style: fallback, problem: vscode.l10n.t('Corpus Cite: no CSL style "{0}" (not a shipped style, a style in corpusCite.styleFolders or Zotero\'s styles folder, nor a readable .csl file); the citations are shown in APA.', name) };
    },
  };

  const subscriptions = [
    service.onDidChange(() => {
      results.clear();
      recent = [];
      refresh();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('corpusCite.bibliographyStyle') || e.affectsConfiguration('corpusCite.styleFolders')) refresh();
    }),
  ];

  return {
    extendMarkdownIt<T>(md: T): T {
      citationsPlugin(md as unknown as MarkdownItLike, () => corpus);
      return md;
    },
    dispose() {
      if (refreshTimer) clearTimeout(refreshTimer);
      for (const s of subscriptions) s.dispose();
    },
  };
}
