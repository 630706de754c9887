#!/usr/bin/env bash
# Measures, for one engine, what docs/benchmarks.md records: the binary's
# size, the time from process start to /readyz answering 200 (first start on
# an empty database, which migrates and loads the reference directory, and a
# second start on the same database), and the resident memory after 5 s idle.
#
#   scripts/measure-startup.sh sqlite
#   scripts/measure-startup.sh postgres postgres://postgres@127.0.0.1:5432/DB?sslmode=disable
#
# The PostgreSQL database should be empty. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
engine="${1:-sqlite}"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=""

go build -trimpath -ldflags="-s -w" -o "$work/oneaccount" ./cmd/oneaccount
echo "binary: $(stat -c %s "$work/oneaccount") bytes ($(( $(stat -c %s "$work/oneaccount") / 1024 / 1024 )) MiB, -trimpath -ldflags='-s -w')"

case "$engine" in
  sqlite) db="sqlite:$work/oa.db" ;;
  postgres) db="${2:?postgres URL}" ;;
  *) echo "engine: sqlite or postgres" >&2; exit 2 ;;
esac
port=$(( 20000 + RANDOM % 20000 ))

measure() {
  local label="$1"
  local t0 t1
  t0=$(date +%s%N)
  "$work/oneaccount" serve --addr "127.0.0.1:$port" --db "$db" --log-level warn &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "server died" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  echo "$engine $label start to ready: $(( (t1 - t0) / 1000000 )) ms"
}

measure "first start (migrate + seed)"
curl -fs "http://127.0.0.1:$port/" >/dev/null
sleep 5
echo "$engine idle RSS after one page: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
kill -TERM "$pid"; wait "$pid" || true
measure "second start"
kill -TERM "$pid"; wait "$pid" || true
pid=""
