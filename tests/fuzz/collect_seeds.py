#!/usr/bin/env python3
"""Collects the seed corpus of every fuzz target into OUT/seeds/<target>/.

Seeds come from the shared reference data (../shared/reference: real AIS files, TLEs, OMM
samples, an ESA plan, Earth Search responses), cut into pieces a fuzzer can mutate quickly,
from the repository's own config files, and from the hand-written seeds in
tests/fuzz/seeds/<target>/. Also creates OUT/corpus/<target>/ (where libFuzzer keeps what it
finds) and OUT/artifacts/ (crash inputs). Run by the build (tests/fuzz/CMakeLists.txt):

  collect_seeds.py --reference DIR --hand-written tests/fuzz/seeds --out BUILD/tests/fuzz
"""

import argparse
import copy
import csv
import datetime
import io
import json
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE.parent.parent


def targets():
    return sorted(p.stem[len("fuzz_"):] for p in HERE.glob("fuzz_*.cpp"))


class Seeds:
    """The seed folder of one target; every seed gets a stable name."""

    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    def add(self, name, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self.folder / name
        if path.exists():
            sys.exit("collect_seeds: two seeds named %s" % path)
        path.write_bytes(data)
        self.count += 1


def nmea_xor(body):
    value = 0
    for c in body.encode("latin-1"):
        value ^= c
    return value


def tag_block(fields):
    return "\\%s*%02X\\" % (fields, nmea_xor(fields))


# ---- AIS


def gpsd_sentences(ref):
    text = (ref / "ais/gpsd/sample.aivdm").read_text(encoding="latin-1")
    return [line for line in text.splitlines() if line.startswith("!")]


def nmea_chunks(ref, size=12):
    lines = gpsd_sentences(ref)
    return [lines[i:i + size] for i in range(0, len(lines), size)]


def with_receiver_times(lines, start=1671620143, form="tag"):
    """The sentences as a receiver logs them: NMEA 4.0 tag blocks or the USCG trailing fields."""
    out = []
    for i, line in enumerate(lines):
        t = start + 7 * i
        if form == "tag":
            out.append(tag_block("s:FUZZ,c:%d" % t) + line)
        else:
            out.append("%s,rFUZZ,%d" % (line, t))
    return out


def collect_nmea(ref, seeds):
    for i, chunk in enumerate(nmea_chunks(ref)):
        seeds.add("gpsd-%02d.aivdm" % i, "\n".join(chunk) + "\n")
    for i, chunk in enumerate(nmea_chunks(ref)[:6]):
        seeds.add("gpsd-tag-%02d.aivdm" % i, "\n".join(with_receiver_times(chunk)) + "\n")
        seeds.add("gpsd-uscg-%02d.aivdm" % i, "\r\n".join(with_receiver_times(chunk, form="uscg")) + "\r\n")


def head_lines(path, rows):
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    return "".join(lines[:rows + 1])


MARINECADASTRE_TO_UPLOAD = {
    "MMSI": "mmsi", "BaseDateTime": "overpass_time", "LAT": "lat", "LON": "lon", "SOG": "sog",
    "COG": "cog", "Heading": "heading", "VesselName": "name", "IMO": "imo", "CallSign": "callsign",
    "VesselType": "ship_type", "Status": "nav_status", "Draft": "draught", "TransceiverClass": "class",
}


def upload_csv_from_marinecadastre(path, rows):
    """A MarineCadastre file in the seed's upload schema (mmsi, lat, lon, overpass_time, ...)."""
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = [c for c in reader.fieldnames if c in MARINECADASTRE_TO_UPLOAD]
    writer.writerow([MARINECADASTRE_TO_UPLOAD[c] for c in columns])
    for n, row in enumerate(reader):
        if n >= rows:
            break
        values = []
        for c in columns:
            v = row[c]
            if c == "BaseDateTime":
                v += "Z"
            if c == "IMO":
                v = v.replace("IMO", "")
            values.append(v)
        writer.writerow(values)
    return out.getvalue()


def collect_ais_csv(ref, seeds):
    for path in sorted((ref / "ais/dma").glob("*.csv")):
        seeds.add("dma-" + path.stem[:24] + ".csv", head_lines(path, 12))
    for path in sorted((ref / "ais/marinecadastre").glob("*.csv")):
        seeds.add("mc-" + path.stem[:34] + ".csv", path.read_bytes())
        seeds.add("upload-" + path.stem[:34] + ".csv", upload_csv_from_marinecadastre(path, 10))
    for i, chunk in enumerate(nmea_chunks(ref)[:3]):
        seeds.add("nmea-tag-%02d.csv" % i, "\n".join(with_receiver_times(chunk)) + "\n")


def stored_zip(data):
    """The same archive with every member stored, not deflated: a mutation of the sheet's XML
    then changes the XML itself, not a compressed stream."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def collect_ais_xlsx(ref, seeds):
    ogr2ogr = shutil.which("ogr2ogr")
    if not ogr2ogr:
        print("collect_seeds: ogr2ogr (gdal-bin) not found: no XLSX seeds made from the reference CSVs",
              file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for n, path in enumerate(sorted((ref / "ais/marinecadastre").glob("*.csv"))):
            csv_path = Path(tmp) / ("upload_marinecadastre_%d.csv" % n)
            csv_path.write_text(upload_csv_from_marinecadastre(path, 6))
            for typed in (False, True):
                xlsx = Path(tmp) / (csv_path.stem + ("_typed" if typed else "_text") + ".xlsx")
                command = [ogr2ogr, "-f", "XLSX"] + (["-oo", "AUTODETECT_TYPE=YES"] if typed else []) + [
                    str(xlsx), str(csv_path)]
                subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
                seeds.add(xlsx.name, stored_zip(xlsx.read_bytes()))


# ---- Element sets


def tle_sets(text):
    """(title, line1, line2) of every set in a TLE text; title may be ''."""
    lines = [l.rstrip() for l in text.splitlines() if l.strip() and not l.startswith("#")]
    out = []
    title = ""
    i = 0
    while i < len(lines):
        if lines[i].startswith("1 ") and i + 1 < len(lines) and lines[i + 1].startswith("2 "):
            out.append((title, lines[i], lines[i + 1]))
            title = ""
            i += 2
        else:
            title = lines[i].strip()
            i += 1
    return out


def tle_exponent(field):
    """A TLE's assumed-decimal exponent field: "-11026-4" is -0.11026e-4."""
    field = field.strip()
    if not field:
        return 0.0
    sign = -1.0 if field[0] == "-" else 1.0
    body = field.lstrip("+-")
    return sign * float("0." + body[:-2]) * 10 ** int(body[-2:])


def omm_of_tle(title, line1, line2):
    """The OMM keywords of a TLE, as Celestrak's GP service writes them."""
    year = int(line1[18:20])
    year += 1900 if year >= 57 else 2000
    day = float(line1[20:32])
    seconds = (day - 1.0) * 86400.0
    epoch = datetime.datetime(year, 1, 1) + datetime.timedelta(seconds=seconds)
    designator = line1[9:17].strip()
    launch_year = int(designator[:2]) if designator[:2].isdigit() else 0
    launch_year += 1900 if launch_year >= 57 else 2000
    return {
        "OBJECT_NAME": title or "UNKNOWN",
        "OBJECT_ID": "%d-%s" % (launch_year, designator[2:]) if designator else "",
        "EPOCH": epoch.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "MEAN_MOTION": float(line2[52:63]),
        "ECCENTRICITY": float("0." + line2[26:33]),
        "INCLINATION": float(line2[8:16]),
        "RA_OF_ASC_NODE": float(line2[17:25]),
        "ARG_OF_PERICENTER": float(line2[34:42]),
        "MEAN_ANOMALY": float(line2[43:51]),
        "EPHEMERIS_TYPE": int(line1[62] if line1[62].strip() else 0),
        "CLASSIFICATION_TYPE": line1[7],
        "NORAD_CAT_ID": int(line1[2:7]),
        "ELEMENT_SET_NO": int(line1[64:68]),
        "REV_AT_EPOCH": int(line2[63:68].strip() or 0),
        "BSTAR": tle_exponent(line1[53:61]),
        "MEAN_MOTION_DOT": float(line1[33:43]),
        "MEAN_MOTION_DDOT": tle_exponent(line1[44:52]),
    }


def reference_omms(ref):
    omms = []
    with open(ref / "sgp4/sample_omm.csv", newline="") as f:
        omms.extend(dict(row) for row in csv.DictReader(f))
    for title, l1, l2 in tle_sets((ref / "tle/sentinel2_tles.txt").read_text()):
        omms.append(omm_of_tle(title, l1, l2))
    return omms


OMM_KEYS = ["OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
            "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID",
            "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"]


def omm_csv(omms):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=OMM_KEYS, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    for o in omms:
        writer.writerow(o)
    return out.getvalue()


def omm_xml(omms):
    """CCSDS NDM/XML as Celestrak's gp.php?FORMAT=xml writes it."""
    meta = ["OBJECT_NAME", "OBJECT_ID"]
    mean = ["EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER",
            "MEAN_ANOMALY"]
    tle = ["EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR",
           "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"]

    def elements(o, keys):
        return "".join("<%s>%s</%s>" % (k, o[k], k) for k in keys)

    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<ndm>\n']
    for o in omms:
        parts.append('<omm id="CCSDS_OMM_VERS" version="2.0"><header><CREATION_DATE/><ORIGINATOR/></header><body>'
                     "<segment><metadata>%s<CENTER_NAME>EARTH</CENTER_NAME><REF_FRAME>TEME</REF_FRAME>"
                     "<TIME_SYSTEM>UTC</TIME_SYSTEM><MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata>"
                     "<data><meanElements>%s</meanElements><tleParameters>%s</tleParameters></data></segment>"
                     "</body></omm>\n" % (elements(o, meta), elements(o, mean), elements(o, tle)))
    parts.append("</ndm>\n")
    return "".join(parts)


def json_number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() and "." not in str(value) and "E" not in str(value).upper() else number


def collect_tle(ref, seeds):
    seeds.add("sentinel2.tle", (ref / "tle/sentinel2_tles.txt").read_bytes())
    sets = tle_sets((ref / "sgp4/SGP4-VER.TLE").read_text())
    for i in range(0, len(sets), 3):
        # Vallado's extra columns after line 2 cut off, so the sets reach the field checks.
        text = "".join("%s\n%s\n" % (l1[:69], l2[:69]) for _, l1, l2 in sets[i:i + 3])
        seeds.add("sgp4-ver-%02d.tle" % (i // 3), text)


def collect_omm_csv(ref, seeds):
    seeds.add("sample_omm.csv", (ref / "sgp4/sample_omm.csv").read_bytes())
    seeds.add("sentinel2_omm.csv", omm_csv(reference_omms(ref)))


def collect_omm_json(ref, seeds):
    omms = reference_omms(ref)
    as_numbers = [{k: json_number(o[k]) for k in OMM_KEYS} for o in omms]
    seeds.add("omm-numbers.json", json.dumps(as_numbers, indent=1))
    seeds.add("omm-strings.json", json.dumps([{k: str(o[k]) for k in OMM_KEYS} for o in omms]))
    seeds.add("omm-object.json", json.dumps(as_numbers[0]))


def collect_omm_xml(ref, seeds):
    seeds.add("sample_omm.xml", (ref / "sgp4/sample_omm.xml").read_bytes())
    seeds.add("sentinel2_omm.xml", omm_xml(reference_omms(ref)))
    seeds.add("bare_omm.xml", omm_xml(reference_omms(ref)[:1]).replace("<ndm>\n", "").replace("</ndm>\n", ""))


# ---- ESA plan

KML_NS = "http://www.opengis.net/kml/2.2"


def kml_pieces(ref):
    """Small plans cut from the real one: the whole folder structure and styles, with only a
    few Placemarks left in it."""
    ET.register_namespace("", KML_NS)
    for prefix, uri in (("gx", "http://www.google.com/kml/ext/2.2"), ("atom", "http://www.w3.org/2005/Atom")):
        ET.register_namespace(prefix, uri)
    path = next((ref / "esa-plans").glob("*.kml"))
    tree = ET.parse(path)
    q = lambda tag: "{%s}%s" % (KML_NS, tag)
    parents = {child: parent for parent in tree.iter() for child in parent}
    placemarks = list(tree.iter(q("Placemark")))
    by_folder = {}
    for pm in placemarks:
        by_folder.setdefault(parents[pm], []).append(pm)

    def keep_only(chosen):
        root = copy.deepcopy(tree.getroot())
        mapping = dict(zip(tree.getroot().iter(), root.iter()))
        keep = {mapping[pm] for pm in chosen}
        copy_parents = {child: parent for parent in root.iter() for child in parent}
        for pm in list(root.iter(q("Placemark"))):
            if pm not in keep:
                copy_parents[pm].remove(pm)
        for element in root.iter():
            if element.tail is not None:
                element.tail = "\n"
            if element.text is not None and not element.text.strip():
                element.text = "\n"
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")

    pieces = []
    for n, (folder, pms) in enumerate(by_folder.items()):
        pieces.append(("folder%d-first" % n, keep_only(pms[:1])))
    pieces.append(("mixed", keep_only([pms[-1] for pms in by_folder.values()][:3])))
    return pieces


def kml_2024_variant(data):
    """The 2024 form of a plan: ISO-8859-1, times without 'Z', styleUrl without '#', an empty
    Station, and a Latin-1 character in a name."""
    text = data.decode("utf-8")
    text = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1)
    text = text.replace("Z</begin>", "</begin>").replace("Z</end>", "</end>")
    text = text.replace("<styleUrl>#", "<styleUrl>")
    text = text.replace("<value>MPS_</value>", "<value></value>")
    text = text.replace("S2 Planned Observations", "S2 Planned Observations \u00e9t\u00e9", 1)
    return text.encode("latin-1")


def collect_esa_kml(ref, seeds):
    for name, data in kml_pieces(ref):
        seeds.add("s2a-2019-%s.kml" % name, data)
        seeds.add("s2a-2024-form-%s.kml" % name, kml_2024_variant(data))


# ---- STAC


def compact(value):
    return json.dumps(value, separators=(",", ":"))


def reference_items(ref):
    es = ref / "earth-search"
    items = [(p.stem, json.loads(p.read_text())) for p in sorted(es.glob("item__*.json"))]
    c1 = json.loads((es / "other-providers/earth_search_v1_sentinel-2-c1-l2a_itemcollection_10items.json").read_text())
    items += [("c1-l2a-%d" % i, f) for i, f in enumerate(c1["features"][:2])]
    mpc = json.loads((es / "other-providers/mpc_search_page1.json").read_text())
    items += [("mpc-%d" % i, f) for i, f in enumerate(mpc["features"][:2])]
    return items


def collect_stac_item(ref, seeds):
    for name, item in reference_items(ref):
        seeds.add(name + ".json", compact(item))


def search_pages(ref):
    es = ref / "earth-search"
    paths = sorted(es.glob("search_response__*.json")) + sorted((es / "other-providers").glob("*search_page*.json"))
    paths.append(es / "other-providers/earth_search_v1_sentinel-2-c1-l2a_itemcollection_10items.json")
    for path in paths:
        page = json.loads(path.read_text())
        if isinstance(page.get("features"), list):
            page["features"] = page["features"][:1]
        yield path.stem, page


def collect_stac_search(ref, seeds):
    for name, page in search_pages(ref):
        seeds.add(name[:60] + ".json", compact(page))


# ---- Config and the fixture server


def collect_config(ref, seeds):
    seeds.add("config.yaml", (SOURCE_DIR / "config.yaml").read_bytes())
    for path in sorted((SOURCE_DIR / "tests/data/configs").glob("*.yaml")):
        seeds.add("test-" + path.name, path.read_bytes())


def http_request(method, target, headers=(), body=b""):
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: 127.0.0.1:8080"] + list(headers)
    if body:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def collect_fixture_http(ref, seeds):
    # The next-page requests Earth Search asks for in its own responses.
    for n, (name, page) in enumerate(search_pages(ref)):
        name = "%02d-%s" % (n, name[:40])
        for link in page.get("links", []):
            if link.get("rel") == "next" and link.get("method", "GET").upper() == "POST":
                body = compact(link.get("body", {})).encode()
                seeds.add("next-%s.http" % name, http_request("POST", "/v1/search",
                                                                   ["Content-Type: application/json"], body))
            elif link.get("rel") == "next":
                href = link["href"]
                target = href[href.find("/", href.find("//") + 2):] if "//" in href else href
                seeds.add("next-get-%s.http" % name, http_request("GET", target))


def collect_fixture_range(ref, seeds):
    pass  # hand-written seeds only (tests/fuzz/seeds/fixture_range)


COLLECTORS = {
    "nmea": collect_nmea,
    "ais_csv": collect_ais_csv,
    "ais_xlsx": collect_ais_xlsx,
    "tle": collect_tle,
    "omm_csv": collect_omm_csv,
    "omm_json": collect_omm_json,
    "omm_xml": collect_omm_xml,
    "esa_kml": collect_esa_kml,
    "stac_item": collect_stac_item,
    "stac_search": collect_stac_search,
    "config": collect_config,
    "fixture_http": collect_fixture_http,
    "fixture_range": collect_fixture_range,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", required=True, type=Path)
    parser.add_argument("--hand-written", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    (args.out / "artifacts").mkdir(parents=True, exist_ok=True)
    for target in targets():
        if target not in COLLECTORS:
            sys.exit("collect_seeds: no seed collector for fuzz_%s.cpp (add one to %s)" % (target, __file__))
        folder = args.out / "seeds" / target
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (args.out / "corpus" / target).mkdir(parents=True, exist_ok=True)
        seeds = Seeds(folder)
        COLLECTORS[target](args.reference, seeds)
        hand = args.hand_written / target
        if hand.is_dir():
            for path in sorted(hand.iterdir()):
                seeds.add("hand-" + path.name, path.read_bytes())
        if seeds.count == 0:
            sys.exit("collect_seeds: no seeds for %s" % target)
        print("collect_seeds: %-14s %3d seeds" % (target, seeds.count))


if __name__ == "__main__":
    main()
