#!/usr/bin/python3
"""Compare `shipchips tle propagate --verify` output with Vallado's tcppver.out.

usage: compare_tcppver.py OURS.out TCPPVER.out OURS.err SGP4-VER.TLE

- Same satellites in the same order, the same number of lines each, the same times.
- Position within 1e-5 km and velocity within 1e-8 km/s (norm of the difference) at every
  line; osculating elements within one unit of their last printed digit; the same date.
- Propagation errors: the satellite, time and code our binary reports on stderr must equal
  those of Debian's python3-sgp4 (an independent implementation: Satrec, WGS-72, opsmode 'i')
  stepping the same way, and every satellite whose tcppver.out block ends early must be one
  of them.
Prints the maximum errors per satellite; exits 1 on any breach.
"""
import math
import re
import sys

POS_TOL_KM = 1e-5
VEL_TOL_KM_S = 1e-8
TIME_TOL_MIN = 1e-7
# Last printed digit of a, e, i, node, argp, nu, M (tcppver.out: %14.6f %8.6f %10.5f x5).
ELEMENT_TOL = [1.0000001e-6, 1.0000001e-6] + [1.0000001e-5] * 5


def parse_blocks(path):
    blocks = []
    with open(path) as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            fields = line.split()
            if len(fields) == 2 and fields[1] == "xx":
                blocks.append((int(fields[0]), []))
                continue
            if not blocks:
                raise SystemExit(f"{path}:{lineno}: data before the first 'xx' header")
            numbers = [float(x) for x in fields[:7]]
            if len(numbers) != 7:
                raise SystemExit(f"{path}:{lineno}: expected at least 7 numbers")
            elements = None
            date = None
            if len(fields) > 7:
                elements = [float(x) for x in fields[7:14]]
                # "2000  6 28  0:50:19.733571" or "12: 0: 0.000000": normalise the spaces.
                date = " ".join(fields[14:17]) + " " + "".join(fields[17:])
            blocks[-1][1].append((lineno, numbers, elements, date))
    return blocks


def angle_diff(a, b):
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def oracle_errors(tle_path):
    from sgp4.api import Satrec, WGS72  # Debian python3-sgp4, pure-Python model

    errors = []
    lines = open(tle_path).read().splitlines()
    i = 0
    while i < len(lines):
        l1 = lines[i]
        if not l1.startswith("1 "):
            i += 1
            continue
        l2 = lines[i + 1]
        i += 2
        sat = Satrec.twoline2rv(l1, l2[:69], WGS72)
        start, stop, step = (float(x) for x in l2[69:].split())
        e, r, v = sat.sgp4_tsince(0.0)
        if e:
            errors.append((sat.satnum, 0.0, e))
            continue
        t = start
        if abs(t) > 1e-8:
            t -= step
        while t < stop:
            t += step
            if t > stop:
                t = stop
            e, r, v = sat.sgp4_tsince(t)
            if e:
                errors.append((sat.satnum, t, e))
                break
    return errors


def full_schedules(tle_path):
    """Times of every line of each satellite if nothing failed (the reference's stepping)."""
    out = []
    lines = open(tle_path).read().splitlines()
    for i, l1 in enumerate(lines):
        if not l1.startswith("1 "):
            continue
        start, stop, step = (float(x) for x in lines[i + 1][69:].split())
        times = [0.0]
        t = start
        if abs(t) > 1e-8:
            t -= step
        while t < stop:
            t += step
            if t > stop:
                t = stop
            times.append(t)
        out.append(times)
    return out


def our_errors(path):
    pattern = re.compile(r"# \*\*\* error: satnum (\d+) t:= (\S+) \*\*\* code =\s*(\d+)")
    out = []
    for line in open(path):
        m = pattern.search(line)
        if m:
            out.append((int(m.group(1)), float(m.group(2)), int(m.group(3))))
        elif line.startswith("shipchips tle propagate: ") and "element sets" in line:
            continue  # the closing summary (checked by test_sgp4_verify.sh)
        elif line.strip():
            raise SystemExit(f"unexpected stderr line: {line.rstrip()}")
    return out


