#!/usr/bin/env bash
# `shipchips publish-stac` and `shipchips publish` end to end on chips of the offline world:
# the STAC catalog validates against the real STAC 1.0.0 schemas and every extension schema
# its documents list (offline, tests/integration/validate_stac.py), every local href resolves
# from the file that holds it, file:checksum/file:size match sha256sum/stat, a rerun is
# byte-identical, --absolute-urls puts the base URL in front of every href; the manifest's
# sha256 values pass `sha256sum -c`, current.json names the manifest copy by its sha256, a
# broken dataset is refused with current.json unchanged, and --rollback restores the previous
# pointer byte for byte.
source "$(dirname "$0")/lib.sh"
SCHEMAS="$REF/stac-schemas"
VALIDATE="$SRC/tests/integration/validate_stac.py"

"$BIN" fixture build --out "$TMP/world" --seed 21 > /dev/null
start_fixture_server "$TMP/world"
DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"
export SHIPCHIPS_STAC_ENDPOINT="http://127.0.0.1:$FIXTURE_PORT"
"$BIN" --config "$CONFIG" chip --ais "$TMP/world/ais/ais_upload.csv" --json > "$TMP/chip.json"
CHIPS=$(find "$DS/chips" -name '*.tif' | wc -l)
[ "$CHIPS" -ge 3 ] || fail "only $CHIPS chips"

tree_sums() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum); }

# --- publish-stac, relative hrefs (default --out-dir: storage.layout.stac) --------------------
"$BIN" --config "$CONFIG" publish-stac --json > "$TMP/stac1.json"
[ -f "$DS/stac/catalog.json" ] || fail "no catalog at storage.layout.stac"
tree_sums "$DS/stac" > "$TMP/stac1.sums"
"$BIN" --config "$CONFIG" publish-stac --out-dir "$DS/stac" --json > "$TMP/stac2.json"
tree_sums "$DS/stac" | diff "$TMP/stac1.sums" - || fail "publish-stac rerun changed bytes"
"$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["changed"] is False' "$TMP/stac2.json"

find "$DS/stac" -name '*.json' | LC_ALL=C sort > "$TMP/stac-files.txt"
"$PY" "$VALIDATE" "$SCHEMAS" $(cat "$TMP/stac-files.txt") > "$TMP/validate.txt" || { cat "$TMP/validate.txt" >&2; fail "STAC schema validation"; }
grep -q "validated $(wc -l < "$TMP/stac-files.txt") documents, 0 errors" "$TMP/validate.txt" || { cat "$TMP/validate.txt" >&2; fail "validator count"; }

"$PY" - "$DS" "$CHIPS" "$SHIPCHIPS_STAC_ENDPOINT" <<'PYEOF'
import glob, hashlib, json, os, sys
root, chips, endpoint = sys.argv[1], int(sys.argv[2]), sys.argv[3]
stac = os.path.join(root, "stac")
docs = sorted(glob.glob(stac + "/**/*.json", recursive=True))
kinds = {}
checked = 0
for path in docs:
    doc = json.load(open(path))
    kinds[doc["type"]] = kinds.get(doc["type"], 0) + 1
    here = os.path.dirname(path)
    refs = [("link " + l["rel"], l["href"]) for l in doc["links"]]
    refs += [("asset " + k, a["href"]) for k, a in doc.get("assets", {}).items()]
    for what, href in refs:
        if href.startswith("http://") or href.startswith("https://"):
            assert what in ("link derived_from", "link license"), (path, what, href)
            continue
        target = os.path.normpath(os.path.join(here, href))
        assert os.path.isfile(target), (path, what, href)
        assert os.path.realpath(target).startswith(os.path.realpath(root) + "/"), (path, href)
        checked += 1
    if doc["type"] == "Feature":
        assert set(doc["assets"]) == {"data", "thumbnail", "metadata", "footprint"}, doc["assets"].keys()
        for key, a in doc["assets"].items():
            data = open(os.path.normpath(os.path.join(here, a["href"])), "rb").read()
            assert a["file:size"] == len(data), (path, key)
            assert a["file:checksum"] == "1220" + hashlib.sha256(data).hexdigest(), (path, key)
        sidecar = json.load(open(os.path.normpath(os.path.join(here, doc["assets"]["metadata"]["href"]))))
        assert sidecar["chip_id"] == doc["id"]
        assert doc["properties"]["shipchips:mmsi"] == sidecar["mmsi"]
        t = sidecar["transform"]
        assert doc["properties"]["proj:transform"] == [t[1], t[2], t[0], t[4], t[5], t[3]]
        assert doc["properties"]["proj:epsg"] == sidecar["epsg"]
        src = [l for l in doc["links"] if l["rel"] == "derived_from"]
        assert src and src[0]["href"] == f"{endpoint}/collections/{sidecar['collection']}/items/{sidecar['scene_id']}", src
        assert doc["properties"]["datetime"] == sidecar["scene_datetime"]
