#!/usr/bin/env bash
# `shipchips collect-ais --dry-run` end to end: a schedule predicted from the reference TLEs,
# synthetic capture restricted to it, the per-tile/day snapshots read back by DuckDB (Parquet)
# and GDAL's ogr2ogr (XLSX), and checked here in Python: every row synthetic, inside the tile's
# box and the open window, tracks physically consistent (geodesic distance / time = SOG, COG =
# the track's direction, ITU-R M.1371 reporting intervals); a rerun adds nothing; a lost track
# store loses no ping (the previous snapshot is merged); no window → a clear end, no snapshot;
# neither --dry-run nor --no-dry-run → refused; a live run with nothing listening ends cleanly
# on SIGINT without ever printing the API key; no key → a clear error.
source "$(dirname "$0")/lib.sh"
need_node_tools

DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"

"$BIN" --config "$CONFIG" predict-overpasses --mode tle --tle "$REF/tle/sentinel2_tles.txt" --tiles 31UFU,30STF \
  --start 2026-03-20 --days 3 > /dev/null 2>&1
SCHED="$DS/plan/overpass_schedule.csv"
# The first window of 31UFU.
START=$(awk -F, '$1 == "31UFU" { print $3; exit }' "$SCHED")
END=$(awk -F, '$1 == "31UFU" { print $4; exit }' "$SCHED")
[ -n "$START" ] || { echo "no 31UFU window in the schedule" >&2; cat "$SCHED" >&2; exit 1; }
DAY=$(echo "$START" | cut -c1-10 | tr -d -)

# --- neither flag: refused --------------------------------------------------------------------
rc=0; "$BIN" --config "$CONFIG" collect-ais > /dev/null 2> "$TMP/err.txt" || rc=$?
[ "$rc" != 0 ] || { echo "collect-ais without --dry-run/--no-dry-run succeeded" >&2; exit 1; }
grep -q "Exactly 1 option from \[--dry-run,--no-dry-run\] is required" "$TMP/err.txt"

# --- capture during the window (the 60 min asked reach past its end) -----------------------------
"$BIN" --config "$CONFIG" collect-ais --dry-run --restrict-to-schedule --now "$START" --window-min 60 --seed 5 \
  --json > "$TMP/run1.json" 2> "$TMP/log1.txt"
PARQ="$DS/ais/$DAY/ais_overpass_31UFU.parquet"
XLSX="$DS/ais/$DAY/ais_overpass_31UFU.xlsx"
test -f "$PARQ" && test -f "$XLSX"
ls -a "$DS/ais/$DAY" | grep -q tmp && { echo "temporary file left behind" >&2; exit 1; }

node "$SRC/tests/integration/read_parquet.mjs" "$PARQ" \
  "SELECT count(*) AS n, count(DISTINCT provider) AS providers, min(provider) AS provider FROM {file}" > "$TMP/read1.json"
ogr2ogr -f CSV "$TMP/x1.csv" "$XLSX" ais
"$BIN" --config "$CONFIG" grid tile 31UFU --json > "$TMP/tile.json"

"$PY" - "$TMP/run1.json" "$TMP/read1.json" "$TMP/x1.csv" "$TMP/tile.json" "$START" "$END" <<'PYEOF'
import csv, json, math, sys
from datetime import datetime, timezone
run = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2])); tile = json.load(open(sys.argv[4]))
start = datetime.fromisoformat(sys.argv[5].replace("Z", "+00:00")); end = datetime.fromisoformat(sys.argv[6].replace("Z", "+00:00"))
assert run["mode"] == "dry-run" and run["tiles"] == ["31UFU"], run
n = run["snapshot_rows"]
assert n > 500 and run["positions_inserted"] == n == run["positions_received"], run
duck = d["duckdb"]
types = {c["name"]: c["type"] for c in duck["columns"]}
assert list(types)[:5] == ["tile_id", "mmsi", "captured_time", "lat", "lon"], list(types)
assert types["captured_time"] == "TIMESTAMP WITH TIME ZONE" and types["mmsi"] == "BIGINT", types
assert duck["queries"][0][0] == {"n": str(n), "providers": "1", "provider": "synthetic"}, duck["queries"]
rows = list(csv.DictReader(open(sys.argv[3])))
assert len(rows) == n, (len(rows), n)
# Inside the tile's footprint box (+ bbox_margin_km 10 km ~ 0.16 deg) and the window.
ring = tile["footprint"]["coordinates"][0] if "footprint" in tile else tile["footprint_wgs84"]["coordinates"][0]
lons = [p[0] for p in ring]; lats = [p[1] for p in ring]
for r in rows:
    assert r["provider"] == "synthetic" and r["source"] == "synthetic", r
    lat, lon = float(r["lat"]), float(r["lon"])
    assert min(lats) - 0.2 <= lat <= max(lats) + 0.2 and min(lons) - 0.3 <= lon <= max(lons) + 0.3, (lat, lon)
    t = datetime.fromisoformat(r["captured_time"].replace("Z", "+00:00"))
    assert start <= t < end, (t, start, end)

# Tracks: distance between consecutive pings (haversine on a sphere is enough at these scales)
# against the reported speed; course against the bearing; reporting intervals by class.
def dist_bearing(a, b):
    R = 6371008.8
    p1, p2 = math.radians(a[0]), math.radians(b[0]); dl = math.radians(b[1] - a[1])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    d = 2 * R * math.asin(math.sqrt(h))
    y = math.sin(dl) * math.cos(p2); x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return d, (math.degrees(math.atan2(y, x)) + 360) % 360
