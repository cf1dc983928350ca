import {
  isSecurityFix,
  judgeDebian,
  judgeNpmAudit,
  parseAllowlist,
  parseSimulatedUpgrade,
  type Allowlist,
} from './vulnerabilities.js';

// Lines as `apt-get -s dist-upgrade` printed them on a Debian 12 machine here (2026-12-04).
const simulated = `NOTE: This is only a simulation!
Reading package lists...
Calculating upgrade...
The following packages will be upgraded:
  base-files libzstd1 zlib1g
Inst base-files [12.4+deb12u11] (12.4+deb12u15 Debian:12.15/oldstable [amd64])
Inst libgcrypt20 [1.10.1-3] (1.10.1-3+deb12u1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])
Inst libzstd1 [1.5.4+dfsg2-5] (1.5.4+dfsg2-5+deb12u1 Debian-Security:12/oldstable-security [amd64])
Inst zlib1g-dev [1:1.2.13.dfsg-1] (1:1.2.13.dfsg-1+deb12u1 Debian-Security:12/oldstable-security [amd64]) []
Inst libnew1 (2.0-1 Debian-Security:12/oldstable-security [amd64])
Conf base-files (12.4+deb12u15 Debian:12.15/oldstable [amd64])
Conf libzstd1 (1.5.4+dfsg2-5+deb12u1 Debian-Security:12/oldstable-security [amd64])
`;

const emptyAllowlist: Allowlist = { debian: [], npm: [] };

describe('parseSimulatedUpgrade', () => {
  it('reads every Inst line (with epochs, several origins, a new package) and nothing else', () => {
    const pending = parseSimulatedUpgrade(simulated);
    expect(pending.map((p) => p.package)).toEqual(['base-files', 'libgcrypt20', 'libzstd1', 'zlib1g-dev', 'libnew1']);
    expect(pending[1]).toEqual({
      package: 'libgcrypt20',
      installed: '1.10.1-3',
      candidate: '1.10.1-3+deb12u1',
      origins: ['Debian:12.15/oldstable', 'Debian-Security:12/oldstable-security'],
    });
    expect(pending[3]!.installed).toBe('1:1.2.13.dfsg-1');
    expect(pending[4]!.installed).toBe('(not installed)');
  });

  it('finds nothing in an up-to-date image', () => {
    expect(parseSimulatedUpgrade('Reading package lists...\n0 upgraded, 0 newly installed, 0 to remove.\n')).toEqual(
      [],
    );
  });
});

describe('isSecurityFix', () => {
  it('is a fix from the security archive, also when the main archive has caught up', () => {
    const [pointRelease, both, securityOnly] = parseSimulatedUpgrade(simulated);
    expect(isSecurityFix(pointRelease!)).toBe(false);
    expect(isSecurityFix(both!)).toBe(true);
    expect(isSecurityFix(securityOnly!)).toBe(true);
  });
});

describe('judgeDebian', () => {
  const pending = parseSimulatedUpgrade(simulated);

  it('fails on every missing security fix and only reports point releases', () => {
    const verdict = judgeDebian(pending, emptyAllowlist, '2026-12-04');
    expect(verdict.vulnerable.map((p) => p.package)).toEqual(['libgcrypt20', 'libzstd1', 'zlib1g-dev', 'libnew1']);
    expect(verdict.otherUpgrades).toBe(1);
    expect(verdict.allowed).toEqual([]);
  });

  it('lets a current allowlist entry excuse its package, and an expired one excuses nothing', () => {
    const allowlist = parseAllowlist({
      debian: [
        { package: 'libzstd1', reason: 'only reached through apt itself, never by our code', until: '2026-12-31' },
        { package: 'libgcrypt20', reason: 'accepted once, reviewed on the date below', until: '2026-12-03' },
      ],
    });
    const verdict = judgeDebian(pending, allowlist, '2026-12-04');
    expect(verdict.allowed.map((p) => p.package)).toEqual(['libzstd1']);
    expect(verdict.vulnerable.map((p) => p.package)).toContain('libgcrypt20');
    expect(verdict.expired).toEqual(['libgcrypt20']);
    // The last day still counts.
    expect(judgeDebian(pending, allowlist, '2026-12-31').allowed.map((p) => p.package)).toEqual(['libzstd1']);
  });
});

describe('parseAllowlist', () => {
  it('refuses an entry without a real reason or with a date in another form', () => {
    expect(() => parseAllowlist({ debian: [{ package: 'x', reason: 'n/a', until: '2026-12-31' }] })).toThrow(/why/);
    expect(() =>
      parseAllowlist({ debian: [{ package: 'x', reason: 'a reason long enough to count', until: '31.12.2026' }] }),
    ).toThrow(/YYYY-MM-DD/);
    expect(() => parseAllowlist({ debain: [] })).toThrow();
  });

  it('reads the repository allowlist', async () => {
    const { readFileSync } = await import('node:fs');
    const file = new URL('../../../ops/vulnerability-allowlist.json', import.meta.url);
    expect(() => parseAllowlist(JSON.parse(readFileSync(file, 'utf8')))).not.toThrow();
  });
});

describe('judgeNpmAudit', () => {
  // The shape of `npm audit --json` (npm 7+): a package listed through another (via: ["name"]) carries no advisory.
  const audit = {
    auditReportVersion: 2,
    vulnerabilities: {
      'fast-xml-parser': {
        name: 'fast-xml-parser',
        severity: 'high',
        via: [
          { source: 1, url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc', title: 'ReDoS', severity: 'high' },
        ],
      },
      'some-wrapper': { name: 'some-wrapper', severity: 'high', via: ['fast-xml-parser'] },
      lodash: {
        name: 'lodash',
        severity: 'moderate',
        via: [
          { source: 2, url: 'https://github.com/advisories/GHSA-dddd-eeee-ffff', title: 'Proto', severity: 'moderate' },
        ],
      },
      tar: {
        name: 'tar',
        severity: 'critical',
        via: [
          { source: 3, url: 'https://github.com/advisories/GHSA-1111-2222-3333', title: 'Path', severity: 'critical' },
        ],
      },
    },
  };

  it('fails on high and critical advisories, not on moderate ones or on the packages that only depend on them', () => {
    const verdict = judgeNpmAudit(audit, emptyAllowlist, '2026-12-04');
    expect(verdict.vulnerable.map((f) => `${f.package} ${f.advisory}`)).toEqual([
      'fast-xml-parser GHSA-aaaa-bbbb-cccc',
      'tar GHSA-1111-2222-3333',
    ]);
  });

  it('lets a current allowlist entry (by id or URL) excuse an advisory', () => {
    const allowlist = parseAllowlist({
      npm: [
        { advisory: 'GHSA-aaaa-bbbb-cccc', reason: 'the parser only reads our own XLSX output', until: '2027-01-31' },
        {
          advisory: 'https://github.com/advisories/GHSA-1111-2222-3333',
          reason: 'expired acceptance stays visible',
          until: '2026-01-01',
        },
      ],
    });
    const verdict = judgeNpmAudit(audit, allowlist, '2026-12-04');
    expect(verdict.allowed.map((f) => f.advisory)).toEqual(['GHSA-aaaa-bbbb-cccc']);
    expect(verdict.vulnerable.map((f) => f.advisory)).toEqual(['GHSA-1111-2222-3333']);
  });

  it('refuses output that is not an audit report (an error answer is not a clean bill)', () => {
    expect(() => judgeNpmAudit({ message: '405 Method Not Allowed' }, emptyAllowlist, '2026-12-04')).toThrow();
  });
});
