import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BUNDLED_STYLES, resolveStyle } from '../../src/core/format/styles';
import { BIBLIOGRAPHY_STYLES, DEFAULT_CORPUS_GLOBS, SETTINGS_SECTION, SETTING_ENUMS, SETTING_KEYS, SETTING_SUGGESTIONS, SettingsSchema, defaultSettings, parseSettings } from '../../src/core/model/settings';

interface ConfigProperty {
  default?: unknown;
  enum?: unknown[];
  anyOf?: { enum?: unknown[] }[];
  type?: string;
}

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, ConfigProperty> } };
};
const properties = pkg.contributes.configuration.properties;

describe('settings', () => {
  it('package.json contributes exactly the keys of the zod schema', () => {
    const contributed = Object.keys(properties).sort();
    const schema = SETTING_KEYS.map((k) => `${SETTINGS_SECTION}.${k}`).sort();
    assert.deepStrictEqual(contributed, schema);
  });

  it('package.json defaults equal the zod defaults', () => {
    const defaults = defaultSettings();
    for (const key of SETTING_KEYS) {
      assert.deepStrictEqual(properties[`${SETTINGS_SECTION}.${key}`].default, defaults[key], `default of ${key}`);
    }
  });

  it('package.json enums equal the zod enums', () => {
    for (const key of SETTING_KEYS) {
      const options = SETTING_ENUMS[key];
      const offered = properties[`${SETTINGS_SECTION}.${key}`].enum;
      assert.deepStrictEqual(offered, options ? [...options] : undefined, `enum of ${key}`);
      if (options) for (const o of options) assert.ok(SettingsSchema.shape[key].safeParse(o).success, `${key} accepts ${o}`);
    }
  });

  it('package.json suggests exactly the shipped styles, and each is a style that resolves', () => {
    for (const key of SETTING_KEYS) {
      const options = SETTING_SUGGESTIONS[key];
      const offered = properties[`${SETTINGS_SECTION}.${key}`].anyOf?.find((b) => b.enum)?.enum;
      assert.deepStrictEqual(offered, options ? [...options] : undefined, `suggestions of ${key}`);
    }
    for (const s of BIBLIOGRAPHY_STYLES) assert.ok(resolveStyle(s), `${s} is a shipped style`);
    assert.deepStrictEqual([...BIBLIOGRAPHY_STYLES], BUNDLED_STYLES.map((s) => s.id));
  });

  it('fills every field with its default when nothing is set', () => {
    const { settings, warnings } = parseSettings(undefined);
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(settings.corpus, [...DEFAULT_CORPUS_GLOBS]);
    assert.strictEqual(settings.citationStyle, 'pandoc');
    assert.strictEqual(settings.maxFileSizeMB, 64);
    assert.strictEqual(settings.bibliographyStyle, 'apa');
  });

  it('keeps good values', () => {
    const { settings, warnings } = parseSettings({ corpus: ['refs/*.bib'], citationStyle: 'narrative', maxFileSizeMB: 8, bibliographyStyle: 'vancouver' });
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(settings, { corpus: ['refs/*.bib'], citationStyle: 'narrative', maxFileSizeMB: 8, bibliographyStyle: 'vancouver', styleFolders: [], indexCache: true });
  });

  it('a bad value falls back to its own default with one warning, the others stay', () => {
    const { settings, warnings } = parseSettings({ corpus: 'refs/*.bib', citationStyle: 'chicago', maxFileSizeMB: -3, bibliographyStyle: 'harvard1' });
    assert.strictEqual(warnings.length, 3);
    assert.match(warnings.join('\n'), /corpusCite\.corpus/);
    assert.match(warnings.join('\n'), /corpusCite\.citationStyle/);
    assert.match(warnings.join('\n'), /corpusCite\.maxFileSizeMB/);
    assert.deepStrictEqual(settings.corpus, [...DEFAULT_CORPUS_GLOBS]);
    assert.strictEqual(settings.citationStyle, 'pandoc');
    assert.strictEqual(settings.maxFileSizeMB, 64);
    assert.strictEqual(settings.bibliographyStyle, 'harvard1');
  });

  it('the default globs never take node_modules or bare .json files', () => {
    for (const g of DEFAULT_CORPUS_GLOBS) {
      assert.doesNotMatch(g, /node_modules/);
      assert.notStrictEqual(g, '**/*.json');
    }
  });
});
