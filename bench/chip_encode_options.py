#!/usr/bin/python3
"""Chip GeoTIFF encoding options side by side: `shipchips chip` on one fixture world, one run per
option set, each into a fresh folder against the same `fixture serve` (0 ms latency).

Per option set: the encode stage's CPU ms per chip (chip --json stage_ms.encode: overviews,
predictor, DEFLATE/ZSTD, the file), the process's CPU s, and the chips' bytes on disk (.tif files
only). Option sets are SHIPCHIPS_TILING_* overrides of the defaults; best of --repeat by encode ms.

  /usr/bin/python3 bench/chip_encode_options.py --shipchips build/shipchips --world DIR [--repeat 3]
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the repo
sys.path.insert(0, HERE)
from peer_end_to_end import Server, clean_env, run  # noqa: E402

OPTION_SETS = [
    ("defaults: DEFLATE level 1, no predictor", {}),
    ("DEFLATE level 6 (GDAL's default), no predictor", {"COMPRESSION_LEVEL": "6"}),
    ("DEFLATE level 1, floating-point predictor", {"PREDICTOR": "floating_point"}),
    ("DEFLATE level 6, floating-point predictor (the encoding before)",
     {"COMPRESSION_LEVEL": "6", "PREDICTOR": "floating_point"}),
    ("ZSTD level 1, no predictor", {"COMPRESSION": "zstd"}),
    ("no compression", {"COMPRESSION": "none"}),
]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shipchips", required=True)
    p.add_argument("--world", required=True, help="a world built by `shipchips fixture build`")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    binary = os.path.abspath(a.shipchips)
    world = os.path.abspath(a.world)
    tmp = tempfile.mkdtemp(prefix="chip-encode-")
    config = os.path.join(tmp, "config.yaml")
    with open(config, "w") as f:
        f.write("# every key at its default\n")
    server = Server(binary, world, 0, tmp)
    rows = []
    try:
        for label, overrides in OPTION_SETS:
            best = None
            for rep in range(a.repeat):
                out = os.path.join(tmp, f"out-{len(rows)}-{rep}")
                os.makedirs(out)
                env = clean_env({"SHIPCHIPS_STAC_ENDPOINT": server.url, "SHIPCHIPS_STORAGE_DATASET_ROOT": out,
                                 "SHIPCHIPS_LOGGING_FILE": os.path.join(out, "run.log"),
                                 **{"SHIPCHIPS_TILING_" + k: v for k, v in overrides.items()}})
                stdout = os.path.join(tmp, f"run-{len(rows)}-{rep}.json")
                wall, cpu = run([binary, "--config", config, "chip", "--ais",
                                 os.path.join(world, "ais", "ais_upload.csv"), "--json"], env, out, stdout)
                with open(stdout) as f:
                    report = json.load(f)
                tifs = glob.glob(os.path.join(out, "chips", "**", "*.tif"), recursive=True)
                chips = max(len(tifs), 1)
                r = {"encode": report["stage_ms"]["encode"] / chips, "cpu": cpu, "wall": wall, "chips": len(tifs),
                     "mb": sum(os.path.getsize(t) for t in tifs) / chips / 1e6}
                if best is None or r["encode"] < best["encode"]:
                    best = r
                shutil.rmtree(out)
            rows.append((label, best))
            time.sleep(0.1)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    base = rows[0][1]
    print(f"| encoding | chips | encode CPU ms/chip | process CPU s | MB per chip | size vs defaults |")
    print("|---|---|---|---|---|---|")
    for label, r in rows:
        print(f"| {label} | {r['chips']} | {r['encode']:.1f} | {r['cpu']:.2f} | {r['mb']:.3f} | "
              f"{r['mb'] / base['mb']:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
