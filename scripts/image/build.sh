#!/usr/bin/env bash
# Builds the Dockerfile without a Docker engine: buildah (chroot isolation, vfs storage) on a local base image
# (scripts/image/base.sh, made once when missing), since no registry image can be pulled here. Where a registry
# is reachable, `docker build -t groundwork .` (base node:22-bookworm-slim) builds the same Dockerfile.
# Usage: bash scripts/image/build.sh [tag]   (needs root, buildah and debootstrap: apt-get install buildah debootstrap)
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=${1:-localhost/groundwork:ci}
base=${GROUNDWORK_BASE_IMAGE:-localhost/groundwork-node-base:22-bookworm-slim}
storage=(--storage-driver "${BUILDAH_STORAGE_DRIVER:-vfs}")
say() { echo "[image:build] $*"; }

if ! buildah "${storage[@]}" inspect --type image "$base" >/dev/null 2>&1; then
  say "no base image $base yet: making it"
  bash scripts/image/base.sh "$base"
fi
started=$SECONDS
say "buildah bud -t $tag (NODE_IMAGE=$base); the first build takes about 10 minutes"
# Chroot isolation keeps this process's open-file limit, which npm ci needs high (EMFILE otherwise).
# Docker format keeps the Dockerfile's HEALTHCHECK (OCI images have none).
buildah "${storage[@]}" bud --isolation chroot --layers --format docker \
  --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" \
  --build-arg "NODE_IMAGE=$base" -t "$tag" .
say "built $tag in $(( SECONDS - started )) s"
