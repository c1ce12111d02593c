#!/usr/bin/env bash
# Builds a small fixture world and validates every item and the collection against the STAC
# 1.0.0 + extension schemas in shared/reference (offline), plus Earth Search shape checks.
# The validator itself is checked first on the real Earth Search items, whose two known
# quirks (README) it must report.
set -euo pipefail
BIN="${SHIPCHIPS_BIN:?path to the shipchips binary}"
SRC="${SHIPCHIPS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
REF="${SHIPCHIPS_REFERENCE_DIR:-$SRC/../shared/reference}"
PY=/usr/bin/python3
VALIDATE="$SRC/tests/integration/validate_stac.py"
SCHEMAS="$REF/stac-schemas"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# 1. The validator catches what is known to be wrong in the real data.
if "$PY" "$VALIDATE" "$SCHEMAS" "$REF"/earth-search/item__*.json > "$TMP/real.txt"; then
  echo "FAIL: validator accepted the real items' known schema quirks"; cat "$TMP/real.txt"; exit 1
fi
grep -q "item__S2B_24MVV_20250731_0_L2A.json: properties: 's2:sequence'" "$TMP/real.txt" || { echo "FAIL: s2:sequence quirk not reported"; cat "$TMP/real.txt"; exit 1; }
grep -q "item__S2A_29RKH_20200219_0_L2A.json: collection" "$TMP/real.txt" || { echo "FAIL: missing collection link not reported"; cat "$TMP/real.txt"; exit 1; }
"$PY" "$VALIDATE" "$SCHEMAS" "$REF"/earth-search/item__S2A_13TDE_20231008_0_L2A.json > /dev/null || { echo "FAIL: clean real item rejected"; exit 1; }

# 2. A fresh world validates cleanly.
"$BIN" fixture build --out "$TMP/world" --seed 7 > "$TMP/build.txt"
items=("$TMP"/world/items/*.json)
[ "${#items[@]}" -ge 3 ] || { echo "FAIL: expected at least 3 items, got ${#items[@]}"; exit 1; }
"$PY" "$VALIDATE" "$SCHEMAS" "${items[@]}" "$TMP"/world/collections/sentinel-2-l2a.json

# 3. A broken item is rejected (the check can fail).
"$PY" - "${items[0]}" "$TMP/broken.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["properties"]["proj:epsg"] = "32630"
d["assets"]["blue"]["raster:bands"][0]["nodata"] = "zero"
json.dump(d, open(sys.argv[2], "w"))
PYEOF
if "$PY" "$VALIDATE" "$SCHEMAS" "$TMP/broken.json" > "$TMP/broken.txt"; then
  echo "FAIL: a broken item validated"; exit 1
fi

# 4. Earth Search shape: asset keys, roles, hrefs under the placeholder, the three baseline kinds.
"$PY" - "$TMP/world" "$REF/earth-search/item__S2A_13TDE_20231008_0_L2A.json" <<'PYEOF'
import glob, json, os, sys
world, real_path = sys.argv[1], sys.argv[2]
real = json.load(open(real_path))
meta = json.load(open(os.path.join(world, "world.json")))
kinds = set()
for path in sorted(glob.glob(os.path.join(world, "items", "*.json"))):
    item = json.load(open(path))
    iid = item["id"]
    assert iid in meta["scenes"], iid
    assert item["stac_extensions"] and set(item["stac_extensions"]) == set(real["stac_extensions"]), iid
    for key in ["blue", "green", "red", "nir", "swir16", "swir22", "scl", "visual"]:
        a, r = item["assets"][key], real["assets"][key]
        assert a["roles"] == r["roles"], (iid, key)
        assert a["type"] == r["type"], (iid, key)
        assert a["href"].startswith("{{BASE_URL}}/cogs/" + iid + "/"), a["href"]
        assert os.path.exists(os.path.join(world, a["href"].replace("{{BASE_URL}}/", ""))), a["href"]
        assert len(a["proj:transform"]) == 6 and len(a["proj:shape"]) == 2
        if "raster:bands" in r:
            rb, ab = r["raster:bands"][0], a["raster:bands"][0]
            assert ab["data_type"] == rb["data_type"] and ab["nodata"] == 0, (iid, key)
    p = item["properties"]
    for k in ["datetime", "platform", "eo:cloud_cover", "proj:epsg", "grid:code", "mgrs:utm_zone",
              "s2:processing_baseline", "s2:product_uri", "earthsearch:boa_offset_applied", "view:sun_elevation"]:
        assert k in p, (iid, k)
    assert p["grid:code"] == "MGRS-" + iid.split("_")[1]
    off = item["assets"]["blue"]["raster:bands"][0]["offset"]
    major = int(p["s2:processing_baseline"].split(".")[0])
    if major < 4:
        assert off == 0 and p["earthsearch:boa_offset_applied"] is False; kinds.add("pre2022")
    elif p["earthsearch:boa_offset_applied"]:
        assert off == -0.1; kinds.add("applied")
    else:
        assert off == -0.1; kinds.add("not_applied")
    rels = {l["rel"] for l in item["links"]}
    assert {"self", "parent", "collection", "root"} <= rels, rels
    assert 0 <= p["eo:cloud_cover"] <= 100
assert kinds == {"pre2022", "applied", "not_applied"}, kinds
print("shape checks passed for", len(meta["scenes"]), "items")
PYEOF
echo "test_fixture_items_schema: OK"
