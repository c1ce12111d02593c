#!/usr/bin/env bash
# shipchips writes Parquet/GeoParquet itself (src/dataset/parquet_writer, geoparquet); this
# test proves the files are real by reading them with two independent readers — DuckDB
# (@duckdb/node-api) and hyparquet (pure JS), both from npm — and comparing every value with
# what the unit test DatasetParquetWriter.WritesSamples wrote. The expected values below are
# computed here from the same definitions (edge values, formulas), not taken from the writer.
# Samples: types_gzip (3 row groups, GZIP), types_plain (1 row group, UNCOMPRESSED), empty
# (0 rows), nulls (a row group of nulls only), wide (20 columns) and many (10,000 rows, 3 row
# groups, several pages per chunk, Point geometries).
set -euo pipefail
BIN="${SHIPCHIPS_BIN:?path to the shipchips binary}"
SRC="${SHIPCHIPS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
UNIT="$(dirname "$BIN")/tests/unit_tests"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# The readers come from package-lock.json, installed once by the test command (make test);
# a test never installs anything itself.
for m in @duckdb/node-api hyparquet; do
  [ -d "$SRC/node_modules/$m" ] || { echo "FAIL: npm package $m is not installed in $SRC/node_modules (the test command installs it: scripts/dev test)" >&2; exit 1; }
done

write_samples() {
  mkdir -p "$1"
  if ! SHIPCHIPS_PARQUET_SAMPLE_DIR="$1" "$UNIT" --gtest_filter='DatasetParquet*' > "$TMP/unit.log" 2>&1; then
    cat "$TMP/unit.log" >&2
    exit 1
  fi
}
write_samples "$TMP/a"
write_samples "$TMP/b"
# Same rows, same bytes, across processes too (an unchanged index must not change on rerun).
for f in types_gzip types_plain empty many nulls wide; do
  cmp "$TMP/a/$f.parquet" "$TMP/b/$f.parquet"
done

READ="$SRC/tests/integration/read_parquet.mjs"
node "$READ" "$TMP/a/types_gzip.parquet" \
  "SELECT count(*) AS n FROM {file} WHERE lat > 1e300 AND NOT isnan(lat)" \
  "SELECT count(*) AS n FROM {file} WHERE mmsi = 9223372036854775807" \
  "SELECT count(*) AS n FROM {file} WHERE time < TIMESTAMPTZ '1950-01-01 00:00:00+00'" \
  "SELECT count(*) AS n FROM {file} WHERE note IS NULL" > "$TMP/types_gzip.json"
node "$READ" "$TMP/a/types_plain.parquet" > "$TMP/types_plain.json"
node "$READ" "$TMP/a/empty.parquet" > "$TMP/empty.json"
node "$READ" "$TMP/a/nulls.parquet" > "$TMP/nulls.json"
node "$READ" "$TMP/a/wide.parquet" > "$TMP/wide.json"
node "$READ" "$TMP/a/many.parquet" \
  "SELECT count(*) AS n FROM {file} WHERE id >= 0" \
  "SELECT count(*) AS n FROM {file} WHERE name = 'ship-9999'" \
  "SELECT count(*) AS n FROM {file} WHERE speed IS NULL" \
  "SELECT count(*) AS n FROM {file} WHERE seen >= make_timestamptz(1700000000000000 + 9000::BIGINT * 1000003)" > "$TMP/many.json"

/usr/bin/python3 - "$TMP" <<'PYEOF'
import json, math, re, struct, sys
from datetime import datetime, timedelta, timezone

tmp = sys.argv[1]
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)

def load(name):
    with open(f"{tmp}/{name}.json") as f:
        return json.load(f)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
def micros(iso):
    return (datetime.fromisoformat(iso.replace("Z", "+00:00")) - EPOCH) // timedelta(microseconds=1)

def same_double(got, want):
    if isinstance(want, float) and math.isnan(want):
        return got == "NaN"
    if isinstance(want, float) and want == 0 and math.copysign(1, want) < 0:
        return got == "-0"
    return isinstance(got, (int, float)) and not isinstance(got, bool) and float(got) == want

def wkb_polygon(rings):
    out = struct.pack("<BII", 1, 3, len(rings))
    for ring in rings:
        out += struct.pack("<I", len(ring))
        for x, y in ring:
            out += struct.pack("<dd", x, y)
    return out.hex()

