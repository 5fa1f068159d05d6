// Mocha's spec output, then one plain closing line "N passed, N failed" that CI's log reader understands.
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

module.exports = class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        runner.once(EVENT_RUN_END, () => {
            const s = runner.stats;
            process.stdout.write(`\n${s.pending} skipped\n${s.passes} passed, ${s.failures} failed\n`);
        });
    }
};
