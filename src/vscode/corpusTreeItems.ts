/**
 * The Corpus tree as the editor shows it: the groupings with their texts, each row
 * (core/treeGroups.ts) mapped to a TreeItem, and the detail rows under a work. Corpus text is
 * cleaned and bounded (core/render.ts `cleanText`) and never becomes a link or a command of its
 * own.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { cleanText, displayName, renderPlain, yearOf } from '../core/render';
import type { Work } from '../core/model';
import { keywordsOf } from '../core/treeGroups';
import { type DetailNode, type Grouping, type ShelfUnit, type TreeNode, type WorkNode, rowDescription, shelfUnit } from '../core/treeNodes';
import type { WorkRole } from '../core/workStore';
import { workRole } from './citationText';
import type { CorpusService } from './corpusService';
import { CommandIds, WorkContext } from './ids';
import type { ManuscriptIndex } from './manuscriptIndex';

const ROLE_ICON: Record<WorkRole, vscode.ThemeIcon> = {
  record: new vscode.ThemeIcon('book'),
  related: new vscode.ThemeIcon('link', new vscode.ThemeColor('charts.blue')),
  cited: new vscode.ThemeIcon('quote', new vscode.ThemeColor('descriptionForeground')),
};

/** A grouping with its texts, translated when read (not when the module loads). */
function grouping(id: Grouping, label: () => string, detail: () => string, by: () => string) {
  return {
    id,
    get label() {
      return label();
    },
    get detail() {
      return detail();
    },
    /** The view's description: "by year". */
    get by() {
      return by();
    },
  };
}

export const GROUPINGS: readonly ReturnType<typeof grouping>[] = [
  grouping('file', () => vscode.l10n.t('Source file'), () => vscode.l10n.t('The corpus file each work comes from'), () => vscode.l10n.t('by source file')),
  grouping('year', () => vscode.l10n.t('Year'), () => vscode.l10n.t('Newest first'), () => vscode.l10n.t('by year')),
  grouping('author', () => vscode.l10n.t('Author'), () => vscode.l10n.t('Every author of a work'), () => vscode.l10n.t('by author')),
  grouping('journal', () => vscode.l10n.t('Journal'), () => vscode.l10n.t('Journal or other venue'), () => vscode.l10n.t('by journal')),
  grouping('keyword', () => vscode.l10n.t('Keyword'), () => vscode.l10n.t('Keywords of the records'), () => vscode.l10n.t('by keyword')),
  grouping('cited', () => vscode.l10n.t('Cited works'), () => vscode.l10n.t('Works known only from citations, with who cites them'), () => vscode.l10n.t('by cited works')),
];

/** The row text of a cited-only work: who cites it. */
export function citedByNote(w: Work, byId: ReadonlyMap<string, Work>): string {
  const by = w['x-corpus'].citedBy;
  if (by.length === 0) return vscode.l10n.t('cited');
  if (by.length > 2) return vscode.l10n.t('cited by {0} works', by.length);
  return vscode.l10n.t('cited by {0}', by.map((id) => byId.get(id)?.['citation-label'] ?? id).join(', '));
}

/** "3,412" in the display language's digits and grouping. */
function num(n: number): string {
  return n.toLocaleString(vscode.env.language);
}

function countText(n: number): string {
  return n === 1 ? vscode.l10n.t('1 work') : vscode.l10n.t('{0} works', num(n));
}

/** A shelf's count with what it counts: "1,550 authors", "412 works". */
function unitCount(unit: ShelfUnit, n: number): string {
  const one = n === 1;
  switch (unit) {
    case 'files':
      return one ? vscode.l10n.t('1 file') : vscode.l10n.t('{0} files', num(n));
    case 'years':
      return one ? vscode.l10n.t('1 year') : vscode.l10n.t('{0} years', num(n));
    case 'authors':
      return one ? vscode.l10n.t('1 author') : vscode.l10n.t('{0} authors', num(n));
    case 'journals':
      return one ? vscode.l10n.t('1 journal') : vscode.l10n.t('{0} journals', num(n));
    case 'keywords':
      return one ? vscode.l10n.t('1 keyword') : vscode.l10n.t('{0} keywords', num(n));
    case 'works':
      return countText(n);
  }
}

