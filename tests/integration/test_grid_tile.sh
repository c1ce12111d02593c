#!/usr/bin/env bash
# shipchips grid tile/point end to end: every row of the reference sample_tiles.csv (ESA's
# grid KML) is compared exactly (epsg, xmin, ymin) by an independent reader (python csv
# module); --json output must parse and be consistent; bad ids fail naming the id.
set -euo pipefail
: "${SHIPCHIPS_BIN:?set SHIPCHIPS_BIN to the shipchips binary}"
SRC="${SHIPCHIPS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
REF="${SHIPCHIPS_REFERENCE_DIR:-$SRC/../shared/reference}"
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

csv="$REF/s2grid/sample_tiles.csv"
[ -f "$csv" ] || fail "missing $csv"
ids=$("$PY" -c 'import csv,sys; print(" ".join(r["tile_id"] for r in csv.DictReader(open(sys.argv[1]))))' "$csv")
# shellcheck disable=SC2086
"$SHIPCHIPS_BIN" grid tile $ids --json > "$tmp/tiles.jsonl"
# shellcheck disable=SC2086
"$SHIPCHIPS_BIN" grid tile $ids > "$tmp/tiles.txt"

"$PY" - "$csv" "$tmp/tiles.jsonl" "$tmp/tiles.txt" <<'PYEOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
objs = [json.loads(line) for line in open(sys.argv[2])]
assert len(rows) == 40, len(rows)
assert len(objs) == len(rows), (len(objs), len(rows))
for r, o in zip(rows, objs):
    assert o["tile_id"] == r["tile_id"], (o["tile_id"], r)
    assert o["epsg"] == int(r["epsg"]), (o["tile_id"], o["epsg"], r["epsg"])
    assert o["xmin"] == float(r["xmin"]), (o["tile_id"], o["xmin"], r["xmin"])
    assert o["ymin"] == float(r["ymin"]), (o["tile_id"], o["ymin"], r["ymin"])
    epsg = int(r["epsg"])
    assert o["utm_zone"] == epsg % 100 and o["hemisphere"] == ("N" if epsg < 32700 else "S"), o["tile_id"]
    assert o["utm_ul"] == [float(r["xmin"]), float(r["ymin"]) + 109800], o["tile_id"]
    assert o["utm_lr"] == [float(r["xmin"]) + 109800, float(r["ymin"])], o["tile_id"]
    fp = o["footprint"]
    assert fp["type"] == "Polygon" and len(fp["coordinates"]) == 1, o["tile_id"]
    ring = fp["coordinates"][0]
    assert len(ring) >= 5 and ring[0] == ring[-1], o["tile_id"]
    for k in ("ul", "ur", "lr", "ll"):
        lon, lat = o["corners_lonlat"][k]
        assert -180 <= lon <= 180 and -90 <= lat <= 90, (o["tile_id"], k)
    # the footprint ring passes through the four corners
    for k in ("ul", "ur", "lr", "ll"):
        c = o["corners_lonlat"][k]
        assert min(abs(p[0] - c[0]) + abs(p[1] - c[1]) for p in ring) < 1e-9, (o["tile_id"], k)
text = open(sys.argv[3]).read().split("\n")
assert text[0].split()[0] == "tile" and len([l for l in text[1:] if l.strip()]) == 40
print("sample_tiles.csv: %d rows match exactly" % len(rows))
PYEOF

# A point: its tiles contain it (UTM box) and --json parses.
"$SHIPCHIPS_BIN" grid point 116.381 39.977 --json > "$tmp/point.jsonl"
"$PY" - "$tmp/point.jsonl" <<'PYEOF'
import json, sys
ids = [json.loads(l)["tile_id"] for l in open(sys.argv[1])]
# Sentinel-2 names the square holding this point 50TMK (MGRS: 50SMK), proj4js/mgrs issue 48.
assert ids == ["50TMK"], ids
PYEOF

# Bad ids fail and name the id.
set +e
"$SHIPCHIPS_BIN" grid tile 31UFU 31UFX > "$tmp/out" 2> "$tmp/err"; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "bad id accepted"
grep -q "31UFX" "$tmp/err" || fail "error does not name the id: $(cat "$tmp/err")"
set +e
"$SHIPCHIPS_BIN" grid point 1 95 > "$tmp/out" 2> "$tmp/err"; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "latitude 95 accepted"
echo "OK"
