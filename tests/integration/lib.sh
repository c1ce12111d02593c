# Shared by the script tests (sourced, not run): the paths every test needs, a temporary folder
# removed at exit together with the background processes started here, and the common steps
# (a test config, the npm tools, a fixture server). CTest runs only tests/integration/test_*.sh.
set -euo pipefail
BIN="${SHIPCHIPS_BIN:?path to the shipchips binary}"
SRC="${SHIPCHIPS_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
REF="${SHIPCHIPS_REFERENCE_DIR:-$SRC/../shared/reference}"
PY=/usr/bin/python3
TMP="$(mktemp -d)"
_LIB_PIDS=()
_lib_cleanup() {
  local p
  for p in "${_LIB_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap _lib_cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# write_config DATASET_ROOT CONFIG: the repository's config.yaml with the dataset root moved
# and logging to the console only.
write_config() {
  sed -e "s|^  dataset_root: .*|  dataset_root: $1|" -e "s|^  file: logs/run.log|  file: \"\"|" \
    "$SRC/config.yaml" > "$2"
  grep -q "^  dataset_root: $1\$" "$2" || fail "could not set dataset_root in $2"
}

# need_node_tools: the npm dev tools the Parquet checks use (DuckDB, hyparquet). Tests never
# install anything: the test command (`make test`) installs them once before CTest runs.
need_node_tools() {
  local m
  for m in @duckdb/node-api hyparquet; do
    [ -d "$SRC/node_modules/$m" ] || fail "npm package $m is not installed in $SRC/node_modules (the test command installs it: scripts/dev test)"
  done
}

# start_fixture_server WORLD [serve options...]: serves WORLD on a free loopback port, stopped
# at exit; sets FIXTURE_PORT.
start_fixture_server() {
  local world="$1"
  shift
  rm -f "$TMP/fixture.port"
  "$BIN" fixture serve --dir "$world" --port 0 --port-file "$TMP/fixture.port" "$@" > "$TMP/fixture-serve.log" 2>&1 &
  _LIB_PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$TMP/fixture.port" ] && break; sleep 0.1; done
  [ -s "$TMP/fixture.port" ] || { cat "$TMP/fixture-serve.log" >&2; fail "the fixture server did not start"; }
  FIXTURE_PORT=$(cat "$TMP/fixture.port")
}