def main():
    ours_path, ref_path, err_path, tle_path = sys.argv[1:5]
    ours = parse_blocks(ours_path)
    ref = parse_blocks(ref_path)
    failures = []
    if [b[0] for b in ours] != [b[0] for b in ref]:
        failures.append(f"satellite order differs: {[b[0] for b in ours]} vs {[b[0] for b in ref]}")
    worst = {"pos": 0.0, "vel": 0.0}
    print(f"{'sat':>6} {'lines':>5} {'max |dr| km':>12} {'max |dv| km/s':>14} {'max elem diff':>13}")
    for (sat, our_lines), (ref_sat, ref_lines) in zip(ours, ref):
        if len(our_lines) != len(ref_lines):
            failures.append(f"satellite {sat}: {len(our_lines)} lines, tcppver.out has {len(ref_lines)}")
        max_dr = max_dv = max_el = 0.0
        for (ln, a, ael, adate), (rln, b, bel, bdate) in zip(our_lines, ref_lines):
            if abs(a[0] - b[0]) > TIME_TOL_MIN:
                failures.append(f"satellite {sat} line {ln}: tsince {a[0]} vs {b[0]} (tcppver.out:{rln})")
                continue
            dr = math.dist(a[1:4], b[1:4])
            dv = math.dist(a[4:7], b[4:7])
            max_dr, max_dv = max(max_dr, dr), max(max_dv, dv)
            if dr > POS_TOL_KM or dv > VEL_TOL_KM_S:
                failures.append(f"satellite {sat} t={a[0]}: |dr|={dr:.3e} km |dv|={dv:.3e} km/s (tcppver.out:{rln})")
            if (ael is None) != (bel is None):
                failures.append(f"satellite {sat} t={a[0]}: element columns present in only one file")
                continue
            if ael is not None:
                for k, (x, y, tol) in enumerate(zip(ael, bel, ELEMENT_TOL)):
                    d = abs(x - y) if k < 2 else angle_diff(x, y)
                    max_el = max(max_el, d)
                    if d > tol:
                        failures.append(f"satellite {sat} t={a[0]}: element {k} {x} vs {y} (tcppver.out:{rln})")
                if adate != bdate:
                    failures.append(f"satellite {sat} t={a[0]}: date '{adate}' vs '{bdate}'")
        worst["pos"] = max(worst["pos"], max_dr)
        worst["vel"] = max(worst["vel"], max_dv)
        print(f"{sat:>6} {len(our_lines):>5} {max_dr:>12.3e} {max_dv:>14.3e} {max_el:>13.3e}")

    expected = oracle_errors(tle_path)
    got = our_errors(err_path)
    print(f"errors (python3-sgp4): {expected}")
    print(f"errors (shipchips):    {got}")
    if len(got) != len(expected) or any(
        g[0] != e[0] or abs(g[1] - e[1]) > 1e-6 or g[2] != e[2] for g, e in zip(got, expected)
    ):
        failures.append("propagation errors differ from python3-sgp4")
    # Every tcppver.out block that ends before its stop time must end where we report the error.
    got_by_sat = {}
    for sat, t, code in got:
        got_by_sat.setdefault(sat, []).append((t, code))
    for (sat, ref_lines), full_times in zip(ref, full_schedules(tle_path)):
        if len(ref_lines) == len(full_times):
            continue
        reported = got_by_sat.get(sat, [])
        if len(ref_lines) == 1:
            first_missing = 0.0  # the epoch propagation itself failed
        else:
            first_missing = full_times[len(ref_lines)]
        if not any(abs(t - first_missing) < 1e-6 for t, _ in reported):
            failures.append(f"satellite {sat}: tcppver.out ends before t={first_missing} but no error reported there")
    if len(got) != 7:
        failures.append(f"{len(got)} propagation errors reported; the verification set has seven")

    print(f"max |dr| = {worst['pos']:.3e} km (tolerance {POS_TOL_KM}), "
          f"max |dv| = {worst['vel']:.3e} km/s (tolerance {VEL_TOL_KM_S})")
    if failures:
        print("FAIL:")
        for f in failures[:50]:
            print("  " + f)
        return 1
    print("OK: every line of tcppver.out reproduced within tolerance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
