#!/usr/bin/env bash
# shipchips fixture serve end to end with the system curl: start on a free port (--port 0
# --port-file), landing page against the recorded Earth Search one, ranges 206/416/200,
# search with {{BASE_URL}} substituted, a 400, the request log, then SIGTERM and SIGINT each
# end it cleanly (exit 0); bad options and non-loopback hosts are refused.
set -euo pipefail
: "${SHIPCHIPS_BIN:?set SHIPCHIPS_BIN to the shipchips binary}"
SRC="${SHIPCHIPS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
REF="${SHIPCHIPS_REFERENCE_DIR:-$SRC/../shared/reference}"
PY=/usr/bin/python3
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/err" ] && cat "$tmp/err" >&2; exit 1; }

# A one-item world with a 5000-byte "COG" of known bytes.
world="$tmp/world"
mkdir -p "$world/items" "$world/cogs/S2A_T1_20230101_0_L2A"
"$PY" -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) % 256 for i in range(5000)))' \
  > "$world/cogs/S2A_T1_20230101_0_L2A/B02.tif"
cat > "$world/items/S2A_T1_20230101_0_L2A.json" <<'JSON'
{"type": "Feature", "stac_version": "1.0.0", "id": "S2A_T1_20230101_0_L2A", "collection": "sentinel-2-l2a",
 "geometry": {"type": "Polygon", "coordinates": [[[10, 50], [11, 50], [11, 51], [10, 51], [10, 50]]]},
 "bbox": [10, 50, 11, 51],
 "properties": {"datetime": "2023-01-01T10:20:30.123000Z", "eo:cloud_cover": 12.5},
 "assets": {"blue": {"href": "{{BASE_URL}}/cogs/S2A_T1_20230101_0_L2A/B02.tif", "type": "image/tiff"}},
 "links": [{"rel": "self", "href": "{{BASE_URL}}/collections/sentinel-2-l2a/items/S2A_T1_20230101_0_L2A"}]}
JSON

start_server() {  # starts in the background; sets pid and port
  rm -f "$tmp/port"
  "$SHIPCHIPS_BIN" fixture serve --dir "$world" --port 0 --port-file "$tmp/port" --log "$tmp/log.jsonl" \
    "$@" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 1 100); do
    [ -s "$tmp/port" ] && break
    kill -0 "$pid" 2>/dev/null || fail "server exited before listening"
    sleep 0.1
  done
  [ -s "$tmp/port" ] || fail "no port file after 10 s"
  port=$(cat "$tmp/port")
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -gt 0 ] || fail "port file holds '$port'"
}

stop_server() {  # $1 = signal name; asserts a clean exit
  kill "-$1" "$pid"
  set +e
  wait "$pid"
  rc=$?
  set -e
  pid=""
  [ "$rc" -eq 0 ] || fail "exit code $rc after SIG$1"
  grep -q "fixture stopped (SIG$1)" "$tmp/out" || fail "no stop message after SIG$1: $(cat "$tmp/out")"
  [ ! -s "$tmp/err" ] || fail "unexpected stderr: $(cat "$tmp/err")"
}

start_server
base="http://127.0.0.1:$port"
grep -q "at $base" "$tmp/out" || fail "stdout does not name $base: $(cat "$tmp/out")"

# Landing page: the conformance classes of the recorded Earth Search landing page.
curl -sf "$base/" > "$tmp/landing.json" || fail "landing page"
"$PY" - "$tmp/landing.json" "$REF/earth-search/root_catalog_landing_page.json" "$base" <<'PY'
import json, sys
ours, recorded, base = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
assert ours["conformsTo"] == recorded["conformsTo"], ours["conformsTo"]
search = [l for l in ours["links"] if l["rel"] == "search"]
assert sorted(l["method"] for l in search) == ["GET", "POST"], search
assert all(l["href"] == base + "/search" for l in search), search
assert any(l["rel"] == "data" and l["href"] == base + "/collections" for l in ours["links"])
PY

cog="$base/cogs/S2A_T1_20230101_0_L2A/B02.tif"
code=$(curl -s -o "$tmp/range.bin" -D "$tmp/range.h" -w '%{http_code}' -H 'Range: bytes=100-199' "$cog")
[ "$code" = 206 ] || fail "range gave $code, expected 206"
grep -qi '^content-range: bytes 100-199/5000' "$tmp/range.h" || fail "Content-Range: $(cat "$tmp/range.h")"
cmp -s "$tmp/range.bin" <(tail -c +101 "$world/cogs/S2A_T1_20230101_0_L2A/B02.tif" | head -c 100) \
  || fail "range bytes differ from the file"
