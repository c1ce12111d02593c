#!/usr/bin/python3
"""Crash safety of `shipchips run`: kill -9 at random moments, rerun, compare with a clean run.

usage: crash_safety.py SHIPCHIPS_BIN [--kills N] [--per-dataset K] [--seed S] [--keep]

1. A fixture world (seed 42) is built and served on loopback; a clean `run --ais` over its AIS
   gives the reference dataset and its duration T.
2. For N kills in all (default 50): a fresh dataset gets K runs (default 5) each killed with
   SIGKILL at a uniform random moment in [0.05 T, 1.1 T] (a run that ended first counts as no
   kill), then one run to completion.
3. After that last run, each dataset must equal the clean one:
   - the same chip ids, and the chips table rows equal apart from their creation time;
   - no chip id twice in the table or in indexes/tiles.parquet (row count = chips);
   - the daily GeoJSON files the same set, each with the same features (chip ids);
   - every chip's files present, and no file under the chips tree the clean run lacks;
   - no temporary file of an atomic write (".tmp.") anywhere;
   - no lost AIS observation: ais_observations has the clean run's rows (mmsi, first/last ping);
   - PRAGMA integrity_check = ok;
   - every chip job done or finished with a class (none queued or running).
Prints one line per dataset and the figures; exits 1 on any difference.
"""
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def parquet_rows(path, src):
    """(rows, distinct chip ids) of tiles.parquet, read by DuckDB (npm, tests/integration/read_parquet.mjs)."""
    script = os.path.join(src, "tests", "integration", "read_parquet.mjs")
    p = subprocess.run(["node", script, path, "SELECT count(*) AS n, count(DISTINCT chip_id) AS d FROM {file}"],
                       cwd=src, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        fail(f"DuckDB could not read {path}: {p.stderr.decode()[-1000:]}")
    row = json.loads(p.stdout)["duckdb"]["queries"][0][0]
    return int(row["n"]), int(row["d"])


def snapshot(ds, src):
    db = os.path.join(ds, "ops.db")
    con = sqlite3.connect(db)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        cols = [r[1] for r in con.execute("PRAGMA table_info(chips)")]
        keep = [c for c in cols if c not in ("created", "record_json")]
        rows = {}
        for r in con.execute(f"SELECT {', '.join(keep)} FROM chips ORDER BY chip_id"):
            rows[r[0]] = r
        chip_count = con.execute("SELECT count(*), count(DISTINCT chip_id) FROM chips").fetchone()
        jobs = dict(con.execute("SELECT status, count(*) FROM chip_jobs GROUP BY status").fetchall())
        unclassified = con.execute(
            "SELECT count(*) FROM chip_jobs WHERE status IN ('failed', 'rejected') AND error_class IS NULL").fetchone()[0]
        observations = sorted(con.execute("SELECT mmsi, captured_time, last_ping, status FROM ais_observations"))
    finally:
        con.close()
    files, temps = set(), []
    for base, _, names in os.walk(ds):
        for n in names:
            rel = os.path.relpath(os.path.join(base, n), ds)
            if ".tmp." in n:
                temps.append(rel)
            if rel.startswith("chips" + os.sep):
                files.add(rel)
    daily = {}
    idx = os.path.join(ds, "indexes")
    for n in sorted(os.listdir(idx)):
        if n.endswith(".geojson"):
            with open(os.path.join(idx, n)) as f:
                daily[n] = sorted(feat["properties"]["chip_id"] for feat in json.load(f)["features"])
    return {"integrity": integrity, "rows": rows, "count": chip_count, "jobs": jobs, "unclassified": unclassified,
            "observations": observations, "files": files, "temps": temps, "daily": daily,
            "parquet_rows": parquet_rows(os.path.join(idx, "tiles.parquet"), src)}


def compare(name, got, ref):
    problems = []
    if got["integrity"] != "ok":
        problems.append(f"integrity_check: {got['integrity']}")
    if set(got["rows"]) != set(ref["rows"]):
        problems.append(f"chip ids differ: {len(set(got['rows']) ^ set(ref['rows']))} not in both")
    else:
        diff = [k for k in ref["rows"] if got["rows"][k] != ref["rows"][k]]
        if diff:
            problems.append(f"{len(diff)} chips rows differ, e.g. {diff[0]}: {got['rows'][diff[0]]} vs {ref['rows'][diff[0]]}")
    if got["count"][0] != got["count"][1]:
        problems.append(f"duplicate chip ids in the chips table: {got['count']}")
    if got["parquet_rows"] != (got["count"][0], got["count"][0]):
        problems.append(f"tiles.parquet has (rows, distinct chip ids) {got['parquet_rows']} for {got['count'][0]} chips")
    if got["daily"] != ref["daily"]:
        problems.append("the daily GeoJSON differ")
    if got["files"] != ref["files"]:
        problems.append(f"chips tree differs: extra {sorted(got['files'] - ref['files'])[:3]}, "
                        f"missing {sorted(ref['files'] - got['files'])[:3]}")
    if got["temps"]:
        problems.append(f"temporary files left: {got['temps'][:3]}")
    if [o[:3] for o in got["observations"]] != [o[:3] for o in ref["observations"]]:
        problems.append(f"ais_observations differ: {len(got['observations'])} rows vs {len(ref['observations'])}")
    if got["jobs"].get("queued", 0) or got["jobs"].get("running", 0):
        problems.append(f"jobs neither done nor classified: {got['jobs']}")
    if got["unclassified"]:
        problems.append(f"{got['unclassified']} failed/rejected jobs without an error class")
    if got["jobs"] != ref["jobs"]:
        problems.append(f"job states differ: {got['jobs']} vs {ref['jobs']}")
    return problems


def main():
    args = sys.argv[1:]
    if not args:
        fail(__doc__)
    binary = os.path.abspath(args[0])
    kills_wanted = int(args[args.index("--kills") + 1]) if "--kills" in args else 50
    per_dataset = int(args[args.index("--per-dataset") + 1]) if "--per-dataset" in args else 5
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else int(time.time())
    keep = "--keep" in args
    rng = random.Random(seed)
    src = os.environ.get("SHIPCHIPS_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    scratch = tempfile.mkdtemp(prefix="shipchips-crash-")
    server = None
    try:
        world = os.path.join(scratch, "world")
        subprocess.run([binary, "fixture", "build", "--out", world, "--seed", "42"], check=True,
                       stdout=subprocess.DEVNULL)
        port_file = os.path.join(scratch, "port")
        server = subprocess.Popen([binary, "fixture", "serve", "--dir", world, "--port", "0", "--port-file", port_file],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        port = int(open(port_file).read().strip())
        with open(os.path.join(src, "config.yaml")) as f:
            config = f.read().replace("  file: logs/run.log", '  file: ""')
        with open(os.path.join(scratch, "config.yaml"), "w") as f:
            f.write(config)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHIPCHIPS_")}
        env["SHIPCHIPS_STAC_ENDPOINT"] = f"http://127.0.0.1:{port}"
        env["SHIPCHIPS_LOGGING_CONSOLE"] = "false"
        ais = os.path.join(world, "ais", "ais_upload.csv")

        def run(ds, kill_after=None):
            e = dict(env, SHIPCHIPS_STORAGE_DATASET_ROOT=ds)
            argv = [binary, "--config", os.path.join(scratch, "config.yaml"), "run", "--ais", ais]
            p = subprocess.Popen(argv, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if kill_after is None:
                _, err = p.communicate(timeout=600)
                if p.returncode != 0:
                    fail(f"run in {ds} exited {p.returncode}: {err.decode()[-2000:]}")
                return False
            try:
                p.wait(timeout=kill_after)
                return False  # ended before the kill
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait()
                return True

        ref_ds = os.path.join(scratch, "clean")
        t0 = time.monotonic()
        run(ref_ds)
        clean_s = time.monotonic() - t0
        ref = snapshot(ref_ds, src)
        if not ref["rows"]:
            fail("the clean run wrote no chips")
        print(f"clean run: {len(ref['rows'])} chips, {len(ref['observations'])} observations, {clean_s:.2f} s "
              f"(seed {seed})")
        kills = ended_first = datasets = 0
        moments = []
        failures = []
        while kills < kills_wanted:
            datasets += 1
            ds = os.path.join(scratch, f"ds{datasets}")
            for _ in range(per_dataset):
                at = rng.uniform(0.05, 1.1) * clean_s
                if run(ds, kill_after=at):
                    kills += 1
                    moments.append(at / clean_s)
                else:
                    ended_first += 1
            run(ds)
            problems = compare(ds, snapshot(ds, src), ref)
            print(f"dataset {datasets}: {kills} kills so far: " + ("equal to the clean run" if not problems else
                                                                    "; ".join(problems)))
            if problems:
                failures.append((ds, problems))
            elif not keep:
                shutil.rmtree(ds)
        moments.sort()
        print(f"{kills} kills (SIGKILL at {moments[0]:.2f}..{moments[-1]:.2f} of the clean run's {clean_s:.2f} s; "
              f"{ended_first} runs ended before their kill) over {datasets} datasets; "
              f"{len(failures)} datasets differ from the clean run")
        if failures:
            sys.exit(1)
    finally:
        if server is not None:
            server.kill()
            server.wait()
        if keep:
            print(f"(scratch kept: {scratch})")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
