#!/usr/bin/env bash
# `shipchips prune` against the track store: with the AIS the chips were made from, nothing is
# pruned; after one ship's pings are moved 0.02° north (≈ 2.2 km) and another's shifted 30 min
# in time, exactly their chips go (the distance computed independently in Python), with their
# files, index rows (tiles.parquet read by DuckDB) and daily GeoJSON features; their jobs become
# rejected so a rerun does not make them again; a journal left by a crashed prune is finished.
source "$(dirname "$0")/lib.sh"
need_node_tools

"$BIN" fixture build --out "$TMP/world" --seed 42 > /dev/null
start_fixture_server "$TMP/world"
DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"
export SHIPCHIPS_STAC_ENDPOINT="http://127.0.0.1:$FIXTURE_PORT"
AIS="$TMP/world/ais/ais_upload.csv"
"$BIN" --config "$CONFIG" run --ais "$AIS" > /dev/null || fail "run failed"
CHIPS=$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chips")
[ "$CHIPS" -ge 4 ] || fail "only $CHIPS chips"
[ -f "$DS/ais/tracks.sqlite" ] || fail "the chip run did not fill the track store"

"$BIN" --config "$CONFIG" prune --time-tol-min 10 --dist-tol-m 500 --json > "$TMP/p0.json" || fail "prune failed"
"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["pruned"]==[] and r["kept"]==int(sys.argv[2]) and r["unverifiable"]==0, r' \
  "$TMP/p0.json" "$CHIPS" || fail "chips made from the track were pruned"

# Two ships' AIS moved: one 0.02° north, one 30 minutes later.
read -r MOVED TIMED < <(sqlite3 "$DS/ops.db" "SELECT group_concat(mmsi, ' ') FROM (SELECT DISTINCT mmsi FROM chips ORDER BY mmsi LIMIT 2)")
sqlite3 "$DS/ais/tracks.sqlite" "UPDATE positions SET lat = lat + 0.02 WHERE mmsi = $MOVED"
sqlite3 "$DS/ais/tracks.sqlite" "UPDATE positions SET time_us = time_us + 1800000000 WHERE mmsi = $TIMED"
"$BIN" --config "$CONFIG" prune --time-tol-min 10 --dist-tol-m 500 --dry-run --json > "$TMP/dry.json" || fail "dry run"
sqlite3 "$DS/ops.db" "SELECT count(*) FROM chips" | grep -qx "$CHIPS" || fail "the dry run changed the index"
"$BIN" --config "$CONFIG" prune --time-tol-min 10 --dist-tol-m 500 --json > "$TMP/p1.json" || fail "prune failed"
cmp <("$PY" -c 'import json,sys; print(sorted(p["chip_id"] for p in json.load(open(sys.argv[1]))["pruned"]))' "$TMP/dry.json") \
    <("$PY" -c 'import json,sys; print(sorted(p["chip_id"] for p in json.load(open(sys.argv[1]))["pruned"]))' "$TMP/p1.json") \
  || fail "the dry run listed other chips than the prune removed"

"$PY" - "$DS" "$TMP/p1.json" "$MOVED" "$TIMED" "$SRC" <<'PYEOF'
import glob, json, math, os, sqlite3, subprocess, sys
root, report, moved, timed, src = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
pruned = {p["chip_id"]: p for p in report["pruned"]}
con = sqlite3.connect(os.path.join(root, "ops.db"))
assert {p["mmsi"] for p in pruned.values()} == {moved, timed}, report
for p in pruned.values():
    if p["mmsi"] == moved:
        # 0.02° of latitude near 36° N on WGS-84: ≈ 2218 m (independent of our geodesy).
        lat = math.radians(36.1)
        m_per_deg = 111132.954 - 559.822 * math.cos(2 * lat) + 1.175 * math.cos(4 * lat)
        assert abs(p["distance_m"] - 0.02 * m_per_deg) < 50, p
        assert "from the chip centre" in p["reason"], p
    else:
        # Its track still spans the sensing time 30 min later, so it is found elsewhere (or, with
        # no ping near, not at all): either way the chip goes.
        assert "from the chip centre" in p["reason"] or "min" in p["reason"], p
    job = con.execute("SELECT status, error FROM chip_jobs WHERE chip_id = ?", (p["chip_id"],)).fetchone()
    assert job[0] == "rejected" and job[1].startswith("pruned: "), job
left = {r[0] for r in con.execute("SELECT chip_id FROM chips")}
assert not (left & set(pruned)), "pruned chips still indexed"
files = {os.path.basename(f).split(".")[0].split("_")[0] for f in glob.glob(os.path.join(root, "chips", "**", "*"), recursive=True) if os.path.isfile(f)}
assert not (files & set(pruned)), f"files of pruned chips left: {files & set(pruned)}"
features = set()
for g in glob.glob(os.path.join(root, "indexes", "tiles_*.geojson")):
    features |= {f["properties"]["chip_id"] for f in json.load(open(g))["features"]}
assert features == left, (features, left)
out = subprocess.run(["node", os.path.join(src, "tests/integration/read_parquet.mjs"), os.path.join(root, "indexes/tiles.parquet"),
                      "SELECT chip_id FROM {file} ORDER BY chip_id"], cwd=src, capture_output=True, check=True)
rows = {r["chip_id"] for r in json.loads(out.stdout)["duckdb"]["queries"][0]}
assert rows == left, (rows, left)
print(f"pruned {len(pruned)} chips of ships {moved} (moved) and {timed} (late); {len(left)} left")
PYEOF

# A rerun makes nothing again: the pruned chips' jobs are rejected.
"$BIN" --config "$CONFIG" run --ais "$AIS" --json > "$TMP/rerun.json" || fail "rerun failed"
"$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["written"] == 0' "$TMP/rerun.json" || fail "the rerun recreated pruned chips"

# A journal a crashed prune left (written, nothing applied yet) is finished by the next prune.
VICTIM=$(sqlite3 "$DS/ops.db" "SELECT chip_id || ' ' || path FROM chips ORDER BY chip_id LIMIT 1")
ID=${VICTIM%% *}; TIF=${VICTIM#* }
"$PY" - "$DS/manifests/prune/pending.json" "$ID" "$TIF" <<'PYEOF'
import json, os, sys
path, cid, tif = sys.argv[1:]
d = os.path.dirname(tif)
os.makedirs(os.path.dirname(path), exist_ok=True)
json.dump({"chips": [{"chip_id": cid, "reason": "test journal", "files": [tif, f"{d}/{cid}.json", f"{d}/{cid}.geojson", f"{d}/{cid}_quicklook.jpg"]}]}, open(path, "w"))
PYEOF
"$BIN" --config "$CONFIG" prune --time-tol-min 100000 --dist-tol-m 1e7 --json > "$TMP/p2.json" || fail "prune after a crash"
"$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["resumed_journal"] is True' "$TMP/p2.json" || fail "journal not resumed"
[ -f "$DS/manifests/prune/pending.json" ] && fail "journal left"
[ -f "$DS/$TIF" ] && fail "the journal's chip file is still there"
sqlite3 "$DS/ops.db" "SELECT count(*) FROM chips WHERE chip_id = '$ID'" | grep -qx 0 || fail "the journal's chip is still indexed"
echo "PASS prune: kept what the track supports, pruned the moved and the late ship, crash journal finished"
