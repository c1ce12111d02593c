#!/usr/bin/env bash
# `shipchips backfill` over the offline world's AIS: one run per UTC-day partition with its
# manifests; --resume skips the partitions whose manifests show success and runs only failed or
# missing ones; summary.json lists every partition; a failed partition (STAC API down) is
# classified and fails the command, and the next --resume runs it alone.
source "$(dirname "$0")/lib.sh"

"$BIN" fixture build --out "$TMP/world" --seed 42 > /dev/null
start_fixture_server "$TMP/world"
DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"
AIS="$TMP/world/ais/ais_upload.csv"
export SHIPCHIPS_STAC_ENDPOINT="http://127.0.0.1:$FIXTURE_PORT"
# The world's scenes are sensed on 2020-06-14 and 2024-05-23; its AIS covers those days.
bf() { "$BIN" --config "$CONFIG" backfill --start 2020-06-13 --end 2020-06-15 --ais "$AIS" --json "$@"; }

summary_check() {  # FILE.json EXPECTED_STATUS_PER_DAY(json)
  "$PY" - "$DS" "$1" "$2" <<'PYEOF'
import json, os, sys
root, out, expected = sys.argv[1], json.load(open(sys.argv[2])), json.loads(sys.argv[3])
got = {p["date"]: p["status"] for p in out["partitions"]}
assert got == expected, (got, expected)
summary = json.load(open(out["summary"]))
assert os.path.dirname(out["summary"]).startswith(os.path.join(root, "manifests", "backfills")), out["summary"]
assert {p["date"]: p["status"] for p in summary["partitions"]} == expected, summary
assert summary["counts"]["partitions"] == 3, summary
for p in summary["partitions"]:
    run = p["run_id"]
    assert run, p
    for step in ("collect", "chip", "index", "retry"):
        m = os.path.join(root, "manifests", step, "date=" + p["date"], "run=" + run, "manifest.json")
        if p["status"] in ("succeeded", "skipped"):
            assert json.load(open(m))["status"] == "succeeded", m
    if p["status"] == "failed":
        assert p["class"] == "retryable" and p["error"], p
print("ok", {d: s for d, s in got.items()})
PYEOF
}

bf > "$TMP/bf1.json" || fail "first backfill failed"
summary_check "$TMP/bf1.json" '{"2020-06-13": "succeeded", "2020-06-14": "succeeded", "2020-06-15": "succeeded"}'
CHIPS=$(find "$DS/chips" -name '*.tif' | wc -l)
[ "$CHIPS" -ge 3 ] || fail "only $CHIPS chips"
find "$DS/chips" -name '*.tif' | grep -v '/20200614/' && fail "chips outside the partition days"
RUNS=$(ls "$DS/runs" | wc -l)

# Resume with nothing failed: every partition skipped, no new run.
bf --resume > "$TMP/bf2.json" || fail "resume failed"
summary_check "$TMP/bf2.json" '{"2020-06-13": "skipped", "2020-06-14": "skipped", "2020-06-15": "skipped"}'
[ "$(ls "$DS/runs" | wc -l)" -eq "$RUNS" ] || fail "a resume with nothing to do started runs"

# 2020-06-14's manifests go missing and the STAC API is down: that partition alone runs and
# fails as retryable; the command fails.
rm -rf "$DS"/manifests/*/date=2020-06-14
set +e
SHIPCHIPS_STAC_ENDPOINT="http://127.0.0.1:9" SHIPCHIPS_STAC_MAX_RETRIES=0 bf --resume > "$TMP/bf3.json" 2> "$TMP/bf3.err"
CODE=$?
set -e
[ "$CODE" -ne 0 ] || fail "a failed partition did not fail the backfill"
grep -q "partitions failed (rerun with --resume)" "$TMP/bf3.err" || { cat "$TMP/bf3.err" >&2; fail "error line"; }
summary_check "$TMP/bf3.json" '{"2020-06-13": "skipped", "2020-06-14": "failed", "2020-06-15": "skipped"}'

# The API is back: the next resume runs only the failed partition.
bf --resume > "$TMP/bf4.json" || fail "resume after the outage failed"
summary_check "$TMP/bf4.json" '{"2020-06-13": "skipped", "2020-06-14": "succeeded", "2020-06-15": "skipped"}'
[ "$(find "$DS/chips" -name '*.tif' | wc -l)" -eq "$CHIPS" ] || fail "the rerun changed the chips"

# Two partitions at once give the same dataset as one after the other.
DS2="$TMP/ds2"
write_config "$DS2" "$TMP/config2.yaml"
"$BIN" --config "$TMP/config2.yaml" backfill --start 2020-06-13 --end 2020-06-15 --ais "$AIS" --max-parallel 2 \
  > "$TMP/parallel.out" 2> "$TMP/parallel.err" \
  || { cat "$TMP/parallel.out" "$TMP/parallel.err" >&2; fail "parallel backfill failed"; }
diff <(cd "$DS/chips" && find . -name '*.tif' | sort) <(cd "$DS2/chips" && find . -name '*.tif' | sort) \
  || fail "parallel backfill made other chips"

# Bad dates are usage errors.
set +e
"$BIN" --config "$CONFIG" backfill --start 2020-06-15 --end 2020-06-13 2> "$TMP/bad.err"
[ $? -eq 2 ] || fail "end before start: expected exit 2"
set -e
grep -q "before --start" "$TMP/bad.err" || fail "end before start: error line"
echo "PASS backfill: partitions, resume of failed/missing only, summary, parallel = sequential"
