#!/usr/bin/env bash
# `predict-overpasses` in auto mode and the behaviour every mode shares, on real inputs (the
# 2019 ESA plan for S2A and the reference TLEs):
#  1. auto (satellite_tracking.mode's default, no --mode): S2A rows inside the plan's validity
#     period (from its file name, 2019-09-12T12:00 to 2019-09-30T15:00) are exactly the rows
#     `--mode esa_plan` gives there; S2B/S2C rows and S2A rows after the period are exactly the
#     rows `--mode tle` gives for them; the source column says which.
#  2. schedule versions: the replaced schedule is kept in plan/history/ under the time it was
#     written, an identical schedule adds no version, schedule_versions_keep prunes.
#  3. element sets downloaded from tle_source (a loopback HTTP server, never Celestrak) are
#     cached; with the server gone the cached copy is used with a warning giving its age.
#  4. bad input: stale element sets warn with the configured age; a bad checksum or line length
#     is an error naming file and line; a KML in UTF-16 is a clear encoding error.
set -euo pipefail
BIN="${SHIPCHIPS_BIN:?path to the shipchips binary}"
SRC="${SHIPCHIPS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
REF="${SHIPCHIPS_REFERENCE_DIR:-$SRC/../shared/reference}"
PY=/usr/bin/python3
KML="$REF/esa-plans/Sentinel-2A_MP_ACQ_KML_20190912T120000_20190930T150000.kml"
TLE="$REF/tle/sentinel2_tles.txt"
TMP="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
CONFIG="$TMP/config.yaml"
sed -e "s|^  dataset_root: .*|  dataset_root: $TMP/ds|" -e "s|^  file: logs/run.log|  file: \"\"|" "$SRC/config.yaml" > "$CONFIG"
grep -q "^  mode: auto" "$CONFIG" || fail "config.yaml's satellite_tracking.mode is not auto"
run() { "$BIN" --config "$CONFIG" predict-overpasses "$@"; }
TILES=31UFU,30STF,33UUP

# 1. auto against the two single-source modes.
run --esa-kml "$KML" --tle "$TLE" --tiles $TILES --start 2019-09-25 --days 10 --out "$TMP/auto.csv" 2> "$TMP/auto.log"
grep -q "auto: S2A from the ESA plan for 2019-09-25T00:00:00Z to 2019-09-30T15:00:00Z" "$TMP/auto.log" || fail "coverage not logged: $(cat "$TMP/auto.log")"
run --mode esa_plan --esa-kml "$KML" --tiles $TILES --out "$TMP/esa.csv" 2> /dev/null
run --mode tle --tle "$TLE" --tiles $TILES --start 2019-09-25 --days 10 --out "$TMP/tle.csv" 2> /dev/null
"$PY" - "$TMP/auto.csv" "$TMP/esa.csv" "$TMP/tle.csv" <<'PYEOF'
import csv, sys
from datetime import datetime, timezone
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
lo, hi = t("2019-09-25T00:00:00Z"), t("2019-09-30T15:00:00Z")
end = t("2019-10-05T00:00:00Z")
mid = lambda r: t(r["start_time_utc"]) + (t(r["end_time_utc"]) - t(r["start_time_utc"])) / 2
auto = list(csv.DictReader(open(sys.argv[1])))
esa = [r for r in csv.DictReader(open(sys.argv[2])) if lo <= mid(r) < hi]
tle = list(csv.DictReader(open(sys.argv[3])))
# tle rows of S2A inside the plan period are replaced by the plan (closest approach ~ middle).
tle_kept = [r for r in tle if not (r["satellite"] == "S2A" and lo <= mid(r) < hi)]
key = lambda r: (r["start_time_utc"], r["tile_id"], r["satellite"])
assert all(r["source"] == "esa_plan" for r in esa) and esa, esa
got_esa = [r for r in auto if r["source"] == "esa_plan"]
got_tle = [r for r in auto if r["source"] == "tle"]
assert len(got_esa) + len(got_tle) == len(auto), "unknown source"
assert sorted(map(key, got_esa)) == sorted(map(key, esa)), (got_esa, esa)
assert [tuple(r.values()) for r in sorted(got_esa, key=key)] == [tuple(r.values()) for r in sorted(esa, key=key)]
assert sorted(map(key, got_tle)) == sorted(map(key, tle_kept)), (got_tle, tle_kept)
# S2C was launched in 2024: no 2019 row of it, in either mode.
assert {r["satellite"] for r in got_tle} == {"S2A", "S2B"}
assert not any(r["satellite"] == "S2C" for r in tle)
assert all(mid(r) >= hi for r in got_tle if r["satellite"] == "S2A"), "S2A predicted inside the plan period"
assert auto == sorted(auto, key=key), "not sorted"
print(f"auto: {len(got_esa)} esa_plan rows (S2A, plan period) + {len(got_tle)} tle rows")
PYEOF

