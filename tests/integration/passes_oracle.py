#!/usr/bin/python3
"""Independent pass oracle for `shipchips predict-overpasses` (geometry only).

With skyfield (SGP4 + its own TEME -> ITRS and WGS-84 code, builtin timescale, no downloads)
it finds, for one satellite and one tile centre, every time in [start, start + days) when the
sub-satellite point is nearest the tile centre on a descending pass: a scan of the distance
every 10 s for local minima, then a golden-section search on the continuous function to
1e-4 s. The tile centre comes from the tile's UTM square through Snyder's inverse transverse
Mercator (USGS PP 1395, eqs. 8-12 ... 8-25), not from shipchips. The sun is not checked:
skyfield has no ephemeris offline (no de421.bsp).

Usage: passes_oracle.py TLE_FILE CATALOG ZONE HEMI(N|S) XMIN YMIN START_ISO DAYS
Prints one JSON object per pass: closest_approach_utc, centre_distance_km, tle_epoch.
"""
import json
import math
import sys
from datetime import datetime, timedelta, timezone

import numpy as np
from skyfield.api import EarthSatellite, load, wgs84


def utm_inverse(zone, north, x, y):
    """Snyder's inverse transverse Mercator on WGS-84 (sub-millimetre near the zone centre)."""
    a = 6378137.0
    f = 1 / 298.257223563
    e2 = f * (2 - f)
    ep2 = e2 / (1 - e2)
    k0 = 0.9996
    x = x - 500000.0
    if not north:
        y = y - 10000000.0
    m = y / k0
    mu = m / (a * (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256))
    e1 = (1 - math.sqrt(1 - e2)) / (1 + math.sqrt(1 - e2))
    phi1 = (mu + (3 * e1 / 2 - 27 * e1**3 / 32) * math.sin(2 * mu)
            + (21 * e1**2 / 16 - 55 * e1**4 / 32) * math.sin(4 * mu)
            + (151 * e1**3 / 96) * math.sin(6 * mu) + (1097 * e1**4 / 512) * math.sin(8 * mu))
    c1 = ep2 * math.cos(phi1)**2
    t1 = math.tan(phi1)**2
    n1 = a / math.sqrt(1 - e2 * math.sin(phi1)**2)
    r1 = a * (1 - e2) / (1 - e2 * math.sin(phi1)**2)**1.5
    d = x / (n1 * k0)
    lat = phi1 - (n1 * math.tan(phi1) / r1) * (
        d**2 / 2 - (5 + 3 * t1 + 10 * c1 - 4 * c1**2 - 9 * ep2) * d**4 / 24
        + (61 + 90 * t1 + 298 * c1 + 45 * t1**2 - 252 * ep2 - 3 * c1**2) * d**6 / 720)
    lon0 = math.radians(zone * 6 - 183)
    lon = lon0 + (d - (1 + 2 * t1 + c1) * d**3 / 6
                  + (5 - 2 * c1 + 28 * t1 - 3 * c1**2 + 8 * ep2 + 24 * t1**2) * d**5 / 120) / math.cos(phi1)
    return math.degrees(lat), math.degrees(lon)


def read_sets(path, catalog):
    lines = [l.rstrip("\n") for l in open(path) if l.strip()]
    out = []
    for i in range(len(lines) - 1):
        if lines[i].startswith("1 ") and lines[i + 1].startswith("2 ") and int(lines[i][2:7]) == catalog:
            out.append((lines[i], lines[i + 1]))
    return out


def main():
    tle_file, catalog, zone, hemi, xmin, ymin, start_iso, days = sys.argv[1:9]
    catalog, zone, xmin, ymin, days = int(catalog), int(zone), float(xmin), float(ymin), int(days)
    lat_c, lon_c = utm_inverse(zone, hemi == "N", xmin + 54900.0, ymin + 54900.0)
    ts = load.timescale(builtin=True)
    start = datetime.fromisoformat(start_iso).replace(tzinfo=timezone.utc)
    middle = start + timedelta(days=days / 2)
    sats = [EarthSatellite(l1, l2, ts=ts) for l1, l2 in read_sets(tle_file, catalog)]
    if not sats:
        sys.exit(f"no element set for {catalog} in {tle_file}")
    sat = min(sats, key=lambda s: abs((s.epoch.utc_datetime() - middle).total_seconds()))
    centre = np.array(wgs84.latlon(lat_c, lon_c).itrs_xyz.km)

    def subpoint_xyz(seconds):
        t = ts.utc(start.year, start.month, start.day, start.hour, start.minute, start.second + seconds)
        sp = wgs84.subpoint_of(sat.at(t))
        xyz = wgs84.latlon(sp.latitude.degrees, sp.longitude.degrees).itrs_xyz.km
        return np.asarray(xyz), np.asarray(sp.latitude.degrees)

    step = 10.0
    grid = np.arange(0.0, days * 86400.0 + step, step)
    xyz, lat = subpoint_xyz(grid)
    dist = np.linalg.norm(xyz - centre[:, None], axis=0)
    mins = np.where((dist[1:-1] < dist[:-2]) & (dist[1:-1] <= dist[2:]))[0] + 1

    def d_at(s):
        p, _ = subpoint_xyz(np.array([s]))
        return float(np.linalg.norm(p[:, 0] - centre))

    g = (math.sqrt(5) - 1) / 2
    for i in mins:
        if dist[i] > 400.0:
            continue
        a, b = grid[i - 1], grid[i + 1]
        x1, x2 = b - g * (b - a), a + g * (b - a)
        f1, f2 = d_at(x1), d_at(x2)
        while b - a > 1e-4:
            if f1 < f2:
                b, x2, f2 = x2, x1, f1
                x1 = b - g * (b - a)
                f1 = d_at(x1)
            else:
                a, x1, f1 = x1, x2, f2
                x2 = a + g * (b - a)
                f2 = d_at(x2)
        tc = (a + b) / 2
        if tc < 0 or tc >= days * 86400.0:
            continue
        _, lats = subpoint_xyz(np.array([tc - 1.0, tc + 1.0]))
        if lats[1] >= lats[0]:
            continue  # ascending
        when = start + timedelta(seconds=tc)
        print(json.dumps({
            "closest_approach_utc": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "centre_distance_km": d_at(tc),
            "centre_lat": lat_c, "centre_lon": lon_c,
            "tle_epoch": sat.epoch.utc_iso(),
        }))


if __name__ == "__main__":
    main()
