#!/usr/bin/python3
"""End to end, whole processes: `shipchips chip --ais FILE` vs bench/peer_rasterio.py (rasterio).

Builds a fixture world (or reuses --world DIR), serves it with `shipchips fixture serve` at each
latency and, against the same server, one after the other, runs both tools on the world's
ais/ais_upload.csv, each into a fresh folder. Per tool: wall seconds, user+sys CPU seconds of the
process (os.wait4), chips written (.tif under chips/), chips/s, COG and STAC requests and body
bytes (the server's request log); best of --repeat by wall. Prints a markdown row per latency,
then, for those best runs, CPU ms per chip written by stage as each tool reports it (its
--json stage_ms; fetch_wait and search are wall time, "other" is the process CPU not in a stage).

  /usr/bin/python3 bench/peer_end_to_end.py --shipchips build/shipchips [--world DIR]
      [--latencies 0,50] [--repeat 3] [--peer-search-per ship|row] [--profile] [--keep DIR]
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PEER = os.path.join(HERE, "peer_rasterio.py")


def clean_env(extra):
    """No GDAL/CPL/VSI tuning from the caller's shell: the peer must see GDAL's defaults."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GDAL_", "CPL_", "VSI_", "SHIPCHIPS_", "CURL_", "AWS_"))}
    env.update(extra)
    return env


def run(cmd, env, cwd, stdout_path):
    with open(stdout_path, "w") as out, open(stdout_path + ".err", "w") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write(open(stdout_path + ".err").read()[-3000:])
        raise SystemExit(f"{cmd[0]} exited with {code} (output in {stdout_path})")
    return wall, ru.ru_utime + ru.ru_stime


def stages_of(stdout_path):
    """The stage_ms of a tool's --json summary (empty when it printed none)."""
    try:
        with open(stdout_path) as f:
            return json.load(f).get("stage_ms", {})
    except (OSError, ValueError):
        return {}


def count_chips(root):
    return len([p for p in glob.glob(os.path.join(root, "chips", "**", "*.tif"), recursive=True)])


def chip_keys(root):
    keys = set()
    for p in glob.glob(os.path.join(root, "chips", "**", "*.json"), recursive=True):
        with open(p) as f:
            d = json.load(f)
        if "mmsi" in d and "scene_id" in d:
            keys.add((int(d["mmsi"]), d["scene_id"]))
    return keys


