// Ends every run with one plain line, "jest: N passed, N failed[, N skipped]", that CI and people can read at a glance.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const parts = [`${results.numPassedTests} passed`, `${results.numFailedTests} failed`];
    if (skipped > 0) parts.push(`${skipped} skipped`);
    // Suites that failed to run (a syntax error, a failed beforeAll) count as failures too.
    const brokenSuites = results.numRuntimeErrorTestSuites;
    console.log(`\njest: ${parts.join(', ')}${brokenSuites ? ` (${brokenSuites} suites failed to run)` : ''}`);
  }
}
module.exports = SummaryReporter;
