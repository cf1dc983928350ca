// Two tiers: `unit` (pure core code, no Directus, fast) and `integration` (a real Directus on a throwaway
// Postgres database, over HTTP). Sources are ESM TypeScript, so jest runs in ESM mode (see package.json "test").
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  // Sources import './x.js' (NodeNext); jest resolves the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }] },
};

export default {
  // Integration tests start Directus processes; unit tests finish in milliseconds either way.
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.cjs'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/extensions/*/src/**/*.test.ts', '<rootDir>/scripts/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/integration/harness/global-setup.mjs',
      globalTeardown: '<rootDir>/tests/integration/harness/global-teardown.mjs',
    },
  ],
};
