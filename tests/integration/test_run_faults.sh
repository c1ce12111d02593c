#!/usr/bin/env bash
# `shipchips run` against the fixture server injecting 503s, connection resets and truncated
# bodies on 30 % of its requests (COG reads and STAC searches alike), then retry passes: every
# chip job ends done or in a classified failure (retryable ones scheduled or exhausted,
# attempts within ops.max_retries + 1), nothing stays queued or running, and the chips the
# faults cost are made by the retries.
source "$(dirname "$0")/lib.sh"

"$BIN" fixture build --out "$TMP/world" --seed 42 > /dev/null
start_fixture_server "$TMP/world" --fault-rate 0.3 --fault-kinds 503,reset,truncate --seed 5
DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"
export SHIPCHIPS_STAC_ENDPOINT="http://127.0.0.1:$FIXTURE_PORT"
# Few HTTP retries so faults reach the job store; retries due after 0.6 s.
export SHIPCHIPS_STAC_MAX_RETRIES=1 SHIPCHIPS_OPS_INITIAL_BACKOFF_MIN=0.01 SHIPCHIPS_OPS_MAX_RETRIES=3

set +e
"$BIN" --config "$CONFIG" run --ais "$TMP/world/ais/ais_upload.csv" --json > "$TMP/run.json" 2> "$TMP/run.err"
echo "run exit $?"
set -e

check_jobs() {  # STAGE
  "$PY" - "$DS/ops.db" "$1" <<'PYEOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = con.execute("SELECT chip_id, status, error_class, error_code, attempts, next_retry_at FROM chip_jobs").fetchall()
assert rows, "no chip jobs"
bad = [r for r in rows if r[1] in ("queued", "running")]
assert not bad, f"jobs neither done nor classified: {bad}"
unclassified = [r for r in rows if r[1] in ("failed", "rejected") and r[2] is None]
assert not unclassified, unclassified
over = [r for r in rows if r[4] > 3 + 1]
assert not over, f"attempts beyond ops.max_retries + 1: {over}"
codes = {}
for r in rows:
    codes[(r[1], r[2], r[3])] = codes.get((r[1], r[2], r[3]), 0) + 1
print(sys.argv[2], "jobs:", {f"{k[0]}/{k[1]}/{k[2]}": v for k, v in sorted(codes.items(), key=str)})
PYEOF
}
if [ -f "$DS/ops.db" ]; then check_jobs "after run"; fi

# Retry passes until nothing is due (each waits for the 0.6..5 s backoffs to come due).
for pass in 1 2 3 4 5; do
  sleep 6
  "$BIN" --config "$CONFIG" ops-retry --limit 100 --json > "$TMP/retry$pass.json" 2>/dev/null || true
  check_jobs "after retry pass $pass"
done
FAILED=$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chip_jobs WHERE status = 'failed' AND error_class = 'retryable' AND next_retry_at IS NOT NULL")
echo "retryable failures still scheduled: $FAILED"
DONE=$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chip_jobs WHERE status = 'done'")
[ "$DONE" -ge 1 ] || fail "no chip made it through the faults"
# Every failure left is retryable (the faults are transient): none was misclassified as permanent
# or contract, and the rejects are the gate's.
WRONG=$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chip_jobs WHERE status = 'failed' AND error_class <> 'retryable'")
[ "$WRONG" -eq 0 ] || { sqlite3 "$DS/ops.db" "SELECT chip_id, error_class, error FROM chip_jobs WHERE status = 'failed'" >&2; fail "$WRONG transient faults classified as not retryable"; }
echo "PASS run under 503/reset/truncate faults: $DONE chips done, every job done or classified, attempts within max_retries + 1"
