#!/usr/bin/python3
"""Malformed inputs across the commands: each gets one error line, the right exit code and no
partial output.

usage: run_malformed_inputs.py SHIPCHIPS_BIN [--keep] [--no-mount] [NAME ...]

Every case of CASES below runs in its own folder (a config.yaml with dataset_root ds and
logging to the console only, plus the inputs its setup writes) and must:
  - exit with the exit code of the expected error code, read from the one table in
    src/core/error.cpp (not copied here);
  - print exactly one error line on stderr, "shipchips COMMAND: error [code, category]: ...",
    with that code and category; log lines (timestamp [trace|debug|info|warning]) aside, nothing
    else (an [error] log line or GDAL's raw "ERROR 1:" is a second error line);
  - name what is wrong: each `mentions` text (file, line, field) appears in the error line;
  - leave no partial output: the case folder is byte for byte as it was (files created,
    changed or removed fail the case) except the paths its `allow` lists, and no temporary file
    of an atomic write (".stem.tmp.pid.salt.n.ext") is left anywhere in it.
Shared by the cases: an offline fixture world (shipchips fixture build) served by
`shipchips fixture serve` as is and in broken copies (an item without assets, a truncated COG),
and a stub STAC API in this process that answers HTML, truncated JSON or a page without
features. Full disk: a small tmpfs when this runs as root and mount works (not with --no-mount),
else RLIMIT_FSIZE.

A case marked xfail is a known product defect (the reason says where): it still runs, is
listed with what failed, and fails the run once it passes (remove the mark then).
Prints one line per case and "N passed, N expected failures, N failed"; exits 1 on any failure.
"""
import fnmatch
import hashlib
import http.server
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("SHIPCHIPS_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
REF = os.path.abspath(os.environ.get("SHIPCHIPS_REFERENCE_DIR", os.path.join(SRC, "..", "shared", "reference")))
KML = os.path.join(REF, "esa-plans", "Sentinel-2A_MP_ACQ_KML_20190912T120000_20190930T150000.kml")
TLE = os.path.join(REF, "tle", "sentinel2_tles.txt")
TEMP_NAME = re.compile(r"^\..+\.tmp\.\d+\.\d+\.\d+(\.[^.]+)?$")  # core/atomic_file.cpp temp_name_for
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[(trace|debug|info|warning)\] ")
ERROR_LINE = re.compile(r"^shipchips (?P<command>[a-z][a-z -]*): error \[(?P<code>\w+), (?P<category>\w+)\]: "
                        r"(?P<message>.+)$")
UPLOAD_HEADER = "mmsi,lat,lon,overpass_time\n"
GOOD_ROW = "236329008,36.7846550,-5.8256767,2020-06-14T09:36:58Z\n"


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def error_table():
    """{code name: (category, exit code)} from src/core/error.cpp's kCodes."""
    text = open(os.path.join(SRC, "src", "core", "error.cpp"), encoding="utf-8").read()
    rows = re.findall(r'\{ErrorCode::(\w+), "(\w+)", ErrorCategory::(\w+), (\d+), (\d+)\}', text)
    if len(rows) < 10:
        fail("could not read the error table of src/core/error.cpp")
    return {name: (category, int(exit_code)) for _, name, category, exit_code, _ in rows}


# ---------------------------------------------------------------------------------------------
# Setup steps: each returns a function of (ctx, case folder); a case lists one or several.

def write(name, content):
    """A file of text (str) or bytes in the case folder."""
    def step(ctx, d):
        path = os.path.join(d, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
    return step


def mkdir(name):
    return lambda ctx, d: os.makedirs(os.path.join(d, name), exist_ok=True)


def config_lines(*replacements):
    """config.yaml with lines replaced: ("  cloud_cover_max: 30", "  cloud_cover_max: abc")."""
    def step(ctx, d):
        path = os.path.join(d, "config.yaml")
        text = open(path, encoding="utf-8").read()
        for old, new in replacements:
            if old not in text:
                raise RuntimeError(f"config.yaml has no line {old!r}")
            text = text.replace(old, new, 1)
        open(path, "w", encoding="utf-8").write(text)
    return step


def copy_ref(src, name, transform=None):
    """A reference file copied in, optionally transformed (bytes -> bytes)."""
    def step(ctx, d):
        data = open(src, "rb").read()
        write(name, transform(data) if transform else data)(ctx, d)
    return step


def xlsx(name, rows):
    """A minimal workbook (one sheet, inline strings) as Excel writes it."""
    def cell(ref, v):
        if isinstance(v, (int, float)):
            return f'<c r="{ref}"><v>{v}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'

    def step(ctx, d):
        sheet = "".join(f'<row r="{i + 1}">' + "".join(cell(f"{'ABCDEFGHIJ'[j]}{i + 1}", v) for j, v in enumerate(r)) +
                        "</row>" for i, r in enumerate(rows))
        ns = "http://schemas.openxmlformats.org"
        parts = {
            "[Content_Types].xml":
                f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
            "_rels/.rels":
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
                'Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml":
                f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
                f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="ais" sheetId="1" '
                'r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels":
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
                'Target="worksheets/sheet1.xml"/></Relationships>',
            "xl/worksheets/sheet1.xml":
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}/spreadsheetml/2006/main">'
                f"<sheetData>{sheet}</sheetData></worksheet>",
        }
        with zipfile.ZipFile(os.path.join(d, name), "w") as z:
            for part, text in parts.items():
                z.writestr(part, text)
    return step


def zip_without_workbook(name):
    def step(ctx, d):
        with zipfile.ZipFile(os.path.join(d, name), "w") as z:
            z.writestr("readme.txt", "a zip file, but no workbook in it")
    return step


def shipchips(*args):
    """Runs the binary in the case folder as part of the setup (it must succeed)."""
    def step(ctx, d):
        code, out, err = ctx.run(list(args), d)
        if code != 0:
            raise RuntimeError(f"setup `shipchips {' '.join(args)}` exited {code}: {err[-1500:]}")
    return step


def truncate(name, keep_bytes):
    def step(ctx, d):
        path = os.path.join(d, name)
        data = open(path, "rb").read()
        os.unlink(path)  # never write through a hard link
        open(path, "wb").write(data[:keep_bytes])
    return step


def gold_dataset(ctx, d):
    """A small chipped dataset (2 ships on the fixture world) copied to ds/."""
    shutil.copytree(ctx.gold_dataset(), os.path.join(d, "ds"), symlinks=True)


def damage_first_sidecar(how):
    def step(ctx, d):
        sidecars = sorted(os.path.join(r, f) for r, _, fs in os.walk(os.path.join(d, "ds", "chips"))
                          for f in fs if f.endswith(".json"))
        path = sidecars[0]
        text = open(path, encoding="utf-8").read()
        if how == "truncate":
            text = text[:len(text) // 2]
        else:
            record = json.loads(text)
            record["lat"] = "north"
            text = json.dumps(record)
        os.unlink(path)
        open(path, "w", encoding="utf-8").write(text)
        ctx.notes[d] = os.path.relpath(path, d)
    return step


def world_copy(name, change):
    """A hard-linked copy of the fixture world at NAME with `change(world_dir)` applied."""
    def step(ctx, d):
        dst = os.path.join(d, name)
        shutil.copytree(ctx.world(), dst, copy_function=os.link)
        change(dst)
    return step


def first_item(world):
    items = os.path.join(world, "items")
    return os.path.join(items, sorted(os.listdir(items))[0])


def edit_item(edit):
    def change(world):
        path = first_item(world)
        item = json.load(open(path, encoding="utf-8"))
        edit(item)
        os.unlink(path)
        json.dump(item, open(path, "w", encoding="utf-8"))
    return change


def replace_item_text(text):
    def change(world):
        path = first_item(world)
        os.unlink(path)
        open(path, "w", encoding="utf-8").write(text)
    return change


def full_disk(mount_at, size_kb, leave_free_kb=0):
    """A full file system at MOUNT_AT: a tmpfs of SIZE_KB filled up to LEAVE_FREE_KB (root), else
    RLIMIT_FSIZE of LEAVE_FREE_KB for the command."""
    def step(ctx, d):
        path = os.path.join(d, mount_at)
        os.makedirs(path, exist_ok=True)
        if ctx.can_mount:
            r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", path],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if r.returncode == 0:
                ctx.mounts.append(path)
                filler = max(size_kb - leave_free_kb, 0) * 1024
                with open(os.path.join(path, "filler"), "wb") as f:
                    try:
                        f.write(b"\0" * filler)
                        f.flush()
                    except OSError:
                        pass
                ctx.disk_mode = "tmpfs"
                return
            ctx.can_mount = False
        ctx.fsize_limit = leave_free_kb * 1024
        ctx.disk_mode = "RLIMIT_FSIZE"
    return step


def fill_up(mount_at):
    """Fills the tmpfs full_disk mounted at MOUNT_AT (after setup steps that wrote into it)."""
    def step(ctx, d):
        if ctx.disk_mode != "tmpfs":
            return
        fd = os.open(os.path.join(d, mount_at, "filler2"), os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while os.write(fd, b"\0" * 4096) > 0:
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
    return step


# Checks after the run (return None or what is wrong).

def positions_in_store(expected):
    def check(ctx, d):
        path = os.path.join(d, "ds", "ais", "tracks.sqlite")
        if not os.path.exists(path):
            return None if expected == 0 else "ds/ais/tracks.sqlite does not exist"
        n = sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("select count(*) from positions").fetchone()[0]
        return None if n == expected else f"track store holds {n} positions, expected {expected}"
    return check


def no_chip_files(ctx, d):
    found = [os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs
             if "/chips/" in os.path.join(r, f) and not f.startswith("filler")]
    return None if not found else "chip files written: " + ", ".join(found[:5])


def nmea(body):
    """A sentence with a correct checksum, so the problem is the one in BODY."""
    checksum = 0
    for ch in body.encode("ascii"):
        checksum ^= ch
    return f"!{body}*{checksum:02X}\n"


def bad_checksum(data):
    lines = data.decode("ascii").split("\n")
    line = lines[1]
    lines[1] = line[:-1] + str((int(line[-1]) + 1) % 10)
    return "\n".join(lines).encode("ascii")


def append_bad_truth_row(world):
    path = os.path.join(world, "truth.csv")
    lines = open(path, encoding="utf-8").read().splitlines(True)
    os.unlink(path)
    fields = lines[1].split(",")
    fields[0] = "not-an-mmsi"
    open(path, "w", encoding="utf-8").write(lines[0] + lines[1] + ",".join(fields) + "".join(lines[2:]))


# ---------------------------------------------------------------------------------------------
# The cases. argv runs as `shipchips --config config.yaml ARGV...` in the case folder unless
# config=False; "{stub}" is the stub STAC API, "{serve:NAME}" the fixture server of world NAME
# (set up by the case's world_copy), "{world}" the shared world. env adds variables.
# code: expected error code; mentions: texts the error line must contain; allow: glob patterns
# (relative to the case folder) that may be created or changed.

# A command that changes data records its run even when it fails (the job store's runs and
# run_steps, the step's manifest with the error, the run record): forensics, not partial output.
RUN_RECORDS = ("ds", "ds/ops.db*", "ds/manifests", "ds/manifests/**", "ds/runs", "ds/runs/*.json")
CHIP_BOOKKEEPING = ("ds/ops.db*", "ds/indexes", "ds/indexes/tiles.parquet", "ds/labels", "ds/labels/coco.json",
                    "ds", "ds/ais", "ds/ais/tracks.sqlite*") + RUN_RECORDS


def case(name, argv, code, mentions, setup=(), allow=(), check=None, env=None, config=True, xfail=None):
    return dict(name=name, argv=argv, code=code, mentions=mentions, setup=setup, allow=allow, check=check, env=env or {},
                config=config, xfail=xfail)


CASES = [
    # --- configuration (every command loads it first) -----------------------------------------------------------
    case("config: YAML syntax error", ["index", "export"], "config_invalid", ["config.yaml:", "YAML"],
         setup=[write("config.yaml", "stac: [unclosed\n")]),
    case("config: unknown key", ["index", "export"], "config_invalid", ["config.yaml:", "stac.cloud_cover_maxx"],
         setup=[config_lines(("  cloud_cover_max: 30", "  cloud_cover_maxx: 30"))]),
    case("config: wrong type", ["index", "export"], "config_invalid", ["config.yaml:", "stac.cloud_cover_max"],
         setup=[config_lines(("  cloud_cover_max: 30", "  cloud_cover_max: lots"))]),
    case("config: list where a number belongs", ["index", "export"], "config_invalid",
         ["config.yaml:", "tiling.chip_size_px"],
         setup=[config_lines(("  chip_size_px: 256", "  chip_size_px: [256, 512]"))]),
    case("config: file missing", ["--config", "missing.yaml", "index", "export"], "config_invalid", ["missing.yaml"],
         config=False),
    case("config: a directory", ["--config", "conf.d", "index", "export"], "config_invalid", ["conf.d", "directory"],
         setup=[mkdir("conf.d")], config=False),
    case("config: environment override of the wrong type", ["index", "export"], "config_invalid",
         ["SHIPCHIPS_STAC_CLOUD_COVER_MAX", "stac.cloud_cover_max"], env={"SHIPCHIPS_STAC_CLOUD_COVER_MAX": "abc"}),
    case("config: .env line without =", ["index", "export"], "config_invalid", [".env:2"],
         setup=[write(".env", "AISSTREAM_API_KEY=abc\nthis line is no assignment\n")]),

    # --- AIS files -------------------------------------------------------------------------------------------------
    case("chip: CSV with a bad row (--strict)", ["chip", "--ais", "ais.csv", "--strict"], "input_invalid",
         ["ais.csv:3", "lat"], setup=[write("ais.csv", UPLOAD_HEADER + GOOD_ROW + "236329008,abc,-5.8,2020-06-14T09:40:00Z\n")], allow=RUN_RECORDS),
    case("chip: CSV with an impossible date (--strict)", ["chip", "--ais", "ais.csv", "--strict"], "input_invalid",
         ["ais.csv:2", "overpass_time", "2020-13-14"],
         setup=[write("ais.csv", UPLOAD_HEADER + "236329008,36.78,-5.82,2020-13-14T09:36:58Z\n")], allow=RUN_RECORDS),
    case("chip: CSV without the lat column", ["chip", "--ais", "ais.csv"], "input_invalid", ["ais.csv:1", "lat"],
         setup=[write("ais.csv", "mmsi,lon,overpass_time\n236329008,-5.82,2020-06-14T09:36:58Z\n")], allow=RUN_RECORDS),
    case("chip: empty AIS file", ["chip", "--ais", "ais.csv"], "input_invalid", ["ais.csv", "empty"],
         setup=[write("ais.csv", "")], allow=RUN_RECORDS),
    case("chip: AIS file missing", ["chip", "--ais", "missing.csv"], "not_found", ["missing.csv"], allow=RUN_RECORDS),
    case("chip: a directory as the AIS file", ["chip", "--ais", "ais_dir"], "input_invalid", ["ais_dir", "directory"],
         setup=[mkdir("ais_dir")], allow=RUN_RECORDS),
    case("chip: XLSX that is not a zip", ["chip", "--ais", "ais.xlsx"], "input_invalid", ["ais.xlsx"],
         setup=[write("ais.xlsx", "mmsi,lat,lon,overpass_time\n")], allow=RUN_RECORDS),
    case("chip: XLSX zip without a workbook", ["chip", "--ais", "ais.xlsx"], "input_invalid", ["ais.xlsx"],
         setup=[zip_without_workbook("ais.xlsx")], allow=RUN_RECORDS),
    case("chip: XLSX with a bad cell (--strict)", ["chip", "--ais", "ais.xlsx", "--strict"], "input_invalid",
         ["ais.xlsx:3", "lat"],
         setup=[xlsx("ais.xlsx", [["mmsi", "lat", "lon", "overpass_time"],
                                  [236329008, 36.78, -5.82, "2020-06-14T09:36:58Z"],
                                  [236329008, "north", -5.82, "2020-06-14T09:37:58Z"]])], allow=RUN_RECORDS),
    case("chip: NMEA with a bad checksum (--strict)", ["chip", "--ais", "ais.nmea", "--strict"], "input_invalid",
         ["ais.nmea:1", "checksum"], setup=[write("ais.nmea", "!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*FF\n")], allow=RUN_RECORDS),
    case("ais decode: malformed NMEA (--strict)", ["ais", "decode", "ais.nmea", "--strict"], "input_invalid",
         ["ais.nmea:1"], setup=[write("ais.nmea", nmea("AIVDM,1,X,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0"))],
         config=False),
    case("ais decode: file missing", ["ais", "decode", "missing.nmea"], "not_found", ["missing.nmea"], config=False),
    case("ais decode: a directory", ["ais", "decode", "nmea_dir"], "input_invalid", ["nmea_dir", "directory"],
         setup=[mkdir("nmea_dir")], config=False),
    case("ais import: CSV with a bad row (--strict) leaves the track store as it was",
         ["ais", "import", "more.csv", "--strict"], "input_invalid", ["more.csv:3", "mmsi"],
         setup=[write("first.csv", UPLOAD_HEADER + GOOD_ROW), shipchips("ais", "import", "first.csv"),
                write("more.csv", UPLOAD_HEADER + "236329008,36.79,-5.82,2020-06-14T09:38:00Z\nabc,36.7,-5.8,"
                                                  "2020-06-14T09:39:00Z\n")],
         check=positions_in_store(1), allow=RUN_RECORDS),
    case("ais import: file missing", ["ais", "import", "missing.csv"], "not_found", ["missing.csv"]),
    case("ais import: a truncated GeoParquet snapshot", ["ais", "import", "snap.parquet"], "input_invalid",
         ["snap.parquet"],
         setup=[shipchips("collect-ais", "--dry-run", "--once", "--now", "2020-06-14T10:05:00Z", "--window-min", "5",
                          "--ships", "2"),
                lambda ctx, d: shutil.copy(os.path.join(d, "ds/ais/20200614/ais_overpass_30STF.parquet"),
                                           os.path.join(d, "snap.parquet")),
                truncate("snap.parquet", 300)], allow=RUN_RECORDS),
    # storage.min_free_gb refuses the run before anything is created (no job store, no track store).
    case("ais import: full disk", ["ais", "import", "ais.csv"], "io_error", ["full/ds", "GB free", "min_free_gb"],
         setup=[config_lines(("  dataset_root: ds", "  dataset_root: full/ds")), full_disk("full", 64, 0),
                lambda ctx, d: shutil.copy(os.path.join(ctx.world(), "ais", "ais_upload.csv"), os.path.join(d, "ais.csv"))],
         check=positions_in_store(0)),
    case("collect-ais: truncated XLSX snapshot of the day", ["collect-ais", "--dry-run", "--once", "--now",
                                                             "2020-06-14T10:05:00Z", "--window-min", "5", "--ships", "2"],
         "input_invalid", ["ais_overpass_30STF.xlsx"],
         setup=[shipchips("collect-ais", "--dry-run", "--once", "--now", "2020-06-14T10:05:00Z", "--window-min", "5",
                          "--ships", "2"),
                truncate("ds/ais/20200614/ais_overpass_30STF.xlsx", 1000)],
         allow=RUN_RECORDS + ("ds/ais/tracks.sqlite*",)),  # the capture itself is kept; the snapshots must not change
    case("collect-ais: schedule without end_time_utc",
         ["collect-ais", "--dry-run", "--restrict-to-schedule", "--schedule", "plan.csv", "--once", "--now",
          "2020-06-14T10:05:00Z"], "input_invalid", ["plan.csv:1", "end_time_utc"],
         setup=[write("plan.csv", "tile_id,satellite,start_time_utc\n30STF,S2A,2020-06-14T10:00:00Z\n")], allow=RUN_RECORDS),
    case("collect-ais: schedule window ending before it starts",
         ["collect-ais", "--dry-run", "--restrict-to-schedule", "--schedule", "plan.csv", "--once", "--now",
          "2020-06-14T10:05:00Z"], "input_invalid", ["plan.csv:2", "end_time_utc"],
         setup=[write("plan.csv", "tile_id,satellite,start_time_utc,end_time_utc,relative_orbit,absolute_orbit,"
                                  "coverage,sun_elevation_deg,source\n30STF,S2A,2020-06-14T10:00:00Z,"
                                  "2020-06-14T09:00:00Z,,,,,tle\n")], allow=RUN_RECORDS),
    case("collect-ais: impossible --now", ["collect-ais", "--dry-run", "--once", "--now", "2020-06-32T10:05:00Z"],
         "invalid_argument", ["--now", "2020-06-32"], allow=RUN_RECORDS),

    # --- STAC API and COGs -----------------------------------------------------------------------------------------
    case("stac search: HTML instead of JSON", ["stac", "search", "--endpoint", "{stub}/html", "--bbox", "-6,36,-5,37",
                                               "--datetime", "2020-06-14/2020-06-15"],
         "contract_violation", ["{stub}/html/search", "JSON"]),
    case("stac search: JSON cut short", ["stac", "search", "--endpoint", "{stub}/truncated", "--bbox", "-6,36,-5,37",
                                         "--datetime", "2020-06-14/2020-06-15"],
         "contract_violation", ["{stub}/truncated/search", "JSON"]),
    case("stac search: a page without features", ["stac", "search", "--endpoint", "{stub}/nofeatures", "--bbox",
                                                  "-6,36,-5,37", "--datetime", "2020-06-14/2020-06-15"],
         "contract_violation", ["{stub}/nofeatures/search", "features"]),
    case("stac search: impossible --datetime", ["stac", "search", "--bbox", "-6,36,-5,37", "--datetime",
                                                "2020-06-34/2020-06-35"], "invalid_argument", ["datetime", "2020-06-34"]),
    case("stac search: --bbox with 3 numbers", ["stac", "search", "--bbox", "-6,36,-5"], "invalid_argument", ["--bbox"]),
    case("stac search: --points CSV with a bad row (--strict)", ["stac", "search", "--points", "ais.csv", "--strict"],
         "input_invalid", ["ais.csv:3", "lon"],
         setup=[write("ais.csv", UPLOAD_HEADER + GOOD_ROW + "236329008,36.7,east,2020-06-14T09:40:00Z\n")]),
    case("stac search: --points file missing", ["stac", "search", "--points", "missing.csv"], "not_found",
         ["missing.csv"]),
    case("chip: HTML instead of JSON from the STAC API", ["chip", "--ais", "{world}/ais/ais_upload.csv", "--max-ships",
                                                          "1"],
         "contract_violation", ["{stub}/html/search", "JSON"], env={"SHIPCHIPS_STAC_ENDPOINT": "{stub}/html"},
         allow=RUN_RECORDS + ("ds/ais", "ds/ais/tracks.sqlite*")),  # the AIS read is kept in the track store
    case("chip: STAC item without assets", ["chip", "--ais", "{world}/ais/ais_upload.csv", "--max-ships", "2"],
         "contract_violation", ["assets"], setup=[world_copy("w", edit_item(lambda item: item.pop("assets")))],
         env={"SHIPCHIPS_STAC_ENDPOINT": "{serve:w}"}, allow=CHIP_BOOKKEEPING + ("w", "w/**"), check=no_chip_files),
    case("chip: truncated COG from the fixture world", ["chip", "--ais", "{world}/ais/ais_upload.csv", "--max-ships", "2"],
         "network_transient", ["B04.tif"],
         setup=[world_copy("w", lambda w: truncate("cogs/" + os.listdir(os.path.join(w, "cogs"))[0] + "/B04.tif",
                                                   300000)(None, w))],
         env={"SHIPCHIPS_STAC_ENDPOINT": "{serve:w}"}, allow=CHIP_BOOKKEEPING + ("w", "w/**"), check=no_chip_files),
    # What hits the full disk first depends on timing: a chip's .tif or the job store's WAL (the
    # run claims its chips before writing them); either way the line names the file and the cause.
    case("chip: full disk under the dataset", ["chip", "--ais", "{world}/ais/ais_upload.csv", "--max-ships", "2"],
         "io_error", ["full/ds/", "space"],
         # Room for the job store (its tables, the run's claims: ~110 KB, more with the WAL) but not
         # for a chip (~600 KB), so the disk fills up while the chip is written.
         setup=[config_lines(("  dataset_root: ds", "  dataset_root: full/ds"), ("  min_free_gb: 1.0", "  min_free_gb: 0")),
                full_disk("full", 1024, 512)],
         allow=tuple("full/" + p for p in CHIP_BOOKKEEPING), check=no_chip_files),
    case("fixture serve: item that is not JSON", ["fixture", "serve", "--dir", "w", "--port", "0"], "input_invalid",
         ["S2B_", ".json", "JSON"], setup=[world_copy("w", replace_item_text('{"type": "Feature",'))], config=False,
         allow=("w", "w/**")),
    case("fixture serve: item without properties.datetime", ["fixture", "serve", "--dir", "w", "--port", "0"],
         "input_invalid", [".json", "properties.datetime"],
         setup=[world_copy("w", edit_item(lambda item: item["properties"].pop("datetime")))], config=False,
         allow=("w", "w/**")),
    case("fixture serve: --dir missing", ["fixture", "serve", "--dir", "no_world", "--port", "0"], "not_found",
         ["--dir", "no_world"], config=False),

    # --- element sets and plans ------------------------------------------------------------------------------------
    case("predict-overpasses: TLE with a bad checksum", ["predict-overpasses", "--mode", "tle", "--tle", "bad.tle",
                                                         "--start", "2024-07-22", "--days", "3", "--out", "plan.csv"],
         "input_invalid", ["bad.tle:2", "checksum"], setup=[copy_ref(TLE, "bad.tle", lambda b: bad_checksum(b))], allow=RUN_RECORDS),
    case("tle propagate: TLE with a bad checksum", ["tle", "propagate", "--tle", "bad.tle"], "input_invalid",
         ["bad.tle:2", "checksum"], setup=[copy_ref(TLE, "bad.tle", lambda b: bad_checksum(b))], config=False),
    case("tle propagate: empty TLE file", ["tle", "propagate", "--tle", "empty.tle"], "input_invalid",
         ["empty.tle", "no element set"], setup=[write("empty.tle", "")], config=False),
    case("tle propagate: a directory", ["tle", "propagate", "--tle", "tle_dir"], "input_invalid",
         ["tle_dir", "directory"], setup=[mkdir("tle_dir")], config=False),
    case("tle propagate --verify: line 2 without its times", ["tle", "propagate", "--verify", "--tle", "ver.tle"],
         "input_invalid", ["ver.tle:3"],
         setup=[write("ver.tle", "#  test\n1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753\n"
                                 "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667     0.00      "
                                 "4320.0        nope\n")], config=False),
    case("predict-overpasses: TLE file is a directory", ["predict-overpasses", "--mode", "tle", "--tle", "tle_dir",
                                                         "--start", "2024-07-22", "--days", "3", "--out", "plan.csv"],
         "input_invalid", ["tle_dir", "directory"], setup=[mkdir("tle_dir")], allow=RUN_RECORDS),
    case("predict-overpasses: OMM JSON with a bad field", ["predict-overpasses", "--mode", "tle", "--tle", "omm.json",
                                                           "--start", "2024-07-22", "--days", "3", "--out", "plan.csv"],
         "input_invalid", ["omm.json", "NORAD_CAT_ID"],
         setup=[write("omm.json", '[{"OBJECT_NAME":"SENTINEL-2A","NORAD_CAT_ID":"forty","EPOCH":"2024-07-22T04:58:50"}]')], allow=RUN_RECORDS),
    case("predict-overpasses: OMM JSON cut short", ["predict-overpasses", "--mode", "tle", "--tle", "omm.json",
                                                    "--start", "2024-07-22", "--days", "3", "--out", "plan.csv"],
         "input_invalid", ["omm.json", "json"], setup=[write("omm.json", '[{"OBJECT_NAME":"SENTINEL-2A",')], allow=RUN_RECORDS),
    case("predict-overpasses: ESA KML in UTF-16", ["predict-overpasses", "--mode", "esa_plan", "--esa-kml", "plan.kml",
                                                   "--start", "2019-09-12", "--days", "3", "--out", "plan.csv"],
         "input_invalid", ["plan.kml", "UTF-16"],
         setup=[copy_ref(KML, "plan.kml", lambda b: b.decode("utf-8").encode("utf-16"))], allow=RUN_RECORDS),
    case("predict-overpasses: ESA KML cut short", ["predict-overpasses", "--mode", "esa_plan", "--esa-kml", "plan.kml",
                                                   "--start", "2019-09-12", "--days", "3", "--out", "plan.csv"],
         "input_invalid", ["plan.kml:", "XML"], setup=[copy_ref(KML, "plan.kml", lambda b: b[:len(b) // 2])], allow=RUN_RECORDS),
    case("predict-overpasses: ESA KML is a directory", ["predict-overpasses", "--mode", "esa_plan", "--esa-kml",
                                                        "kml_dir", "--start", "2019-09-12", "--days", "3", "--out",
                                                        "plan.csv"],
         "input_invalid", ["kml_dir", "directory"], setup=[mkdir("kml_dir")], allow=RUN_RECORDS),
    case("predict-overpasses: ESA KML missing", ["predict-overpasses", "--mode", "esa_plan", "--esa-kml", "missing.kml",
                                                 "--start", "2019-09-12", "--days", "3", "--out", "plan.csv"],
         "not_found", ["missing.kml"], allow=RUN_RECORDS),
    case("predict-overpasses: ESA CSV without tile_id", ["predict-overpasses", "--mode", "esa_plan", "--esa-csv",
                                                         "esa.csv", "--start", "2019-09-12", "--days", "3", "--out",
                                                         "plan.csv"],
         "input_invalid", ["esa.csv:1", "tile_id"],
         setup=[write("esa.csv", "satellite,start_time_utc\nS2A,2019-09-12T10:00:00Z\n")], allow=RUN_RECORDS),
    case("predict-overpasses: impossible --start", ["predict-overpasses", "--mode", "tle", "--tle", TLE, "--start",
                                                    "2024-13-22", "--days", "3", "--out", "plan.csv"],
         "invalid_argument", ["--start", "2024-13-22"], allow=RUN_RECORDS),
    case("predict-overpasses: a tile id that is no tile", ["predict-overpasses", "--mode", "tle", "--tle", TLE,
                                                           "--tiles", "30STF,99ZZZ", "--start", "2024-07-22", "--days",
                                                           "3", "--out", "plan.csv"],
         "invalid_argument", ["99ZZZ"], allow=RUN_RECORDS),
    case("predict-overpasses: --out is a directory", ["predict-overpasses", "--mode", "tle", "--tle", TLE, "--start",
                                                      "2024-07-22", "--days", "3", "--satellites", "S2A,S2B", "--out",
                                                      "out_dir"],
         "io_error", ["out_dir"], setup=[mkdir("out_dir")], allow=RUN_RECORDS),
    case("predict-overpasses: full disk", ["predict-overpasses", "--mode", "tle", "--tle", TLE, "--start", "2024-07-22",
                                           "--days", "10", "--satellites", "S2A,S2B", "--out", "full/plan.csv"],
         "io_error", ["full/plan.csv"], setup=[full_disk("full", 16, 0)], allow=RUN_RECORDS),
    case("predict-overpasses: a full disk keeps the old schedule and its history",
         ["predict-overpasses", "--mode", "tle", "--tle", TLE, "--start", "2024-07-22", "--days", "10", "--satellites",
          "S2A,S2B", "--out", "plan/plan.csv"],
         "io_error", ["plan/", "No space left"],
         # The schedule's folder is a file system of its own that fills up after the first schedule
         # (the job store beside it still has room: the run is recorded as failed).
         setup=[full_disk("plan", 64, 64),
                shipchips("predict-overpasses", "--mode", "tle", "--tle", TLE, "--start", "2024-07-22", "--days", "1",
                          "--satellites", "S2A,S2B", "--out", "plan/plan.csv"),
                lambda ctx, d: os.utime(os.path.join(d, "plan", "plan.csv"), (1e9, 1e9)), fill_up("plan")],
         allow=RUN_RECORDS),

    # --- dataset ---------------------------------------------------------------------------------------------------
    case("index rebuild --strict: a sidecar cut short", ["index", "rebuild", "--strict"], "input_invalid",
         ["{note}", "JSON"], setup=[gold_dataset, damage_first_sidecar("truncate")], allow=RUN_RECORDS),
    case("index rebuild --strict: a sidecar with a text latitude", ["index", "rebuild", "--strict"], "input_invalid",
         ["{note}", "lat"], setup=[gold_dataset, damage_first_sidecar("field")], allow=RUN_RECORDS),
    case("index export: job store that is not SQLite", ["index", "export"], "database_corrupt", ["ds/ops.db"],
         setup=[gold_dataset, write("ds/ops.db", "this is not a database\n")], allow=RUN_RECORDS),
    case("index export: job store cut short", ["index", "export"], "database_corrupt", ["ds/ops.db"],
         setup=[gold_dataset, lambda ctx, d: [os.remove(os.path.join(d, "ds", f))
                                             for f in os.listdir(os.path.join(d, "ds")) if f.startswith("ops.db-")],
                truncate("ds/ops.db", 5000)], allow=RUN_RECORDS),
    case("fixture score: truth.csv with a bad row", ["fixture", "score", "--dataset", "ds", "--world", "w"],
         "input_invalid", ["truth.csv:3", "mmsi"],
         setup=[gold_dataset, world_copy("w", lambda w: append_bad_truth_row(w))], config=False, allow=("w", "w/**")),
]


# ---------------------------------------------------------------------------------------------

class StubStac(http.server.BaseHTTPRequestHandler):
    """/html/...: a proxy's HTML error page with status 200; /truncated/...: JSON cut short;
    /nofeatures/...: a FeatureCollection without its features."""
    bodies = {
        "html": ("text/html", b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>\n"),
        "truncated": ("application/geo+json", b'{"type":"FeatureCollection","features":[{"type":"Fea'),
        "nofeatures": ("application/geo+json", b'{"type":"FeatureCollection","links":[]}'),
    }

    def do_GET(self):
        self.answer()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer()

    def answer(self):
        kind = self.path.split("/")[1]
        content_type, body = self.bodies.get(kind, ("application/json", b"{}"))
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Context:
    def __init__(self, binary, scratch):
        self.binary = binary
        self.scratch = scratch
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SHIPCHIPS_") and k != "AISSTREAM_API_KEY"}
        self.env["HOME"] = scratch
        self.case_servers = []  # Popen of the fixture servers of the current case
        self.world_server = None  # ... and of the shared world
        self.served = 0
        self.mounts = []
        self.notes = {}
        self.can_mount = os.geteuid() == 0 and shutil.which("mount") is not None
        self.disk_mode = None
        self.fsize_limit = None
        self._world = None
        self._gold = None
        self._world_port = None
        stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubStac)
        threading.Thread(target=stub.serve_forever, daemon=True).start()
        self.stub = f"http://127.0.0.1:{stub.server_address[1]}"

    def run(self, argv, cwd, env=None, fsize_limit=None, timeout=120):
        def limit():
            if fsize_limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, fsize_limit))
        e = dict(self.env)
        e.setdefault("SHIPCHIPS_STAC_ENDPOINT", self.world_endpoint() if self._world_port else "http://127.0.0.1:9")
        e.update(env or {})
        p = subprocess.run([self.binary] + argv, cwd=cwd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=timeout, preexec_fn=limit)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def world(self):
        if self._world is None:
            world = os.path.join(self.scratch, "world")
            code, _, err = self.run(["fixture", "build", "--out", world, "--seed", "42", "--scenes", "1"], self.scratch)
            if code != 0:
                raise RuntimeError("fixture build failed: " + err)
            self._world = world
            self._world_port = self.serve(world)
            self.world_server = self.case_servers.pop()
            self.env["SHIPCHIPS_STAC_ENDPOINT"] = self.world_endpoint()
        return self._world

    def world_endpoint(self):
        return f"http://127.0.0.1:{self._world_port}"

    def serve(self, world):
        # Port and log files outside the case folder, which must stay as it was.
        self.served += 1
        base = os.path.join(self.scratch, "servers", str(self.served))
        os.makedirs(os.path.dirname(base), exist_ok=True)
        port_file, log_path = base + ".port", base + ".serve.log"
        log = open(log_path, "w")
        proc = subprocess.Popen([self.binary, "fixture", "serve", "--dir", world, "--port", "0", "--port-file", port_file],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env)
        self.case_servers.append(proc)
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                return int(open(port_file).read().strip())
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("fixture serve did not start: " + open(log_path).read())

    def gold_dataset(self):
        if self._gold is None:
            d = os.path.join(self.scratch, "gold")
            os.makedirs(d)
            write_config(d)
            code, _, err = self.run(["--config", "config.yaml", "chip", "--ais",
                                     os.path.join(self.world(), "ais", "ais_upload.csv"), "--max-ships", "2"], d)
            if code != 0 or not os.path.isdir(os.path.join(d, "ds", "chips")):
                raise RuntimeError(f"chipping the gold dataset failed ({code}): {err[-1500:]}")
            self._gold = os.path.join(d, "ds")
        return self._gold

    def stop(self, everything=False):
        procs = self.case_servers + ([self.world_server] if everything and self.world_server else [])
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.case_servers = []


def write_config(d):
    text = open(os.path.join(SRC, "config.yaml"), encoding="utf-8").read()
    for pattern, value in ((r"^  dataset_root: .*$", "  dataset_root: ds"), (r"^  file: logs/run.log$", '  file: ""')):
        text, n = re.subn(pattern, value, text, count=1, flags=re.M)
        if n != 1:
            fail(f"config.yaml: no line matching {pattern!r}")
    open(os.path.join(d, "config.yaml"), "w", encoding="utf-8").write(text)


def tree(d):
    """{relative path: ('dir',) or ('file', size, sha256)} of everything under d."""
    out = {}
    for root, dirs, files in os.walk(d):
        for name in dirs:
            out[os.path.relpath(os.path.join(root, name), d)] = ("dir",)
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path):
                out[os.path.relpath(path, d)] = ("link", os.readlink(path))
                continue
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            out[os.path.relpath(path, d)] = ("file", os.path.getsize(path), h.hexdigest())
    return out


def expand(text, ctx, d):
    if "{world}" in text:
        text = text.replace("{world}", ctx.world())
    if "{stub}" in text:
        text = text.replace("{stub}", ctx.stub)
    if "{note}" in text:
        text = text.replace("{note}", ctx.notes.get(d, "?"))
    for name in re.findall(r"\{serve:(\w+)\}", text):
        text = text.replace("{serve:" + name + "}", f"http://127.0.0.1:{ctx.serve(os.path.join(d, name))}")
    return text


GROUPS = {"ais", "fixture", "grid", "index", "stac", "tle"}  # commands of two words ("ais decode")


def command_of(argv):
    """The command words of argv: "chip", "ais decode" (global options and their values skipped)."""
    words, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--config", "--log-level"):
            skip = True
        elif not a.startswith("-"):
            words.append(a)
            if len(words) == 2 or words[0] not in GROUPS:
                break
    return " ".join(words)


def run_case(ctx, c, d, table):
    """Returns the list of what is wrong (empty: the case passed)."""
    os.makedirs(d)
    write_config(d)
    ctx.fsize_limit = None
    ctx.disk_mode = None
    for step in c["setup"]:
        step(ctx, d)
    argv = [expand(a, ctx, d) for a in c["argv"]]
    if c["config"]:
        argv = ["--config", "config.yaml"] + argv
    env = {k: expand(v, ctx, d) for k, v in c["env"].items()}
    mentions = [expand(m, ctx, d) for m in c["mentions"]]
    before = tree(d)
    started = time.monotonic()
    code, out, err = ctx.run(argv, d, env=env, fsize_limit=ctx.fsize_limit)
    c["seconds"] = time.monotonic() - started
    after = tree(d)
    problems = []

    category, exit_code = table[c["code"]]
    if code != exit_code:
        problems.append(f"exit {code}, expected {exit_code} ({c['code']})")
    other = [line for line in err.splitlines() if line.strip() and not LOG_LINE.match(line)]
    errors = [ERROR_LINE.match(line) for line in other]
    if len(other) != 1 or not errors[0]:
        problems.append(f"stderr has {len(other)} lines besides log lines, expected one error line: {other[:6]}")
    for m in (e for e in errors if e):
        if m["command"] != command_of(argv):
            problems.append(f"error line names the command '{m['command']}', expected '{command_of(argv)}'")
        if (m["code"], m["category"]) != (c["code"], category):
            problems.append(f"error line says [{m['code']}, {m['category']}], expected [{c['code']}, {category}]")
        missing = [text for text in mentions if text not in m["message"]]
        if missing:
            problems.append(f"error line does not name {missing}: {m['message'][:400]}")
        break

    temps = [p for p in after if TEMP_NAME.match(os.path.basename(p))]
    if temps:
        problems.append(f"temporary files left: {temps}")
    allowed = lambda p: any(fnmatch.fnmatch(p, pattern) for pattern in c["allow"])  # noqa: E731
    created = sorted(p for p in after if p not in before and not allowed(p))
    removed = sorted(p for p in before if p not in after and not allowed(p))
    changed = sorted(p for p in after if p in before and after[p] != before[p] and not allowed(p))
    for what, paths in (("created", created), ("removed", removed), ("changed", changed)):
        if paths:
            problems.append(f"partial output: {what} {paths[:8]}{' ...' if len(paths) > 8 else ''}")
    if c["check"]:
        problem = c["check"](ctx, d)
        if problem:
            problems.append(problem)
    c["stderr"], c["stdout"] = err, out
    return problems


def main():
    args = sys.argv[1:]
    if not args:
        fail(__doc__)
    binary = os.path.abspath(args[0])
    keep = "--keep" in args[1:]
    only = [a for a in args[1:] if a not in ("--keep", "--no-mount")]
    table = error_table()
    names = [c["name"] for c in CASES]
    if len(set(names)) != len(names):
        fail("two cases share a name")
    for c in CASES:
        if c["code"] not in table:
            fail(f"{c['name']}: {c['code']} is not an error code of src/core/error.cpp")
    selected = [c for c in CASES if not only or any(o in c["name"] for o in only)]
    if not selected:
        fail(f"no case matches {only}")

    scratch = tempfile.mkdtemp(prefix="shipchips-malformed-")
    ctx = Context(binary, scratch)
    if "--no-mount" in args[1:]:
        ctx.can_mount = False
    passed = xfailed = failed = 0
    started = time.monotonic()
    try:
        for i, c in enumerate(selected):
            d = os.path.join(scratch, "cases", f"{i:02d}")
            try:
                problems = run_case(ctx, c, d, table)
            except Exception as e:  # a setup that could not be made is a failure of this test, never a skip
                problems = [f"setup or run failed: {type(e).__name__}: {e}"]
                c["stderr"] = c["stdout"] = ""
            finally:
                while ctx.mounts:
                    subprocess.run(["umount", ctx.mounts.pop()], stderr=subprocess.DEVNULL)
                ctx.stop()
            disk = f" [{ctx.disk_mode}]" if ctx.disk_mode else ""
            took = f"{c.get('seconds', 0):.1f}s"
            if not problems and not c["xfail"]:
                passed += 1
                print(f"ok    {c['name']}{disk} ({took})")
            elif problems and c["xfail"]:
                xfailed += 1
                print(f"xfail {c['name']}{disk}: {c['xfail']}\n        now: " + "\n        now: ".join(problems))
            elif not problems:
                failed += 1
                print(f"FAIL  {c['name']}: marked xfail ({c['xfail']}) but it passes now: remove the mark")
            else:
                failed += 1
                print(f"FAIL  {c['name']}{disk} (case folder {d}):\n  " + "\n  ".join(problems) +
                      f"\n  --- stderr\n{c['stderr'][-2500:]}\n  --- stdout\n{c['stdout'][-1000:]}")
    finally:
        ctx.stop(everything=True)
        while ctx.mounts:
            subprocess.run(["umount", ctx.mounts.pop()], stderr=subprocess.DEVNULL)
        if keep:
            print(f"(scratch folder kept: {scratch})")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"{len(selected)} cases in {time.monotonic() - started:.0f} s: {passed} passed, {xfailed} expected failures "
          f"(known defects, listed above), {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
