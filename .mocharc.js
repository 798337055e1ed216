// Unit tests in plain Node. `npx mocha` runs them all; `npx mocha test/unit/x.test.ts` runs only the
// files named (a `spec` in the config would be added to them, so it is set only when none is given).
'use strict';
const named = process.argv.slice(2).some((a) => /\.test\.ts$/.test(a));
module.exports = {
  require: ['tsx/cjs'],
  extension: ['ts'],
  ...(named ? {} : { spec: ['test/unit/**/*.test.ts'] }),
  timeout: 20000,
};
