#!/usr/bin/env bash
# The test suite's two passes: SQLite always; PostgreSQL as well when VERBUND_TEST_POSTGRES_URL
# names an empty database. They run side by side: both are mostly waiting (browsers, LibreOffice,
# subprocesses), so on CI's two cores the pair takes ~60 % of their sum. Every test uses its own
# temporary directory, free ports and (on PostgreSQL) its own database, so the passes do not
# meet. The PostgreSQL pass's output is kept in a file and shown after the SQLite pass's.
# Screen journeys run on the SQLite pass only (tests/browser_support.py screens_on_sqlite_pass);
# each pass prints its 25 slowest tests, so CI's log shows where the time goes.
set -u
BIN="${1:-.venv/bin}"
pg_pid=""
pg_log="$(mktemp -t verbund-pytest-postgres.XXXXXX)"
if [ -n "${VERBUND_TEST_POSTGRES_URL:-}" ]; then
  VERBUND_TEST_DATABASE_URL="$VERBUND_TEST_POSTGRES_URL" \
    "$BIN/pytest" -q -p no:cacheprovider --durations=25 >"$pg_log" 2>&1 &
  pg_pid=$!
fi
echo "== SQLite"
"$BIN/pytest" -q --durations=25
sqlite_status=$?
pg_status=0
if [ -n "$pg_pid" ]; then
  wait "$pg_pid"
  pg_status=$?
  echo "== PostgreSQL"
  cat "$pg_log"
fi
rm -f "$pg_log"
[ "$sqlite_status" -eq 0 ] && [ "$pg_status" -eq 0 ]