by = {}
for r in rows: by.setdefault(r["mmsi"], []).append(r)
classes = set()
checked = straight = 0
for mmsi, track in by.items():
    assert 200000000 <= int(mmsi) <= 799999999, mmsi
    cls = track[0]["class"]; classes.add(cls)
    times = [datetime.fromisoformat(r["captured_time"].replace("Z", "+00:00")) for r in track]
    assert times == sorted(times)
    for i in range(1, len(track)):
        dt = (times[i] - times[i - 1]).total_seconds()
        a, b = track[i - 1], track[i]
        sog = float(a["sog"])
        if cls == "A":
            limit = 10.5 if sog <= 14 else 6.5
            assert dt <= limit + 1e-6, (mmsi, dt, sog)
        else:
            assert 29.4 <= dt <= 30.6, (mmsi, dt)
        d, brg = dist_bearing((float(a["lat"]), float(a["lon"])), (float(b["lat"]), float(b["lon"])))
        implied_kn = d / dt * 3600 / 1852
        assert abs(implied_kn - sog) < 0.6, (mmsi, implied_kn, sog)  # speed held within +-0.3 kn
        turn = abs((brg - float(a["cog"]) + 180) % 360 - 180)
        if d > 20:
            straight += turn < 1.0  # COG is the geodesic's direction, except across a leg's turn
            checked += 1
assert classes == {"A", "B"}, classes
assert checked > 400 and straight / checked > 0.97, (checked, straight)
print(f"{n} synthetic pings of {len(by)} ships checked")
PYEOF

# --- the XLSX snapshot is an upload table: importing it back finds every row already stored ----
"$BIN" --config "$CONFIG" ais import "$XLSX" > "$TMP/import.txt" 2> /dev/null
N1=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["snapshot_rows"])' "$TMP/run1.json")
grep -q "(upload): $N1 records, 0 positions new, $N1 duplicates" "$TMP/import.txt" || { cat "$TMP/import.txt" >&2; exit 1; }

# --- rerun: nothing new, nothing lost ------------------------------------------------------------
"$BIN" --config "$CONFIG" collect-ais --dry-run --restrict-to-schedule --now "$START" --window-min 60 --seed 5 \
  --json > "$TMP/run2.json" 2> /dev/null
"$PY" - "$TMP/run1.json" "$TMP/run2.json" <<'PYEOF'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert b["positions_inserted"] == 0 and b["snapshot_rows"] == a["snapshot_rows"], (a, b)
PYEOF

# --- the track store lost: the previous snapshot's pings are merged back ---------------------------
rm -f "$DS"/ais/tracks.sqlite*
"$BIN" --config "$CONFIG" collect-ais --dry-run --restrict-to-schedule --now "$START" --window-min 5 --seed 6 \
  --json > "$TMP/run3.json" 2> "$TMP/log3.txt"
grep -q "were only in the previous snapshot; kept" "$TMP/log3.txt"
"$PY" - "$TMP/run1.json" "$TMP/run3.json" <<'PYEOF'
import json, sys
a = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
assert c["positions_inserted"] > 0, c
assert c["snapshot_rows"] == a["snapshot_rows"] + c["positions_inserted"], (a, c)
PYEOF
# The merged XLSX is a valid upload table: `ais decode`-free check through GDAL once more.
ogr2ogr -f CSV "$TMP/x3.csv" "$XLSX" ais
[ "$(($(wc -l < "$TMP/x3.csv") - 1))" = "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["snapshot_rows"])' "$TMP/run3.json")" ]

# --- outside every window: says so, writes nothing -----------------------------------------------
"$BIN" --config "$CONFIG" collect-ais --dry-run --restrict-to-schedule --now 2026-03-25T00:00:00Z --window-min 30 \
  --once --json > "$TMP/run4.json" 2> /dev/null
"$PY" - "$TMP/run4.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["snapshots"] == [] and r["positions_received"] == 0, r
assert r["ended"].startswith("no overpass window open between"), r
PYEOF
test ! -e "$DS/ais/20260325"
# --- live, nothing listening: it keeps reconnecting; SIGINT ends it cleanly, key never logged ---
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
KEY="secret-key-$RANDOM$RANDOM"
LOG="$TMP/live.log"
AISSTREAM_API_KEY="$KEY" SHIPCHIPS_AIS_ENDPOINT="ws://127.0.0.1:$PORT/v0/stream" \
  SHIPCHIPS_AIS_RECONNECT_INITIAL_BACKOFF_S=0.1 SHIPCHIPS_AIS_RECONNECT_MAX_BACKOFF_S=0.2 \
  "$BIN" --config "$CONFIG" --log-level debug collect-ais --no-dry-run --json > "$TMP/live.json" 2> "$LOG" &
PID=$!
sleep 2
kill -INT $PID
rc=0; wait $PID || rc=$?
[ "$rc" = 0 ] || { echo "collect-ais after SIGINT: exit $rc" >&2; cat "$LOG" >&2; exit 1; }
grep -q '"ended": "stop requested"' "$TMP/live.json" || { cat "$TMP/live.json" >&2; exit 1; }
grep -q "127.0.0.1:$PORT" "$LOG"        # it did try to connect (and logged where)
if grep -q "$KEY" "$LOG" "$TMP/live.json"; then echo "the API key appears in the output" >&2; exit 1; fi
# Without a key: a clear error, nothing started.
rc=0; env -u AISSTREAM_API_KEY "$BIN" --config "$CONFIG" collect-ais --no-dry-run > /dev/null 2> "$TMP/nokey.txt" || rc=$?
[ "$rc" != 0 ] && grep -q "AISSTREAM_API_KEY is not set" "$TMP/nokey.txt"

echo "collect-ais dry run: OK"
