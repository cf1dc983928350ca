// Postinstall: make Directus's native addons load under the Node 22 that `npm run` scripts use.
//
// `npm install` may run under the machine's own Node (20 here), so addons built against one ABI
// (isolated-vm uses NAN, not N-API) fail under Node 22 with ERR_DLOPEN_FAILED. We check each addon
// in a fresh Node 22 process (a process that already failed to load one keeps failing) and rebuild
// only the ones that fail, against the headers shipped in the `node` package. When everything
// loads, this is a no-op that takes well under a second per addon.
// Plain .mjs on purpose: it runs before anything else is known to work.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Directus loads these at boot; N-API ones (argon2, sharp) survive a Node upgrade, isolated-vm does not.
const ADDONS = ['isolated-vm', 'argon2', 'sharp'];

function log(message) {
  console.log(`[native-addons] ${message}`);
}

function findPlatformPackage(platformPackages) {
  if (!existsSync(platformPackages)) return null;
  for (const name of readdirSync(platformPackages)) {
    const dir = path.join(platformPackages, name);
    if (
      name.startsWith('node-') &&
      existsSync(path.join(dir, 'bin', 'node')) &&
      existsSync(path.join(dir, 'include', 'node'))
    ) {
      return { binary: path.join(dir, 'bin', 'node'), nodedir: dir };
    }
  }
  return null;
}

/** The Node 22 binary and its headers from the `node` devDependency, or the running Node when it is absent (e.g. a Node 22 Docker image). */
function findTargetNode() {
  const nodePackage = path.join(root, 'node_modules', 'node');
  if (!existsSync(nodePackage)) return { binary: process.execPath, nodedir: null };
  const platformPackages = path.join(nodePackage, 'node_modules');
  let found = findPlatformPackage(platformPackages);
  if (!found) {
    // A later `npm install <pkg>` prunes the platform package (it is not in the lockfile); its installer brings it back.
    log('restoring the Node 22 platform package (headers for rebuilds)');
    spawnSync('npm', ['rebuild', 'node'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    found = findPlatformPackage(platformPackages);
  }
  return found ?? { binary: path.join(nodePackage, 'bin', 'node'), nodedir: null };
}

function loadsInFreshProcess(binary, addon) {
  const result = spawnSync(binary, ['-e', `require(${JSON.stringify(addon)})`], { cwd: root, encoding: 'utf8' });
  return { ok: result.status === 0, error: (result.stderr || '').split('\n').find((line) => /Error/.test(line)) ?? '' };
}

const target = findTargetNode();
const version = spawnSync(target.binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
log(`checking native addons under Node ${version} (${path.relative(root, target.binary) || target.binary})`);

let failed = false;
for (const addon of ADDONS) {
  if (!existsSync(path.join(root, 'node_modules', addon))) continue;
  const first = loadsInFreshProcess(target.binary, addon);
  if (first.ok) {
    log(`${addon}: loads`);
    continue;
  }
  if (!target.nodedir) {
    log(`${addon}: does not load (${first.error}) and no Node headers were found to rebuild it`);
    failed = true;
    continue;
  }
  log(`${addon}: does not load (${first.error.trim()}); rebuilding against Node ${version} headers (about a minute)`);
  // node-gyp directly (a devDependency): `npm rebuild` would honour the allowScripts denial that keeps
  // npm from first building isolated-vm for the wrong Node.
  const nodeGyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const rebuild = spawnSync(
    target.binary,
    [nodeGyp, 'rebuild', '--release', '-j', 'max', `--nodedir=${target.nodedir}`],
    {
      cwd: path.join(root, 'node_modules', addon),
      // npm exports its config (e.g. a user-level `nodedir`) as npm_config_* variables, which node-gyp prefers to flags.
      env: { ...process.env, npm_config_nodedir: target.nodedir },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (rebuild.status !== 0) console.error(`${rebuild.stderr ?? ''}`.split('\n').slice(-30).join('\n'));
  const second = loadsInFreshProcess(target.binary, addon);
  if (rebuild.status === 0 && second.ok) {
    log(`${addon}: rebuilt and loads in a new process`);
  } else {
    log(`${addon}: still does not load after the rebuild (${second.error.trim()})`);
    failed = true;
  }
}

if (failed) {
  log('some native addons do not load; Directus will not start. See the messages above.');
  process.exit(1);
}
