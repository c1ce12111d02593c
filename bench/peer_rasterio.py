#!/usr/bin/python3
"""The Python peer of `shipchips chip --ais FILE`: what a competent rasterio user would write.

Same job, same defaults as config.yaml (stac, tiling, gate sections), written the obvious way:
- read the upload AIS CSV (mmsi, lat, lon, overpass_time, ...) with the csv module;
- search the STAC API (POST /search, Earth Search v1 shape) with requests: by default one search
  per ship (the bbox of its pings, its time span +- the search window), or with
  `--search-per row` literally one search per AIS row (intersects = the ping, +- the window);
- per AIS row, the closest scene whose footprint holds the ping, within the window and the
  cloud limit; one chip per (ship, scene);
- the ship's position at the scene's datetime, linear between the bracketing pings;
- per chip, every asset (blue green red nir + scl) opened with rasterio.open(https URL), i.e.
  /vsicurl/ with GDAL's default caches (rasterio's default Env, nothing tuned), a 256 x 256
  boundless window on the scene's 10 m grid with the ship in pixel (128, 128), SCL (20 m)
  read onto the same grid by nearest resampling;
- reflectance = DN * scale + offset from the asset's raster:bands, except that Earth Search's
  `earthsearch:boa_offset_applied: true` means the offset was already subtracted;
- the gate on the 64 px centre (SCL cloud/shadow/land, NDWI water), same thresholds;
- a float32 DEFLATE GeoTIFF (tiled 256, overviews 2 4 8 16, like the product's COG; DEFLATE
  level 1 without a predictor, the product's defaults, so both write the same encoding:
  --zlevel/--predictor to change), a JSON sidecar and an RGB 2-98 % quicklook JPEG per chip.
- CPU time by stage (as `shipchips chip --json` reports it: stage_ms) in the summary.

Run with Debian's python3 (python3-rasterio, python3-requests, python3-shapely, python3-pil):
  /usr/bin/python3 bench/peer_rasterio.py --ais world/ais/ais_upload.csv \
      --stac http://127.0.0.1:PORT --out /tmp/peer-out [--search-per ship|row] [--json]
Prints a summary (JSON with --json). Chips go to OUT/chips/{mmsi}/{YYYYMMDD}/.
"""

import argparse
import bisect
import csv
import json
import math
import os
import sys
import time
from datetime import datetime, timedelta, timezone

import numpy as np
import rasterio
import requests
from PIL import Image
from rasterio.enums import Resampling
from rasterio.transform import Affine
from rasterio.warp import transform as warp_transform
from rasterio.windows import Window
from shapely.geometry import Point, shape
from shapely.prepared import prep

BANDS = [("B02", "blue"), ("B03", "green"), ("B04", "red"), ("B08", "nir")]

# CPU ms by stage, named as shipchips names them; fetch_wait is the wall time of the reads
# beyond their CPU time.
STAGES = {k: 0.0 for k in ("ais_read", "search", "fetch_wait", "decode", "reflectance", "gate", "encode",
                           "quicklook", "sidecars")}


class Stage:
    """Adds the CPU time of the block to STAGES[name] (with wait: the rest of the wall time too)."""

    def __init__(self, name, wait=None):
        self.name, self.wait = name, wait

    def __enter__(self):
        self.cpu, self.wall = time.process_time(), time.monotonic()

    def __exit__(self, *exc):
        cpu = time.process_time() - self.cpu
        STAGES[self.name] += cpu * 1000
        if self.wait:
            STAGES[self.wait] += max(0.0, time.monotonic() - self.wall - cpu) * 1000
SCL_ASSET = "scl"
CLOUD, SHADOW, LAND, WATER, NODATA = {8, 9, 10}, {3}, {4, 5}, {6}, {0, 1}


