// The deployment files, checked offline: the Kubernetes manifests against the Kubernetes API schemas
// (kubernetes-models), and each of them, compose and the Dockerfile against what the code expects, so a renamed
// route, a new setting or a changed entry point cannot leave them behind.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { checkEnv } from '../../extensions/platform/src/shared/env.js';
import { repoRoot } from '../lib/paths.js';

const kubernetesDir = path.join(repoRoot, 'ops', 'kubernetes');
const read = (...parts: string[]) => readFileSync(path.join(repoRoot, ...parts), 'utf8');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };
type Container = {
  name: string;
  image: string;
  command?: string[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: unknown[];
  securityContext?: Record<string, unknown>;
  readinessProbe?: { httpGet: { path: string } };
  livenessProbe?: { httpGet: { path: string } };
  startupProbe?: { httpGet: { path: string } };
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
};
type PodSpec = {
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  containers: Container[];
};

const kustomization = parse(read('ops', 'kubernetes', 'kustomization.yaml')) as { resources: string[] };
const manifests: Manifest[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(kubernetesDir, file), 'utf8')).map((doc) => doc.toJS() as Manifest),
);
const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const podSpec = (manifest: Manifest) => (manifest.spec as { template: { spec: PodSpec } }).template.spec;
const named = (kind: string, name: string) => byKind(kind).find((manifest) => manifest.metadata.name === name)!;
/** Groundwork's own workloads (clamav.yaml runs the scanner's image). */
const workloads = [...byKind('Deployment'), ...byKind('Job')].filter((manifest) => manifest.metadata.name !== 'clamav');

// The image's CMD, as `sh -c "<migrate> && exec <start>"`.
const dockerfileCmd = (() => {
  const line = read('Dockerfile')
    .split('\n')
    .find((text) => text.startsWith('CMD '));
  return (JSON.parse(line!.slice(4)) as string[])[2]!;
})();

describe('Kubernetes manifests (ops/kubernetes)', () => {
  it('are each valid against the Kubernetes API schema of their kind', async () => {
    expect(manifests.map((manifest) => manifest.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'Deployment', 'Job', 'Namespace', 'PodDisruptionBudget', 'Service', 'Service'].sort(),
    );
    for (const manifest of manifests) {
      const group = manifest.apiVersion; // "v1", "apps/v1", "batch/v1", "policy/v1"
      const models = (await import(`kubernetes-models/${group}`)) as Record<string, new (data: unknown) => never>;
      const Model = models[manifest.kind] as unknown as new (data: unknown) => { validate(): void };
      expect(Model).toBeDefined();
      expect(() => new Model(manifest).validate()).not.toThrow();
    }
  });

  it('the schema check catches a broken manifest (so the test above can fail)', async () => {
    const { Deployment } = await import('kubernetes-models/apps/v1');
    const broken = structuredClone(named('Deployment', 'groundwork')) as Manifest & { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });

  it('keep secrets out of the ConfigMap, and its settings pass the platform env check', () => {
    const data = (byKind('ConfigMap')[0]!.data ?? {}) as Record<string, string>;
    const secretLike = Object.keys(data).filter((key) => /(SECRET|PASSWORD|TOKEN|(^|_)KEY)$/.test(key));
    expect(secretLike).toEqual([]);
    // As the image runs it: NODE_ENV=production (Dockerfile), where a malware scanner is required (decision 0061).
    const checked = checkEnv({ NODE_ENV: 'production', ...data, SECRET: 'x'.repeat(48) });
    expect(checked).toMatchObject({ ok: true });
  });

  it('scan uploads with the clamd the manifests run (without it production would not start)', () => {
    const data = (byKind('ConfigMap')[0]!.data ?? {}) as Record<string, string>;
    const service = named('Service', data.GROUNDWORK_CLAMD_HOST!) as Manifest & {
      spec: { selector: Record<string, string>; ports: { port: number }[] };
    };
    expect(service.spec.ports.map((port) => port.port)).toContain(Number(data.GROUNDWORK_CLAMD_PORT));
    const clamav = named('Deployment', 'clamav') as Manifest & {
      spec: { template: { metadata: { labels: Record<string, string> } } };
    };
    expect(clamav.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    const { GROUNDWORK_CLAMD_HOST: _host, ...withoutHost } = data;
    expect(checkEnv({ NODE_ENV: 'production', ...withoutHost, SECRET: 'x'.repeat(48) })).toMatchObject({ ok: false });
  });

  it('run as a non-root user without privilege escalation, with settings from the ConfigMap and the Secret only', () => {
    expect(workloads.length).toBe(2);
    for (const workload of workloads) {
      const spec = podSpec(workload);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const container of spec.containers) {
        expect(container.image).toBe('groundwork');
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.env).toBeUndefined(); // no inline values, secret or not
        expect(container.envFrom).toEqual([
          { configMapRef: { name: 'groundwork' } },
          { secretRef: { name: 'groundwork' } },
        ]);
      }
    }
  });

  it('migrate in the Job with the image entry, and only start in the Deployment', () => {
    const [migrate, start] = dockerfileCmd.replace(/^\s*/, '').split(/\s*&&\s*exec\s+/);
    const job = podSpec(byKind('Job')[0]!).containers[0]!;
    const directus = podSpec(named('Deployment', 'groundwork')).containers[0]!;
    expect(job.command?.join(' ')).toBe(migrate);
    expect(directus.command?.join(' ')).toBe(start);
    const compose = parse(read('docker-compose.yml')) as {
      services: Record<string, { command?: string[] }>;
    };
    expect(compose.services.bootstrap!.command!.join(' ')).toBe(migrate);
    expect(compose.services.directus!.command!.join(' ')).toBe(start);
  });

  it('probe the platform health routes and give a stopping pod time to drain', () => {
    const routes = read('extensions', 'platform', 'src', 'health', 'routes.ts');
    const prefix = /const PREFIX = '([^']+)'/.exec(routes)![1]!;
    expect(routes).toContain('`${PREFIX}/live`');
    expect(routes).toContain('`${PREFIX}/ready`');
    const deployment = named('Deployment', 'groundwork');
    const spec = podSpec(deployment);
    const directus = spec.containers[0]!;
    expect(directus.readinessProbe?.httpGet.path).toBe(`${prefix}/ready`);
    expect(directus.livenessProbe?.httpGet.path).toBe(`${prefix}/live`);
    expect(directus.startupProbe?.httpGet.path).toBe(`${prefix}/live`);
    expect(deployment.spec).toMatchObject({ strategy: { rollingUpdate: { maxUnavailable: 0 } } });

    const data = byKind('ConfigMap')[0]!.data as Record<string, string>;
    const drainSeconds =
      (directus.lifecycle?.preStop?.sleep?.seconds ?? 0) +
      Number(data.SERVER_SHUTDOWN_TIMEOUT) / 1000 +
      Number(data.JOBS_SHUTDOWN_TIMEOUT_MS) / 1000;
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(drainSeconds);
  });
});
