// compiledValidation against the function it replaces, Directus's own validatePayload, on the same rules and rows:
// the errors (Joi's details) must be the same, row by row.
import { compiledValidation } from './payload-checks.js';

type Filter = Record<string, unknown>;
interface Utils {
  validatePayload: (filter: Filter, payload: Record<string, unknown>) => Array<{ details: unknown[] }>;
  generateJoi: (filter: Filter) => never;
  injectFunctionResults: (payload: Record<string, unknown>, filter: Filter) => Record<string, unknown>;
}

const rules: Array<[string, Filter]> = [
  [
    'required, not null and a list of values',
    {
      _and: [
        { subject: { _submitted: true } },
        { subject: { _nnull: true } },
        { priority: { _in: ['low', 'normal', 'high'] } },
      ],
    },
  ],
  [
    'one of two rules (_or), with a nested _and',
    {
      _or: [{ status: { _eq: 'open' } }, { _and: [{ status: { _eq: 'closed' } }, { resolution: { _nempty: true } }] }],
    },
  ],
  ['a pattern and a length', { _and: [{ slug: { _regex: '^[a-z0-9-]+$' } }, { slug: { _starts_with: 'kb-' } }] }],
  ['numbers between', { _and: [{ amount: { _between: [1, 100] } }, { amount: { _neq: 13 } }] }],
  ['a function of a field', { _and: [{ 'year(due)': { _gte: 2026 } }] }],
  ['an empty _or', { _or: [] }],
];
const rows: Array<Record<string, unknown>> = [
  {},
  { subject: 'Printer', priority: 'high', status: 'open' },
  { subject: null, priority: 'urgent', status: 'closed', resolution: '' },
  { subject: 'x', status: 'closed', resolution: 'fixed', slug: 'kb-ok-1', amount: 50, due: '2027-01-02' },
  { slug: 'Not OK', amount: 13, due: '2020-05-01' },
  { slug: 'kb-', amount: '7', due: null, status: null },
];

/** The errors' details, or what was thrown (a function of a missing date throws in Directus as well). */
function outcome(check: () => Array<{ details: unknown[] }>): { errors: unknown[][] } | { threw: string } {
  try {
    return { errors: check().map((error) => error.details) };
  } catch (error) {
    return { threw: String(error) };
  }
}

let utils: Utils;
beforeAll(async () => {
  utils = (await import(['@directus', 'utils'].join('/'))) as Utils;
});

describe('compiledValidation gives what Directus validatePayload gives', () => {
  it.each(rules)('%s', (_name, filter) => {
    const validate = compiledValidation(filter, utils);
    let failures = 0;
    for (const row of rows) {
      const before = JSON.stringify(row);
      const expected = outcome(() => utils.validatePayload(filter, row));
      expect(outcome(() => validate(row))).toEqual(expected);
      expect(JSON.stringify(row)).toBe(before);
      failures += 'errors' in expected ? expected.errors.length : 1;
    }
    // Each rule with branches refuses some row, so the comparison covers errors, not only passes.
    if (filter['_or'] === undefined || (filter['_or'] as unknown[]).length > 0) expect(failures).toBeGreaterThan(0);
  });

  it('a rule Directus cannot make a schema of fails each check, as validatePayload throws on each call', () => {
    const validate = compiledValidation({ _and: [{}] }, utils);
    expect(() => utils.validatePayload({ _and: [{}] }, { a: 1 })).toThrow();
    expect(() => validate({ a: 1 })).toThrow();
  });
});