def wkb_point(x, y):
    return struct.pack("<BIdd", 1, 1, x, y).hex()

def decode_wkb(hexstr):
    """An independent WKB reader (little or big endian, Point and Polygon)."""
    b = bytes.fromhex(hexstr)
    order = "<" if b[0] == 1 else ">"
    kind = struct.unpack_from(order + "I", b, 1)[0]
    if kind == 1:
        return ("Point", list(struct.unpack_from(order + "dd", b, 5)))
    assert kind == 3, kind
    n, pos, rings = struct.unpack_from(order + "I", b, 5)[0], 9, []
    for _ in range(n):
        m = struct.unpack_from(order + "I", b, pos)[0]
        pos += 4
        rings.append([list(struct.unpack_from(order + "dd", b, pos + 16 * k)) for k in range(m)])
        pos += 16 * m
    assert pos == len(b), "trailing bytes"
    return ("Polygon", rings)

# --- the types samples: the rows of write_types_sample() ------------------------------------
def square(row):
    lon0, lat0 = -170.0 + 50.0 * row, -60.0 + 20.0 * row
    rings = [[(lon0, lat0), (lon0 + 1, lat0), (lon0 + 1, lat0 + 1), (lon0, lat0 + 1), (lon0, lat0)]]
    if row == 0:  # written unclosed: the writer must close it
        h = [(lon0 + 0.25, lat0 + 0.25), (lon0 + 0.25, lat0 + 0.75), (lon0 + 0.75, lat0 + 0.75), (lon0 + 0.75, lat0 + 0.25)]
        rings.append(h + [h[0]])
    return rings

