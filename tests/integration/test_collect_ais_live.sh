#!/usr/bin/env bash
# `shipchips collect-ais --no-dry-run` end to end through the binaries: `shipchips fixture
# aisstream` (the aisstream.io stand-in, filtering to the subscribed boxes as the service does)
# plays frames written here in Python — ships inside 31UFU and ships far outside it — and
# collect-ais, pointed at it with SHIPCHIPS_AIS_ENDPOINT and the key in AISSTREAM_API_KEY,
# captures for a few seconds. Checked: only the inside ships arrive, every one of them, with
# the frame's time (Go's time_utc, nanoseconds truncated to µs) and position, in the track
# store's snapshot read back by DuckDB; a wrong key ends the capture with a clear error.
source "$(dirname "$0")/lib.sh"
need_node_tools

DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"
KEY="fixture-key-$RANDOM"

"$PY" - "$TMP/frames.jsonl" "$TMP/expected.json" <<'PYEOF'
import json, sys
from datetime import datetime, timezone, timedelta
now = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=5)
frames, expected = [], []
def frame(mmsi, lat, lon, t, ns):
    go = t.strftime("%Y-%m-%d %H:%M:%S") + "." + ns + " +0000 UTC"
    report = {"Cog": 87.3, "CommunicationState": 0, "Latitude": lat, "Longitude": lon, "MessageID": 1,
              "NavigationalStatus": 0, "PositionAccuracy": True, "Raim": False, "RateOfTurn": 0,
              "RepeatIndicator": 0, "Sog": 11.4, "Spare": 0, "SpecialManoeuvreIndicator": 0, "Timestamp": t.second,
              "TrueHeading": 88, "UserID": mmsi, "Valid": True}
    return {"Message": {"PositionReport": report}, "MessageType": "PositionReport",
            "MetaData": {"MMSI": mmsi, "MMSI_String": mmsi, "ShipName": "FIXTURE SHIP", "latitude": lat,
                         "longitude": lon, "time_utc": go}}
for k in range(30):
    inside = k % 3 != 2
    mmsi = 244100000 + k % 6 if inside else 366900000 + k % 4
    lat, lon = (52.4 + 0.02 * k, 4.9 + 0.03 * k) if inside else (40.7, -74.0 + 0.01 * k)
    t = now + timedelta(seconds=10 * k)
    ns = f"{123456789 + k:09d}"
    frames.append(json.dumps(frame(mmsi, lat, lon, t, ns)))
    if inside:
        expected.append({"mmsi": str(mmsi), "lat": lat, "lon": lon,
                         "micros": str(int(t.timestamp()) * 1_000_000 + (123456789 + k) // 1000)})
open(sys.argv[1], "w").write("\n".join(frames) + "\n")
json.dump(expected, open(sys.argv[2], "w"))
PYEOF

"$BIN" fixture aisstream --frames "$TMP/frames.jsonl" --interval-ms 10 --filter-to-boxes --key "$KEY" \
  --port-file "$TMP/ws.port" > "$TMP/ws.log" 2>&1 &
_LIB_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$TMP/ws.port" ] && break; sleep 0.1; done
[ -s "$TMP/ws.port" ] || { cat "$TMP/ws.log" >&2; fail "the aisstream stand-in did not start"; }
export SHIPCHIPS_AIS_ENDPOINT="ws://127.0.0.1:$(cat "$TMP/ws.port")/v0/stream"
export SHIPCHIPS_SATELLITE_TRACKING_TILES=31UFU

AISSTREAM_API_KEY="$KEY" "$BIN" --config "$CONFIG" collect-ais --no-dry-run --window-min 0.08 --json \
  > "$TMP/run.json" 2> "$TMP/run.log" || { cat "$TMP/run.log" >&2; fail "collect-ais failed"; }
SNAP=$(ls "$DS"/ais/*/ais_overpass_31UFU.parquet | head -1)
[ -f "$SNAP" ] || fail "no snapshot"
node "$SRC/tests/integration/read_parquet.mjs" "$SNAP" > "$TMP/read.json"
"$PY" - "$TMP/run.json" "$TMP/read.json" "$TMP/expected.json" <<'PYEOF'
import json, sys
run = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))["duckdb"]; exp = json.load(open(sys.argv[3]))
assert run["mode"] == "live" and run["ended"] == "--window-min elapsed", run
assert run["positions_received"] == len(exp) == 20 and run["positions_inserted"] == 20, run
rows = d["rows"]
assert len(rows) == 20, len(rows)
got = sorted(({"mmsi": r["mmsi"], "lat": r["lat"], "lon": r["lon"], "micros": r["captured_time"]["micros"]}
              for r in rows), key=lambda r: (r["mmsi"], r["micros"]))
want = sorted(exp, key=lambda r: (r["mmsi"], r["micros"]))
assert got == want, (got[:2], want[:2])
assert all(r["provider"] == "aisstream" and r["tile_id"] == "31UFU" for r in rows)
print("live capture through the stand-in: 20 of 20 inside pings, 10 outside filtered")
PYEOF
WS_PID="${_LIB_PIDS[-1]}"
kill -INT "$WS_PID"
wait "$WS_PID" 2>/dev/null || true
grep -q "20 frames sent, 10 filtered" "$TMP/ws.log" ||
  { cat "$TMP/ws.log" >&2; fail "the stand-in did not filter the 10 outside pings"; }

# A wrong key: the service's error frame ends the capture (no retry loop), clearly.
"$BIN" fixture aisstream --key "$KEY" --port-file "$TMP/ws2.port" > "$TMP/ws2.log" 2>&1 &
_LIB_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$TMP/ws2.port" ] && break; sleep 0.1; done
rc=0
AISSTREAM_API_KEY="not-the-key" SHIPCHIPS_AIS_ENDPOINT="ws://127.0.0.1:$(cat "$TMP/ws2.port")/v0/stream" \
  timeout 20 "$BIN" --config "$CONFIG" collect-ais --no-dry-run > /dev/null 2> "$TMP/wrong.txt" || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || { cat "$TMP/wrong.txt" >&2; fail "a wrong key did not end collect-ais (exit $rc)"; }
grep -qi "api key" "$TMP/wrong.txt" || { cat "$TMP/wrong.txt" >&2; fail "the error does not say the key was refused"; }
if grep -q "not-the-key" "$TMP/wrong.txt"; then fail "the key appears in the output"; fi
echo "collect-ais live: OK"