# The configured plan and mode work without options; with no plan configured auto is TLE only.
SHIPCHIPS_SATELLITE_TRACKING_ESA_KML_PATH="$KML" SHIPCHIPS_SATELLITE_TRACKING_TLE_FILE="$TLE" \
  run --tiles $TILES --start 2019-09-25 --days 10 --out "$TMP/auto_cfg.csv" 2> /dev/null
cmp -s "$TMP/auto.csv" "$TMP/auto_cfg.csv" || fail "configured esa_kml_path differs from --esa-kml"
run --tle "$TLE" --tiles $TILES --start 2019-09-25 --days 10 --out "$TMP/auto_tle.csv" 2> /dev/null
cmp -s "$TMP/tle.csv" "$TMP/auto_tle.csv" || fail "auto without a plan is not the tle schedule"

# 2. schedule versions (default output under the dataset root).
SCHED="$TMP/ds/plan/overpass_schedule.csv"
HIST="$TMP/ds/plan/history"
run --mode tle --tle "$TLE" --tiles 31UFU --start 2026-03-20 --days 3 2> /dev/null
[ ! -d "$HIST" ] || [ -z "$(ls -A "$HIST")" ] || fail "history written for the first schedule"
cp "$SCHED" "$TMP/v1.csv"
touch -d "2026-03-20 01:02:03 UTC" "$SCHED"
run --mode tle --tle "$TLE" --tiles 31UFU --start 2026-03-20 --days 5 2> /dev/null
cmp -s "$HIST/overpass_schedule_20260320T010203Z.csv" "$TMP/v1.csv" || fail "previous schedule not kept: $(ls "$HIST")"
cmp -s "$SCHED" "$TMP/v1.csv" && fail "schedule not replaced"
run --mode tle --tle "$TLE" --tiles 31UFU --start 2026-03-20 --days 5 2> /dev/null
[ "$(ls "$HIST" | wc -l)" = 1 ] || fail "an identical schedule made a version: $(ls "$HIST")"
for d in 6 7 8; do
  touch -d "2026-03-2$d 00:00:00 UTC" "$SCHED"
  SHIPCHIPS_SATELLITE_TRACKING_SCHEDULE_VERSIONS_KEEP=2 \
    run --mode esa_plan --esa-kml "$KML" --tiles 31UFU --start 2019-09-1$d --days 3 2> /dev/null
done
[ "$(ls "$HIST")" = "$(printf 'overpass_schedule_20260327T000000Z.csv\noverpass_schedule_20260328T000000Z.csv')" ] ||
  fail "pruning to 2 versions: $(ls "$HIST")"
ls "$TMP/ds/plan" | grep -v -x -e overpass_schedule.csv -e history -e tle_cache && fail "stray files in plan/"

