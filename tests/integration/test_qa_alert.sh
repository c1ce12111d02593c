#!/usr/bin/env bash
# The failure-rate alert end to end: a world whose red-band COGs are cut short makes every chip
# job fail (retryable); `shipchips qa-report` with alerts.webhook_url pointing at a receiver on
# loopback POSTs one JSON alert with the figures the job store holds; the URL's token appears
# in no output, log or report; under alerts.min_jobs, or with the receiver down (exit 6,
# network_transient; the report still written), the behaviour is as documented.
source "$(dirname "$0")/lib.sh"

"$BIN" fixture build --out "$TMP/world" --seed 42 > /dev/null
for f in "$TMP"/world/cogs/*/B04.tif; do truncate -s 300000 "$f"; done
start_fixture_server "$TMP/world"
DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"
export SHIPCHIPS_STAC_ENDPOINT="http://127.0.0.1:$FIXTURE_PORT" SHIPCHIPS_STAC_MAX_RETRIES=0
set +e
"$BIN" --config "$CONFIG" run --ais "$TMP/world/ais/ais_upload.csv" > "$TMP/run.out" 2> "$TMP/run.err"
set -e
FAILED=$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chip_jobs WHERE status = 'failed'")
FINISHED=$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chip_jobs WHERE status IN ('done', 'rejected', 'failed')")
[ "$FAILED" -ge 3 ] || fail "the cut COGs failed only $FAILED jobs"

# A receiver on loopback that records each POST.
"$PY" - "$TMP/hook.port" "$TMP/hook.jsonl" <<'PYEOF' &
import http.server, json, sys
port_file, out = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "a") as f:
            f.write(json.dumps({"path": self.path, "type": self.headers.get("Content-Type"), "body": json.loads(body)}) + "\n")
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PYEOF
_LIB_PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$TMP/hook.port" ] && break; sleep 0.05; done
TOKEN="T0ken-$(date +%s%N)"
HOOK="http://127.0.0.1:$(cat "$TMP/hook.port")/hooks/$TOKEN"

SHIPCHIPS_ALERTS_WEBHOOK_URL="$HOOK" SHIPCHIPS_ALERTS_MIN_JOBS=1 \
  "$BIN" --config "$CONFIG" qa-report --out "$TMP/report.html" > "$TMP/qa.out" 2> "$TMP/qa.err" || fail "qa-report failed"
"$PY" - "$TMP/hook.jsonl" "$FAILED" "$FINISHED" "$TOKEN" <<'PYEOF'
import json, sys
posts = [json.loads(l) for l in open(sys.argv[1])]
failed, finished, token = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
assert len(posts) == 1, posts
p = posts[0]
assert p["path"].endswith(token) and p["type"].startswith("application/json"), p
b = p["body"]
assert b["alert"] == "FailureRate", b
assert b["jobs"] == finished, b
assert b["failed"] == failed, b
assert abs(b["failure_rate"] - failed / finished) < 1e-9 and b["failure_rate"] > b["threshold"], b
print("alert ok:", b)
PYEOF
for f in "$TMP/qa.out" "$TMP/qa.err" "$TMP/report.html"; do
  grep -q "$TOKEN" "$f" && fail "the webhook token leaked into $f"
done

# Under alerts.min_jobs: no POST.
SHIPCHIPS_ALERTS_WEBHOOK_URL="$HOOK" SHIPCHIPS_ALERTS_MIN_JOBS=100000 \
  "$BIN" --config "$CONFIG" qa-report --out "$TMP/report2.html" > /dev/null 2>&1 || fail "qa-report failed"
[ "$(wc -l < "$TMP/hook.jsonl")" -eq 1 ] || fail "an alert was sent under alerts.min_jobs"

# The receiver down: exit 6 (network_transient), report written, no token in the error line.
DEAD="http://127.0.0.1:9/hooks/$TOKEN"
set +e
SHIPCHIPS_ALERTS_WEBHOOK_URL="$DEAD" SHIPCHIPS_ALERTS_MIN_JOBS=1 \
  "$BIN" --config "$CONFIG" qa-report --out "$TMP/report3.html" > "$TMP/q3.out" 2> "$TMP/q3.err"
CODE=$?
set -e
[ "$CODE" -eq 6 ] || { cat "$TMP/q3.err" >&2; fail "alert to a dead receiver: exit $CODE, expected 6"; }
[ -s "$TMP/report3.html" ] || fail "no report when the alert could not be sent"
grep -q "$TOKEN" "$TMP/q3.out" "$TMP/q3.err" "$TMP/report3.html" && fail "the webhook token leaked on a failed POST"
echo "PASS failure-rate alert: one POST with the job store's figures, none under min_jobs, exit 6 when undeliverable, token never shown"
