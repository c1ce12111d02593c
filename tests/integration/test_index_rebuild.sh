#!/usr/bin/env bash
# `shipchips index rebuild` end to end: a chips tree with hand-written sidecars (chip ids
# computed here with Python's hashlib, not by shipchips), dummy .tif files, a broken sidecar
# and a writer's leftover temporary file. Checks the summary, tiles.parquet read back by DuckDB
# (@duckdb/node-api, an independent reader: columns, types, values, geo metadata, no duplicate
# chip_id), the daily GeoJSON against the GeoJSON Feature schema, byte-identical exports on
# rerun, --strict, removal of chips whose raster is gone, and `index export`.
source "$(dirname "$0")/lib.sh"
need_node_tools

DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"

# --- no chips folder / no database: refused (exit 9, not_found), nothing created -------------
sed -e "s|^  dataset_root: .*|  dataset_root: $TMP/empty|" "$CONFIG" > "$TMP/empty.yaml"
rc=0; "$BIN" --config "$TMP/empty.yaml" index rebuild > /dev/null 2> "$TMP/err1.txt" || rc=$?
[ "$rc" = 9 ] || { echo "rebuild without a chips folder: exit $rc" >&2; cat "$TMP/err1.txt" >&2; exit 1; }
grep -q "$TMP/empty/chips: chips folder does not exist" "$TMP/err1.txt"
rc=0; "$BIN" --config "$TMP/empty.yaml" index export > /dev/null 2> "$TMP/err2.txt" || rc=$?
[ "$rc" = 9 ] || { echo "export without a database: exit $rc" >&2; cat "$TMP/err2.txt" >&2; exit 1; }
grep -q "index rebuild" "$TMP/err2.txt"
test ! -e "$TMP/empty/ops.db" && test ! -e "$TMP/empty/indexes"

# --- the chips tree, written by hand ---------------------------------------------------------
"$PY" - "$DS" <<'PYEOF'
import hashlib, json, os, sys
root = sys.argv[1]

def chip_id(mmsi, scene):
    return hashlib.sha256(f"{mmsi}|{scene}".encode()).hexdigest()[:16]

def sidecar(mmsi, scene, when, lat, lon, split, **over):
    cid = chip_id(mmsi, scene)
    day = when[:10].replace("-", "")
    rel = f"chips/{split}/{mmsi}/{day}/{cid}.tif"
    d = 0.0115  # ~1.28 km around the centre, a square footprint written by hand
    ring = [[lon - d, lat + d], [lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    rec = {
        "record_version": 1, "chip_id": cid, "mmsi": mmsi, "split": split, "path": rel,
        "lat": lat, "lon": lon, "ais_lat": lat + 0.001, "ais_lon": lon - 0.001,
        "ais_time": "2024-05-23T11:04:10Z", "interpolation": None, "uncertainty_m": None,
        "scene_id": scene, "collection": "sentinel-2-l2a", "scene_datetime": when, "dt_s": 139.024,
        "cloud_cover": 3.25, "processing_baseline": "05.10", "boa_offset_applied": True,
        "reflectance": {"rule": "earth-search: boa_offset_applied, DN*0.0001", "scale": 0.0001, "offset": 0.0},
        "bands": ["B02", "B03", "B04", "B08"], "has_swir": False, "epsg": 32630,
        "transform": [287460.0, 10.0, 0.0, 4002560.0, 0.0, -10.0], "width": 256, "height": 256,
        "center_pixel": [128, 128],
        "center_pixel_definition": "0-based (col, row) from the upper-left pixel; the target lies in pixel (width/2, height/2) with integer division, i.e. for even sizes the pixel right of and below the geometric centre",
        "target_pixel": [128.4, 128.7], "nodata_fraction": 0.0,
        "gate": {"enabled": True, "passed": True, "qa_cloud_frac": 0.01, "qa_shadow_frac": 0.0, "qa_land_frac": 0.02,
                 "qa_water_frac": 0.97, "qa_ndwi_water_frac": 0.99},
        "relaxation_steps": [], "footprint": {"type": "Polygon", "coordinates": [ring]}, "ship_box": None,
        "created": "2026-11-22T00:30:00Z", "software_version": "0.1.0",
    }
    rec.update(over)
    folder = os.path.join(root, os.path.dirname(rel))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, cid + ".json"), "w") as f:
        json.dump(rec, f, indent=2)
    with open(os.path.join(folder, cid + ".tif"), "wb") as f:
        f.write(b"II*\x00dummy")
    return cid, folder

