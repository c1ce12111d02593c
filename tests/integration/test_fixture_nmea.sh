#!/usr/bin/env bash
# The fixture's AIVDM file must decode, with Debian's gpsdecode (an independent decoder), to
# exactly the positions in the world's AIS CSV (mmsi, lat, lon, sog, cog, heading, second)
# and to each ship's static data (name, type, dimensions A/B/C/D).
set -euo pipefail
BIN="${SHIPCHIPS_BIN:?path to the shipchips binary}"
command -v gpsdecode > /dev/null || { echo "FAIL: gpsdecode missing (Debian package gpsd-clients)"; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$BIN" fixture build --out "$TMP/world" --seed 5 > /dev/null
gpsdecode -j < "$TMP/world/ais/ais.nmea" > "$TMP/decoded.jsonl"

# A corrupted checksum must make gpsdecode drop the sentence: the comparison below can fail.
head -1 "$TMP/world/ais/ais.nmea" | sed -E 's/\*([0-9A-F]{2})\r?$/*00/' > "$TMP/bad.nmea"
if [ -n "$(gpsdecode -j < "$TMP/bad.nmea")" ]; then echo "FAIL: gpsdecode accepted a bad checksum"; exit 1; fi

/usr/bin/python3 - "$TMP/world/ais/ais_upload.csv" "$TMP/decoded.jsonl" "$TMP/world/ais/ais.nmea" <<'PYEOF'
import collections, csv, json, re, sys
csv_path, decoded_path, nmea_path = sys.argv[1:4]

rows = list(csv.DictReader(open(csv_path)))
assert list(rows[0].keys())[:4] == ["mmsi", "lat", "lon", "overpass_time"], list(rows[0].keys())
expected = collections.Counter()
static = {}
for r in rows:
    second = int(r["overpass_time"][17:19])
    expected[(int(r["mmsi"]), round(float(r["lat"]) * 600000), round(float(r["lon"]) * 600000),
              round(float(r["sog"]) * 10), round(float(r["cog"]) * 10), int(r["heading"]), second)] += 1
    static[int(r["mmsi"])] = (r["name"], int(r["ship_type"]), int(r["dim_a"]), int(r["dim_b"]),
                              int(r["dim_c"]), int(r["dim_d"]), r["class"])

got = collections.Counter()
statics_seen = collections.defaultdict(set)
types = collections.Counter()
for line in open(decoded_path):
    d = json.loads(line)
    types[d["type"]] += 1
    if d["type"] in (1, 2, 3, 18):
        got[(d["mmsi"], round(d["lat"] * 600000), round(d["lon"] * 600000), round(d["speed"] * 10),
             round(d["course"] * 10), d["heading"], d["second"])] += 1
    elif d["type"] in (5, 24):
        name, stype, a, b, c, dd, cls = static[d["mmsi"]]
        assert (cls == "A") == (d["type"] == 5), d
        assert d["shipname"] == name, (d["shipname"], name)
        assert d["shiptype"] == stype, d
        assert (d["to_bow"], d["to_stern"], d["to_port"], d["to_starboard"]) == (a, b, c, dd), d
        statics_seen[d["mmsi"]].add(d["type"])
    else:
        raise AssertionError(f"unexpected message type {d['type']}")

missing = expected - got
extra = got - expected
assert not missing and not extra, f"missing {list(missing.items())[:3]} extra {list(extra.items())[:3]}"
assert set(statics_seen) == set(static), "every ship sends static data"
assert types[1] and types[18] and types[5] and types[24], types

# Tag blocks carry a valid checksum and the receiver time.
for n, line in enumerate(open(nmea_path, newline="")):
    m = re.match(r"^\\(c:(\d+))\*([0-9A-F]{2})\\!AIVDM,.*\*([0-9A-F]{2})\r\n$", line)
    assert m, f"line {n + 1}: {line!r}"
    x = 0
    for ch in m.group(1):
        x ^= ord(ch)
    assert f"{x:02X}" == m.group(3), f"line {n + 1}: tag block checksum"
print(f"{sum(got.values())} positions and {len(statics_seen)} ships' static data agree; types {dict(types)}")
PYEOF
echo "test_fixture_nmea: OK"
