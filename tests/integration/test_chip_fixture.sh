#!/usr/bin/env bash
# `shipchips chip` end to end on the offline world over loopback: chips are centred on the ship
# at the scene's sensing time (distance to the world's truth.csv, computed here in Python, not by
# shipchips), gdalinfo reads the chips as 4-band float32 GeoTIFFs on the scene's UTM grid,
# DuckDB reads tiles.parquet with one row per chip, and a rerun writes nothing, makes no COG
# request and leaves the index bytes unchanged.
source "$(dirname "$0")/lib.sh"

"$BIN" fixture build --out "$TMP/world" --seed 21 > /dev/null
start_fixture_server "$TMP/world" --log "$TMP/requests.jsonl"
PORT=$FIXTURE_PORT

DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"
export SHIPCHIPS_STAC_ENDPOINT="http://127.0.0.1:$PORT"

"$BIN" --config "$CONFIG" chip --ais "$TMP/world/ais/ais_upload.csv" --json > "$TMP/run1.json"
"$PY" - "$TMP/run1.json" "$TMP/world/truth.csv" "$DS" <<'PYEOF'
import csv, glob, json, math, sys
run = json.load(open(sys.argv[1]))
assert run["failed"] == 0, run
assert run["written"] >= 5, run
truth = {(r["mmsi"], r["scene_id"]): r for r in csv.DictReader(open(sys.argv[2]))}

def dist(lat1, lon1, lat2, lon2):  # haversine on a 6371 km sphere: plenty for metres apart
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(a))

sidecars = sorted(glob.glob(sys.argv[3] + "/chips/**/*.json", recursive=True))
assert len(sidecars) == run["written"], (len(sidecars), run["written"])
worst = 0
raw = []
for path in sidecars:
    rec = json.load(open(path))
    t = truth[(str(rec["mmsi"]), rec["scene_id"])]
    err = dist(rec["lat"], rec["lon"], float(t["lat"]), float(t["lon"]))
    raw.append(dist(rec["ais_lat"], rec["ais_lon"], float(t["lat"]), float(t["lon"])))
    worst = max(worst, err)
    # Within the recorded uncertainty radius always; within 25 m when a ping is within a minute
    # (the GPS noise of the world's AIS is a few metres; long gaps on a turning track cost more).
    assert err <= rec["uncertainty_m"], (path, err, rec["uncertainty_m"])
    if abs(rec["dt_s"]) <= 60:
        assert err <= 25.0, (path, err)
    assert rec["center_pixel"] == [128, 128] and rec["width"] == 256, rec
    for suffix in (".tif", ".geojson", "_quicklook.jpg"):
        assert glob.glob(path[:-5] + suffix), (path, suffix)
print(f"{len(sidecars)} chips, worst centre error {worst:.1f} m; raw nearest ping up to {max(raw):.0f} m")

# Hull boxes: every ship of the world reports its dimensions, so every chip has a box around
# the centre pixel, of the ship's length and beam, and one COCO annotation.
coco = json.load(open(sys.argv[3] + "/labels/coco.json"))
assert len(coco["images"]) == len(sidecars), (len(coco["images"]), len(sidecars))
boxes = 0
for path in sidecars:
    rec = json.load(open(path))
    t = truth[(str(rec["mmsi"]), rec["scene_id"])]
    box = rec["ship_box"]
    assert box is not None, path
    boxes += 1
    assert abs(box["length_m"] - float(t["length"])) < 0.5 and abs(box["beam_m"] - float(t["width"])) < 0.5, (box, t)
    assert box["col_min"] - 5 <= 128 <= box["col_max"] + 5 and box["row_min"] - 5 <= 128 <= box["row_max"] + 5, box
assert len(coco["annotations"]) == boxes, (len(coco["annotations"]), boxes)
PYEOF

# One chip through gdalinfo: 4 float32 bands named B02..B08 on the scene's UTM grid, NaN nodata.
TIF=$(find "$DS/chips" -name '*.tif' | sort | head -1)
gdalinfo -json "$TIF" > "$TMP/gdalinfo.json"
"$PY" - "$TMP/gdalinfo.json" "${TIF%.tif}.json" <<'PYEOF'
import json, math, sys
info = json.load(open(sys.argv[1])); rec = json.load(open(sys.argv[2]))
assert info["size"] == [256, 256], info["size"]
assert [b["description"] for b in info["bands"]] == ["B02", "B03", "B04", "B08"], info["bands"]
assert all(b["type"] == "Float32" for b in info["bands"])
assert all(math.isnan(float(b["noDataValue"])) for b in info["bands"]), [b.get("noDataValue") for b in info["bands"]]
assert info["geoTransform"] == rec["transform"], (info["geoTransform"], rec["transform"])
assert f'"EPSG",{rec["epsg"]}]' in info["coordinateSystem"]["wkt"].replace(" ", "")
assert info["metadata"]["IMAGE_STRUCTURE"].get("LAYOUT") == "COG", info["metadata"]
PYEOF

# The index, read by DuckDB: one row per chip.
node -e '
const { DuckDBInstance } = require(process.argv[1] + "/node_modules/@duckdb/node-api");
(async () => {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const r = await c.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT chip_id) AS d FROM read_parquet(\x27${process.argv[2]}\x27)`);
  const [n, d] = r.getRows()[0].map(Number);
  if (n !== Number(process.argv[3]) || d !== n) { console.error("rows", n, "distinct", d); process.exit(1); }
})().catch(e => { console.error(e); process.exit(1); });
' "$SRC" "$DS/indexes/tiles.parquet" "$(find "$DS/chips" -name '*.tif' | wc -l)"

# Rerun: nothing written, no COG request, index bytes unchanged.
sha256sum "$DS"/indexes/* "$DS"/labels/* > "$TMP/before.sha"
cog_requests_before=$(grep -c '/cogs/' "$TMP/requests.jsonl" || true)
"$BIN" --config "$CONFIG" chip --ais "$TMP/world/ais/ais_upload.csv" --json > "$TMP/run2.json"
"$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert b["written"]==0 and b["skipped_existing"]==a["written"] and b["skipped_rejected"]==sum(a["rejected"].values()), (a, b)' "$TMP/run1.json" "$TMP/run2.json"
sha256sum "$DS"/indexes/* "$DS"/labels/* | diff - "$TMP/before.sha"
cog_requests_after=$(grep -c '/cogs/' "$TMP/requests.jsonl" || true)
[ "$cog_requests_before" = "$cog_requests_after" ] || { echo "rerun fetched COG bytes" >&2; exit 1; }
echo "OK"
