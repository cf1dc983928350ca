#!/usr/bin/env bash
# Builds a local stand-in for the Dockerfile's base image (node:22-bookworm-slim) where no registry image can be
# pulled: Debian bookworm (debootstrap, minbase), the Node 22 binary the project already runs (the `node`
# devDependency), the machine's npm, and a `node` user with uid 1000, as in the official image. Needs root,
# debootstrap and buildah. Usage: bash scripts/image/base.sh [image-name]
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-localhost/groundwork-node-base:22-bookworm-slim}
storage=(--storage-driver "${BUILDAH_STORAGE_DRIVER:-vfs}")
say() { echo "[image:base] $*"; }

node_bin=$(readlink -f node_modules/.bin/node)
"$node_bin" -e 'if (!process.version.startsWith("v22.")) process.exit(1)' || {
  echo "node_modules/.bin/node is not Node 22: run npm ci first" >&2
  exit 1
}
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
[ -f "$npm_dir/package.json" ] || { echo "no npm found to copy into the base" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say "debootstrap --variant=minbase bookworm (about 30 s)"
debootstrap --variant=minbase bookworm "$work/rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  exit 1
}

say "node $("$node_bin" --version), npm $(node "$npm_dir/bin/npm-cli.js" --version 2>/dev/null || echo '?'), user node (1000)"
root=$work/rootfs
install -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# This machine reaches the npm registry through an egress proxy with its own CA (in the host's
# /usr/local/share/ca-certificates). Node trusts it through NODE_EXTRA_CA_CERTS; a base pulled from a registry
# elsewhere needs none of this, so the Dockerfile knows nothing about it.
extra_ca=()
if compgen -G "${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp "${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}"/*.crt "$root/usr/local/share/ca-certificates/"
  cat "$root"/usr/local/share/ca-certificates/*.crt >"$root/usr/local/share/extra-ca-certificates.pem"
  extra_ca=(--env NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca-certificates.pem)
  say "the host's extra CA certificates go into the base (NODE_EXTRA_CA_CERTS)"
fi
# apt sources as the official image has them (deb822, with the updates and security suites); debootstrap writes
# only the main suite, and the Dockerfile's security upgrade (decision 0068) needs the security one.
rm -f "$root/etc/apt/sources.list"
printf '%s\n' "Types: deb" "URIs: http://deb.debian.org/debian" "Suites: bookworm bookworm-updates" "Components: main" \
  "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" "Types: deb" \
  "URIs: http://deb.debian.org/debian-security" "Suites: bookworm-security" "Components: main" \
  "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" >"$root/etc/apt/sources.list.d/debian.sources"
# Like the slim images: no apt lists or caches in the base.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb

say "committing $image"
container=$(buildah "${storage[@]}" from scratch)
mount=$(buildah "${storage[@]}" mount "$container")
cp -a "$root/." "$mount/"
buildah "${storage[@]}" umount "$container" >/dev/null
buildah "${storage[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$("$node_bin" --version | tr -d v)" "${extra_ca[@]}" --cmd node "$container"
buildah "${storage[@]}" commit --quiet "$container" "$image" >/dev/null
buildah "${storage[@]}" rm "$container" >/dev/null
say "done: $image"