a, _ = sidecar(244660123, "S2B_30STF_20240523_0_L2A", "2024-05-23T11:06:29.024Z", 36.1251, -5.4302, "train")
b, _ = sidecar(244660124, "S2B_30STF_20240523_0_L2A", "2024-05-23T11:06:29.024Z", 36.2104, -5.3566, "val",
               cloud_cover=None, processing_baseline=None, interpolation="geodesic", uncertainty_m=12.5,
               gate={"enabled": False, "passed": None, "qa_cloud_frac": None, "qa_shadow_frac": None,
                     "qa_land_frac": None, "qa_water_frac": None, "qa_ndwi_water_frac": None})
c, cf = sidecar(244660125, "S2A_30STF_20240526_0_L2A", "2024-05-26T11:16:31Z", 36.05, -5.40, "test", has_swir=True,
                bands=["B02", "B03", "B04", "B08", "B11", "B12"])
# A broken sidecar (scene_id missing) beside its raster, and a half-written temporary file.
bad, bf = sidecar(244660126, "S2A_30STF_20240526_0_L2A", "2024-05-26T11:16:31Z", 36.06, -5.41, "train")
with open(os.path.join(bf, bad + ".json")) as f:
    rec = json.load(f)
del rec["scene_id"]
with open(os.path.join(bf, bad + ".json"), "w") as f:
    json.dump(rec, f)
with open(os.path.join(cf, "." + c + ".json.tmp.999.1.0.json"), "w") as f:
    f.write('{"half": ')
with open(os.path.join(root, "expected.json"), "w") as f:
    json.dump({"a": a, "b": b, "c": c, "bad": bad, "bad_path": os.path.relpath(os.path.join(bf, bad + ".json"), root)}, f)
PYEOF

# --- rebuild -----------------------------------------------------------------------------------
"$BIN" --config "$CONFIG" index rebuild --json > "$TMP/rebuild1.json"
"$PY" - "$TMP/rebuild1.json" "$DS/expected.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
assert r["sidecars"] == 4, r
assert r["indexed"] == 3 and r["inserted"] == 3 and r["removed"] == 0, r
assert len(r["problems"]) == 1, r["problems"]
p = r["problems"][0]
assert p["kind"] == "broken_sidecar" and p["path"] == e["bad_path"], p
assert "scene_id: missing required field" in p["message"] and e["bad_path"] in p["message"], p
assert sorted(r["exports"]["written"]) == ["indexes/tiles.parquet", "indexes/tiles_20240523.geojson",
                                            "indexes/tiles_20240526.geojson"], r["exports"]
PYEOF
test -f "$DS/ops.db"

# --- tiles.parquet through DuckDB --------------------------------------------------------------
node "$SRC/tests/integration/read_parquet.mjs" "$DS/indexes/tiles.parquet" \
  "SELECT count(*) AS n, count(DISTINCT chip_id) AS ids FROM {file}" > "$TMP/read.json"
"$PY" - "$TMP/read.json" "$DS/expected.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))["duckdb"]; e = json.load(open(sys.argv[2]))
types = {c["name"]: c["type"] for c in d["columns"]}
expected = {
    "chip_id": "VARCHAR", "path": "VARCHAR", "mmsi": "BIGINT", "lat": "DOUBLE", "lon": "DOUBLE",
    "overpass_time": "TIMESTAMP WITH TIME ZONE", "scene_id": "VARCHAR", "scene_datetime": "TIMESTAMP WITH TIME ZONE",
    "cloud_cover": "DOUBLE", "split": "VARCHAR", "bands": "VARCHAR", "has_swir": "BOOLEAN",
    "qa_cloud_frac": "DOUBLE", "qa_water_frac": "DOUBLE", "qa_land_frac": "DOUBLE", "ais_lat": "DOUBLE",
    "ais_lon": "DOUBLE", "dt_s": "DOUBLE", "processing_baseline": "VARCHAR", "epsg": "INTEGER",
    "qa_shadow_frac": "DOUBLE", "nodata_fraction": "DOUBLE", "interpolation": "VARCHAR", "uncertainty_m": "DOUBLE",
    "created": "TIMESTAMP WITH TIME ZONE",
}
for name, t in expected.items():
    assert types.get(name) == t, (name, types.get(name), t)