def parse_time(text):
    text = text.strip().replace("Z", "+00:00")
    t = datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def iso(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_ais(path):
    """Rows as dicts plus per-ship tracks (sorted times, lats, lons)."""
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            try:
                rows.append({"mmsi": int(r["mmsi"]), "lat": float(r["lat"]), "lon": float(r["lon"]),
                             "time": parse_time(r["overpass_time"]), "name": r.get("name", "")})
            except (KeyError, ValueError):
                continue  # a bad row: skip it, as shipchips does without --strict
    tracks = {}
    for r in rows:
        tracks.setdefault(r["mmsi"], []).append(r)
    for mmsi, pings in tracks.items():
        pings.sort(key=lambda p: p["time"])
        tracks[mmsi] = {"t": [p["time"].timestamp() for p in pings], "lat": [p["lat"] for p in pings],
                        "lon": [p["lon"] for p in pings], "name": pings[0]["name"]}
    return rows, tracks


class Stac:
    def __init__(self, endpoint, collection, cloud_max, window_h, limit=100):
        self.url = endpoint.rstrip("/") + "/search"
        self.session = requests.Session()
        self.collection, self.cloud_max, self.window = collection, cloud_max, timedelta(hours=window_h)
        self.limit = limit
        self.items = {}      # id -> item (with a prepared footprint)
        self.searches = 0

    def search(self, start, end, bbox=None, intersects=None):
        body = {"collections": [self.collection], "limit": self.limit,
                "datetime": f"{iso(start)}/{iso(end)}",
                "query": {"eo:cloud_cover": {"lte": self.cloud_max}},
                "sortby": [{"field": "properties.datetime", "direction": "asc"}]}
        if bbox is not None:
            body["bbox"] = bbox
        else:
            body["intersects"] = intersects
        found = []
        while body is not None:
            resp = self.session.post(self.url, json=body, timeout=60)
            resp.raise_for_status()
            self.searches += 1
            page = resp.json()
            for feat in page["features"]:
                item = self.items.get(feat["id"])
                if item is None:
                    feat["_footprint"] = prep(shape(feat["geometry"]))
                    feat["_datetime"] = parse_time(feat["properties"]["datetime"])
                    item = self.items[feat["id"]] = feat
                found.append(item)
            nxt = [l for l in page.get("links", []) if l.get("rel") == "next"]
            body = nxt[0].get("body") if nxt else None
        return found


def best_scene(items, lon, lat, t, window_s, cloud_max):
    best = None
    pt = Point(lon, lat)
    for item in items:
        dt = (item["_datetime"] - t).total_seconds()
        if abs(dt) > window_s:
            continue
        cc = item["properties"].get("eo:cloud_cover")
        if cc is not None and cc > cloud_max:
            continue
        if not item["_footprint"].contains(pt):
            continue
        key = (abs(dt), item["id"])
        if best is None or key < best[0]:
            best = (key, item)
    return best[1] if best else None


def position_at(track, t, max_gap_s, max_extrap_s):
    """Linear between the bracketing pings; the nearest ping within max_extrap_s of the track's
    ends; None across a gap longer than max_gap_s."""
    ts = track["t"]
    i = bisect.bisect_left(ts, t)
    if i < len(ts) and ts[i] == t:
        return track["lat"][i], track["lon"][i], "exact"
    if i == 0:
        return (track["lat"][0], track["lon"][0], "nearest") if ts[0] - t <= max_extrap_s else None
    if i == len(ts):
        return (track["lat"][-1], track["lon"][-1], "nearest") if t - ts[-1] <= max_extrap_s else None
    t0, t1 = ts[i - 1], ts[i]
    if t1 - t0 > max_gap_s:
        return None
    w = (t - t0) / (t1 - t0)
    lat = track["lat"][i - 1] + w * (track["lat"][i] - track["lat"][i - 1])
    lon = track["lon"][i - 1] + w * (track["lon"][i] - track["lon"][i - 1])
    return lat, lon, "interpolated"


def reflectance_rule(item, asset):
    rb = (asset.get("raster:bands") or [{}])[0]
    scale, offset = rb.get("scale", 0.0001), rb.get("offset", 0.0)
    if item["properties"].get("earthsearch:boa_offset_applied"):
        offset = 0.0  # Earth Search already subtracted it although raster:bands still declares it
    return scale, offset


def gate(scl, green, nir, a):
    n = a.center_px
    s = scl.shape[0] // 2 - n // 2
    c_scl = scl[s:s + n, s:s + n].astype(np.int32)
    g, ni = green[s:s + n, s:s + n], nir[s:s + n, s:s + n]
    total = float(n * n)
    scl_valid = ~np.isin(c_scl, list(NODATA))
    valid = scl_valid & ~np.isnan(g) & ~np.isnan(ni)
    if not valid.any():
        return False, "centre all nodata", {}
    with np.errstate(invalid="ignore", divide="ignore"):
        ndwi = (g - ni) / (g + ni)
    stats = {"cloud": float((np.isin(c_scl, list(CLOUD)) & scl_valid).sum() / total),
             "shadow": float((np.isin(c_scl, list(SHADOW)) & scl_valid).sum() / total),
             "land": float((np.isin(c_scl, list(LAND)) & scl_valid).sum() / total),
             "ndwi_water": float(np.nan_to_num(ndwi > a.ndwi_thresh).sum() / total)}
    why = []
    if stats["cloud"] > a.max_cloud:
        why.append("cloud")
    if stats["shadow"] > a.max_shadow:
        why.append("shadow")
    if stats["land"] > a.max_land:
        why.append("land")
    if stats["ndwi_water"] < a.min_water:
        why.append("ndwi water")
    return not why, "; ".join(why), stats


def quicklook(path, rgb):
    out = []
    for band in rgb:
        v = band[np.isfinite(band)]
        lo, hi = (np.percentile(v, [2, 98]) if v.size else (0.0, 1.0))
        scaled = np.clip((np.nan_to_num(band, nan=lo) - lo) / max(hi - lo, 1e-6), 0, 1)
        out.append((scaled * 255).astype(np.uint8))
    Image.fromarray(np.dstack(out), "RGB").save(path, "JPEG", quality=90)


def make_chip(item, mmsi, lat, lon, how, a, out_root):
    size, half = a.chip_size, a.chip_size // 2
    epsg = item["properties"]["proj:epsg"]
    xs, ys = warp_transform("EPSG:4326", f"EPSG:{epsg}", [lon], [lat])
    x, y = xs[0], ys[0]
    bands, transform, win, crs = [], None, None, None
    for name, key in BANDS:
        asset = item["assets"][key]
        with Stage("decode", wait="fetch_wait"):
            with rasterio.open(asset["href"]) as src:  # /vsicurl/, GDAL defaults
                if win is None:
                    t = src.transform
                    col, row = math.floor((x - t.c) / t.a), math.floor((y - t.f) / t.e)
                    win = Window(col - half, row - half, size, size)
                    transform = src.window_transform(win)
                    crs = src.crs
                dn = src.read(1, window=win, boundless=True, fill_value=0)
        with Stage("reflectance"):
            scale, offset = reflectance_rule(item, asset)
            refl = dn.astype(np.float32) * np.float32(scale) + np.float32(offset)
            refl[dn == 0] = np.nan
        bands.append(refl)
    if np.isnan(bands[0][half, half]):
        return "nodata", None
    with Stage("decode", wait="fetch_wait"):
        with rasterio.open(item["assets"][SCL_ASSET]["href"]) as scl_src:
            st = scl_src.transform
            scl_win = Window((transform.c - st.c) / st.a, (transform.f - st.f) / st.e,
                             size * transform.a / st.a, size * transform.e / st.e)
            scl = scl_src.read(1, window=scl_win, out_shape=(size, size), boundless=True, fill_value=0,
                               resampling=Resampling.nearest)
    with Stage("gate"):
        passed, why, stats = gate(scl, bands[1], bands[3], a)
    if not passed:
        return "gate", why
    day = item["_datetime"].strftime("%Y%m%d")
    folder = os.path.join(out_root, "chips", str(mmsi), day)
    os.makedirs(folder, exist_ok=True)
    stem = os.path.join(folder, f"{mmsi}_{item['id']}")
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 4, "dtype": "float32",
               "crs": crs, "transform": transform, "nodata": float("nan"), "compress": "deflate",
               "zlevel": a.zlevel, "predictor": a.predictor, "tiled": True, "blockxsize": 256,
               "blockysize": 256}
    with Stage("encode"):
        with rasterio.open(stem + ".tif.tmp", "w", **profile) as dst:
            dst.write(np.stack(bands))
            dst.descriptions = tuple(b for b, _ in BANDS)
            if a.overviews:
                dst.build_overviews(a.overviews, Resampling.average)
        os.replace(stem + ".tif.tmp", stem + ".tif")
    scale, offset = reflectance_rule(item, item["assets"]["blue"])
    sidecar = {"mmsi": mmsi, "scene_id": item["id"], "collection": item.get("collection"),
               "scene_datetime": item["properties"]["datetime"], "lat": lat, "lon": lon,
               "interpolation": how, "epsg": epsg, "transform": list(transform.to_gdal()),
               "width": size, "height": size, "bands": [b for b, _ in BANDS],
               "cloud_cover": item["properties"].get("eo:cloud_cover"),
               "processing_baseline": item["properties"].get("s2:processing_baseline"),
               "reflectance": {"scale": scale, "offset": offset}, "gate": stats}
    with Stage("sidecars"):
        with open(stem + ".json.tmp", "w") as f:
            json.dump(sidecar, f, indent=2)
        os.replace(stem + ".json.tmp", stem + ".json")
    with Stage("quicklook"):
        quicklook(stem + "_quicklook.jpg", [bands[2], bands[1], bands[0]])
    return "written", None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ais", required=True)
    p.add_argument("--stac", default=os.environ.get("SHIPCHIPS_STAC_ENDPOINT",
                                                    "https://earth-search.aws.element84.com/v1"))
    p.add_argument("--out", required=True)
    p.add_argument("--collection", default="sentinel-2-l2a")
    p.add_argument("--cloud-cover-max", type=float, default=30)
    p.add_argument("--window-hours", type=float, default=12)
    p.add_argument("--search-per", choices=["ship", "row"], default="ship")
    p.add_argument("--max-rows", type=int, default=0, help="only the first N AIS rows (0: all)")
    p.add_argument("--max-gap-s", type=float, default=600)
    p.add_argument("--max-extrapolation-s", type=float, default=120)
    p.add_argument("--chip-size", type=int, default=256)
    p.add_argument("--overviews", type=lambda s: [int(v) for v in s.split(",") if v], default=[2, 4, 8, 16])
    p.add_argument("--zlevel", type=int, default=1, help="DEFLATE level (the product's tiling.compression_level)")
    p.add_argument("--predictor", type=int, choices=[1, 3], default=1,
                   help="TIFF predictor: 1 none (the product's default), 3 floating point")
    p.add_argument("--center-px", type=int, default=64)
    p.add_argument("--max-cloud", type=float, default=0.2)
    p.add_argument("--max-shadow", type=float, default=0.2)
    p.add_argument("--max-land", type=float, default=0.3)
    p.add_argument("--min-water", type=float, default=0.5)
    p.add_argument("--ndwi-thresh", type=float, default=0.0)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    t_start = time.monotonic()
    with Stage("ais_read"):
        rows, tracks = read_ais(a.ais)
    if a.max_rows:
        rows = rows[:a.max_rows]
    t_read = time.monotonic()
    stac = Stac(a.stac, a.collection, a.cloud_cover_max, a.window_hours)
    window_s = a.window_hours * 3600
    pairs = {}  # (mmsi, scene id) -> item, in first-seen order
    no_scene = 0
    if a.search_per == "ship":
        ship_items = {}
        for mmsi, tr in tracks.items():
            lats, lons = tr["lat"], tr["lon"]
            bbox = [min(lons) - 0.01, min(lats) - 0.01, max(lons) + 0.01, max(lats) + 0.01]
            t0 = datetime.fromtimestamp(tr["t"][0], timezone.utc) - stac.window
            t1 = datetime.fromtimestamp(tr["t"][-1], timezone.utc) + stac.window
            ship_items[mmsi] = stac.search(t0, t1, bbox=bbox)
        for r in rows:
            item = best_scene(ship_items[r["mmsi"]], r["lon"], r["lat"], r["time"], window_s, a.cloud_cover_max)
            if item is None:
                no_scene += 1
            else:
                pairs.setdefault((r["mmsi"], item["id"]), item)
    else:
        for r in rows:
            found = stac.search(r["time"] - stac.window, r["time"] + stac.window,
                                intersects={"type": "Point", "coordinates": [r["lon"], r["lat"]]})
            item = best_scene(found, r["lon"], r["lat"], r["time"], window_s, a.cloud_cover_max)
            if item is None:
                no_scene += 1
            else:
                pairs.setdefault((r["mmsi"], item["id"]), item)
    t_search = time.monotonic()
    STAGES["search"] += (t_search - t_read) * 1000  # wall, as shipchips counts it

    counts = {"written": 0, "gate": 0, "nodata": 0, "no_position": 0, "failed": 0}
    errors = []
    for (mmsi, _), item in pairs.items():
        pos = position_at(tracks[mmsi], item["_datetime"].timestamp(), a.max_gap_s, a.max_extrapolation_s)
        if pos is None:
            counts["no_position"] += 1
            continue
        try:
            outcome, _ = make_chip(item, mmsi, pos[0], pos[1], pos[2], a, a.out)
            counts[outcome] += 1
        except (rasterio.errors.RasterioError, OSError) as e:
            counts["failed"] += 1
            errors.append(f"{mmsi} {item['id']}: {e}")
    t_end = time.monotonic()

    summary = {"ais_rows": len(rows), "ships": len(tracks), "search_per": a.search_per,
               "stac_searches": stac.searches, "no_scene_rows": no_scene, "chips_planned": len(pairs),
               **counts, "errors": errors[:10],
               "seconds": {"read_ais": round(t_read - t_start, 3), "search": round(t_search - t_read, 3),
                           "chips": round(t_end - t_search, 3), "total": round(t_end - t_start, 3)},
               "stage_ms": {k: round(v, 1) for k, v in STAGES.items()}}
    if a.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"peer_rasterio: {summary['written']} chips written of {len(pairs)} planned "
              f"({counts['gate']} gated, {counts['nodata']} nodata, {counts['no_position']} no position, "
              f"{counts['failed']} failed); {stac.searches} STAC searches; {len(rows)} AIS rows, "
              f"{len(tracks)} ships; {summary['seconds']}")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
