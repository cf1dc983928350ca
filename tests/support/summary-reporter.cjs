// Ends every run with one plain line, "jest: N passed, N failed[, N skipped]", that CI and people can read at a glance,
// after the slowest test files and the CPU each kind of process used (where the suite's wall time goes; issue 9
// item 10 tracks it).
const { CpuSampler } = require('./cpu-sampler.cjs');

class SummaryReporter {
  onRunStart() {
    this.cpu = new CpuSampler();
    this.cpu.start();
  }

  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map((file) => ({
        name: file.testFilePath.replace(`${process.cwd()}/`, ''),
        ms: file.perfStats.end - file.perfStats.start,
      }))
      .filter((file) => Number.isFinite(file.ms) && file.ms > 0)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10);
    if (files.length > 1) {
      console.log('\nslowest test files:');
      for (const file of files) console.log(`  ${(file.ms / 1000).toFixed(1).padStart(7)} s  ${file.name}`);
    }
    const cpu = this.cpu?.report() ?? [];
    if (files.length > 1 && cpu.length > 0) console.log(`\n${cpu.join('\n')}`);
    const skipped = results.numPendingTests + results.numTodoTests;
    const parts = [`${results.numPassedTests} passed`, `${results.numFailedTests} failed`];
    if (skipped > 0) parts.push(`${skipped} skipped`);
    // Suites that failed to run (a syntax error, a failed beforeAll) count as failures too.
    const brokenSuites = results.numRuntimeErrorTestSuites;
    console.log(`\njest: ${parts.join(', ')}${brokenSuites ? ` (${brokenSuites} suites failed to run)` : ''}`);
  }
}
module.exports = SummaryReporter;
