#!/usr/bin/env bash
# Floods a real `oneaccount serve` with concurrent password sign-ins and
# prints what docs/benchmarks.md records: the server's memory (VmRSS and
# VmHWM from /proc/PID/status) before, during and after, oaload's status
# counts, latency percentiles and sign-ins per second, and whether the
# server survived (process alive, /healthz 200, clean shutdown, no panic in
# its log).
#
#   scripts/flood.sh                               # SQLite, --hash-concurrency 4
#   HASH_CONCURRENCY="2 4 8" scripts/flood.sh      # one run per setting
#   scripts/flood.sh postgres 'postgres://postgres@127.0.0.1:5432/DB?sslmode=disable'
#
# Settings from the environment: USERS (500 accounts), CONCURRENCY (500
# sign-ins in flight), DURATION (30s of starting sign-ins; answers still in
# flight are then awaited), HASH_CONCURRENCY ("4"), LOGDIR (where to keep
# the server logs, server-N.log; by default they are deleted). The accounts are seeded
# once with `oaload -seed-db` (500 Argon2id hashes); on SQLite each run gets
# a fresh copy of the seeded file, on PostgreSQL the runs share the
# database. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
engine="${1:-sqlite}"
users="${USERS:-500}"
concurrency="${CONCURRENCY:-500}"
duration="${DURATION:-30s}"
settings="${HASH_CONCURRENCY:-4}"
work="$(mktemp -d)"
pid=""
sampler=""
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/oneaccount" ./cmd/oneaccount
go build -o "$work/oaload" ./cmd/oaload

case "$engine" in
  sqlite) seeddb="sqlite:$work/seed.db" ;;
  postgres) seeddb="${2:?postgres URL}" ;;
  *) echo "engine: sqlite or postgres" >&2; exit 2 ;;
esac
"$work/oaload" -seed-db "$seeddb" -users "$users" -prefix flood

# mem PID prints "VmRSS <kB> VmHWM <kB>" in MiB.
mem() { awk '/^VmRSS|^VmHWM/ {printf "%s %.1f MiB  ", $1, $2 / 1024}' "/proc/$1/status"; }

echo "machine: $(nproc) vCPU, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for hc in $settings; do
  db="$seeddb"
  if [ "$engine" = sqlite ]; then
    cp "$work/seed.db" "$work/run-$hc.db"
    db="sqlite:$work/run-$hc.db"
  fi
  port=$(( 20000 + RANDOM % 20000 ))
  log="$work/server-$hc.log"
  echo
  echo "== $engine, --hash-concurrency $hc, $concurrency concurrent sign-ins for $duration over $users accounts"
  "$work/oneaccount" serve --addr "127.0.0.1:$port" --db "$db" --hash-concurrency "$hc" 2>"$log" &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "server did not start:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  echo "before: $(mem "$pid")"
  samples="$work/rss-$hc.txt"
  (while kill -0 "$pid" 2>/dev/null; do awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null; sleep 0.25; done) >"$samples" &
  sampler=$!
  rc=0
  "$work/oaload" -url "http://127.0.0.1:$port" -users "$users" -prefix flood -concurrency "$concurrency" \
    -duration "$duration" -progress 10s || rc=$?
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=""
  if kill -0 "$pid" 2>/dev/null; then alive=yes; else alive=NO; fi
  health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
  echo "oaload exit status: $rc (0: only 303/429/503 answers)"
  echo "during: max sampled VmRSS $(sort -n "$samples" | tail -1 | awk '{printf "%.1f MiB", $1 / 1024}') over $(wc -l <"$samples") samples"
  echo "after:  $(mem "$pid")"
  echo "server alive: $alive  /healthz: $health"
  echo "server-side /login statuses: $(grep -o '"route":"POST /login"[^}]*"status":[0-9]*' "$log" | grep -o '"status":[0-9]*$' | sort | uniq -c | awk '{printf "%s×%s ", substr($2, 10), $1}')"
  echo "panics or errors in the server log: $(grep -c -E '"level":"ERROR"|panic' "$log" || true)"
  grep -v '"msg":"request"' "$log" | grep -o '"level":"[A-Z]*","msg":"[^"]*"[^{}]*"err":"[^"]*"' | sed 's/"request_id":"[^"]*",\{0,1\}//' |
    sort | uniq -c | sort -rn | head -5 | sed 's/^/  log: /' || true
  sleep 10
  echo "idle 10 s later: $(mem "$pid")"
  kill -TERM "$pid"
  src=0
  wait "$pid" || src=$?
  pid=""
  echo "server exit status after SIGTERM: $src"
  if [ -n "${LOGDIR:-}" ]; then mkdir -p "$LOGDIR" && cp "$log" "$LOGDIR/"; fi
done
