#!/usr/bin/env bash
# Every command that changes data is a recorded run: predict-overpasses, collect-ais, chip, index
# rebuild / export, publish (and --rollback), publish-stac and prune each leave a runs row (read
# with Python's sqlite3), a run record runs/<id>.json and a step manifest at
# manifests/<step>/date=<day>/run=<id>/manifest.json whose inputs and outputs carry the sha256
# that sha256sum computes. A failed command records a failed run with its error class; a refused
# one (nothing to rebuild from, too little free space) records nothing; gc starts whatever the
# free space.
source "$(dirname "$0")/lib.sh"

"$BIN" fixture build --out "$TMP/world" --seed 42 > /dev/null
start_fixture_server "$TMP/world"
DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"
export SHIPCHIPS_STAC_ENDPOINT="http://127.0.0.1:$FIXTURE_PORT"
TLE="$REF/tle/sentinel2_tles.txt"
sc() { "$BIN" --config "$CONFIG" "$@"; }

# A refused command (no chips folder yet: a wrong dataset_root, most likely) records nothing.
rc=0; sc index rebuild > /dev/null 2> "$TMP/refused.txt" || rc=$?
[ "$rc" = 9 ] || { cat "$TMP/refused.txt" >&2; fail "index rebuild without a chips folder: exit $rc"; }
test ! -e "$DS" || fail "a refused index rebuild created $(ls "$DS")"

sc predict-overpasses --mode tle --tle "$TLE" --start 2024-07-22 --days 3 --satellites S2A,S2B > /dev/null 2>&1 \
  || fail "predict-overpasses"
sc collect-ais --dry-run --once --now 2020-06-14T10:05:00Z --window-min 5 --ships 2 --json > "$TMP/collect.json" 2> /dev/null \
  || fail "collect-ais"
sc chip --ais "$TMP/world/ais/ais_upload.csv" > /dev/null 2>&1 || fail "chip"
sc index rebuild --json > "$TMP/rebuild.json" 2> /dev/null || fail "index rebuild"
sc index export --json > "$TMP/export.json" 2> /dev/null || fail "index export"
sc publish --json > "$TMP/publish1.json" 2> /dev/null || fail "publish 1"
sc publish --json > "$TMP/publish2.json" 2> /dev/null || fail "publish 2"
sc publish --rollback > /dev/null 2>&1 || fail "publish --rollback"
sc publish-stac --json > "$TMP/stac.json" 2> /dev/null || fail "publish-stac"
sc prune --time-tol-min 10 --dist-tol-m 500 --json > "$TMP/prune.json" 2> /dev/null || fail "prune"
sc prune --time-tol-min 10 --dist-tol-m 500 --dry-run > /dev/null 2>&1 || fail "prune --dry-run"
sc ais import "$TMP/world/ais/ais_upload.csv" > /dev/null 2>&1 || fail "ais import"
sc gc --cache-ttl-days 30 --watermark-disk 0.99 --dry-run > /dev/null 2>&1 || fail "gc --dry-run"
# gc runs however full the disk is (it is what frees space): min_free_gb far above any disk.
SHIPCHIPS_STORAGE_MIN_FREE_GB=1000000 sc gc --cache-ttl-days 30 --watermark-disk 0.99 > /dev/null 2> "$TMP/gc.err" \
  || { cat "$TMP/gc.err" >&2; fail "gc on a disk below storage.min_free_gb"; }
rc=0; SHIPCHIPS_STORAGE_MIN_FREE_GB=1000000 sc index export > /dev/null 2>&1 || rc=$?
[ "$rc" = 5 ] || fail "index export below storage.min_free_gb: exit $rc (expected io_error's 5)"
# A failed command: a TLE with a bad checksum (contract).
sed -e '2s/.$/0/' "$TLE" > "$TMP/bad.tle"
rc=0; sc predict-overpasses --mode tle --tle "$TMP/bad.tle" --start 2024-07-22 --days 1 > /dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "predict-overpasses with a bad TLE succeeded"

"$PY" - "$DS" "$TMP" <<'PYEOF'
import hashlib, json, os, sqlite3, sys
root, tmp = sys.argv[1], sys.argv[2]

def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

db = sqlite3.connect(os.path.join(root, "ops.db"))
runs = db.execute("SELECT run_id, command, status FROM runs ORDER BY started_at, run_id").fetchall()
commands = [c for _, c, _ in runs]
want = ["predict-overpasses", "collect-ais", "chip", "index rebuild", "index export", "publish", "publish",
        "publish --rollback", "publish-stac", "prune", "ais import", "gc", "predict-overpasses"]