assert kinds == {"Catalog": 1, "Collection": 1, "Feature": chips}, kinds
print(f"{len(docs)} STAC documents, {checked} local hrefs resolve")
PYEOF

# The source scene named by derived_from is the fixture API's item (over loopback).
ITEM=$(find "$DS/stac" -mindepth 3 -name '*.json' | LC_ALL=C sort | head -1)
SRC_URL=$("$PY" -c 'import json,sys; print([l["href"] for l in json.load(open(sys.argv[1]))["links"] if l["rel"]=="derived_from"][0])' "$ITEM")
curl -sf "$SRC_URL" | "$PY" -c 'import json,sys; assert json.load(sys.stdin)["type"] == "Feature"' || fail "derived_from $SRC_URL"

# An empty dataset (nothing chipped, no database yet) gives a valid catalog with no items.
sed -e "s|^  dataset_root: .*|  dataset_root: $TMP/empty|" "$CONFIG" > "$TMP/empty.yaml"
"$BIN" --config "$TMP/empty.yaml" publish-stac > /dev/null
"$PY" "$VALIDATE" "$SCHEMAS" "$TMP/empty/stac/catalog.json" "$TMP/empty/stac/shipchips-chips/collection.json" > "$TMP/validate-empty.txt" || { cat "$TMP/validate-empty.txt" >&2; fail "empty catalog validation"; }
# The run is recorded (the job store's database), but no chips index appears: exporting still
# refuses, so an empty index can never replace published exports.
test -n "$(ls "$TMP/empty/runs/"*.json)" || fail "publish-stac on an empty dataset recorded no run"
rc=0; "$BIN" --config "$TMP/empty.yaml" index export > /dev/null 2> "$TMP/empty-export.txt" || rc=$?
[ "$rc" = 9 ] || { cat "$TMP/empty-export.txt" >&2; fail "publish-stac created a chips index (index export: exit $rc)"; }

# --- absolute URLs ------------------------------------------------------------------------------
rc=0; "$BIN" --config "$CONFIG" publish-stac --out-dir "$DS/stac-abs" --absolute-urls 2> "$TMP/abs-err.txt" || rc=$?
[ "$rc" = 2 ] || fail "--absolute-urls without --base-url: exit $rc"
grep -q -- "--base-url" "$TMP/abs-err.txt" || { cat "$TMP/abs-err.txt" >&2; fail "usage error text"; }
test ! -e "$DS/stac-abs"
rc=0; "$BIN" --config "$CONFIG" publish-stac --out-dir "$TMP/outside" 2> "$TMP/out-err.txt" || rc=$?
[ "$rc" = 2 ] && grep -q "not inside the dataset root" "$TMP/out-err.txt" || fail "--out-dir outside the dataset: exit $rc"
BASE=https://example.com/my-dataset
"$BIN" --config "$CONFIG" publish-stac --out-dir "$DS/stac-abs" --absolute-urls --base-url "$BASE" > /dev/null
"$PY" "$VALIDATE" "$SCHEMAS" $(find "$DS/stac-abs" -name '*.json' | LC_ALL=C sort) > "$TMP/validate-abs.txt" || { cat "$TMP/validate-abs.txt" >&2; fail "absolute catalog validation"; }
"$PY" - "$DS" "$BASE" <<'PYEOF'
import glob, json, os, sys
root, base = sys.argv[1], sys.argv[2]
n = 0
for path in glob.glob(root + "/stac-abs/**/*.json", recursive=True):
    doc = json.load(open(path))
    refs = [(l["rel"], l["href"]) for l in doc["links"] if l["rel"] not in ("derived_from", "license")]
    refs += [(k, a["href"]) for k, a in doc.get("assets", {}).items()]
    assert any(rel == "self" for rel, _ in refs), path
    for what, href in refs:
        assert href.startswith(base + "/"), (path, what, href)
        assert os.path.isfile(os.path.join(root, href[len(base) + 1:])), (path, href)
        n += 1
print(f"{n} absolute hrefs under {base}")
PYEOF
rm -rf "$DS/stac-abs"

