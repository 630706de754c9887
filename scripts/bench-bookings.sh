#!/bin/sh
# Bookings through the HTTP API beside pgbench -N on the same PostgreSQL,
# in one run (the bar: bookings per second at least half of
# pgbench's transactions per second).
#
#   ONEACCOUNT_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/oneaccount_dev?sslmode=disable scripts/bench-bookings.sh
set -eu
: "${ONEACCOUNT_TEST_POSTGRES:?set it to a PostgreSQL URL}"
host=$(echo "$ONEACCOUNT_TEST_POSTGRES" | sed -E 's#^postgres://([^@]+@)?([^:/]+).*#\2#')
port=$(echo "$ONEACCOUNT_TEST_POSTGRES" | sed -nE 's#^postgres://[^/]*:([0-9]+)/.*#\1#p')
user=$(echo "$ONEACCOUNT_TEST_POSTGRES" | sed -nE 's#^postgres://([^@:]+)[:@].*#\1#p')
db=oneaccount_pgbench
psql -h "$host" -p "${port:-5432}" -U "${user:-postgres}" -d postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
pgbench -h "$host" -p "${port:-5432}" -U "${user:-postgres}" -i -s 10 -q "$db" >/dev/null 2>&1
echo "== pgbench -N, 16 clients, 20 s"
pgbench -h "$host" -p "${port:-5432}" -U "${user:-postgres}" -N -c 16 -j 2 -T 20 "$db" 2>/dev/null | grep -E "^tps|latency average"
echo "== bookings through the API, 64 concurrent residents"
go test ./internal/oidc -run XXX -bench 'Bookings/.*/postgres' -benchtime "${BOOKINGS:-5000}x" -count "${COUNT:-2}" | grep -E "bookings/s|FAIL"
psql -h "$host" -p "${port:-5432}" -U "${user:-postgres}" -d postgres -qc "DROP DATABASE IF EXISTS $db"