assert commands == want, f"runs recorded: {commands}, expected {want} (dry runs and refusals record none)"
step_of = {"predict-overpasses": "predict", "collect-ais": "collect", "chip": "chip", "index rebuild": "index",
           "index export": "index", "publish": "publish", "publish --rollback": "rollback",
           "publish-stac": "publish-stac", "prune": "prune", "ais import": "import", "gc": "gc"}
for k, (run_id, command, status) in enumerate(runs):
    failed = k == len(runs) - 1
    assert status == ("failed" if failed else "succeeded"), (run_id, command, status)
    record = json.load(open(os.path.join(root, "runs", run_id + ".json")))
    assert record["command"] == command and record["status"] == status, record
    assert "AISSTREAM" not in json.dumps(record), record
    [step] = record["steps"]
    assert step["step"] == step_of[command], step
    manifest = json.load(open(os.path.join(root, step["manifest"])))
    assert step["manifest"].startswith(f"manifests/{step['step']}/date={manifest['date']}/run={run_id}/"), step
    assert manifest["run_id"] == run_id and manifest["status"] == status, manifest
    (srow,) = db.execute("SELECT status FROM run_steps WHERE run_id = ?", (run_id,)).fetchall()
    assert srow[0] == status, (run_id, srow)
    if failed:
        assert manifest["error"]["class"] == "contract" and "checksum" in manifest["error"]["message"], manifest["error"]
        continue
    # Every hashed file is the file sha256 computes, now (nothing rewrote them since) unless
    # a later run changed it (the index exports, current.json, the chips the prune removed).
    for f in manifest["inputs"] + manifest["outputs"]:
        path = f["path"] if os.path.isabs(f["path"]) else os.path.join(root, f["path"])
        if f.get("sha256") and command in ("predict-overpasses", "collect-ais"):
            assert sha256(path) == f["sha256"], (command, f)
    if command == "predict-overpasses":
        assert manifest["inputs"][0]["path"].endswith("tle/sentinel2_tles.txt"), manifest["inputs"]
        assert manifest["outputs"][0]["path"] == "plan/overpass_schedule.csv", manifest["outputs"]
        assert manifest["counts"]["days"] == 3 and manifest["counts"]["windows"] > 0, manifest["counts"]
    if command == "ais import":
        assert manifest["inputs"][0]["path"].endswith("ais/ais_upload.csv"), manifest["inputs"]
        assert manifest["outputs"][0]["path"] == "ais/tracks.sqlite", manifest["outputs"]
        n = sqlite3.connect(os.path.join(root, "ais", "tracks.sqlite")).execute("SELECT count(*) FROM positions").fetchone()[0]
        assert manifest["counts"]["store_positions"] == n, (manifest["counts"], n)
    if command == "collect-ais":
        outs = sorted(f["path"] for f in manifest["outputs"])
        assert outs and all(p.startswith("ais/") for p in outs) and any(p.endswith(".xlsx") for p in outs), outs
        report = json.load(open(os.path.join(tmp, "collect.json")))
        assert report["run_id"] == run_id and manifest["counts"]["positions_received"] == report["positions_received"]
    if command in ("index rebuild", "index export", "publish-stac", "prune"):
        name = {"index rebuild": "rebuild", "index export": "export", "publish-stac": "stac", "prune": "prune"}[command]
        assert json.load(open(os.path.join(tmp, name + ".json")))["run_id"] == run_id, command

# publish: the version ids are the two publish runs' ids; the rollback made the first current.
publish_runs = [r for r, c, _ in runs if c == "publish"]
v = [json.load(open(os.path.join(tmp, f"publish{k}.json")))["version_id"] for k in (1, 2)]
assert v == publish_runs, (v, publish_runs)
current = json.load(open(os.path.join(root, "current.json")))
assert current["version_id"] == publish_runs[0], current
rollback = [r for r, c, _ in runs if c == "publish --rollback"][0]
m = json.load(open(os.path.join(root, "manifests", "rollback", f"date={rollback[:4]}-{rollback[4:6]}-{rollback[6:8]}",
                                f"run={rollback}", "manifest.json")))
assert m["counts"]["from_version"] == publish_runs[1] and m["counts"]["to_version"] == publish_runs[0], m["counts"]
assert m["outputs"][0]["sha256"] == sha256(os.path.join(root, "current.json")), m["outputs"]
print(f"{len(runs)} runs recorded, each with its run record and step manifest")
PYEOF