# --- publish: manifest, current.json ------------------------------------------------------------
(cd "$TMP" && "$BIN" --config config.yaml publish --out-manifest ds/manifests/dataset_manifest.json --sample-limit 2 --json > publish1.json)
cp "$DS/current.json" "$TMP/current1.json"
"$PY" - "$DS" "$TMP/publish1.json" "$CHIPS" <<'PYEOF'
import hashlib, json, os, sys
root, report, chips = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
cur = json.load(open(os.path.join(root, "current.json")))
assert cur["version_id"] == report["version_id"] and cur["previous"] is None, (cur, report)
copy = open(os.path.join(root, cur["manifest"]), "rb").read()
assert hashlib.sha256(copy).hexdigest() == cur["manifest_sha256"]
assert open(os.path.join(root, "manifests", "dataset_manifest.json"), "rb").read() == copy
m = json.loads(copy)
assert m["counts"]["chips"] == chips == cur["chips"], (m["counts"], chips)
assert len(m["samples"]) == 2 and m["samples"][0]["chip_id"] < m["samples"][1]["chip_id"]
paths = {f["path"] for f in m["files"]}
for dirpath, _, names in os.walk(os.path.join(root, "chips")):
    for name in names:
        assert os.path.relpath(os.path.join(dirpath, name), root) in paths, name
for dirpath, _, names in os.walk(os.path.join(root, "stac")):
    for name in names:
        assert os.path.relpath(os.path.join(dirpath, name), root) in paths, name
assert "indexes/tiles.parquet" in paths and "labels/coco.json" in paths
with open(os.path.join(root, "..", "manifest.sha256"), "w") as f:
    for e in m["files"]:
        assert e["size"] == os.path.getsize(os.path.join(root, e["path"]))
        f.write(f"{e['sha256']}  {e['path']}\n")
PYEOF
(cd "$DS" && sha256sum --quiet -c "$TMP/manifest.sha256") || fail "manifest sha256 values"

# --- refused: a chip's footprint file missing -> exit 4, one line, pointer unchanged ---------------
GJ=$(find "$DS/chips" -name '*.geojson' | LC_ALL=C sort | head -1)
mv "$GJ" "$TMP/moved.geojson"
rc=0; "$BIN" --config "$CONFIG" publish 2> "$TMP/refused.txt" > /dev/null || rc=$?
[ "$rc" = 4 ] || { cat "$TMP/refused.txt" >&2; fail "publish with a missing chip file: exit $rc"; }
# One error line naming the file (the run's own log lines come before it).
[ "$(grep -c '^shipchips publish: error' "$TMP/refused.txt")" = 1 ] \
  && grep '^shipchips publish: error' "$TMP/refused.txt" | grep -q "$(basename "$GJ"): missing" \
  || { cat "$TMP/refused.txt" >&2; fail "refusal message"; }
cmp "$DS/current.json" "$TMP/current1.json" || fail "a refused publish moved current.json"
mv "$TMP/moved.geojson" "$GJ"

# --- second version, rollback -------------------------------------------------------------------
sleep 1  # run ids start with the second
"$BIN" --config "$CONFIG" publish --json > "$TMP/publish2.json"
"$PY" - "$DS" "$TMP/publish1.json" "$TMP/publish2.json" <<'PYEOF'
import json, os, sys
root, one, two = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
cur = json.load(open(os.path.join(root, "current.json")))
assert cur["version_id"] == two["version_id"] != one["version_id"] and cur["previous"] == one["version_id"]
# Nothing changed between the two: the manifests differ in version_id and created only (and
# sample_limit, given as 2 the first time).
a = json.load(open(os.path.join(root, one["manifest"])))
b = json.load(open(os.path.join(root, two["manifest"])))
for m in (a, b):
    for k in ("version_id", "created", "sample_limit", "samples"):
        m.pop(k)
assert a == b
PYEOF
"$BIN" --config "$CONFIG" publish --rollback > "$TMP/rollback.txt"
cmp "$DS/current.json" "$TMP/current1.json" || fail "rollback did not restore the previous pointer"
rc=0; "$BIN" --config "$CONFIG" publish --rollback 2> "$TMP/rollback2.txt" || rc=$?
[ "$rc" = 9 ] && grep -q "no previous version" "$TMP/rollback2.txt" || { cat "$TMP/rollback2.txt" >&2; fail "second rollback: exit $rc"; }
cmp "$DS/current.json" "$TMP/current1.json"

# --- a chip leaves the index: its item leaves the catalog ----------------------------------------
TIF=$(find "$DS/chips" -name '*.tif' | LC_ALL=C sort | head -1)
GONE=$(basename "$TIF" .tif)
rm "$TIF"
"$BIN" --config "$CONFIG" index rebuild > /dev/null
"$BIN" --config "$CONFIG" publish-stac > /dev/null
test ! -e "$DS/stac/shipchips-chips/$GONE" || fail "stale item $GONE kept"
[ "$(find "$DS/stac" -mindepth 3 -name '*.json' | wc -l)" = $((CHIPS - 1)) ] || fail "item count after removal"
! grep -rq "$GONE" "$DS/stac" || fail "catalog still names $GONE"
test -z "$(find "$DS" -maxdepth 1 -name '.*')" || fail "temporary folders left in the dataset root"
"$BIN" --config "$CONFIG" publish > /dev/null
echo "OK"
