#!/usr/bin/env bash
# `predict-overpasses --mode esa_plan` on the real ESA acquisition plan: every window is checked
# against the plan read independently with Python's xml.etree — a datatake with the window's
# absolute orbit exists, carries the same OrbitRelative, and its observation period holds the
# window (less the configured widening); --tiles and --start/--days filter as asked.
source "$(dirname "$0")/lib.sh"
KML="$REF/esa-plans/Sentinel-2A_MP_ACQ_KML_20190912T120000_20190930T150000.kml"
CONFIG="$TMP/config.yaml"
write_config "$TMP/ds" "$CONFIG"

"$BIN" --config "$CONFIG" predict-overpasses --mode esa_plan --esa-kml "$KML" --tiles 31UFU,T30STF,33UUP \
  --out "$TMP/all.csv" 2> "$TMP/log1"
"$BIN" --config "$CONFIG" predict-overpasses --mode esa_plan --esa-kml "$KML" --tiles 31UFU \
  --start 2019-09-15 --days 7 --out "$TMP/week.csv" 2> "$TMP/log2"

/usr/bin/python3 - "$KML" "$TMP/all.csv" "$TMP/week.csv" <<'PYEOF'
import csv, sys, xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
ns = {"k": "http://www.opengis.net/kml/2.2"}
def t(text):
    return datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=timezone.utc)
plan = {}
for pm in ET.parse(sys.argv[1]).getroot().iter("{http://www.opengis.net/kml/2.2}Placemark"):
    data = {d.get("name"): d.findtext("k:value", namespaces=ns) for d in pm.iter("{http://www.opengis.net/kml/2.2}Data")}
    plan.setdefault(int(data["OrbitAbsolute"]), []).append(data)
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) >= 6, rows
assert {r["tile_id"] for r in rows} <= {"31UFU", "30STF", "33UUP"}
assert rows == sorted(rows, key=lambda r: (r["start_time_utc"], r["tile_id"], r["satellite"])), "not sorted"
widen = timedelta(minutes=15)  # satellite_tracking.overpass_window_minutes in config.yaml
for r in rows:
    assert r["source"] == "esa_plan" and r["satellite"] == "S2A", r
    takes = plan[int(r["absolute_orbit"])]
    assert all(int(d["OrbitRelative"]) == int(r["relative_orbit"]) for d in takes), (r, takes)
    start = t(r["start_time_utc"].rstrip("Z")) + widen
    end = t(r["end_time_utc"].rstrip("Z")) + -widen
    assert any(t(d["ObservationTimeStart"]) - timedelta(seconds=2) <= start <= end <= t(d["ObservationTimeStop"]) + timedelta(seconds=2)
               for d in takes), (r, [(d["ObservationTimeStart"], d["ObservationTimeStop"]) for d in takes])
    assert 0 < float(r["coverage"]) <= 1, r
week = list(csv.DictReader(open(sys.argv[3])))
expected = [r for r in rows if r["tile_id"] == "31UFU" and r["end_time_utc"] >= "2019-09-15" and r["start_time_utc"] < "2019-09-22"]
assert [tuple(r.values()) for r in week] == [tuple(r.values()) for r in expected], (week, expected)
print(f"{len(rows)} windows checked against the plan; {len(week)} in the week of 2019-09-15 for 31UFU")
PYEOF

# Neither file: a clear error, nothing written.
rc=0; "$BIN" --config "$CONFIG" predict-overpasses --mode esa_plan --tiles 31UFU --out "$TMP/none.csv" 2> "$TMP/err" || rc=$?
[ "$rc" != 0 ] && grep -q "esa-kml" "$TMP/err" && [ ! -e "$TMP/none.csv" ]
echo OK
