#!/usr/bin/env bash
# `shipchips ais decode --json` must agree field by field with Debian's gpsdecode (gpsd 3.22,
# an independent decoder) for message types 1, 2, 3, 4, 5, 11, 18, 19, 24 (A+B merged) and 27:
#  1. gpsd's own sample.aivdm, against `gpsdecode -j` run live and against its .chk file;
#  2. the fixture world's ais/ais.nmea (tag blocks, multi-sentence type 5, type 24 pairs);
#  3. randomly generated messages of every decoded type (random field bits, short lengths
#     gpsd accepts, '"' and '\' in names, multi-sentence messages interleaved across channels).
# Field names, values and order must all match; messages of other types may be skipped by
# us but must not crash. Also: --strict turns the first bad line into a located error.
set -euo pipefail
BIN="${SHIPCHIPS_BIN:?path to the shipchips binary}"
REF="${SHIPCHIPS_REFERENCE_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/reference}"
SAMPLE="$REF/ais/gpsd/sample.aivdm"
CHK="$REF/ais/gpsd/sample.aivdm.js.chk"
PY=/usr/bin/python3
command -v gpsdecode > /dev/null || { echo "FAIL: gpsdecode missing (Debian package gpsd-clients)"; exit 1; }
[ -f "$SAMPLE" ] && [ -f "$CHK" ] || { echo "FAIL: gpsd sample missing under $REF"; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# The comparison: every gpsd object of a decoded type must have an identical object from us,
# in the same order; we print nothing gpsd does not.
cat > "$TMP/compare.py" <<'PYEOF'
import json, sys
TYPES = {1, 2, 3, 4, 5, 11, 18, 19, 24, 27}
ours_path, gpsd_path, label = sys.argv[1], sys.argv[2], sys.argv[3]
min_count = int(sys.argv[4]) if len(sys.argv) > 4 else 1

def load(path):
    out = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.strip()
        if not line:
            continue
        d = json.loads(line)
        d.pop("device", None)  # the input's name, not a decoded field
        out.append(d)
    return out

ours = load(ours_path)
gpsd = [d for d in load(gpsd_path) if d["type"] in TYPES]
mismatches = []
for i in range(max(len(ours), len(gpsd))):
    o = ours[i] if i < len(ours) else None
    g = gpsd[i] if i < len(gpsd) else None
    if o is None or g is None:
        mismatches.append(f"message {i + 1}: only {'gpsd' if o is None else 'ours'} has {json.dumps(o or g)}")
        continue
    if list(o.keys()) != list(g.keys()):
        mismatches.append(f"message {i + 1} (type {g['type']}, mmsi {g['mmsi']}): fields {list(o.keys())} != gpsd {list(g.keys())}")
        continue
    for k in g:
        if o[k] != g[k] or type(o[k]) != type(g[k]):
            mismatches.append(f"message {i + 1} (type {g['type']}, mmsi {g['mmsi']}): {k}: ours {o[k]!r} gpsd {g[k]!r}")
for m in mismatches[:30]:
    print("MISMATCH", label, m)
if mismatches:
    print(f"FAIL: {label}: {len(mismatches)} mismatches over {len(gpsd)} gpsd messages")
    sys.exit(1)
if len(gpsd) < min_count:
    print(f"FAIL: {label}: only {len(gpsd)} messages compared, expected at least {min_count}")
    sys.exit(1)
types = sorted({d["type"] for d in gpsd})
print(f"{label}: {len(gpsd)} messages agree field by field (types {types})")
PYEOF

# 1. gpsd's sample: live gpsdecode, and the .chk file gpsd's regression test expects.
gpsdecode -j < "$SAMPLE" > "$TMP/sample.gpsd.json"
"$BIN" ais decode - --json < "$SAMPLE" > "$TMP/sample.ours.json" 2> "$TMP/sample.err"
$PY "$TMP/compare.py" "$TMP/sample.ours.json" "$TMP/sample.gpsd.json" "sample.aivdm vs gpsdecode" 22
$PY "$TMP/compare.py" "$TMP/sample.ours.json" "$CHK" "sample.aivdm vs sample.aivdm.js.chk" 22
# Every decoded type of the issue appears in the sample (24 only as a merged A+B pair).
for t in 1 2 3 4 5 18 19 24 27; do
  grep -q "\"type\":$t," "$TMP/sample.ours.json" || { echo "FAIL: no type $t decoded from the sample"; exit 1; }
done
# Byte for byte, too (gpsd ends lines with CRLF; our JSON lines end with LF).
tr -d '\r' < "$CHK" | grep -E '"type":(1|2|3|4|5|11|18|19|24|27),' > "$TMP/chk.ours-types.json"
cmp "$TMP/sample.ours.json" "$TMP/chk.ours-types.json" || { echo "FAIL: sample output differs byte for byte"; exit 1; }
# The sample's one malformed line (no leading '!') is reported with its line number.
grep -q '^stdin:978: sentence: ' "$TMP/sample.err" || { echo "FAIL: bad line 978 not reported"; cat "$TMP/sample.err"; exit 1; }

# --strict: the first bad line is fatal and named file:line.
set +e
"$BIN" ais decode "$SAMPLE" --strict > /dev/null 2> "$TMP/strict.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || { echo "FAIL: --strict accepted a bad line"; exit 1; }
grep -q "input_invalid.*sample.aivdm:978: sentence:" "$TMP/strict.err" || { echo "FAIL: --strict message"; cat "$TMP/strict.err"; exit 1; }

# 2. The fixture world's NMEA: complete agreement on every message.
"$BIN" fixture build --out "$TMP/world" --seed 3 > /dev/null
gpsdecode -j < "$TMP/world/ais/ais.nmea" > "$TMP/world.gpsd.json"
"$BIN" ais decode "$TMP/world/ais/ais.nmea" --json > "$TMP/world.ours.json" 2> "$TMP/world.err"
$PY "$TMP/compare.py" "$TMP/world.ours.json" "$TMP/world.gpsd.json" "fixture world ais.nmea" 100
if [ "$(grep -vcE '"type":(1|2|3|4|5|11|18|19|24|27),' "$TMP/world.gpsd.json")" != 0 ]; then
  echo "FAIL: gpsd decoded types we do not compare from the world"; exit 1
fi
grep -q " 0 bad lines" "$TMP/world.err" || { echo "FAIL: bad lines in the world file"; cat "$TMP/world.err"; exit 1; }

# 3. Random messages of every decoded type.
$PY - "$TMP/random.nmea" <<'PYEOF'
import random, sys
rng = random.Random(20240611)

def armour(bits):
    fill = (6 - len(bits) % 6) % 6
    bits += "0" * fill
    return "".join(chr(v + 48 if v < 40 else v + 56) for v in (int(bits[i:i + 6], 2) for i in range(0, len(bits), 6))), fill

def checksum(body):
    x = 0
    for c in body:
        x ^= ord(c)
    return "%02X" % x

def sentences(bits, channel, seq, per=60):
    payload, fill = armour(bits)
    parts = [payload[i:i + per] for i in range(0, len(payload), per)]
    out = []
    for i, p in enumerate(parts):
        last = i + 1 == len(parts)
        body = f"AIVDM,{len(parts)},{i + 1},{seq if len(parts) > 1 else ''},{channel},{p},{fill if last else 0}"
        out.append(f"!{body}*{checksum(body)}")
    return out

def field(v, n):
    return format(v & ((1 << n) - 1), f"0{n}b")

def rnd(n):
    return "".join(rng.choice("01") for _ in range(n))

def text_bits(chars):
    # Six-bit text with the troublesome characters (", \, @ padding, trailing spaces) likely.
    pool = [34, 60, 0, 32, 32] + list(range(64))
    out = "".join(field(rng.choice(pool), 6) for _ in range(chars))
    return out

def header(t, mmsi=None):
    return field(t, 6) + rnd(2) + field(mmsi if mmsi is not None else rng.getrandbits(30), 30)

lines = []
def emit(bits, multi=False):
    ch = rng.choice("AB")
    lines.extend(sentences(bits, ch, rng.randrange(10), per=rng.choice([20, 30, 40]) if multi else 200))

for _ in range(400):
    t = rng.choice([1, 2, 3])
    n = rng.choice([168, 168, 168, 163, 165, 167])
    emit((header(t) + rnd(168))[:n])
    # Special values gpsd renders as text.
    b = header(t) + rnd(4) + field(rng.choice([-128, -127, 127, 0, 1, -1, 126, -126]), 8) + \
        field(rng.choice([1023, 1022, 0, 1021]), 10) + rnd(168)
    emit(b[:168])
for _ in range(200):
    emit((header(4) + rnd(168))[:rng.choice([168, 168, 170])])
    emit(header(11) + rnd(130))
for _ in range(300):
    n = rng.choice([424, 424, 420, 422])
    b = header(5) + rnd(32) + text_bits(7) + text_bits(20) + rnd(70) + text_bits(20) + rnd(4)
    emit(b[:n], multi=True)
for _ in range(300):
    emit(header(18) + rnd(130))
for _ in range(200):
    b = header(19) + rnd(105) + text_bits(20) + rnd(149)
    emit(b[:rng.choice([312, 312, 318])])
for _ in range(300):
    mmsi = rng.choice([rng.getrandbits(30), 980000000 + rng.randrange(9999999)])
    a = header(24, mmsi) + "00" + text_bits(20) + rnd(8)
    b = header(24, mmsi) + "01" + rnd(8) + text_bits(7) + text_bits(7) + rnd(36 + rng.choice([0, 0, 0, 6]))
    # Parts A and B on the same channel merge (gpsd keeps one part A memory per channel).
    ch = rng.choice("AB")
    if rng.random() < 0.8:
        lines.extend(sentences(a[:rng.choice([160, 168])], ch, 0, 200))
    lines.extend(sentences(b, ch if rng.random() < 0.9 else "AB".replace(ch, ""), 0, 200))
    if rng.random() < 0.2:
        lines.extend(sentences(b, ch, 0, 200))  # a repeated part B must not merge twice
for _ in range(200):
    emit((header(27) + rnd(130))[:rng.choice([96, 96, 168])])
# Every length around each type's limits: both decoders must accept and reject the same ones.
for t, lo, hi in [(1, 140, 200), (2, 140, 200), (3, 140, 200), (4, 150, 200), (11, 150, 200), (5, 400, 440),
                  (18, 150, 200), (19, 290, 330), (24, 150, 200), (27, 80, 180)]:
    for n in range(lo, hi):
        b = header(t) + rnd(n - 38)
        if t == 24:
            b = b[:38] + rng.choice(["00", "01", "10", "11"]) + b[40:]
        emit(b, multi=n > 300)

# Interleave: multi-sentence messages on A and B with other traffic between fragments keeps
# each channel's fragments in order (gpsd keeps one reassembly buffer per channel).
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PYEOF
gpsdecode -j < "$TMP/random.nmea" > "$TMP/random.gpsd.json" 2> /dev/null  # it logs each rejected length
"$BIN" ais decode "$TMP/random.nmea" --json > "$TMP/random.ours.json" 2> "$TMP/random.err"
$PY "$TMP/compare.py" "$TMP/random.ours.json" "$TMP/random.gpsd.json" "random messages" 2000

echo "test_ais_decode_gpsd: OK"
