import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Pure cores stay free of Directus so they can be unit-tested and reused (docs/architecture.md).
const directusImports = { group: ['@directus/*', 'directus'], message: 'core code is pure: no Directus imports' };
// The platform is kept while a team swaps the domain: it imports nothing from one (decision 0028). Domain notions
// it needs (audience groups, personal data, workflow guards) are registered through the platform API.
const domainImports = {
  group: ['**/service-desk/**', '**/snapshots/**'],
  message: 'the platform imports nothing from a domain: register through the platform API (decision 0028)',
};

// The platform's own tests (tests/) run on the fixture domain or on whatever domain the stack migrated; a domain's
// tests live in its folder (extensions/<domain>/tests), where a team that swaps the domain replaces them.
const otherExtensionImports = {
  group: ['**/extensions/*/**', '!**/extensions/platform/**'],
  message: "the platform's tests import nothing from a domain: domain tests live in extensions/<domain>/tests",
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', '.test-runs/**', 'coverage/**', 'schema/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' },
    },
    // CommonJS modules load each other with require() (Jest's reporters are CommonJS files).
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['extensions/platform/src/**/*.ts', 'extensions/platform/spec/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [domainImports] }] },
  },
  {
    files: ['tests/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [otherExtensionImports] }] },
  },
  {
    files: ['extensions/*/src/**/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [directusImports] }] },
  },
  {
    // Both rules for the platform's cores (a later block replaces a rule, it does not add to it).
    files: ['extensions/platform/src/**/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [directusImports, domainImports] }] },
  },
);
