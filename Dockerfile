# syntax=docker/dockerfile:1
# Groundwork: Directus 11.17.4 plus our extensions, as one immutable image.
#
#   docker build -t groundwork:local .
#   docker run --rm -p 127.0.0.1:8055:8055 -e SECRET=... -e ADMIN_PASSWORD=... -e DB_CLIENT=pg -e DB_HOST=... groundwork:local
#
# docker-compose.yml runs it with PostgreSQL, Redis and Mailpit. Stages:
#   manifests: only the workspaces' package.json files, so `npm ci` stays cached while sources change
#   build:     all dependencies, native addons, `npm run build`, then prune to production dependencies
#   runtime:   slim Node 22, the pruned node_modules and the built extensions, running as `node`

# Node 22 (Directus 11 needs >= 22). Pin a patch release (e.g. node:22.23.3-bookworm-slim) for reproducible builds.
ARG NODE_IMAGE=node:22-bookworm-slim

####################################################################################################
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY extensions ./extensions
# COPY with a wildcard flattens folders; keep extensions/<name>/package.json in place for every workspace.
RUN mkdir -p /manifests \
 && for f in extensions/*/package.json; do \
      mkdir -p "/manifests/$(dirname "$f")" && cp "$f" "/manifests/$f"; \
    done

####################################################################################################
FROM ${NODE_IMAGE} AS build
# The npm that honours package.json "allowScripts" (it denies isolated-vm's own install script, and sqlite3,
# oracledb, braintrust and protobufjs, which we do not use); the npm bundled with node:22 ignores that field.
ARG NPM_VERSION=11.19.1
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
# Toolchain for native addons: scripts/native-addons.mjs rebuilds isolated-vm (a NAN addon) with node-gyp.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g "npm@${NPM_VERSION}"
WORKDIR /build

COPY package.json package-lock.json ./
COPY scripts/native-addons.mjs ./scripts/
COPY --from=manifests /manifests/extensions ./extensions
# All dependencies: @directus/extensions-sdk (a devDependency) builds the extensions. The root postinstall
# (scripts/native-addons.mjs) checks each native addon in a fresh Node 22 process and rebuilds the ones that fail.
RUN npm ci

COPY . .
RUN npm run build

# Production dependencies only, then drop what the runtime never reads: isolated-vm's intermediate build
# objects (~100 MB; the addon itself is out/isolated_vm.node) and the npm cache. Then bundle migrate
# (scripts/image/bundle-migrate.ts): the image applies the snapshot versions with it before Directus starts.
RUN npm prune --omit=dev \
 && if [ -f node_modules/isolated-vm/out/isolated_vm.node ]; then rm -rf node_modules/isolated-vm/build; fi \
 && rm -rf /root/.npm \
 && node node_modules/tsx/dist/cli.mjs scripts/image/bundle-migrate.ts

# Each extension as Directus loads it: its package.json (the manifest) and dist/, plus the snapshot versions
# migrate applies (the platform's line in extensions/platform/snapshots, the domain's in snapshots/).
RUN mkdir -p /out \
 && for dir in extensions/*/; do \
      name="$(basename "$dir")"; \
      mkdir -p "/out/extensions/$name" && cp "$dir/package.json" "/out/extensions/$name/"; \
      if [ -d "$dir/dist" ]; then cp -R "$dir/dist" "/out/extensions/$name/"; fi; \
      if [ -d "$dir/snapshots" ]; then cp -R "$dir/snapshots" "/out/extensions/$name/"; fi; \
    done

####################################################################################################
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="groundwork" \
      org.opencontainers.image.description="Groundwork: a production backend template on Directus 11"

# Every published security fix for the base's Debian packages: a registry base image lags its distribution by days
# to weeks, and the image scan (scripts/image/scan.sh, decision 0068) fails on a missing fix. Rebuild to take new ones.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin

