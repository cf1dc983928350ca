// Judges what scripts/image/scan.sh collected against ops/vulnerability-allowlist.json and prints it (decision 0068).
//   tsx scripts/image/vulnerabilities.ts debian <apt-get -s dist-upgrade output>
//   tsx scripts/image/vulnerabilities.ts npm <npm audit --json output>
// Exits 1 when a known vulnerability is neither fixed nor allowed, 2 on bad input (an unreadable file, an allowlist
// entry without its reason or date).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { judgeDebian, judgeNpmAudit, parseAllowlist, parseSimulatedUpgrade } from './core/vulnerabilities.js';

const allowlistPath = path.resolve(import.meta.dirname, '../../ops/vulnerability-allowlist.json');

function main(): number {
  const [kind, file] = process.argv.slice(2);
  if ((kind !== 'debian' && kind !== 'npm') || !file) {
    console.error('usage: vulnerabilities.ts debian|npm <file>');
    return 2;
  }
  const allowlist = parseAllowlist(JSON.parse(readFileSync(allowlistPath, 'utf8')));
  const today = new Date().toISOString().slice(0, 10);
  const text = readFileSync(file, 'utf8');
  const say = (line: string) => console.log(`[image:scan] ${line}`);

  if (kind === 'debian') {
    const verdict = judgeDebian(parseSimulatedUpgrade(text), allowlist, today);
    for (const entry of verdict.expired) say(`allowlist entry for ${entry} is past its date: it no longer counts`);
    for (const up of verdict.allowed)
      say(`allowed until ${up.until}: ${up.package} ${up.installed} (fix ${up.candidate}): ${up.reason}`);
    for (const up of verdict.vulnerable)
      say(`VULNERABLE: ${up.package} ${up.installed}, security fix ${up.candidate} (${up.origins.join(', ')})`);
    say(
      `Debian packages: ${verdict.vulnerable.length} security fix(es) missing, ${verdict.allowed.length} allowed, ` +
        `${verdict.otherUpgrades} other (non-security) upgrade(s) available`,
    );
    return verdict.vulnerable.length > 0 ? 1 : 0;
  }

  const verdict = judgeNpmAudit(JSON.parse(text), allowlist, today);
  for (const finding of verdict.allowed) say(`allowed: ${finding.package} ${finding.advisory} (${finding.title})`);
  for (const finding of verdict.vulnerable)
    say(`VULNERABLE: ${finding.package} ${finding.severity} ${finding.advisory}: ${finding.title}`);
  say(
    `npm (production tree): ${verdict.vulnerable.length} high/critical advisory(ies), ${verdict.allowed.length} allowed`,
  );
  return verdict.vulnerable.length > 0 ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`[image:scan] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
