#!/usr/bin/env bash
# `shipchips qa-report` end to end: on a dataset nothing has run on (exit 0, says so, creates no
# ops.db), then on the offline world chipped by `shipchips run --ais`: the report's figures
# agree with what Python computes from the chips' sidecars (numpy percentiles) and sqlite3 from
# the job store; headless Chromium (Debian's, through playwright-core) renders it with no
# request leaving the file, no console error, drawn plots and decoded quicklooks; the full-page
# screenshot is a real picture (PIL counts its colours). The seed's `--out` form writes relative
# to the current folder.
# The screenshot is kept in ${SHIPCHIPS_ARTIFACTS_DIR:-<build dir>/test-artifacts}/qa_report/.
source "$(dirname "$0")/lib.sh"
[ -d "$SRC/node_modules/playwright-core" ] || fail "npm package playwright-core is not installed in $SRC/node_modules (npm install)"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing (scripts/install-deps installs Debian's chromium)"
ART="${SHIPCHIPS_ARTIFACTS_DIR:-$(cd "$(dirname "$BIN")" && pwd)/test-artifacts}/qa_report"
mkdir -p "$ART"

DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"

# --- nothing has run yet ----------------------------------------------------------------------
"$BIN" --config "$CONFIG" qa-report --json > "$TMP/empty.json"
[ ! -e "$DS/ops.db" ] || fail "qa-report created ops.db on an empty dataset"
"$PY" - "$TMP/empty.json" <<'PYEOF'
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["jobs"] is None and d["job_store"]["exists"] is False, d["job_store"]
assert d["chips"]["total"] == 0
day = d["generated_at"][:10]
assert d["report"] == os.path.join(d["dataset_root"], "QA", "reports", day + ".html"), d["report"]
html = open(d["report"], encoding="utf-8").read()
assert "No job store yet" in html and "No chips in the index yet" in html
PYEOF

# --- the world, chipped by one recorded run -------------------------------------------------
"$BIN" fixture build --out "$TMP/world" --seed 21 > /dev/null
start_fixture_server "$TMP/world"
export SHIPCHIPS_STAC_ENDPOINT="http://127.0.0.1:$FIXTURE_PORT"
"$BIN" --config "$CONFIG" run --ais "$TMP/world/ais/ais_upload.csv" --json > "$TMP/run.json" 2> "$TMP/run.log"
"$BIN" --config "$CONFIG" qa-report --json > "$TMP/report.json" 2> "$TMP/report.log"
sqlite3 -readonly "$DS/ops.db" "SELECT status, COUNT(*) FROM chip_jobs GROUP BY status" > "$TMP/jobs.txt"
sqlite3 -readonly "$DS/ops.db" "SELECT error, COUNT(*) FROM chip_jobs WHERE status = 'rejected' GROUP BY error" > "$TMP/rejects.txt"

read -r CHIPS IMAGES REPORT < <("$PY" - "$TMP/report.json" "$DS" "$TMP/jobs.txt" "$TMP/rejects.txt" <<'PYEOF'
import glob, json, sys
import numpy
d = json.load(open(sys.argv[1]))
sidecars = [json.load(open(p)) for p in glob.glob(sys.argv[2] + "/chips/**/*.json", recursive=True)]
assert len(sidecars) >= 5, len(sidecars)
c = d["chips"]
assert c["total"] == len(sidecars), (c["total"], len(sidecars))
for split in ("train", "val", "test"):
    assert c["by_split"][split] == sum(1 for s in sidecars if s["split"] == split), split
days = {}
for s in sidecars:
    days[s["scene_datetime"][:10]] = days.get(s["scene_datetime"][:10], 0) + 1
assert c["per_day"] == days, (c["per_day"], days)
dt = numpy.abs([s["dt_s"] for s in sidecars])
for key, want in (("median", numpy.percentile(dt, 50)), ("p95", numpy.percentile(dt, 95)), ("max", dt.max())):
    assert abs(c["abs_dt_s"][key] - want) < 1e-9, (key, c["abs_dt_s"][key], want)
u = [s["uncertainty_m"] for s in sidecars if s["uncertainty_m"] is not None]
assert c["uncertainty_m"]["count"] == len(u)
if u:
    assert abs(c["uncertainty_m"]["median"] - numpy.percentile(u, 50)) < 1e-9
    assert abs(c["uncertainty_m"]["p95"] - numpy.percentile(u, 95)) < 1e-9
jobs = dict(line.rsplit("|", 1) for line in open(sys.argv[3]).read().split())
jobs = {k: int(v) for k, v in jobs.items()}
finished = sum(jobs.get(k, 0) for k in ("done", "rejected", "failed"))
assert d["jobs"]["finished"] == finished, (d["jobs"], jobs)
assert abs(d["jobs"]["failure_rate"] - (jobs.get("failed", 0) / finished if finished else 0)) < 1e-12
rejects = {}
for line in open(sys.argv[4]).read().splitlines():
    reason, n = line.rsplit("|", 1)
    rejects[reason] = int(n)
assert {r["reason"]: r["jobs"] for r in d["rejects"]["by_reason"]} == rejects, (d["rejects"], rejects)
assert d["alert"]["over_threshold"] is False and d["alert"]["sent"] is False, d["alert"]
print(c["total"], min(24, c["total"]), d["report"])
PYEOF
)
[ -f "$REPORT" ] || fail "no report at $REPORT"
grep -q -E "src=\"(https?:)?//|href=" "$REPORT" && fail "the report refers to something outside itself"

# --- rendered in Chromium -------------------------------------------------------------------
node "$SRC/tests/integration/render_qa_report.mjs" "$REPORT" "$ART/qa_report.png" --chips "$CHIPS" --images "$IMAGES" \
  > "$TMP/render.json" || fail "the report did not render cleanly in Chromium"
"$PY" - "$ART/qa_report.png" <<'PYEOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
colours = im.getcolors(1 << 24)
assert len(colours) > 1000, f"only {len(colours)} colours in the screenshot"
# Not mostly one colour: the background may not take more than 90 % of the pixels.
top = max(n for n, _ in colours)
assert top < 0.9 * im.width * im.height, (top, im.size)
print(f"screenshot {im.width}x{im.height}, {len(colours)} colours")
PYEOF
echo "screenshot kept: $ART/qa_report.png"

# --- the seed's --out form: relative to the current folder --------------------------------
mkdir -p "$TMP/cwd"
(cd "$TMP/cwd" && "$BIN" qa-report --config "$CONFIG" --out dataset_root/QA/reports/manual_report.html > "$TMP/manual.txt")
[ -s "$TMP/cwd/dataset_root/QA/reports/manual_report.html" ] || fail "--out was not written relative to the current folder"
grep -q "QA report: $TMP/cwd/dataset_root/QA/reports/manual_report.html" "$TMP/manual.txt" || { cat "$TMP/manual.txt" >&2; fail "the path printed"; }
echo "qa-report: ok ($CHIPS chips)"
