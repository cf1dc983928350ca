// The image's vulnerability scan, as pure rules (scripts/image/scan.sh runs the tools; decision 0068):
//   - the Debian packages: `apt-get -s upgrade` against the distribution's security suite lists every installed
//     package with a published security fix that the image lacks; each one is a known vulnerability;
//   - the npm tree: `npm audit --json` where its endpoint answers (it does not through this machine's proxy).
// Either kind may be accepted in the allowlist (ops/vulnerability-allowlist.json), each entry with its reason and a
// date after which it no longer counts, so that an accepted risk is looked at again.
import { z } from 'zod';

export interface PendingUpgrade {
  package: string;
  installed: string;
  candidate: string;
  /** The archives that carry the candidate, e.g. `Debian-Security:12/oldstable-security`. */
  origins: string[];
}

// `Inst libzstd1 [1.5.4+dfsg2-5] (1.5.4+dfsg2-5+deb12u1 Debian-Security:12/oldstable-security [amd64])`; a package
// that is not installed yet (a new dependency) has no `[installed]` part.
const instLine = /^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+) ([^[]+?) \[[^\]]+\]\)/;

/** The upgrades an `apt-get -s upgrade` (simulation) would make; the other lines (Conf, notes) are ignored. */
export function parseSimulatedUpgrade(output: string): PendingUpgrade[] {
  const pending: PendingUpgrade[] = [];
  for (const line of output.split('\n')) {
    const match = instLine.exec(line.trim());
    if (!match) continue;
    const [, name, installed, candidate, origins] = match;
    pending.push({
      package: name!,
      installed: installed ?? '(not installed)',
      candidate: candidate!,
      origins: origins!.split(',').map((origin) => origin.trim()),
    });
  }
  return pending;
}

/** A security fix: the candidate comes from the distribution's security archive. */
export function isSecurityFix(upgrade: PendingUpgrade): boolean {
  return upgrade.origins.some((origin) => /(^|\W)Debian-Security:|-security$/.test(origin));
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const allowance = z
  .object({
    reason: z.string().min(20, 'say why it does not apply (20 characters at least)'),
    until: isoDate,
  })
  .strict();

export const allowlistSchema = z
  .object({
    $comment: z.string().optional(),
    /** Debian packages by name. */
    debian: z.array(allowance.extend({ package: z.string().min(1) }).strict()).default([]),
    /** npm advisories by id (GHSA-…) or URL, as npm audit names them. */
    npm: z.array(allowance.extend({ advisory: z.string().min(1) }).strict()).default([]),
  })
  .strict();

export type Allowlist = z.infer<typeof allowlistSchema>;

export function parseAllowlist(json: unknown): Allowlist {
  return allowlistSchema.parse(json);
}

function stillAllowed(entry: { until: string }, today: string): boolean {
  return entry.until >= today;
}

export interface DebianVerdict {
  /** Security fixes the image lacks and nobody accepted: these fail the scan. */
  vulnerable: PendingUpgrade[];
  /** Security fixes accepted by a current allowlist entry. */
  allowed: Array<PendingUpgrade & { reason: string; until: string }>;
  /** Allowlist entries past their date (they no longer excuse anything, and are reported). */
  expired: string[];
  /** Upgrades that are not security fixes (point releases): reported, never failing. */
  otherUpgrades: number;
}

/** `today` as YYYY-MM-DD (the caller's clock), so that the rule is pure. */
export function judgeDebian(pending: PendingUpgrade[], allowlist: Allowlist, today: string): DebianVerdict {
  const verdict: DebianVerdict = { vulnerable: [], allowed: [], expired: [], otherUpgrades: 0 };
  const entries = new Map(allowlist.debian.map((entry) => [entry.package, entry]));
  verdict.expired = allowlist.debian.filter((entry) => !stillAllowed(entry, today)).map((entry) => entry.package);
  for (const upgrade of pending) {
    if (!isSecurityFix(upgrade)) {
      verdict.otherUpgrades += 1;
      continue;
    }
    const entry = entries.get(upgrade.package);
    if (entry && stillAllowed(entry, today))
      verdict.allowed.push({ ...upgrade, reason: entry.reason, until: entry.until });
    else verdict.vulnerable.push(upgrade);
  }
  return verdict;
}

export interface NpmFinding {
  package: string;
  severity: string;
  advisory: string;
  title: string;
}

const npmAuditSchema = z.object({
  vulnerabilities: z.record(
    z.string(),
    z.object({
      name: z.string(),
      severity: z.string(),
      // A string names another vulnerable package this one depends on; the advisory itself is on that one.
      via: z.array(
        z.union([
          z.string(),
          z
            .object({ source: z.union([z.number(), z.string()]).optional(), url: z.string(), title: z.string() })
            .passthrough(),
        ]),
      ),
    }),
  ),
});

const failingSeverities = new Set(['high', 'critical']);

/** Advisories of high or critical severity in `npm audit --json` output, minus current allowlist entries. */
export function judgeNpmAudit(
  auditJson: unknown,
  allowlist: Allowlist,
  today: string,
): { vulnerable: NpmFinding[]; allowed: NpmFinding[] } {
  const audit = npmAuditSchema.parse(auditJson);
  const allowed = allowlist.npm.filter((entry) => stillAllowed(entry, today)).map((entry) => entry.advisory);
  const findings = new Map<string, NpmFinding>();
  for (const vulnerability of Object.values(audit.vulnerabilities)) {
    for (const via of vulnerability.via) {
      if (typeof via === 'string') continue;
      const severity = String((via as { severity?: unknown }).severity ?? vulnerability.severity);
      if (!failingSeverities.has(severity)) continue;
      const advisory = via.url.split('/').pop() ?? via.url;
      findings.set(`${vulnerability.name} ${advisory}`, {
        package: vulnerability.name,
        severity,
        advisory,
        title: via.title,
      });
    }
  }
  const result = { vulnerable: [] as NpmFinding[], allowed: [] as NpmFinding[] };
  for (const finding of findings.values()) {
    const isAllowed = allowed.some((entry) => entry === finding.advisory || entry.endsWith(`/${finding.advisory}`));
    (isAllowed ? result.allowed : result.vulnerable).push(finding);
  }
  return result;
}
