#!/bin/sh
# Queue tickets issued and calls made through the HTTP API, on SQLite and
# PostgreSQL, beside pgbench -N on the same PostgreSQL in one run (the
# issue's bar: each rate at least half of pgbench's transactions per
# second). Each benchmark runs right after a pgbench of its own (10 s), and
# its ratio is to that one: the VM's speed drifts within minutes.
#
#   ONEACCOUNT_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/oneaccount_dev?sslmode=disable scripts/bench-queue.sh
#
# N (default 3000) is the tickets or calls per benchmark, COUNT (default 1)
# the runs of each. The benchmark process runs with GOGC=400, as the
# server does (cmd/oneaccount, decision 0021), unless GOGC is set.
set -eu
: "${ONEACCOUNT_TEST_POSTGRES:?set it to a PostgreSQL URL}"
host=$(echo "$ONEACCOUNT_TEST_POSTGRES" | sed -E 's#^postgres://([^@]+@)?([^:/]+).*#\2#')
port=$(echo "$ONEACCOUNT_TEST_POSTGRES" | sed -nE 's#^postgres://[^/]*:([0-9]+)/.*#\1#p')
user=$(echo "$ONEACCOUNT_TEST_POSTGRES" | sed -nE 's#^postgres://([^@:]+)[:@].*#\1#p')
pg="-h $host -p ${port:-5432} -U ${user:-postgres}"
db=oneaccount_pgbench
bin=$(mktemp -d)/oidc.test
trap 'rm -rf "$(dirname "$bin")"; psql $pg -d postgres -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
go test -c -o "$bin" ./internal/oidc
psql $pg -d postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
pgbench $pg -i -s 10 -q "$db" >/dev/null 2>&1
# pgbench_tps runs pgbench -N (16 clients, 2 threads) for $1 seconds and
# prints its transactions per second.
pgbench_tps() {
	pgbench $pg -N -c 16 -j 2 -T "$1" "$db" 2>&1 | sed -nE 's/^tps = ([0-9.]+).*/\1/p'
}
# The VM's speed drifts by a third within minutes, so each benchmark runs
# right after a pgbench of its own, and its ratio is to that pgbench.
echo "== each benchmark right after pgbench -N (10 s): rate, pgbench tps, ratio"
echo "   tickets: 64 residents taking tickets; calls: 16 counters, call-next completing the ticket at the counter"
for bench in QueueTickets/spread QueueTickets/hot QueueCalls/hot QueueCalls/spread; do
	for engine in sqlite postgres; do
		for _ in $(seq "${COUNT:-1}"); do
			tps=$(pgbench_tps 10)
			rate=$(cd internal/oidc && GOGC="${GOGC:-400}" "$bin" -test.run XXX -test.bench "^Benchmark$bench/$engine\$" \
				-test.benchtime "${N:-3000}x" | sed -nE 's#.* ([0-9.]+) (tickets|calls)/s$#\1#p')
			echo "$bench/$engine ${rate:-FAILED}/s pgbench $tps ratio $(echo "${rate:-0} $tps" | awk '{printf "%.2f", $1/$2}')"
		done
	done
done
