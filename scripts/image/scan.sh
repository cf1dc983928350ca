#!/usr/bin/env bash
# Scans the built image for known vulnerabilities (decision 0068; docs/operations.md "Containers"):
#   1. Debian packages: inside the image (`buildah run` as root, on a throwaway container), apt reads the
#      distribution's main, updates and security suites for the image's own release and simulates an upgrade;
#      every installed package with a fix in the security suite is a known vulnerability the image still has.
#   2. The npm production tree: `npm audit --omit=dev` on package-lock.json (the tree the image installs), where
#      npm's audit endpoint answers. Through this machine's egress proxy it answers 405 to audit's POST, and no
#      offline advisory database is reachable: then the scan says NOT SCANNED for npm and does not pretend.
# Both judged by scripts/image/vulnerabilities.ts against ops/vulnerability-allowlist.json; exits 1 on a finding
# that is neither fixed nor allowed.
# Usage: bash scripts/image/scan.sh [image]   (needs root and buildah)
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-localhost/groundwork:ci}
storage=(--storage-driver "${BUILDAH_STORAGE_DRIVER:-vfs}")
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
tsx=(node_modules/.bin/tsx)
say() { echo "[image:scan] $*"; }

work=$(mktemp -d)
container=""
cleanup() {
  [ -n "$container" ] && buildah "${storage[@]}" rm "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

say "Debian packages of $image against the security suite ($security_mirror)"
container=$(buildah "${storage[@]}" from --pull-never "$image")
# Sources and lists live under /tmp of the throwaway container: the image's own apt configuration is not trusted to
# name the security suite (a stand-in base from debootstrap has only the main one).
buildah "${storage[@]}" run --isolation chroot --user root \
  --env "MIRROR=$mirror" --env "SECURITY_MIRROR=$security_mirror" "$container" -- sh -ec '
    . /etc/os-release
    scan=/tmp/groundwork-scan
    mkdir -p "$scan/parts" "$scan/lists/partial"
    printf "%s\n" "Types: deb" "URIs: $MIRROR" "Suites: $VERSION_CODENAME $VERSION_CODENAME-updates" "Components: main" \
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" "Types: deb" "URIs: $SECURITY_MIRROR" \
      "Suites: $VERSION_CODENAME-security" "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
      > "$scan/parts/debian.sources"
    set -- -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$scan/parts" -o "Dir::State::Lists=$scan/lists" \
      -o Debug::NoLocking=1
    echo "release: $PRETTY_NAME" >&2
    apt-get "$@" -qq update >&2
    apt-get "$@" -s dist-upgrade
  ' >"$work/debian.txt"
debian_status=0
"${tsx[@]}" scripts/image/vulnerabilities.ts debian "$work/debian.txt" || debian_status=$?

say "npm production tree (package-lock.json): npm audit --omit=dev"
npm_status=0
# npm audit exits non-zero when it finds something, so its JSON is read whatever the exit code; no report at all
# (the endpoint refused, no network) is said as such, never taken for a clean tree.
npm audit --omit=dev --json >"$work/npm.json" 2>"$work/npm.err" || true
if node -e 'const a=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); process.exit(a.vulnerabilities ? 0 : 1)' "$work/npm.json" 2>/dev/null; then
  "${tsx[@]}" scripts/image/vulnerabilities.ts npm "$work/npm.json" || npm_status=$?
else
  say "NOT SCANNED: npm's audit endpoint gave no report here ($(grep -h -m1 -oE '[0-9]{3} [A-Za-z ]+|ENOTFOUND|ECONNREFUSED|ETIMEDOUT' "$work/npm.json" "$work/npm.err" | head -n 1 | sed 's/ *$//' || true)); run this where it answers"
fi
if [ "$debian_status" -ne 0 ] || [ "$npm_status" -ne 0 ]; then
  say "FAILED: fix the findings above (rebuild on a patched base, update the dependency) or allow them with a reason in ops/vulnerability-allowlist.json"
  exit 1
fi
say "passed"
