// The generated SDK is typed: a field name that does not exist fails to compile, the right one compiles. The SDK is
// generated as `npm run sdk` does (scripts/sdk/generate.ts) for the fixture domain: the Schema type from the latest
// versions of the platform's line and the fixture's, the endpoint types from a fixture instance's OpenAPI document.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { repoRoot } from '../../scripts/lib/paths.js';
import { generateSchemaTypes, type SchemaSnapshot } from '../../scripts/sdk/core/schema-types.js';
import { latestSnapshot, sdkFiles } from '../../scripts/sdk/generate.js';
import { platformSnapshotsDir } from '../../scripts/snapshots/store.js';
import { FIXTURE_LINE, useFixtureInstance } from './harness/fixture.js';
import { getJson } from './http.js';

const workDir = path.join(repoRoot, '.test-runs', 'sdk-types');
const fixture = useFixtureInstance({ name: 'sdk-fixture' });

function compile(file: string, source: string) {
  writeFileSync(path.join(workDir, file), source);
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
  const result = spawnSync(process.execPath, [tsc, ...args, '--target', 'es2023', path.join(workDir, file)], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const usage = (fields: string) => `import { readItems } from '@directus/sdk';
import { allowedTransitions, createGroundworkClient, readiness } from './client.js';

export async function example() {
  const client = createGroundworkClient('http://localhost:8055');
  const tasks = await client.request(readItems('tasks', { fields: [${fields}] }));
  const report = await client.request(readiness(['postgres']));
  const moves = await client.request(allowedTransitions('tasks', 'some-task'));
  return { tasks, status: report.status, moves };
}
`;

// schema/ as `npm run sdk` would write it for the fixture domain, by file name.
let files: Record<string, string>;

beforeAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  writeFileSync(path.join(workDir, 'package.json'), JSON.stringify({ type: 'module' }));
  const response = await getJson(`${fixture.instance.baseUrl}/groundwork/v1/openapi.json`, {
    headers: { authorization: `Bearer ${fixture.admin}` },
  });
  expect(response.status).toBe(200);
  files = await sdkFiles(response.body, latestSnapshot({ platform: platformSnapshotsDir(), domain: FIXTURE_LINE }));
  for (const name of ['directus-schema.ts', 'client.ts', 'api.d.ts'])
    writeFileSync(path.join(workDir, name), files[name]!);
});

describe('generated SDK types of the fixture domain', () => {
  it("types the fixture's collections and the platform's, from both lines", () => {
    const schema = files['directus-schema.ts']!;
    expect(schema).toContain('tests/fixtures/domain/snapshots/0001-fixture/schema.json');
    expect(schema).toContain('extensions/platform/snapshots/');
    expect(schema).toContain('  tasks: Tasks[];');
    expect(schema).toContain('  workflow_definitions: WorkflowDefinitions[];');
    expect(schema).not.toContain('tickets');
  });

  it('compiles a query with real field names, including a relational one', () => {
    const result = compile('right.ts', usage(`'title', 'estimate', { project: ['name'] }`));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('refuses a field name that does not exist', () => {
    const result = compile('wrong.ts', usage(`'titel'`));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('titel');
  });

  it('refuses a field of the wrong related collection', () => {
    // title is a field of tasks, not of projects.
    const result = compile('wrong-relation.ts', usage(`{ project: ['title'] }`));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('title');
  });
});

describe('generated SDK types of a singleton', () => {
  // The fixture domain has none: the generator's own test schema (tests/fixtures/sdk, its unit test's) has one.
  const singletonDir = path.join(workDir, 'singleton');
  const read = (field: string) => `import { readSingleton } from '@directus/sdk';
import { createGroundworkClient } from './client.js';

export async function example() {
  const settings = await createGroundworkClient('http://localhost:8055').request(readSingleton('desk_settings'));
  return settings.${field};
}
`;

  beforeAll(() => {
    mkdirSync(singletonDir, { recursive: true });
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/sdk/schema.json'), 'utf8'));
    writeFileSync(path.join(singletonDir, 'directus-schema.ts'), generateSchemaTypes(schema as SchemaSnapshot, 'sdk'));
    for (const name of ['client.ts', 'api.d.ts']) writeFileSync(path.join(singletonDir, name), files[name]!);
  });

  it('reads a singleton as one item, and refuses a field it does not have', () => {
    const right = compile(path.join('singleton', 'right.ts'), read('auto_close_days'));
    expect(right.output).toBe('');
    expect(right.code).toBe(0);
    const wrong = compile(path.join('singleton', 'wrong.ts'), read('auto_close_dayz'));
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toContain('auto_close_dayz');
  });
});