# 3. tle_source through the cache, from a loopback server.
mkdir -p "$TMP/www"
cp "$TLE" "$TMP/www/gp.txt"
"$PY" -u -m http.server 0 --bind 127.0.0.1 --directory "$TMP/www" > "$TMP/http.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do grep -q "port" "$TMP/http.log" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$TMP/http.log" | head -1)
[ -n "$PORT" ] || fail "no loopback server: $(cat "$TMP/http.log")"
export SHIPCHIPS_SATELLITE_TRACKING_TLE_SOURCE="http://127.0.0.1:$PORT/gp.txt"
run --mode tle --tiles 31UFU --start 2026-03-20 --days 3 --out "$TMP/dl.csv" 2> "$TMP/dl.log"
grep -q "downloaded" "$TMP/dl.log" || fail "not downloaded: $(cat "$TMP/dl.log")"
ls "$TMP"/ds/plan/tle_cache/*.txt "$TMP"/ds/plan/tle_cache/*.json > /dev/null || fail "no cache files"
cmp -s "$TMP"/ds/plan/tle_cache/*.txt "$TLE" || fail "cached body differs"
run --mode tle --tiles 31UFU --start 2026-03-20 --days 3 --out "$TMP/cached.csv" 2> "$TMP/cached.log"
grep -q "(cache, fetched" "$TMP/cached.log" || fail "cache not used: $(cat "$TMP/cached.log")"
[ "$(grep -c "GET /gp.txt" "$TMP/http.log")" = 1 ] || fail "cache hit made a request: $(cat "$TMP/http.log")"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
SHIPCHIPS_SATELLITE_TRACKING_TLE_CACHE_HOURS=0 run --mode tle --tiles 31UFU --start 2026-03-20 --days 3 \
  --out "$TMP/stale.csv" 2> "$TMP/stale.log"
grep -q "using the cached copy fetched .* ([0-9.]* h old)" "$TMP/stale.log" || fail "no stale warning: $(cat "$TMP/stale.log")"
cmp -s "$TMP/dl.csv" "$TMP/stale.csv" || fail "stale cache gave another schedule"
rm -rf "$TMP/ds/plan/tle_cache"
rc=0; run --mode tle --tiles 31UFU --start 2026-03-20 --days 3 --out "$TMP/none.csv" 2> "$TMP/none.log" || rc=$?
[ "$rc" != 0 ] && grep -q "no cached copy in" "$TMP/none.log" && [ ! -e "$TMP/none.csv" ] || fail "no error without cache: $(cat "$TMP/none.log")"
unset SHIPCHIPS_SATELLITE_TRACKING_TLE_SOURCE

# 4. bad input.
run --mode tle --tle "$TLE" --tiles 31UFU --start 2026-04-10 --days 2 --satellites S2B --out "$TMP/s.csv" 2> "$TMP/stale14.log"
grep -q "S2B: element set of 2026-03-20.* is 20.8 days from the window (more than 14)" "$TMP/stale14.log" || fail "no stale warning: $(cat "$TMP/stale14.log")"
SHIPCHIPS_SATELLITE_TRACKING_TLE_MAX_AGE_DAYS=30 run --mode tle --tle "$TLE" --tiles 31UFU --start 2026-04-10 --days 2 \
  --satellites S2B --out "$TMP/s.csv" 2> "$TMP/stale30.log"
grep -q "days from the window" "$TMP/stale30.log" && fail "tle_max_age_days=30 still warns: $(cat "$TMP/stale30.log")"
SHIPCHIPS_SATELLITE_TRACKING_TLE_MAX_AGE_DAYS=1 run --mode tle --tle "$TLE" --tiles 31UFU --start 2026-03-23 --days 2 \
  --satellites S2B --out "$TMP/s.csv" 2> "$TMP/stale1.log"
grep -q "days from the window (more than 1)" "$TMP/stale1.log" || fail "tle_max_age_days=1 does not warn: $(cat "$TMP/stale1.log")"
sed '2s/9994$/9990/' "$TLE" > "$TMP/bad_sum.tle"  # S2A line 1's checksum (line 2 of the file)
sed '3s/$/5/' "$TLE" > "$TMP/bad_len.tle"         # S2A line 2, one column too many
for f in bad_sum bad_len; do
  rc=0; run --mode tle --tle "$TMP/$f.tle" --tiles 31UFU --start 2026-03-20 --out "$TMP/$f.csv" 2> "$TMP/$f.log" || rc=$?
  [ "$rc" != 0 ] && [ ! -e "$TMP/$f.csv" ] || fail "$f accepted"
done
grep -q "$TMP/bad_sum.tle:2: checksum: is 0, computed 4" "$TMP/bad_sum.log" || fail "bad checksum message: $(cat "$TMP/bad_sum.log")"
grep -q "$TMP/bad_len.tle:3: line 2: length 70, expected 69 columns" "$TMP/bad_len.log" || fail "bad length message: $(cat "$TMP/bad_len.log")"
"$PY" -c 'import sys; open(sys.argv[2], "wb").write(open(sys.argv[1], encoding="utf-8").read().replace("UTF-8", "UTF-16").encode("utf-16"))' "$KML" "$TMP/plan16.kml"
rc=0; run --esa-kml "$TMP/plan16.kml" --tle "$TLE" --tiles 31UFU --start 2019-09-20 --out "$TMP/k.csv" 2> "$TMP/k.log" || rc=$?
[ "$rc" != 0 ] && grep -q "plan16.kml: unsupported encoding" "$TMP/k.log" || fail "UTF-16 KML: $(cat "$TMP/k.log")"
echo OK