assert list(types)[:15] == ["chip_id", "path", "mmsi", "lat", "lon", "overpass_time", "scene_id", "scene_datetime",
                            "cloud_cover", "split", "bands", "has_swir", "qa_cloud_frac", "qa_water_frac",
                            "qa_land_frac"], list(types)
# DuckDB recognises the GeoParquet metadata: the column is a geometry in OGC:CRS84.
assert types["geometry"].startswith("GEOMETRY"), types["geometry"]
assert d["queries"][0][0] == {"n": "3", "ids": "3"}, d["queries"]
rows = d["rows"]
ids = [r["chip_id"] for r in rows]
assert ids == sorted([e["a"], e["b"], e["c"]]), ids  # ordered by chip_id, broken one left out
by = {r["chip_id"]: r for r in rows}
a, b, c = by[e["a"]], by[e["b"]], by[e["c"]]
assert a["mmsi"] == "244660123" and a["lat"] == 36.1251 and a["lon"] == -5.4302, a
assert a["path"] == f"chips/train/244660123/20240523/{e['a']}.tif", a["path"]
# 2024-05-23T11:04:10Z and 11:06:29.024Z in microseconds since the epoch (computed here).
import datetime
def micros(s):
    return str(int(datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1_000_000))
assert a["overpass_time"]["micros"] == micros("2024-05-23T11:04:10Z"), a["overpass_time"]
assert a["scene_datetime"]["micros"] == micros("2024-05-23T11:06:29.024Z"), a["scene_datetime"]
assert a["created"]["micros"] == micros("2026-11-22T00:30:00Z")
assert a["cloud_cover"] == 3.25 and a["split"] == "train" and a["bands"] == "B02,B03,B04,B08" and a["has_swir"] is False
assert a["qa_cloud_frac"] == 0.01 and a["qa_water_frac"] == 0.97 and a["qa_land_frac"] == 0.02 and a["qa_shadow_frac"] == 0.0
assert a["epsg"] == 32630 and a["dt_s"] == 139.024 and a["processing_baseline"] == "05.10" and a["interpolation"] is None
assert b["cloud_cover"] is None and b["processing_baseline"] is None and b["qa_cloud_frac"] is None, b
assert b["interpolation"] == "geodesic" and b["uncertainty_m"] == 12.5 and b["split"] == "val"
assert c["has_swir"] is True and c["bands"] == "B02,B03,B04,B08,B11,B12" and c["split"] == "test"
geo = json.loads(d["kv"]["geo"])
assert geo["version"] == "1.0.0" and geo["primary_column"] == "geometry", geo
col = geo["columns"]["geometry"]
assert col["encoding"] == "WKB" and col["geometry_types"] == ["Polygon"], col
w, s, e_, n = col["bbox"]
assert abs(w - (-5.4302 - 0.0115)) < 1e-12 and abs(e_ - (-5.3566 + 0.0115)) < 1e-12, col["bbox"]
assert abs(s - (36.05 - 0.0115)) < 1e-12 and abs(n - (36.2104 + 0.0115)) < 1e-12, col["bbox"]
# DuckDB's own WKB decoding of the footprint of a.
wkt = d["wkt"][ids.index(e["a"])]
assert wkt.startswith("POLYGON"), wkt
assert "-5.4417" in wkt and "36.1366" in wkt, wkt
PYEOF

# --- the daily GeoJSON -------------------------------------------------------------------------
"$PY" - "$DS/indexes" "$REF/stac-schemas/geojson/Feature.json" "$DS/expected.json" <<'PYEOF'
import json, os, sys
folder, schema_path, exp = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
files = sorted(f for f in os.listdir(folder) if f.endswith(".geojson"))
assert files == ["tiles_20240523.geojson", "tiles_20240526.geojson"], files
validator = None
if os.path.exists(schema_path):
    import jsonschema
    schema = json.load(open(schema_path))
    validator = jsonschema.Draft7Validator(schema)