class Server:
    def __init__(self, binary, world, latency, tmp):
        self.port_file = os.path.join(tmp, f"port-{latency}")
        self.log = os.path.join(tmp, f"requests-{latency}.jsonl")
        for stale in (self.port_file, self.log):
            if os.path.exists(stale):
                os.remove(stale)
        self.proc = subprocess.Popen(
            [binary, "fixture", "serve", "--dir", world, "--port", "0", "--port-file", self.port_file,
             "--latency-ms", str(latency), "--log", self.log],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, f"serve-{latency}.log"), "w"))
        for _ in range(200):
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                break
            if self.proc.poll() is not None:
                raise SystemExit("fixture server failed to start")
            time.sleep(0.05)
        else:
            raise SystemExit("fixture server did not report its port")
        self.url = "http://127.0.0.1:" + open(self.port_file).read().strip()

    def mark(self):
        return os.path.getsize(self.log) if os.path.exists(self.log) else 0

    def traffic(self, since):
        """(STAC requests, COG requests, COG body bytes) logged after offset `since`."""
        stac = cog = nbytes = 0
        with open(self.log, "rb") as f:
            f.seek(since)
            for line in f:
                r = json.loads(line)
                if r["path"].startswith("/cogs/"):
                    cog += 1
                    nbytes += r.get("bytes") or 0
                else:
                    stac += 1
        return stac, cog, nbytes

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shipchips", default=os.path.join(REPO, "build", "shipchips"))
    p.add_argument("--config", help="shipchips config (default: a defaults-only file, the values the peer "
                   "hard-codes; the repo's config.yaml may be ahead of the binary under test)")
    p.add_argument("--world", help="reuse this world (built there when it holds none)")
    p.add_argument("--scenes", type=int, default=3)
    p.add_argument("--ships-per-scene", type=int, default=40)
    p.add_argument("--size", default="small")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--latencies", default="0,50")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--peer-search-per", choices=["ship", "row"], default="ship")
    p.add_argument("--profile", action="store_true",
                   help="then run the peer once under cProfile at the first latency, top 10 cumulative")
    p.add_argument("--keep", help="keep outputs, server logs and the built world in this folder")
    a = p.parse_args()

    binary = os.path.abspath(a.shipchips)
    tmp = a.keep or tempfile.mkdtemp(prefix="peer-e2e-")
    os.makedirs(tmp, exist_ok=True)
    world = os.path.abspath(a.world) if a.world else os.path.join(tmp, "world")
    config = os.path.abspath(a.config) if a.config else os.path.join(tmp, "config.yaml")
    if not a.config:
        with open(config, "w") as f:
            f.write("# every key at its default (paths come from SHIPCHIPS_* overrides)\n")
    built_here = False
    if not os.path.exists(os.path.join(world, "world.json")):
        print(f"building the fixture world in {world} ...", file=sys.stderr)
        subprocess.run([binary, "fixture", "build", "--out", world, "--scenes", str(a.scenes), "--seed",
                        str(a.seed), "--ships-per-scene", str(a.ships_per_scene), "--size", a.size],
                       check=True, stdout=subprocess.DEVNULL)
        built_here = not a.world
    ais = os.path.join(world, "ais", "ais_upload.csv")
    with open(os.path.join(world, "world.json")) as f:
        wj = json.load(f)
    with open(ais) as f:
        ais_rows = sum(1 for _ in f) - 1
    world_desc = (f"{wj['size']}, {len(wj['scenes'])} scenes, {wj['ships']} ships, seed {wj['seed']}; "
                  f"`ais_upload.csv` {ais_rows} rows")

    results = []
    for latency in [int(v) for v in a.latencies.split(",") if v != ""]:
        server = Server(binary, world, latency, tmp)
        best = {}
        try:
            for rep in range(a.repeat):
                for tool in ("shipchips", "peer"):
                    out = os.path.join(tmp, f"{tool}-{latency}ms-{rep}")
                    shutil.rmtree(out, ignore_errors=True)
                    os.makedirs(out)
                    if tool == "shipchips":
                        cmd = [binary, "--config", config, "chip", "--ais", ais, "--json"]
                        env = clean_env({"SHIPCHIPS_STAC_ENDPOINT": server.url,
                                         "SHIPCHIPS_STORAGE_DATASET_ROOT": out,
                                         "SHIPCHIPS_LOGGING_FILE": os.path.join(out, "run.log")})
                    else:
                        cmd = ["/usr/bin/python3", PEER, "--ais", ais, "--stac", server.url, "--out", out,
                               "--search-per", a.peer_search_per, "--json"]
                        env = clean_env({})
                    mark = server.mark()
                    stdout_path = os.path.join(tmp, f"{tool}-{latency}ms-{rep}.out")
                    wall, cpu = run(cmd, env, out, stdout_path)
                    time.sleep(0.2)  # let the server flush its log
                    stac, cog, nbytes = server.traffic(mark)
                    chips = count_chips(out)
                    r = {"wall": wall, "cpu": cpu, "chips": chips, "stac": stac, "cog": cog, "bytes": nbytes,
                         "out": out, "stages": stages_of(stdout_path)}
                    print(f"  {latency} ms run {rep + 1}/{a.repeat} {tool:9s}: {wall:7.2f} s wall, {cpu:7.2f} s CPU, "
                          f"{chips} chips, {stac} STAC + {cog} COG requests, {nbytes / 1e6:.1f} MB", file=sys.stderr)
                    if tool not in best or wall < best[tool]["wall"]:
                        best[tool] = r
        finally:
            server.stop()
        ours, peer = chip_keys(best["shipchips"]["out"]), chip_keys(best["peer"]["out"])
        results.append((latency, best, len(ours & peer)))

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    print()
    print(f"World: {world_desc}. Peer: rasterio {peer_version()}, search per {a.peer_search_per}. "
          f"Best of {a.repeat} by wall.")
    print()
    print("| date (UTC) | latency | tool | wall s | CPU s (user+sys) | chips | chips/s | STAC req | COG req "
          "| COG MB | ratio chips/s | ratio CPU s/chip |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for latency, best, common in results:
        s, q = best["shipchips"], best["peer"]
        rate = lambda r: r["chips"] / r["wall"] if r["wall"] > 0 else 0.0
        cpc = lambda r: r["cpu"] / r["chips"] if r["chips"] else float("nan")
        ratio = rate(s) / rate(q) if rate(q) > 0 else float("nan")
        cpu_ratio = cpc(q) / cpc(s) if s["chips"] else float("nan")
        for name, r, extra in (("shipchips chip", s, f"**{ratio:.1f}×** | {cpu_ratio:.1f}×"),
                               ("peer_rasterio.py", q, "| ")):
            print(f"| {now if name.startswith('ship') else ''} | {latency} ms | {name} | {r['wall']:.2f} | "
                  f"{r['cpu']:.2f} | {r['chips']} | {rate(r):.2f} | {r['stac']} | {r['cog']} | "
                  f"{r['bytes'] / 1e6:.1f} | {extra} |")
        print(f"<!-- {latency} ms: {common} (mmsi, scene) chips written by both -->")

    print()
    print("CPU ms per chip written, by stage (fetch_wait and search: wall ms per chip):")
    print()
    names = ["ais_read", "search", "fetch_wait", "decode", "resample", "reflectance", "gate", "encode",
             "quicklook", "sidecars", "index"]
    print("| stage | " + " | ".join(f"{lat} ms shipchips | {lat} ms peer" for lat, _, _ in results) + " |")
    print("|---|" + "---|---|" * len(results))
    for name in names + ["other (CPU)", "total CPU"]:
        cells = []
        for _, best, _ in results:
            for tool in ("shipchips", "peer"):
                r = best[tool]
                st, chips = r["stages"], max(r["chips"], 1)
                cpu_in_stages = sum(v for k, v in st.items() if k not in ("search", "fetch_wait"))
                if name == "other (CPU)":
                    v = r["cpu"] * 1000 - cpu_in_stages
                elif name == "total CPU":
                    v = r["cpu"] * 1000
                else:
                    v = st.get(name)
                cells.append("–" if v is None else f"{v / chips:.1f}")
        print(f"| {name} | " + " | ".join(cells) + " |")

    if a.profile:
        latency = int(a.latencies.split(",")[0])
        server = Server(binary, world, latency, tmp)
        out = os.path.join(tmp, f"peer-profile-{latency}ms")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        prof = os.path.join(tmp, "peer.prof")
        try:
            run(["/usr/bin/python3", "-m", "cProfile", "-o", prof, PEER, "--ais", ais, "--stac", server.url,
                 "--out", out, "--search-per", a.peer_search_per], clean_env({}), out,
                os.path.join(tmp, "peer-profile.out"))
        finally:
            server.stop()
        import pstats
        print(f"\ncProfile of the peer at {latency} ms (top 10 by cumulative; {prof}):")
        pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(10)

    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    elif built_here:
        print(f"world kept in {world}", file=sys.stderr)
    return 0


def peer_version():
    try:
        return subprocess.run(["/usr/bin/python3", "-c", "import rasterio;print(rasterio.__version__, 'GDAL',"
                               " rasterio.__gdal_version__)"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