I64MAX, I64MIN, I32MAX, I32MIN = 2**63 - 1, -2**63, 2**31 - 1, -2**31
NAN = float("nan")
TYPES = [
    ("a1b2c3d4e5f60718", "Z\u00fcrich \u2693 \u6e2f", 227006760, 42, 43.5, True, "2023-10-08T18:02:55.276123Z"),
    ("", "", I64MAX, I32MAX, -33.875, False, "1969-12-31T23:59:59.999999Z"),
    ("x", None, I64MIN, I32MIN, -0.0, None, "1970-01-01T00:00:00Z"),
    ("yy", "tab\tnewline\n\"quote\"", -1, None, 1e-300, True, "2099-12-31T23:59:59.999999Z"),
    ("emoji", "\U0001F6A2", 0, 0, -179.999999, None, "2000-02-29T12:00:00Z"),
    ("z", None, 1, -1, 1.7976931348623157e308, False, "1900-01-01T00:00:00Z"),
    ("last", "end", 366000000, 7, NAN, True, "2024-02-29T23:59:59.5Z"),
]
NAMES = ["chip_id", "note", "mmsi", "count", "lat", "flag", "time", "geometry"]
DUCK_TYPES = ["VARCHAR", "VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "BOOLEAN", "TIMESTAMP WITH TIME ZONE"]
PHYSICAL = ["BYTE_ARRAY", "BYTE_ARRAY", "INT64", "INT32", "DOUBLE", "BOOLEAN", "INT64", "BYTE_ARRAY"]
REPETITION = ["REQUIRED", "OPTIONAL", "REQUIRED", "OPTIONAL", "REQUIRED", "OPTIONAL", "REQUIRED", "REQUIRED"]

def check_geo_metadata(label, kv, types, bbox):
    geo = json.loads(kv["geo"])
    check(geo["version"] == "1.0.0", f"{label}: geo version {geo.get('version')}")
    check(geo["primary_column"] == "geometry", f"{label}: primary_column")
    col = geo["columns"]["geometry"]
    check(col["encoding"] == "WKB", f"{label}: encoding")
    check(col["geometry_types"] == types, f"{label}: geometry_types {col['geometry_types']}")
    check("crs" not in col, f"{label}: crs must be omitted (OGC:CRS84)")
    check(col.get("bbox") == bbox, f"{label}: bbox {col.get('bbox')} != {bbox}")

def check_schema(label, d):
    duck = d["duckdb"]
    check([c["name"] for c in duck["columns"]] == NAMES, f"{label}: duckdb names {duck['columns']}")
    check([c["type"] for c in duck["columns"][:7]] == DUCK_TYPES, f"{label}: duckdb types {duck['columns']}")
    # DuckDB recognises the GeoParquet column (GEOMETRY in DuckDB >= 1.5, BLOB before).
    gtype = duck["columns"][7]["type"]
    check(gtype.startswith("GEOMETRY") or gtype == "BLOB", f"{label}: geometry type {gtype}")
    leaves = duck["schema"][1:]
    check(duck["schema"][0]["num_children"] == "8", f"{label}: root group")
    check([s["type"] for s in leaves] == PHYSICAL, f"{label}: physical types {leaves}")
    check([s["repetition_type"] for s in leaves] == REPETITION, f"{label}: repetition")
    check(leaves[0]["converted_type"] == "UTF8" and leaves[1]["converted_type"] == "UTF8", f"{label}: UTF8")
    check(leaves[6]["converted_type"] == "TIMESTAMP_MICROS", f"{label}: TIMESTAMP_MICROS")
    check("isAdjustedToUTC=1" in leaves[6]["logical_type"] and "MICROS=MicroSeconds()" in leaves[6]["logical_type"],
          f"{label}: timestamp logical type {leaves[6]['logical_type']}")
    check(leaves[7]["converted_type"] is None, f"{label}: geometry is plain BYTE_ARRAY")
    hyp = d["hyparquet"]["columns"]
    check([c["name"] for c in hyp] == NAMES, f"{label}: hyparquet names")
    check([c["repetition"] for c in hyp] == REPETITION, f"{label}: hyparquet repetition")
    check(hyp[6]["logical_type"] == {"type": "TIMESTAMP", "isAdjustedToUTC": True, "unit": "MICROS"},
          f"{label}: hyparquet timestamp {hyp[6]['logical_type']}")
    check(hyp[0]["logical_type"] == {"type": "STRING"}, f"{label}: hyparquet string")
    for reader, created in (("duckdb", duck["file"]["created_by"]), ("hyparquet", d["hyparquet"]["created_by"])):
        check(re.fullmatch(r"shipchips version \d+\.\d+\.\d+", created or ""), f"{label}: {reader} created_by {created}")

def check_types_rows(label, d):
    for reader in ("duckdb", "hyparquet"):
        rows = d[reader]["rows"]
        check(len(rows) == len(TYPES), f"{label}: {reader} has {len(rows)} rows")
        for i, (row, want) in enumerate(zip(rows, TYPES)):
            where = f"{label}: {reader} row {i}"
            check(row["chip_id"] == want[0], f"{where} chip_id {row['chip_id']!r}")
            check(row["note"] == want[1], f"{where} note {row['note']!r}")
            check(row["mmsi"] == str(want[2]), f"{where} mmsi {row['mmsi']}")
            check(row["count"] == want[3], f"{where} count {row['count']}")
            check(same_double(row["lat"], want[4]), f"{where} lat {row['lat']}")
            check(row["flag"] is want[5], f"{where} flag {row['flag']}")
            check(row["time"]["micros"] == str(micros(want[6])), f"{where} time {row['time']} != {want[6]}")
            if reader == "duckdb":
                check(row["time"]["tz"] is True, f"{where}: timestamp not WITH TIME ZONE")
                wkb = row["geometry"].get("wkb") or row["geometry"].get("hex")
                check(wkb[:10] == "0103000000", f"{where} WKB header {wkb[:10]}")
                check(wkb == wkb_polygon(square(i)), f"{where} WKB bytes")
                kind, rings = decode_wkb(wkb)
                check(kind == "Polygon" and rings == [[list(p) for p in r] for r in square(i)], f"{where} WKB decode")
            else:  # hyparquet decodes the WKB itself (GeoParquet metadata → GeoJSON)
                g = row["geometry"]
                check(g == {"type": "Polygon", "coordinates": [[list(p) for p in r] for r in square(i)]},
                      f"{where} geometry {g}")
    # DuckDB's own WKT of each geometry.
    if "wkt" in d["duckdb"]:
        for i, wkt in enumerate(d["duckdb"]["wkt"]):
            nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", wkt)]
            want = [c for r in square(i) for p in r for c in p]
            check(wkt.startswith("POLYGON") and nums == want, f"{label}: duckdb WKT row {i}: {wkt}")
    bbox = [-170.0, -60.0, -170.0 + 50.0 * 6 + 1, -60.0 + 20.0 * 6 + 1]
    for reader in ("duckdb", "hyparquet"):
        check_geo_metadata(f"{label} {reader}", d[reader]["kv"], ["Polygon"], bbox)
        check(d[reader]["kv"].get("shipchips") == "types sample", f"{label}: {reader} extra key-value")

def stats_by_column(chunks, group):
    return {c["path_in_schema"]: c for c in chunks if c["row_group_id"] == str(group)}

gz = load("types_gzip")
check_schema("types_gzip", gz)
check_types_rows("types_gzip", gz)
check(gz["duckdb"]["file"]["num_row_groups"] == "3", "types_gzip: 3 row groups")
check([g["num_rows"] for g in gz["hyparquet"]["row_groups"]] == ["3", "3", "1"], "types_gzip: row group sizes")
check(all(c["compression"] == "GZIP" for c in gz["duckdb"]["chunks"]), "types_gzip: GZIP chunks")
check(all(set(g["codecs"]) == {"GZIP"} for g in gz["hyparquet"]["row_groups"]), "types_gzip: hyparquet codecs")
# Statistics per row group, as DuckDB reads them (rows 0-2, 3-5, 6).
s0, s1, s2 = (stats_by_column(gz["duckdb"]["chunks"], g) for g in range(3))
check((s0["mmsi"]["stats_min_value"], s0["mmsi"]["stats_max_value"]) == (str(I64MIN), str(I64MAX)), f"stats mmsi {s0['mmsi']}")
check((s0["count"]["stats_min_value"], s0["count"]["stats_max_value"]) == (str(I32MIN), str(I32MAX)), "stats count")
check((float(s0["lat"]["stats_min_value"]), float(s0["lat"]["stats_max_value"])) == (-33.875, 43.5), f"stats lat {s0['lat']}")
check((float(s1["lat"]["stats_min_value"]), float(s1["lat"]["stats_max_value"])) == (-179.999999, 1.7976931348623157e308), "stats lat 1")
check(s2["lat"]["stats_min_value"] is None and s2["lat"]["stats_max_value"] is None, f"NaN-only chunk has no bounds: {s2['lat']}")
check([s0["note"]["stats_null_count"], s1["note"]["stats_null_count"], s2["note"]["stats_null_count"]] == ["1", "1", "0"], "note null counts")
check([s0["flag"]["stats_null_count"], s1["flag"]["stats_null_count"]] == ["1", "1"], "flag null counts")
check((s0["chip_id"]["stats_min_value"], s0["chip_id"]["stats_max_value"]) == ("", "x"), f"stats chip_id {s0['chip_id']}")
check(s1["time"]["stats_min_value"].startswith("1900-01-01 00:00:00") and s1["time"]["stats_max_value"].startswith("2099-12-31 23:59:59.999999"),
      f"stats time {s1['time']}")
check([q[0]["n"] for q in gz["duckdb"]["queries"]] == ["1", "1", "1", "2"], f"types_gzip filters {gz['duckdb']['queries']}")

plain = load("types_plain")
check_schema("types_plain", plain)
check_types_rows("types_plain", plain)
check(plain["duckdb"]["file"]["num_row_groups"] == "1", "types_plain: 1 row group")
check(all(c["compression"] == "UNCOMPRESSED" for c in plain["duckdb"]["chunks"]), "types_plain: UNCOMPRESSED chunks")

empty = load("empty")
check_schema("empty", empty)
check(empty["duckdb"]["rows"] == [] and empty["hyparquet"]["rows"] == [], "empty: rows")
check(empty["duckdb"]["file"]["num_rows"] == "0" and empty["hyparquet"]["num_rows"] == "0", "empty: num_rows")
for reader in ("duckdb", "hyparquet"):
    check_geo_metadata(f"empty {reader}", empty[reader]["kv"], ["Polygon"], None)

nulls = load("nulls")
want_nulls = [{"s": None, "i": None, "b": None, "t": None} for _ in range(20)]
want_nulls[18] = {"s": "only", "i": "-5", "b": True, "t": {"micros": "1"}}
for reader in ("duckdb", "hyparquet"):
    got = [{k: ({"micros": v["micros"]} if isinstance(v, dict) else v) for k, v in r.items()}
           for r in nulls[reader]["rows"]]
    check(got == want_nulls, f"nulls: {reader} rows {got}")
n0, n1 = (stats_by_column(nulls["duckdb"]["chunks"], g) for g in range(2))
check(all(c["stats_null_count"] == "10" and c["stats_min_value"] is None for c in n0.values()), f"nulls: group 0 stats {n0}")
check(all(c["stats_null_count"] == "9" for c in n1.values()), f"nulls: group 1 null counts {n1}")
check((n1["i"]["stats_min_value"], n1["i"]["stats_max_value"]) == ("-5", "-5"), f"nulls: i bounds {n1['i']}")

wide = load("wide")
want_wide = [{f"c{c:02d}": r * 100 + c for c in range(20)} for r in range(3)]
for reader in ("duckdb", "hyparquet"):
    check(wide[reader]["rows"] == want_wide, f"wide: {reader} rows {wide[reader]['rows']}")
check([c["type"] for c in wide["duckdb"]["columns"]] == ["INTEGER"] * 20, "wide: types")

# --- many: the formulas of write_many_sample() ------------------------------------------------
many = load("many")
N = 10000
check(many["duckdb"]["file"]["num_rows"] == str(N), "many: num_rows")
check([g["num_rows"] for g in many["hyparquet"]["row_groups"]] == ["4096", "4096", "1808"], "many: row groups")
check([c["type"] for c in many["duckdb"]["columns"][:5]] == ["BIGINT", "VARCHAR", "DOUBLE", "BOOLEAN", "TIMESTAMP WITH TIME ZONE"],
      f"many: types {many['duckdb']['columns']}")
for reader in ("duckdb", "hyparquet"):
    rows = many[reader]["rows"]
    check(len(rows) == N, f"many: {reader} has {len(rows)} rows")
    bad = 0
    for i, row in enumerate(rows):
        lon, lat = -180.0 + (i % 3600) * 0.1, -80.0 + (i % 1600) * 0.1
        ok = (row["id"] == str(i * 1000003 - 5000000000) and row["name"] == f"ship-{i}"
              and (row["speed"] is None if i % 7 == 0 else same_double(row["speed"], i * 0.25 - 1000.0))
              and (row["moored"] is None if i % 11 == 0 else row["moored"] is (i % 3 == 0))
              and row["seen"]["micros"] == str(1700000000000000 + i * 1000003))
        if reader == "duckdb":
            wkb = row["geometry"].get("wkb") or row["geometry"].get("hex")
            ok = ok and wkb == wkb_point(lon, lat) and decode_wkb(wkb) == ("Point", [lon, lat])
        else:
            ok = ok and row["geometry"] == {"type": "Point", "coordinates": [lon, lat]}
        if not ok:
            bad += 1
            if bad <= 3:
                failures.append(f"many: {reader} row {i}: {row}")
    check(bad == 0, f"many: {reader}: {bad} rows differ")
    bbox = [-180.0, -80.0, -180.0 + 3599 * 0.1, -80.0 + 1599 * 0.1]
    check_geo_metadata(f"many {reader}", many[reader]["kv"], ["Point"], bbox)
# Pages were really split (page_bytes 16 KiB): every GZIP page is its own gzip member, so
# there must be more members than the 18 column chunks.
with open(f"{tmp}/a/many.parquet", "rb") as f:
    members = f.read().count(bytes.fromhex("1f8b08000000000000"))
check(members > 3 * 6, f"many: {members} gzip pages for 18 column chunks")
want = [sum(1 for i in range(N) if i * 1000003 - 5000000000 >= 0), 1, sum(1 for i in range(N) if i % 7 == 0), N - 9000]
check([q[0]["n"] for q in many["duckdb"]["queries"]] == [str(w) for w in want], f"many filters {many['duckdb']['queries']} != {want}")

if failures:
    print("\n".join(failures[:40]), file=sys.stderr)
    print(f"0 passed, {len(failures)} failed")
    sys.exit(1)
print("parquet readers: DuckDB and hyparquet agree with every written value (6 samples)")
PYEOF
