#!/usr/bin/env bash
# backup / restore / recover of the job store on a chipped fixture world: the backup is a gzip
# file (gzip -t) of a database that Debian's sqlite3 finds intact with every row; retention
# keeps the newest backup per hour and per day; restore brings deleted rows back, keeps the
# replaced file, and is refused while another process holds the database; recover reads a
# damaged copy into a new, intact file and says which chips lost their index row.
source "$(dirname "$0")/lib.sh"

"$BIN" fixture build --out "$TMP/world" --seed 42 > /dev/null
start_fixture_server "$TMP/world"
DS="$TMP/ds"
CONFIG="$TMP/config.yaml"
write_config "$DS" "$CONFIG"
export SHIPCHIPS_STAC_ENDPOINT="http://127.0.0.1:$FIXTURE_PORT"
"$BIN" --config "$CONFIG" run --ais "$TMP/world/ais/ais_upload.csv" > /dev/null || fail "run failed"
CHIPS=$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chips")
[ "$CHIPS" -ge 3 ] || fail "only $CHIPS chips"

# --- backup -----------------------------------------------------------------------------------
"$BIN" --config "$CONFIG" backup --json > "$TMP/b1.json" || fail "backup failed"
B1=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["backup"])' "$TMP/b1.json")
case "$B1" in "$DS"/backups/ops-*.db.gz) ;; *) fail "backup at $B1";; esac
gzip -t "$B1" || fail "not a gzip file"
gunzip -c "$B1" > "$TMP/b1.db"
[ "$(sqlite3 "$TMP/b1.db" "PRAGMA integrity_check")" = ok ] || fail "the backup is not intact"
[ "$(sqlite3 "$TMP/b1.db" "SELECT count(*) FROM chips")" = "$CHIPS" ] || fail "the backup lacks chips"
[ "$(sqlite3 "$TMP/b1.db" "SELECT count(*) FROM chip_jobs")" = "$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chip_jobs")" ] \
  || fail "the backup lacks jobs"
ls -A "$DS/backups" | grep -q tmp && fail "temporary files left in the backup folder"

# --- retention: keep 2 hourly, 2 daily ----------------------------------------------------------
for name in 20200101T100000Z 20200101T103000Z 20200102T090000Z 20200103T080000Z 20200103T083000Z; do
  cp "$B1" "$DS/backups/ops-$name.db.gz"
done
sleep 1
SHIPCHIPS_OPS_BACKUP_KEEP_HOURLY=2 SHIPCHIPS_OPS_BACKUP_KEEP_DAILY=2 "$BIN" --config "$CONFIG" backup > /dev/null \
  || fail "second backup failed"
# Hourly keeps the newest backup of each of the 2 newest hours, daily of each of the 2 newest days.
"$PY" - "$DS/backups" <<'PYEOF'
import os, sys
names = sorted(os.listdir(sys.argv[1]))
assert all(n.startswith("ops-") and n.endswith(".db.gz") for n in names), names
old = [n for n in names if n.startswith("ops-2020")]
# Today's two backups are in one hour (or two): they take the hourly slots and one daily slot;
# the second daily slot goes to the newest old day, 2020-01-03 08:30; everything else goes.
assert old == ["ops-20200103T083000Z.db.gz"], names
assert len(names) - len(old) in (1, 2), names
print("retention ok:", names)
PYEOF

# --- restore (from the newest backup: retention may have removed B1, same hour) ----------------
B1=$(ls "$DS"/backups/ops-*.db.gz | grep -v '/ops-2020' | tail -1)
sqlite3 "$DS/ops.db" "DELETE FROM chips"
[ "$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chips")" = 0 ] || fail "could not delete"
"$BIN" --config "$CONFIG" restore "$B1" --json > "$TMP/r.json" || fail "restore failed"
[ "$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chips")" = "$CHIPS" ] || fail "restore did not bring the chips back"
PREV=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["previous"])' "$TMP/r.json")
[ "$(sqlite3 "$PREV" "SELECT count(*) FROM chips")" = 0 ] || fail "the replaced database was not kept"

# A process with the database open (a read transaction): restore is refused, nothing changes.
"$PY" - "$DS/ops.db" "$TMP/holder.ready" <<'PYEOF' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN")
con.execute("SELECT count(*) FROM chips").fetchone()
open(sys.argv[2], "w").close()
time.sleep(30)
PYEOF
HOLDER=$!
for _ in $(seq 1 100); do [ -f "$TMP/holder.ready" ] && break; sleep 0.1; done
set +e
"$BIN" --config "$CONFIG" restore "$B1" 2> "$TMP/busy.err"
CODE=$?
set -e
kill $HOLDER 2>/dev/null || true
wait $HOLDER 2>/dev/null || true
[ "$CODE" -eq 12 ] || { cat "$TMP/busy.err" >&2; fail "restore under a holder: exit $CODE, expected 12 (database_busy)"; }
grep -q "database_busy" "$TMP/busy.err" || fail "busy error line"

# A file that is no backup: refused, the database unchanged.
echo "not a database" | gzip > "$TMP/bad.db.gz"
set +e
"$BIN" --config "$CONFIG" restore "$TMP/bad.db.gz" 2> "$TMP/bad.err"
CODE=$?
set -e
[ "$CODE" -eq 4 ] || { cat "$TMP/bad.err" >&2; fail "restore of a bad file: exit $CODE, expected 4"; }
[ "$(sqlite3 "$DS/ops.db" "SELECT count(*) FROM chips")" = "$CHIPS" ] || fail "a refused restore changed the database"

# --- recover ----------------------------------------------------------------------------------
sqlite3 "$DS/ops.db" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
cp "$DS/ops.db" "$TMP/damaged.db"
# Overwrite the pages of the chips table's b-tree root with garbage.
ROOT=$(sqlite3 "$TMP/damaged.db" "SELECT rootpage FROM sqlite_schema WHERE name = 'chips'")
PAGE=$(sqlite3 "$TMP/damaged.db" "PRAGMA page_size")
dd if=/dev/urandom of="$TMP/damaged.db" bs="$PAGE" seek=$((ROOT - 1)) count=1 conv=notrunc status=none
[ "$(sqlite3 "$TMP/damaged.db" "PRAGMA integrity_check" 2>&1 | head -1)" != ok ] || fail "the damage did not show"
"$BIN" --config "$CONFIG" recover --db "$TMP/damaged.db" --out "$TMP/recovered.db" --json > "$TMP/rec.json" \
  || fail "recover failed"
[ "$(sqlite3 "$TMP/recovered.db" "PRAGMA integrity_check")" = ok ] || fail "the recovered file is not intact"
"$PY" - "$TMP/rec.json" "$CHIPS" <<'PYEOF'
import json, sys
r, chips = json.load(open(sys.argv[1])), int(sys.argv[2])
assert r["integrity"] == "ok", r
assert r["rows"].get("chip_jobs", 0) > 0, r            # the undamaged tables come back whole
assert r["chips_on_disk"] == chips, r
assert r["rows"].get("chips", 0) + len(r["chips_missing"]) == chips, r
print("recover ok:", r["rows"], "missing chips:", len(r["chips_missing"]))
PYEOF
echo "PASS backup, retention, restore (and its refusals), recover"
