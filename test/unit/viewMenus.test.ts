/**
 * The Corpus view's header, from package.json: few enough title icons that "Corpus Cite: Corpus"
 * and its description fit beside them, the rest in the `…` menu, and none of the view's actions
 * on its welcome (no corpus files: nothing to group, filter, reveal or re-index).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helpers/corpus';

interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}

type Context = Record<string, string | boolean>;

/** Evaluates the `when` clauses package.json uses here: `a && b`, `!key`, `key`, `key == v`, `key != v`. */
function holds(when: string | undefined, ctx: Context): boolean {
  if (!when) return true;
  return when.split('&&').every((raw) => {
    const term = raw.trim();
    let m = /^([\w.]+)\s*(==|!=)\s*([\w.]+)$/.exec(term);
    if (m) {
      const v = String(ctx[m[1]] ?? '');
      return m[2] === '==' ? v === m[3] : v !== m[3];
    }
    m = /^(!?)([\w.]+)$/.exec(term);
    assert.ok(m, `a when clause this test cannot read: ${term}`);
    const v = Boolean(ctx[m[2]]);
    return m[1] ? !v : v;
  });
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { menus: { 'view/title': MenuItem[] }; viewsWelcome: { view: string; when: string }[]; commands: { command: string; icon?: string }[] } };
const titleItems = pkg.contributes.menus['view/title'];

/** Every combination of the context keys the view's menus and welcome read. */
function contexts(): Context[] {
  const out: Context[] = [];
  for (const state of ['indexing', 'empty', 'ready'])
    for (const hasWorks of [false, true])
      for (const filtered of [false, true])
        for (const sampleOpen of [false, true])
          for (const workbenchState of ['empty', 'folder']) {
            if (state === 'empty' && hasWorks) continue; // no corpus files, no works
            if (filtered && !hasWorks && state !== 'indexing') continue;
            out.push({ view: 'corpusCite.corpus', 'corpusCite.state': state, 'corpusCite.hasWorks': hasWorks, 'corpusCite.filtered': filtered, 'corpusCite.sampleOpen': sampleOpen, workbenchState });
          }
  return out;
}

describe('the Corpus view header (package.json view/title)', () => {
  it('shows at most two icons of its own (the view adds Collapse All), each with an icon', () => {
    const icons = new Map(pkg.contributes.commands.map((c) => [c.command, c.icon]));
    for (const ctx of contexts()) {
      const nav = titleItems.filter((i) => i.group?.startsWith('navigation') && holds(i.when, ctx));
      assert.ok(nav.length <= 2, `${nav.map((i) => i.command).join(', ')} in ${JSON.stringify(ctx)}`);
      for (const i of nav) assert.ok(icons.get(i.command), `${i.command} has no icon`);
    }
    // With works: Filter (or Change Filter) and Group By are the two.
    const ready = { view: 'corpusCite.corpus', 'corpusCite.state': 'ready', 'corpusCite.hasWorks': true };
    const navOf = (ctx: Context) => titleItems.filter((i) => i.group?.startsWith('navigation') && holds(i.when, ctx)).map((i) => i.command);
    assert.deepStrictEqual(navOf({ ...ready, 'corpusCite.filtered': false }), ['corpusCite.filter', 'corpusCite.groupBy']);
    assert.deepStrictEqual(navOf({ ...ready, 'corpusCite.filtered': true }), ['corpusCite.editFilter', 'corpusCite.groupBy']);
  });

  it('keeps the rest in the … menu: Clear Filter, Reveal, the citation map, Re-index, the sample corpus, the log', () => {
    const more = titleItems.filter((i) => !i.group?.startsWith('navigation')).map((i) => i.command);
    for (const c of ['corpusCite.clearFilter', 'corpusCite.revealCurrent', 'corpusCite.showCitationMap', 'corpusCite.reindex', 'corpusCite.showLog']) assert.ok(more.includes(c), c);
  });

  it('offers none of the view’s actions on its welcome (only Show Log, in the … menu)', () => {
    const welcome = pkg.contributes.viewsWelcome.filter((w) => w.view === 'corpusCite.corpus');
    let seen = 0;
    for (const ctx of contexts()) {
      if (!welcome.some((w) => holds(w.when, ctx))) continue;
      seen++;
      const shown = titleItems.filter((i) => holds(i.when, ctx)).map((i) => i.command);
      assert.deepStrictEqual(shown, ['corpusCite.showLog'], JSON.stringify(ctx));
    }
    assert.ok(seen > 0, 'the welcome shows in some context');
  });
});
