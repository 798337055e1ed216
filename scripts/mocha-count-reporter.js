// Mocha's spec reporter plus one machine-readable line with the counts, read by run-tests.js.
const Mocha = require('mocha');

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => passed++);
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => failed++);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      process.stdout.write(`\nUNIT-RESULT passed=${passed} failed=${failed}\n`);
    });
  }
}

module.exports = CountReporter;