/** The TreeItem of a row (the hover card of a work is added when hovered: see the provider). */
export function treeItem(node: TreeNode, service: CorpusService, manuscripts: ManuscriptIndex | undefined): vscode.TreeItem {
  switch (node.type) {
    case 'group': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      // A file of one record says which (its file name is often a hash: 000_6ad9d3d0f971004f.txt).
      const record = node.record ? cleanText(node.record['citation-label'], 120) : undefined;
      item.description = rowDescription([record, countText(node.works.length)]);
      item.contextValue = 'corpusCite.group';
      if (node.file) {
        const uri = service.uriOf(node.file);
        if (uri) item.resourceUri = uri;
        item.iconPath = vscode.ThemeIcon.File;
        const title = node.record ? cleanText(node.record.title ?? node.record['x-corpus'].translatedTitle, 300) : '';
        item.tooltip = [service.displayPath(node.file), record && title ? `${record}: ${title}` : record, countText(node.works.length)].filter(Boolean).join(' — ');
      } else {
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = `${node.label} — ${countText(node.works.length)}`;
      }
      return item;
    }
    case 'work': {
      const w = node.work;
      const role = workRole(w);
      const item = new vscode.TreeItem(w['citation-label'], vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      // The title; a work known only from citations (no title) says who cites it instead.
      const rest = node.note ?? (cleanText(w.title ?? w['x-corpus'].translatedTitle, 200) || (role === 'cited' ? citedByNote(w, service.corpus.byId) : ''));
      // Counted on demand across the workspace's Markdown; shown once known.
      const cited = manuscripts?.peekCounts()?.get(w.id) ?? 0;
      item.description = rowDescription([cited ? vscode.l10n.t('cited {0}×', cited) : undefined, rest]);
      item.iconPath = ROLE_ICON[role];
      item.contextValue = WorkContext[role] + (w.DOI ? WorkContext.doiSuffix : '');
      item.accessibilityInformation = { label: cited ? `${renderPlain(w)} ${vscode.l10n.t('Cited {0} times in this workspace’s Markdown files.', cited)}` : renderPlain(w) };
      return item;
    }
    case 'shelf': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.description = unitCount(shelfUnit(node), node.count);
      item.iconPath = new vscode.ThemeIcon('list-tree');
      item.contextValue = 'corpusCite.shelf';
      item.tooltip =
        node.label === '#'
          ? vscode.l10n.t('Names that start with neither a letter nor a digit ({0})', unitCount(shelfUnit(node), node.count))
          : vscode.l10n.t('Names that start with “{0}” ({1})', node.label, unitCount(shelfUnit(node), node.count));
      return item;
    }
    case 'detail': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.description = node.description;
      item.tooltip = node.tooltip;
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.command = node.command;
      item.contextValue = 'corpusCite.detail';
      return item;
    }
    case 'relation': {
      // The count is in the label ("Cites (14)"): not again as a description.
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.contextValue = 'corpusCite.relation';
      return item;
    }
  }
}

/** The rows under a work: its details (authors, venue, year, DOI, keywords, sources) and relations. */
export function workDetails(node: WorkNode, service: CorpusService): TreeNode[] {
  const w = node.work;
  const x = w['x-corpus'];
  const out: TreeNode[] = [];
  const detail = (key: string, label: string, icon: string, extra: Partial<DetailNode> = {}) =>
    out.push({ type: 'detail', id: `${node.id}/d:${key}`, parent: node, label, icon, ...extra });

  const names = [...(w.author ?? []).map(displayName), ...(x.groupAuthors ?? []).map((g) => cleanText(g, 200))].filter(Boolean);
  if (names.length) {
    const shown = names.length > 6 ? `${names.slice(0, 6).join(', ')} et al. (${names.length})` : names.join(', ') + (x.etAl ? ' et al.' : '');
    detail('authors', shown, 'person', { tooltip: names.join('\n') });
  }
  if (x.translatedTitle && w.title) detail('translated', cleanText(x.translatedTitle, 300), 'globe', { tooltip: cleanText(x.translatedTitle, 2000) });
  const venue = cleanText(w['container-title'], 300);
  const vol = [w.volume ? cleanText(w.volume, 40) : '', w.issue ? `(${cleanText(w.issue, 40)})` : ''].join('');
  const where = [vol, w.page ? cleanText(w.page, 60) : ''].filter(Boolean).join(': ');
  if (venue || where) detail('venue', venue || where, 'library', { description: venue ? where || undefined : undefined, tooltip: [venue, where].filter(Boolean).join(', ') });
  const year = yearOf(w);
  if (year) detail('year', year, 'calendar');
  if (w.DOI) {
    const doi = cleanText(w.DOI, 300);
    detail('doi', doi, 'link-external', { tooltip: vscode.l10n.t('Open {0}', `https://doi.org/${doi}`), command: { command: CommandIds.openDoi, title: vscode.l10n.t('Open DOI'), arguments: [w.id] } });
  }
  const kws = keywordsOf(w);
  if (kws.length) detail('keywords', kws.join(', '), 'tag', { tooltip: kws.join('\n') });
  const seen = new Set<string>();
  for (const s of x.sources) {
    const key = `${s.file}:${s.line}`;
    if (seen.has(key) || seen.size >= 5) continue;
    seen.add(key);
    const label = `${path.basename(service.displayPath(s.file))}:${s.line}`;
    const what = s.relation === 'record' ? vscode.l10n.t('record') : s.relation === 'related' ? vscode.l10n.t('listed as related') : s.relation === 'reference' ? vscode.l10n.t('in a reference list') : vscode.l10n.t('cited');
    const uri = service.uriOf(s.file);
    detail(`src:${key}`, label, 'go-to-file', {
      description: what,
      tooltip: vscode.l10n.t('{0}, line {1}', service.displayPath(s.file), s.line),
      command: uri ? { command: 'vscode.open', title: vscode.l10n.t('Open Source Record'), arguments: [uri, { selection: new vscode.Range(s.line - 1, 0, s.line - 1, 0), preview: true }] } : undefined,
    });
  }
  const rel = (key: string, label: string, icon: string, ids: readonly string[]) => {
    if (ids.length) out.push({ type: 'relation', id: `${node.id}/${key}`, parent: node, label, icon, ids });
  };
  rel('cites', vscode.l10n.t('Cites ({0})', x.cites.length), 'arrow-right', x.cites);
  rel('citedBy', vscode.l10n.t('Cited by ({0})', x.citedBy.length), 'arrow-left', x.citedBy);
  rel('related', vscode.l10n.t('Related ({0})', x.related.length), 'references', x.related);
  return out;
}