# Production defaults; every one can be overridden at run time. Directus also reads a .env in its working
# directory and lets it win over these, so the image ships none (.dockerignore).
# Writable scratch outside the read-only code: TEMP_PATH is where Directus bundles app extensions at boot
# (default ./node_modules/.directus, not writable here); PM2_HOME is where the pm2 module Directus imports for
# metrics writes its files (default ~/.pm2, missing when the container runs with an arbitrary UID).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8055 \
    LOG_STYLE=raw \
    LOG_LEVEL=info \
    EXTENSIONS_PATH=/directus/extensions \
    EXTENSIONS_MUST_LOAD=true \
    EXTENSIONS_AUTO_RELOAD=false \
    TEMP_PATH=/tmp/directus \
    PM2_HOME=/tmp/pm2 \
    STORAGE_LOCATIONS=local \
    STORAGE_LOCAL_ROOT=/directus/uploads \
    TELEMETRY=false \
    HASH_MEMORY_COST=19456 \
    HASH_TIME_COST=2 \
    QUERY_LIMIT_MAX=500 \
    MAX_BATCH_MUTATION=1000 \
    MAX_RELATIONAL_DEPTH=5 \
    GRAPHQL_INTROSPECTION=false \
    RATE_LIMITER_ENABLED=true \
    IMPORT_IP_DENY_LIST=0.0.0.0,0.0.0.0/8,127.0.0.0/8,::,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16,fc00::/7,fe80::/10 \
    FILES_MAX_UPLOAD_SIZE=50mb \
    FILES_MIME_TYPE_ALLOW_LIST=image/*,application/pdf,text/plain,text/csv,application/json \
    ASSETS_TRANSFORM_IMAGE_MAX_DIMENSION=6000 \
    ASSETS_TRANSFORM_TIMEOUT=7500ms \
    ASSETS_TRANSFORM_MAX_CONCURRENT=4 \
    CACHE_ENABLED=false \
    CACHE_AUTO_PURGE=true \
    CACHE_SCHEMA_FREEZE_ENABLED=true \
    WEBSOCKETS_ENABLED=false \
    WEBSOCKETS_GRAPHQL_ENABLED=false \
    WEBSOCKETS_REST_AUTH=handshake \
    npm_config_update_notifier=false
# V8's young generation with 64 MiB semi-spaces (decision 0074; scripts/lib/directus.ts does the same for npm start and
# the tests): an export's and an import's batches die young instead of filling the old generation. A NODE_OPTIONS
# given at run time replaces it.
ENV NODE_OPTIONS=--max-semi-space-size=64

WORKDIR /directus
# Owned by root and read-only for the `node` user: the code in a running container cannot change.
COPY --from=build /build/package.json /build/package-lock.json ./
COPY --from=build /build/scripts ./scripts
COPY --from=build /build/snapshots ./snapshots
COPY --from=build /out/extensions ./extensions
COPY --from=build /build/node_modules ./node_modules

# Fail the build, not the first boot, when a native addon does not load under this image's Node
# (without the `node` devDependency the script checks with the running Node and rebuilds nothing).
# Uploads: a folder the `node` user owns; a named volume mounted here starts with that ownership.
# node_modules/.groundwork: migrate bundles each version's data migration there at run time (next to
# node_modules, so its imports resolve), so that one folder of generated bundles is the `node` user's.
RUN node scripts/native-addons.mjs \
 && mkdir -p /directus/uploads \
 && chown node:node /directus/uploads /directus/node_modules/.groundwork

USER node
EXPOSE 8055

# Readiness: 200 when PostgreSQL (and Redis, when configured) answer. Slim images have no curl; Node has fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8055) + '/groundwork/v1/health/ready', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# migrate installs Directus on an empty database (as `directus bootstrap` would) and applies every pending snapshot
# version of both lines (idempotent; docs/snapshots.md), then Directus starts. `exec` hands PID 1 to Directus, which
# shuts down cleanly on SIGTERM. The Directus CLI entry is called directly: the `directus` bin runs an npm update
# check first.
CMD ["sh", "-c", "node node_modules/.groundwork/migrate.mjs && exec node node_modules/@directus/api/dist/cli/run.js start"]