code=$(curl -s -o /dev/null -D "$tmp/416.h" -w '%{http_code}' -H 'Range: bytes=5000-' "$cog")
[ "$code" = 416 ] || fail "range past the end gave $code, expected 416"
grep -qi '^content-range: bytes \*/5000' "$tmp/416.h" || fail "416 Content-Range: $(cat "$tmp/416.h")"
code=$(curl -s -o "$tmp/whole.bin" -w '%{http_code}' "$cog")
[ "$code" = 200 ] || fail "no-range GET gave $code"
cmp -s "$tmp/whole.bin" "$world/cogs/S2A_T1_20230101_0_L2A/B02.tif" || fail "whole file differs"
code=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$base/cogs/../../etc/passwd")
[ "$code" = 400 ] || fail "path traversal gave $code"

# Search: POST with intersects, GET with a bad bbox.
curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"intersects": {"type": "Point", "coordinates": [10.5, 50.5]}, "datetime": "2023-01-01T00:00:00Z/.."}' \
  "$base/search" > "$tmp/search.json" || fail "POST /search"
"$PY" - "$tmp/search.json" "$base" <<'PY'
import json, sys
page, base = json.load(open(sys.argv[1])), sys.argv[2]
assert page["numberMatched"] == 1 and page["numberReturned"] == 1, page
item = page["features"][0]
assert item["assets"]["blue"]["href"] == base + "/cogs/S2A_T1_20230101_0_L2A/B02.tif", item["assets"]
nxt = [l for l in page["links"] if l["rel"] == "next"][0]
assert nxt["method"] == "POST" and nxt["merge"] is False and nxt["href"] == base + "/search", nxt
assert nxt["body"]["next"] == "2023-01-01T10:20:30.123000Z,S2A_T1_20230101_0_L2A,sentinel-2-l2a", nxt
PY
code=$(curl -s -o "$tmp/bad.json" -w '%{http_code}' "$base/search?bbox=1,2,3")
[ "$code" = 400 ] || fail "bad bbox gave $code"
"$PY" -c 'import json,sys; e=json.load(open(sys.argv[1])); assert e["code"] == "BadRequest", e' "$tmp/bad.json"

stop_server TERM

# The log has one JSON line per request, with ranges and statuses as served.
"$PY" - "$tmp/log.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 7, len(lines)  # landing, 3 ranges, traversal, 2 searches
by_range = {l["range"]: l for l in lines if l["range"]}
assert by_range["bytes=100-199"]["status"] == 206 and by_range["bytes=100-199"]["bytes"] == 100
assert by_range["bytes=5000-"]["status"] == 416 and by_range["bytes=5000-"]["bytes"] == 0
for l in lines:
    assert set(l) >= {"time", "method", "path", "range", "status", "bytes", "duration_ms", "fault"}, l
PY

# SIGINT ends it as cleanly; latency is applied.
start_server --latency-ms 200
t=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/conformance")
"$PY" -c 'import sys; assert float(sys.argv[1]) >= 0.2, sys.argv[1]' "$t" || fail "latency not applied: $t s"
stop_server INT

# Refusals: non-loopback host, unknown fault kind, missing world.
set +e
"$SHIPCHIPS_BIN" fixture serve --dir "$world" --port 0 --host 0.0.0.0 >"$tmp/out" 2>"$tmp/err"
rc_host=$?
"$SHIPCHIPS_BIN" fixture serve --dir "$world" --port 0 --fault-rate 0.1 --fault-kinds 503,boom >"$tmp/out" 2>"$tmp/err2"
rc_kind=$?
"$SHIPCHIPS_BIN" fixture serve --dir "$tmp/nowhere" --port 0 >"$tmp/out" 2>"$tmp/err3"
rc_dir=$?
set -e
[ "$rc_host" -ne 0 ] && grep -q "loopback" "$tmp/err" || fail "--host 0.0.0.0 accepted (rc $rc_host)"
[ "$rc_kind" -ne 0 ] && grep -q "boom" "$tmp/err2" || fail "unknown fault kind accepted (rc $rc_kind)"
[ "$rc_dir" -eq 9 ] && grep -q "no such folder" "$tmp/err3" || fail "missing --dir: expected not_found (exit 9), got rc $rc_dir"
echo "test_fixture_serve: OK"
