#!/usr/bin/env bash
# Builds fixture worlds and checks every COG with gdalinfo (an independent reader): COG
# layout, DEFLATE + predictor 2, block size, nodata 0, overviews, data type, EPSG, and a
# geotransform on the real Sentinel-2 tile grid (ESA's, from s2grid/sample_tiles.csv) that
# matches the item's proj:transform / proj:shape.
set -euo pipefail
BIN="${SHIPCHIPS_BIN:?path to the shipchips binary}"
SRC="${SHIPCHIPS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
REF="${SHIPCHIPS_REFERENCE_DIR:-$SRC/../shared/reference}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$BIN" fixture build --out "$TMP/small" --seed 11 > /dev/null
"$BIN" fixture build --out "$TMP/medium" --size medium --scenes 1 --ships-per-scene 1 --seed 12 > /dev/null

check() {
  /usr/bin/python3 - "$1" "$2" "$REF/s2grid/sample_tiles.csv" <<'PYEOF'
import csv, glob, json, os, subprocess, sys
world, block, grid_csv = sys.argv[1], int(sys.argv[2]), sys.argv[3]
grid = {r["tile_id"]: r for r in csv.DictReader(open(grid_csv))}
types = {"B02": "UInt16", "B03": "UInt16", "B04": "UInt16", "B08": "UInt16", "B11": "UInt16", "B12": "UInt16",
         "SCL": "Byte", "TCI": "Byte"}
files = 0
for item_path in sorted(glob.glob(os.path.join(world, "items", "*.json"))):
    item = json.load(open(item_path))
    iid = item["id"]
    tile = iid.split("_")[1]
    assert tile in grid, f"{iid}: default tiles must be rows of sample_tiles.csv"
    xmin, ymax = float(grid[tile]["xmin"]), float(grid[tile]["ymin"]) + 109800.0
    assert int(grid[tile]["epsg"]) == item["properties"]["proj:epsg"], iid
    for key, asset in item["assets"].items():
        if "cloud-optimized" not in asset["type"]:
            assert key == "thumbnail", (iid, key)
            continue
        name = os.path.basename(asset["href"]).split(".")[0]
        path = os.path.join(world, "cogs", iid, name + ".tif")
        info = json.loads(subprocess.run(["gdalinfo", "-json", path], check=True, capture_output=True, text=True).stdout)
        where = f"{iid}/{name}"
        ims = info["metadata"]["IMAGE_STRUCTURE"]
        assert ims.get("LAYOUT") == "COG", (where, ims)
        assert ims.get("COMPRESSION") == "DEFLATE", (where, ims)
        assert ims.get("PREDICTOR") == "2", (where, ims)
        epsg = info["coordinateSystem"]["wkt"].rstrip().rsplit('ID["EPSG",', 1)[1].split("]")[0]
        assert int(epsg) == item["properties"]["proj:epsg"], (where, epsg)
        gt = info["geoTransform"]
        t = asset["proj:transform"]
        assert gt == [t[2], t[0], t[1], t[5], t[3], t[4]], (where, gt, t)
        assert info["size"] == [asset["proj:shape"][1], asset["proj:shape"][0]], (where, info["size"])
        res = t[0]
        # On the tile's grid: the origin is a whole number of 20 m pixels from the tile corner,
        # so 10 m and 20 m assets share it.
        assert (gt[0] - xmin) % 20 == 0 and (ymax - gt[3]) % 20 == 0, (where, gt, xmin, ymax)
        assert xmin <= gt[0] and gt[0] + info["size"][0] * res <= xmin + 109800, where
        assert ymax >= gt[3] and gt[3] - info["size"][1] * res >= ymax - 109800, where
        for band in info["bands"]:
            assert band["type"] == types[name], (where, band["type"])
            assert band["block"] == [block, block], (where, band["block"])
            assert band.get("noDataValue") == 0, (where, band.get("noDataValue"))
            assert band.get("overviews"), (where, "no overviews")
        assert len(info["bands"]) == (3 if name == "TCI" else 1), where
        files += 1
print(f"{world}: {files} COGs checked")
assert files >= 8
PYEOF
}
check "$TMP/small" 512
check "$TMP/medium" 1024

# `medium` is the 5120 px crop (BLOCKSIZE 1024 checked above).
size=$(gdalinfo -json "$TMP"/medium/cogs/*/B02.tif | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')
[ "$size" = "[5120, 5120]" ] || { echo "FAIL: medium B02 size $size"; exit 1; }
echo "test_fixture_cogs: OK"
