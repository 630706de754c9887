#!/bin/sh
# Live queue events at scale: STREAMS (default 10000) server-sent event
# streams on one node, CALLS (default 20) ticket calls EVERY (default 1s),
# the broadcast latency over every delivery and the server's memory per
# stream (cmd/oasse). Three runs: one node on SQLite, one node on
# PostgreSQL, and two nodes on PostgreSQL (streams on node B, calls on
# node A, through LISTEN/NOTIFY). The servers and the load tool share
# this machine.
#
#   ONEACCOUNT_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/oneaccount_dev?sslmode=disable scripts/bench-sse.sh
#
# Without ONEACCOUNT_TEST_POSTGRES only the SQLite run happens. Each
# process needs STREAMS + a few hundred file descriptors (ulimit -n).
set -eu
streams=${STREAMS:-10000}
calls=${CALLS:-20}
every=${EVERY:-1s}
need=$((streams + 500))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	ulimit -n "$need" 2>/dev/null || { echo "raise ulimit -n to at least $need" >&2; exit 1; }
fi
dir=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
go build -o "$dir/oasse" ./cmd/oasse

# serve DB ADDR CONTROL starts a node and waits until it listens.
serve() {
	: >"$dir/serve-$2.log"
	"$dir/oasse" serve -db "$1" -addr "$2" -control "$3" >"$dir/serve-$2.log" 2>&1 &
	pids="$pids $!"
	for _ in $(seq 1 120); do
		grep -q "control on" "$dir/serve-$2.log" && return 0
		sleep 0.5
	done
	cat "$dir/serve-$2.log" >&2
	exit 1
}
stop() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=""
}
# load STREAMS-NODE CALLS-NODE-CONTROL STREAMS-NODE-CONTROL
load() {
	"$dir/oasse" load -url "http://$1" -control "http://$2" -stats "http://$3" -streams "$streams" -calls "$calls" -every "$every" 2>/dev/null
	echo "(load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
}

echo "== one node, SQLite: $streams streams, $calls calls, load average $(cut -d' ' -f1-3 /proc/loadavg)"
serve "sqlite:$dir/sse.db" 127.0.0.1:18089 127.0.0.1:18090
load 127.0.0.1:18089 127.0.0.1:18090 127.0.0.1:18090
stop

[ -n "${ONEACCOUNT_TEST_POSTGRES:-}" ] || exit 0
base=${ONEACCOUNT_TEST_POSTGRES%%\?*}
server=${base%/*}
db=oneaccount_ssebench
psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
url="$server/$db?sslmode=disable"
echo "== one node, PostgreSQL: $streams streams, $calls calls, load average $(cut -d' ' -f1-3 /proc/loadavg)"
serve "$url" 127.0.0.1:18089 127.0.0.1:18090
load 127.0.0.1:18089 127.0.0.1:18090 127.0.0.1:18090
echo "== two nodes, PostgreSQL: $streams streams on node B, $calls calls on node A, load average $(cut -d' ' -f1-3 /proc/loadavg)"
serve "$url" 127.0.0.1:18091 127.0.0.1:18092
load 127.0.0.1:18091 127.0.0.1:18090 127.0.0.1:18092
stop
psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $db"
