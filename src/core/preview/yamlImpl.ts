/**
 * js-yaml, bundled into dist/yaml.js of its own and required on the first front matter read
 * (`readCitationMeta`), so activation does not parse its 44 KB.
 */
const yaml = require('js-yaml') as { load(s: string, o?: object): unknown };

/** js-yaml's `load`. */
export const load: (s: string, o?: object) => unknown = yaml.load;