ids = {}
for f in files:
    fc = json.load(open(os.path.join(folder, f)))
    assert fc["type"] == "FeatureCollection" and isinstance(fc["features"], list), f
    ids[f] = [x["id"] for x in fc["features"]]
    for feat in fc["features"]:
        if validator:
            errors = list(validator.iter_errors(feat))
            assert not errors, (f, feat["id"], [e.message for e in errors])
        ring = feat["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) >= 4
        p = feat["properties"]
        assert p["chip_id"] == feat["id"] and "footprint" not in p
        assert p["scene_datetime"].startswith(f[6:10] + "-" + f[10:12] + "-" + f[12:14]), (f, p["scene_datetime"])
assert ids["tiles_20240523.geojson"] == sorted([exp["a"], exp["b"]]), ids
assert ids["tiles_20240526.geojson"] == [exp["c"]], ids
print("geojson ok" + ("" if validator else " (schema not found, structure only)"))
PYEOF

# --- rerun: same bytes, same mtimes ------------------------------------------------------------
( cd "$DS/indexes" && sha256sum tiles.parquet tiles_*.geojson && stat -c '%n %y' tiles.parquet tiles_*.geojson ) > "$TMP/before.txt"
"$BIN" --config "$CONFIG" index rebuild --json > "$TMP/rebuild2.json"
( cd "$DS/indexes" && sha256sum tiles.parquet tiles_*.geojson && stat -c '%n %y' tiles.parquet tiles_*.geojson ) > "$TMP/after.txt"
diff "$TMP/before.txt" "$TMP/after.txt"
"$PY" -c "
import json, sys
r = json.load(open('$TMP/rebuild2.json'))
assert r['unchanged'] == 3 and r['inserted'] == 0 and r['updated'] == 0 and r['removed'] == 0, r
assert r['exports']['written'] == [] and len(r['exports']['unchanged']) == 3, r['exports']
"
# The human summary names the broken sidecar.
"$BIN" --config "$CONFIG" index rebuild > "$TMP/summary.txt"
grep -q "indexed: 3" "$TMP/summary.txt"
grep -q "skipped chips/train/244660126/20240526/" "$TMP/summary.txt"

# --- --strict fails on the broken sidecar and changes nothing ------------------------------------
if "$BIN" --config "$CONFIG" index rebuild --strict > "$TMP/strict.out" 2> "$TMP/strict.err"; then
  echo "--strict passed despite a broken sidecar" >&2; exit 1
fi
grep -q "scene_id: missing required field" "$TMP/strict.err"
grep -q "244660126" "$TMP/strict.err"
( cd "$DS/indexes" && sha256sum tiles.parquet tiles_*.geojson && stat -c '%n %y' tiles.parquet tiles_*.geojson ) > "$TMP/after_strict.txt"
diff "$TMP/before.txt" "$TMP/after_strict.txt"

# --- a chip loses its raster: its row leaves the index, its day's file goes --------------------
C=$("$PY" -c "import json; print(json.load(open('$DS/expected.json'))['c'])")
rm "$DS/chips/test/244660125/20240526/$C.tif"
rm -r "$DS/chips/train/244660126"
"$BIN" --config "$CONFIG" index rebuild --json > "$TMP/rebuild3.json"
"$PY" -c "
import json
r = json.load(open('$TMP/rebuild3.json'))
assert r['indexed'] == 2 and r['removed'] == 1, r
assert [p['kind'] for p in r['problems']] == ['missing_tif'], r['problems']
assert r['exports']['removed'] == ['indexes/tiles_20240526.geojson'], r['exports']
assert r['exports']['written'] == ['indexes/tiles.parquet'], r['exports']
"
test ! -e "$DS/indexes/tiles_20240526.geojson"
grep -q "tiles_20240523.geojson" "$TMP/before.txt"
[ "$(sha256sum < "$DS/indexes/tiles_20240523.geojson")" = "$(grep ' tiles_20240523.geojson' "$TMP/before.txt" | head -1 | cut -d' ' -f1)  -" ]

# --- index export rewrites the exports from the table, identically ------------------------------
cp "$DS/indexes/tiles.parquet" "$TMP/tiles.parquet"
rm "$DS/indexes/tiles.parquet"
"$BIN" --config "$CONFIG" index export --json > "$TMP/export.json"
cmp "$TMP/tiles.parquet" "$DS/indexes/tiles.parquet"
"$PY" -c "
import json
r = json.load(open('$TMP/export.json'))
assert r['rows'] == 2 and r['written'] == ['indexes/tiles.parquet'] and r['unchanged'] == ['indexes/tiles_20240523.geojson'], r
"
# No temporary files anywhere in the dataset.
if find "$DS" -name '.*.tmp.*' ! -name ".$C.json.tmp.999.1.0.json" | grep -q .; then
  echo "temporary files left behind" >&2; find "$DS" -name '.*.tmp.*' >&2; exit 1
fi
echo "test_index_rebuild: ok"
