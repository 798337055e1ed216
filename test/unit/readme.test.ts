/** README's "In VS Code" section documents every contributed command and setting. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helpers/corpus';

describe('README: In VS Code', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## In VS Code');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string; title: string }[]; configuration: { properties: Record<string, unknown> } } };
  const nls = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;

  it('exists', () => assert.ok(start >= 0, 'no "## In VS Code" section'));

  it('names every command by its title', () => {
    for (const c of pkg.contributes.commands) {
      const title = (nls[c.title.replace(/^%|%$/g, '')] ?? c.title).replace(/…$/, '');
      assert.ok(section.includes(title), `${c.command} (${title}) is not documented`);
    }
  });

  it('documents every setting', () => {
    for (const key of Object.keys(pkg.contributes.configuration.properties)) assert.ok(section.includes(`\`${key}\``), `${key} is not documented`);
  });

  it('shows the screenshots, which exist', () => {
    for (const m of section.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) assert.ok(fs.existsSync(path.join(ROOT, m[1])), `${m[1]} is missing`);
    for (const shot of ['tree', 'completion', 'hover']) assert.ok(section.includes(`media/screenshots/${shot}.png`), `${shot}.png is not shown`);
  });
});
