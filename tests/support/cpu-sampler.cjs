// Where a test run's CPU goes (issue 9 item 10: the suite's wall time). On a 2-core machine the integration tier is
// CPU-bound (load average 8-17 in a full run), so a file's seconds say little: what each kind of process burns does.
// Every second it reads /proc/<pid>/stat of every process and adds each one's CPU time since the last reading to its
// kind (Directus instances also by their run folder's name, which is the test's instance name); a process that exits
// between two readings loses at most a second. Linux only: elsewhere it reports nothing.
const fs = require('node:fs');

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on Linux's supported architectures

function readStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields after it are counted from its end.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), started: fields[19] };
  } catch {
    return null;
  }
}

function read(pid, file) {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** The kind of a process, and for a Directus instance started by the tests, its name (scripts/lib/instance.ts). */
function classify(pid) {
  const args = read(pid, 'cmdline').split('\0').filter(Boolean);
  const command = args.join(' ');
  const comm = read(pid, 'comm').trim();
  if (comm.startsWith('postgres') || command.startsWith('postgres')) return { kind: 'postgres' };
  if (/chrom/.test(comm)) return { kind: 'chromium' };
  if (comm.startsWith('redis')) return { kind: 'redis' };
  if (/directus\/cli|directus\.js|@directus\/api\/(dist\/)?cli/.test(command)) {
    const sub = args[args.findIndex((arg) => /directus.*\.js$/.test(arg)) + 1] ?? '';
    if (sub !== 'start') return { kind: `directus ${sub || 'cli'}` };
    const config = /(?:^|\0)CONFIG_PATH=([^\0]*)/.exec(read(pid, 'environ'));
    const name = config ? config[1].split('/').slice(-2, -1)[0] : undefined;
    return { kind: 'directus start', name };
  }
  if (/jest-worker|processChild/.test(command)) return { kind: 'jest worker' };
  if (/jest\/bin\/jest/.test(command)) return { kind: 'jest main' };
  if (/typescript\/bin\/tsc|\btsc\b/.test(command)) return { kind: 'tsc' };
  if (/esbuild/.test(comm + command)) return { kind: 'esbuild' };
  const script = args.find((arg) => /\.(ts|mjs|js)$/.test(arg) && !/node_modules/.test(arg));
  if (script) return { kind: `script ${script.split('/').slice(-2).join('/')}` };
  if (comm === 'node') return { kind: 'node (other)' };
  return { kind: comm || 'unknown' };
}

function machineTicks() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  return { total: line.reduce((sum, value) => sum + value, 0), idle };
}

class CpuSampler {
  constructor() {
    this.processes = new Map(); // pid -> { started, ticks, kind, name }
    this.byKind = new Map();
    this.byInstance = new Map();
    this.boots = 0;
    this.timer = null;
  }

  start() {
    if (!fs.existsSync('/proc/stat')) return;
    this.machineStart = machineTicks();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), 1000);
    this.timer.unref();
  }

  sample(baseline) {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      const stat = readStat(pid);
      if (!stat) continue;
      let known = this.processes.get(pid);
      if (!known || known.started !== stat.started) {
        // A process already running when the run began counts from now; a new one from its start.
        known = { started: stat.started, ticks: baseline ? stat.ticks : 0, ...classify(pid) };
        this.processes.set(pid, known);
        if (known.kind === 'directus start' && !baseline) this.boots++;
      }
      const delta = stat.ticks - known.ticks;
      known.ticks = stat.ticks;
      if (delta <= 0) continue;
      this.byKind.set(known.kind, (this.byKind.get(known.kind) ?? 0) + delta);
      if (known.name) this.byInstance.set(known.name, (this.byInstance.get(known.name) ?? 0) + delta);
    }
  }

  /** Lines for the end of the run, or none when nothing was sampled. */
  report() {
    if (!this.timer) return [];
    clearInterval(this.timer);
    this.sample(false);
    const machine = machineTicks();
    const total = machine.total - this.machineStart.total;
    const busy = total - (machine.idle - this.machineStart.idle);
    const seconds = (ticks) => ticks / TICKS_PER_SECOND;
    const counted = [...this.byKind.values()].reduce((sum, ticks) => sum + ticks, 0);
    // The largest first, none under half a second (an idle service's wake-ups).
    const top = (map, n) =>
      [...map.entries()]
        .filter(([, ticks]) => ticks >= TICKS_PER_SECOND / 2)
        .sort((a, b) => b[1] - a[1])
        .slice(0, n);
    const lines = [
      `CPU during the run: ${seconds(busy).toFixed(0)} s busy of ${seconds(total).toFixed(0)} s of all cores ` +
        `(${((100 * busy) / Math.max(1, total)).toFixed(0)} %), ` +
        `${seconds(counted).toFixed(0)} s counted by process; ${this.boots} Directus instance(s) started`,
    ];
    for (const [kind, ticks] of top(this.byKind, 12))
      lines.push(`  ${seconds(ticks).toFixed(0).padStart(6)} s  ${kind}`);
    if (this.byInstance.size > 0) {
      lines.push('CPU of the Directus instances, by name (.test-runs/<name>):');
      for (const [name, ticks] of top(this.byInstance, 12))
        lines.push(`  ${seconds(ticks).toFixed(0).padStart(6)} s  ${name}`);
    }
    return lines;
  }
}

module.exports = { CpuSampler };
