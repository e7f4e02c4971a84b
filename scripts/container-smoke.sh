#!/usr/bin/env bash
# Container smoke test: build the image, run it with a data volume, wait for its HEALTHCHECK, create a user as a
# client would, stop it (SIGTERM within the grace period, exit 0), start it again and find the user in the volume.
# Runs only where Docker works (`docker info`); anywhere else it says so plainly and exits 0 without testing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "container-smoke: NOT RUN: Docker is not usable here (docker info failed); the image was neither built nor tested"
  exit 0
fi

tag="scimulator:smoke-$$"
name="scimulator-smoke-$$"
volume="scimulator-smoke-data-$$"
token="scimulator-dev-token"
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker volume rm -f "$volume" >/dev/null 2>&1 || true
  docker image rm -f "$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail() {
  echo "container-smoke: FAILED: $*"
  docker logs "$name" 2>&1 | tail -n 40 || true
  exit 1
}

wait_healthy() {
  local status=""
  for _ in $(seq 1 90); do
    status=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name")
    [ "$status" = healthy ] && return 0
    [ "$(docker inspect -f '{{.State.Running}}' "$name")" = true ] || fail "the container exited before it was healthy"
    sleep 1
  done
  fail "not healthy after 90 s (health: ${status:-none})"
}

docker build -t "$tag" .
docker volume create "$volume" >/dev/null
docker run -d --name "$name" -p 127.0.0.1::8080 -v "$volume:/data" -e SCIMULATOR_DATA=/data/scim.json "$tag" >/dev/null
wait_healthy
port=$(docker port "$name" 8080/tcp | head -n 1 | sed 's/.*://')
base="http://127.0.0.1:$port/scim/v2"

uid=$(docker exec "$name" id -u)
[ "$uid" != 0 ] || fail "the server runs as root"

status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/Users" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/scim+json' \
  -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"smoke.test@example.com"}')
[ "$status" = 201 ] || fail "POST /Users answered $status"

started=$(date +%s)
docker stop -t 10 "$name" >/dev/null
took=$(( $(date +%s) - started ))
code=$(docker inspect -f '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || fail "exit code $code after docker stop (want 0)"
[ "$took" -lt 10 ] || fail "docker stop took ${took} s: the server did not stop on SIGTERM within the grace period"

docker start "$name" >/dev/null
wait_healthy
port=$(docker port "$name" 8080/tcp | head -n 1 | sed 's/.*://')
found=$(curl -s -G "http://127.0.0.1:$port/scim/v2/Users" -H "Authorization: Bearer $token" \
  --data-urlencode 'filter=userName eq "smoke.test@example.com"')
case "$found" in
  *'"totalResults":1'*) ;;
  *) fail "the user is not in the data volume after a restart: $found" ;;
esac

echo "container-smoke: passed: healthy, non-root (uid $uid), POST /Users 201, SIGTERM exit 0 in ${took} s, data kept in the volume"
