#!/bin/sh
# Queue tickets issued and calls made through the HTTP API, on SQLite and
# PostgreSQL, beside pgbench -N on the same PostgreSQL in one run (the
# issue's bar: each rate at least half of pgbench's transactions per
# second). pgbench runs before and after the API benchmarks, so a machine
# whose speed drifts during the run shows it.
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
pgbench_n() {
	echo "== pgbench -N, 16 clients, 20 s"
	pgbench $pg -N -c 16 -j 2 -T 20 "$db" 2>&1 | grep -E "^tps|latency average|error" || true
}
pgbench_n
echo "== tickets and calls through the API: 64 residents taking tickets; 16 counters calling (call-next completing the ticket at the counter)"
(cd internal/oidc && GOGC="${GOGC:-400}" "$bin" -test.run XXX -test.bench 'Queue(Tickets|Calls)' -test.benchtime "${N:-3000}x" \
	-test.count "${COUNT:-1}") | grep -E "tickets/s|calls/s|FAIL"
pgbench_n
