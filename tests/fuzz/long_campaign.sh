#!/usr/bin/env bash
# The long fuzz campaign recorded in tests/fuzz/README.md: each target of build-sanitize runs
# until its process has used CPU_S seconds of CPU (user + sys, from /proc), two at a time; SIGINT
# then ends it (libFuzzer prints its final stats and exits 72). Logs and one line per target
# (CPU ticks, exit code, artifacts written) go to LOG_DIR. Run by hand after `make fuzz` built
# the targets; do not SIGSTOP it (libFuzzer's timeout watchdog counts wall time).
#   tests/fuzz/long_campaign.sh            [CPU_S=610] [NICE=0] [TARGETS="nmea tle ..."]
set -u
CPU_S=${CPU_S:-610}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo/build-sanitize/tests/fuzz" || { echo "long_campaign: build the fuzz targets first (make fuzz)" >&2; exit 1; }
LOG_DIR=${LOG_DIR:-$PWD/long-logs}
mkdir -p "$LOG_DIR"
run_one() {
  t=$1
  case $t in ais_xlsx) ml=32768;; esa_kml|config) ml=16384;; stac_item|stac_search) ml=65536;; *) ml=8192;; esac
  mkdir -p corpus/$t artifacts/long_$t
  start=$(date +%s)
  nice -n ${NICE:-0} ./fuzz_$t -max_total_time=100000 -max_len=$ml -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=artifacts/long_$t/ corpus/$t seeds/$t > "$LOG_DIR/$t.log" 2>&1 &
  pid=$!
  ut=0; st=0
  while kill -0 $pid 2>/dev/null; do
    sleep 2
    line=$(awk '{print $14, $15}' /proc/$pid/stat 2>/dev/null) || break
    [ -z "$line" ] && break
    read -r u s <<< "$line"; ut=$u; st=$s
    if [ $(( (ut + st) / 100 )) -ge $CPU_S ]; then kill -INT $pid; fi
  done
  wait $pid; rc=$?
  echo "$t rc=$rc cpu_ticks=$((ut+st)) user_ticks=$ut sys_ticks=$st wall_s=$(( $(date +%s) - start )) crashes=$(ls artifacts/long_$t | wc -l) ended=$(date -u +%FT%TZ)" >> "$LOG_DIR/results.txt"
}
queue=(${TARGETS:-nmea ais_csv ais_xlsx tle omm_csv omm_json omm_xml esa_kml stac_item stac_search config fixture_http fixture_range})
i=0
while [ $i -lt ${#queue[@]} ]; do
  run_one ${queue[$i]} &
  a=$!
  i=$((i+1))
  if [ $i -lt ${#queue[@]} ]; then run_one ${queue[$i]} & b=$!; i=$((i+1)); else b=; fi
  wait $a; [ -n "$b" ] && wait $b
done
echo done >> "$LOG_DIR/results.txt"
