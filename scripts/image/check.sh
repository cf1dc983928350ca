#!/usr/bin/env bash
# Runs the built image the way a deployment does and checks it serves: `buildah run` (no Docker engine here) of
# the image's own CMD (migrate, then Directus) against a throwaway database on the local PostgreSQL, then
#   - readiness answers 200 (our platform extension loaded and reached PostgreSQL);
#   - both migration ledgers hold every snapshot version the repository has;
#   - the first admin logs in, and the domain's collections answer (the domain bundle and schema are there);
#   - the process runs as the image's `node` user, and its code is not writable by it;
#   - a second start of the same image on the migrated database applies nothing and serves again (a restart);
#   - a rollback: the image started with the previous release's snapshot versions (the latest domain version
#     left out, as the previous image holds them) on the database the new release migrated applies nothing, keeps
#     the newer version in the ledger and serves (docs/operations.md "Rollback").
# Usage: bash scripts/image/check.sh [image]   (needs root, buildah, psql; PostgreSQL at 127.0.0.1:5432 trust)
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-localhost/groundwork:ci}
storage=(--storage-driver "${BUILDAH_STORAGE_DRIVER:-vfs}")
pg=(psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -qtA)
say() { echo "[image:check] $*"; }

database="gw_image_$(date +%s)_$$"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
container=""
runner=""
log=$(mktemp)
cleanup() {
  if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null; then kill "$runner" 2>/dev/null || true; wait "$runner" 2>/dev/null || true; fi
  pkill -f "groundwork-image-check-$database" 2>/dev/null || true
  [ -n "$container" ] && buildah "${storage[@]}" rm "$container" >/dev/null 2>&1 || true
  "${pg[@]}" -d postgres -c "drop database if exists $database with (force)" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT

admin_password="image-check-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
env_args=(
  --env DB_CLIENT=pg --env DB_HOST=127.0.0.1 --env DB_PORT=5432 --env "DB_DATABASE=$database" --env DB_USER=postgres
  --env "PORT=$port" --env HOST=127.0.0.1 --env "PUBLIC_URL=http://127.0.0.1:$port"
  --env "SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  --env ADMIN_EMAIL=admin@example.com --env "ADMIN_PASSWORD=$admin_password"
  --env EMAIL_TRANSPORT=sendmail --env GROUNDWORK_IMAGE_CHECK="groundwork-image-check-$database"
  # No clamd here, and the image runs with NODE_ENV=production, where a scanner is required: the named opt-out
  # (decision 0061). No upload is made by this check.
  --env GROUNDWORK_FILES_SCAN=off
)

start() {
  say "start $image: $cmd (port $port, database $database)"
  # The image's CMD as a deployment runs it; the marker in argv lets cleanup find the process tree.
  buildah "${storage[@]}" run --isolation chroot "${env_args[@]}" "$container" -- \
    sh -c "$(node -e 'console.log(JSON.parse(process.argv[1]).slice(2).join(" "))' "$cmd")" \
    "groundwork-image-check-$database" >"$log" 2>&1 &
  runner=$!
  local started=$SECONDS
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/groundwork/v1/health/ready" 2>/dev/null; do
    if ! kill -0 "$runner" 2>/dev/null; then say "the container exited:"; tail -n 40 "$log"; exit 1; fi
    if (( SECONDS - started > ${IMAGE_CHECK_TIMEOUT_SECONDS:-300} )); then say "not ready in time:"; tail -n 40 "$log"; exit 1; fi
    sleep 2
  done
  say "ready in $(( SECONDS - started )) s"
}

stop() {
  kill "$runner" 2>/dev/null || true
  pkill -TERM -f "groundwork-image-check-$database" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
  runner=""
  # The next start must not be answered by this one: wait until nothing listens on the port.
  local waited=0
  while curl -s -o /dev/null "http://127.0.0.1:$port/groundwork/v1/health/live" 2>/dev/null; do
    (( waited++ > 30 )) && { say "the previous container still answers"; exit 1; }
    sleep 1
  done
}

"${pg[@]}" -d postgres -c "create database $database"
container=$(buildah "${storage[@]}" from --quiet "$image")
# The image's CMD, read from the container (inspecting the image itself computes its size: minutes under vfs).
cmd=$(buildah "${storage[@]}" inspect --type container "$container" |
  node -e 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>console.log(JSON.stringify(JSON.parse(s).Docker.config.Cmd)))')
start

platform_versions=$(ls -d extensions/platform/snapshots/[0-9][0-9][0-9][0-9]-* | wc -l)
domain_versions=$(ls -d snapshots/[0-9][0-9][0-9][0-9]-* | wc -l)
applied_platform=$("${pg[@]}" -d "$database" -c 'select count(*) from groundwork_platform_migrations')
applied_domain=$("${pg[@]}" -d "$database" -c 'select count(*) from groundwork_migrations')
say "ledgers: platform $applied_platform of $platform_versions, domain $applied_domain of $domain_versions"
[ "$applied_platform" = "$platform_versions" ] && [ "$applied_domain" = "$domain_versions" ]

token=$(curl -fsS "http://127.0.0.1:$port/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"admin@example.com\",\"password\":\"$admin_password\"}" | node -e 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>console.log(JSON.parse(s).data.access_token))')
for collection in tickets organizations kb_articles; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" "http://127.0.0.1:$port/items/$collection?limit=1")
  say "GET /items/$collection as the admin: $status"
  [ "$status" = 200 ]
done

uid=$(buildah "${storage[@]}" run --isolation chroot "$container" -- node -e 'console.log(process.getuid())')
say "runs as uid $uid"
[ "$uid" != 0 ]
if buildah "${storage[@]}" run --isolation chroot "$container" -- sh -c 'touch node_modules/directus/x 2>/dev/null || touch extensions/platform/dist/x 2>/dev/null' 2>/dev/null; then
  say "the code is writable by the runtime user"
  exit 1
fi
say "code is read-only for the runtime user"

stop
say "second start on the migrated database (a restart, or the previous image after a rollback)"
start
grep '^\[migrate\]' "$log" | sed 's/^/  /'
applied_again=$("${pg[@]}" -d "$database" -c 'select count(*) from groundwork_migrations')
[ "$applied_again" = "$applied_domain" ]
stop

previous=$(mktemp -d)
cp -R snapshots/. "$previous/"
chmod -R a+rX "$previous" # read by the image's `node` user
latest=$(ls -d "$previous"/[0-9][0-9][0-9][0-9]-* | tail -n 1)
rm -rf "$latest"
say "rollback: the previous release's snapshots (without $(basename "$latest")) on the database the new one migrated"
env_args+=(--volume "$previous:/directus/snapshots:ro")
start
rm -rf "$previous"
grep '^\[migrate\]' "$log" | sed 's/^/  /'
applied_after_rollback=$("${pg[@]}" -d "$database" -c 'select count(*) from groundwork_migrations')
say "domain ledger after the rollback start: $applied_after_rollback (the newer version stays recorded)"
[ "$applied_after_rollback" = "$applied_domain" ]
status=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" "http://127.0.0.1:$port/items/tickets?limit=1")
say "GET /items/tickets after the rollback: $status"
[ "$status" = 200 ]
stop
say "ok"
