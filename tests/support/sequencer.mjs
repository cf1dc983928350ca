// Longest files first, so that with two workers neither is left running one long file alone at the end. Jest's own
// order does this from the durations in its cache, and falls back to file size without one (a fresh clone, as in
// CI), which starts jobs-instances.test.ts (small, but two cron minutes of waiting) among the last. Files without a
// cached duration take the one below (seconds, from the summary reporter's slowest files), else their size decides.
import testSequencer from '@jest/test-sequencer';

const Sequencer = testSequencer.default;

const KNOWN_SECONDS = {
  'tests/integration/jobs-instances.test.ts': 135,
  'tests/integration/snapshots.test.ts': 200,
  'tests/integration/platform-fixture.test.ts': 90,
  'extensions/service-desk/tests/security-auth.test.ts': 78,
  'extensions/service-desk/tests/access-matrix.test.ts': 70,
};

class LongestFirst extends Sequencer {
  sort(tests) {
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    const duration = (test) => {
      const cached = this.time(test);
      if (cached != null) return cached;
      const known = KNOWN_SECONDS[test.path.replace(`${test.context.config.rootDir}/`, '')];
      return known == null ? undefined : known * 1000;
    };
    for (const test of tests) test.duration = duration(test);
    return tests.sort((a, b) => {
      const failedA = this.hasFailed(a);
      if (failedA !== this.hasFailed(b)) return failedA ? -1 : 1;
      if ((a.duration == null) !== (b.duration == null)) return a.duration == null ? 1 : -1;
      if (a.duration != null && a.duration !== b.duration) return b.duration - a.duration;
      return size(b) - size(a);
    });
  }
}

export default LongestFirst;
