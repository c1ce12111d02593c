// AIS file readers: every reference sample read and compared row by row with an independent
// reading (Python's csv module via /usr/bin/python3, and Debian's gpsdecode for NMEA), spot
// values read from the files by eye, bad rows with line numbers, strict mode, format
// detection, and duplicates dropped on import.

#include "../support/reference.hpp"
#include "../support/temp_dir.hpp"
#include "ais/readers_csv.hpp"
#include "ais/track_store.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace shipchips;
using namespace shipchips::ais;
namespace fs = std::filesystem;

namespace {

const fs::path kRef = shipchips::testing::reference_dir() / "ais";
const std::string kDma2018 = (kRef / "dma/dma_aisdk_header_2018-06-01_RubenErnst-ship-tracking.csv").string();
const std::string kDma2023 = (kRef / "dma/dma_aisdk-2023-03-18_head_jordanbell2357-blog.csv").string();
const std::string kMc0601 =
    (kRef / "marinecadastre/marinecadastre_AIS_2022_06_01_head_jordanbell2357-uscg-nais-data.csv").string();
const std::string kMc0620 =
    (kRef / "marinecadastre/marinecadastre_AIS_2022_06_20_head_jordanbell2357-blog.csv").string();
const std::string kGpsdSample = (kRef / "gpsd/sample.aivdm").string();

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

// The independent reading: Python's csv module and the rules of the reference README and
// ITU-R M.1371 (91/181 no position, heading 511, SOG 102.3, COG 360 not available; DMA base
// stations and AtoN are not ships). One line per position, then a summary line.
const char* kOracle = R"py(
import csv, sys, datetime
path, flavour = sys.argv[1], sys.argv[2]
rows = csv.reader(open(path, newline=''))
header = next(rows)
header[0] = header[0].lstrip('# ')
ix = {h: i for i, h in enumerate(header)}
def g(v):
    return '%.9g' % v
def opt(r, name, limit):
    v = r[ix[name]].strip()
    if v == '': return 'na'
    f = float(v)
    return 'na' if f < 0 or f >= limit else g(f)
pos = nopos = notvessel = 0
for r in rows:
    if not r: continue
    if flavour == 'dma':
        if r[ix['Type of mobile']] in ('Base Station', 'AtoN'):
            notvessel += 1; continue
        lat, lon, mmsi = float(r[ix['Latitude']]), float(r[ix['Longitude']]), int(r[ix['MMSI']])
        t = datetime.datetime.strptime(r[ix['Timestamp']], '%d/%m/%Y %H:%M:%S')
        sog, cog, hdg = opt(r, 'SOG', 102.25), opt(r, 'COG', 360), opt(r, 'Heading', 360)
    else:
        lat, lon, mmsi = float(r[ix['LAT']]), float(r[ix['LON']]), int(r[ix['MMSI']])
        t = datetime.datetime.strptime(r[ix['BaseDateTime']], '%Y-%m-%dT%H:%M:%S')
        sog, cog, hdg = opt(r, 'SOG', 102.25), opt(r, 'COG', 360), opt(r, 'Heading', 360)
    if lat == 91 or lon == 181:
        nopos += 1; continue
    pos += 1
    unix = int(t.replace(tzinfo=datetime.timezone.utc).timestamp())
    print('pos', mmsi, unix, g(lat), g(lon), sog, cog, hdg)
print('count', pos, nopos, notvessel)
)py";

std::string g9(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}
std::string opt9(const std::optional<double>& v) {
  return v ? g9(*v) : "na";
}

std::string ours(const std::string& path, ReadReport* out_report = nullptr) {
  std::ostringstream s;
  AisSink sink;
  sink.position = [&](const PositionReport& p) {
    s << "pos " << p.mmsi << ' ' << static_cast<long long>(to_unix_seconds(p.time)) << ' ' << g9(p.lat) << ' '
      << g9(p.lon) << ' ' << opt9(p.sog_kn) << ' ' << opt9(p.cog_deg) << ' ' << opt9(p.heading_deg) << '\n';
  };
  const auto report = read_ais_file(path, sink);
  s << "count " << report.positions << ' ' << report.no_position << ' ' << report.not_vessel << '\n';
  if (out_report) *out_report = report;
  return s.str();
}

std::string oracle(const std::string& path, const char* flavour) {
  shipchips::testing::TempDir dir("shipchips-readers-test");
  const auto script = dir.write("oracle.py", kOracle);
  return run("/usr/bin/python3 " + script + " '" + path + "' " + flavour);
}

struct Collected {
  std::vector<PositionReport> positions;
  std::vector<StaticData> statics;
  ReadReport report;
};
Collected collect(const std::string& path, ReadOptions options = {}) {
  Collected c;
  AisSink sink{[&](const PositionReport& p) { c.positions.push_back(p); },
               [&](const StaticData& s) { c.statics.push_back(s); }};
  c.report = read_ais_file(path, sink, options);
  return c;
}

}  // namespace

TEST(AisReadersCsv, DetectsEveryReferenceFormat) {
  EXPECT_EQ(detect_format(kDma2018), AisFormat::dma);
  EXPECT_EQ(detect_format(kDma2023), AisFormat::dma);
  EXPECT_EQ(detect_format(kMc0601), AisFormat::marinecadastre);
  EXPECT_EQ(detect_format(kMc0620), AisFormat::marinecadastre);
  EXPECT_EQ(detect_format(kGpsdSample), AisFormat::nmea);  // after its '#' comment lines
  shipchips::testing::TempDir dir("shipchips-readers-test");
  EXPECT_EQ(detect_format(dir.write("u.csv", "\xEF\xBB\xBFmmsi,lat,lon,overpass_time\n")), AisFormat::upload);
  EXPECT_EQ(detect_format(dir.write("x.csv", "a,b,c\n1,2,3\n")), AisFormat::unknown);
  EXPECT_THROW(read_ais_file(dir.write("y.csv", "a,b,c\n"), {}), Error);
  EXPECT_THROW(detect_format("/nonexistent/file.csv"), Error);
}

TEST(AisReadersCsv, EveryReferenceCsvAgreesWithPythonRowByRow) {
  for (const auto& [path, flavour] : std::vector<std::pair<std::string, const char*>>{
           {kDma2018, "dma"}, {kDma2023, "dma"}, {kMc0601, "mc"}, {kMc0620, "mc"}}) {
    const auto expected = oracle(path, flavour);
    ASSERT_NE(expected.find("count"), std::string::npos) << "python oracle failed on " << path;
    ReadReport report;
    EXPECT_EQ(ours(path, &report), expected) << path;
    EXPECT_EQ(report.bad_rows, 0) << path;
  }
}

TEST(AisReadersCsv, Dma2018CountsAndSpotValues) {
  const auto c = collect(kDma2018);
  // 138 rows: 116 Class A, 10 Class B, 8 base stations, 4 AtoN; 10 ships at 91/181.
  EXPECT_EQ(c.report.format, AisFormat::dma);
  EXPECT_EQ(c.report.records, 138);
  EXPECT_EQ(c.report.not_vessel, 12);
  EXPECT_EQ(c.report.no_position, 10);
  EXPECT_EQ(c.report.positions, 116);
  ASSERT_FALSE(c.positions.empty());
  // Line 2: 01/06/2018 00:00:00,Class A,215810000,55.921028,17.320418,Constrained by her
  // draught,0.0,12.5,255.5,256,...
  const auto& p = c.positions.front();
  EXPECT_EQ(p.mmsi, 215810000);
  EXPECT_EQ(p.time, parse_iso8601("2018-06-01T00:00:00Z"));
  EXPECT_DOUBLE_EQ(p.lat, 55.921028);
  EXPECT_DOUBLE_EQ(p.lon, 17.320418);
  EXPECT_EQ(p.sog_kn, 12.5);
  EXPECT_EQ(p.cog_deg, 255.5);
  EXPECT_EQ(p.heading_deg, 256.0);
  EXPECT_EQ(p.nav_status, 4);
  EXPECT_EQ(p.ais_class, AisClass::a);
  EXPECT_EQ(p.provider, "dma");
  EXPECT_EQ(p.source, fs::path(kDma2018).filename().string());
  // "...,Class A,266220000,91.000000,181.000000,...,9320063,SHZA,ASTINA,Tanker,Category X,20,
  // 130,GPS,5.9,FREDERICIA,...": no position, but its static data.
  const auto astina =
      std::find_if(c.statics.begin(), c.statics.end(), [](const StaticData& s) { return s.mmsi == 266220000; });
  ASSERT_NE(astina, c.statics.end());
  EXPECT_EQ(astina->name, "ASTINA");
  EXPECT_EQ(astina->callsign, "SHZA");
  EXPECT_EQ(astina->imo, 9320063);
  EXPECT_EQ(astina->ship_type, 80);
  EXPECT_EQ(astina->draught_m, 5.9);
  EXPECT_EQ(astina->destination, "FREDERICIA");
  EXPECT_FALSE(astina->dim_a);  // the 2018 variant has no A, B, C, D
  EXPECT_TRUE(std::none_of(c.positions.begin(), c.positions.end(),
                           [](const PositionReport& r) { return r.mmsi == 266220000; }));
}

TEST(AisReadersCsv, Dma2023VariantWithDimensions) {
  const auto c = collect(kDma2023);
  // 9 rows (and a trailing blank line): 1 base station, 1 at 91/0 (position not available),
  // 7 ships.
  EXPECT_EQ(c.report.records, 9);
  EXPECT_EQ(c.report.not_vessel, 1);
  EXPECT_EQ(c.report.no_position, 1);
  ASSERT_EQ(c.positions.size(), 7u);
  // Line 3: 18/03/2023 00:00:00,Class A,352002266,55.4921,14.7525,Under way using engine,0.7,
  // 12.5,241.8,241,...
  EXPECT_EQ(c.positions[0].mmsi, 352002266);
  EXPECT_DOUBLE_EQ(c.positions[0].lat, 55.4921);
  EXPECT_DOUBLE_EQ(c.positions[0].lon, 14.7525);
  EXPECT_EQ(c.positions[0].cog_deg, 241.8);
  EXPECT_EQ(c.positions[0].nav_status, 0);
  EXPECT_EQ(c.positions[0].time, parse_iso8601("2023-03-18T00:00:00Z"));
  // Line 8: Class A,219472000,91,0,...,9686429,OWMI2,GUARDVESSEL ADVANCER,Other,,8,23,GPS,1.9,
  // GUARD VESSEL FEMARN,11/03/2023 21:00:00,AIS,16,7,5,3
  ASSERT_EQ(c.statics.size(), 1u);
  const auto& s = c.statics[0];
  EXPECT_EQ(s.mmsi, 219472000);
  EXPECT_EQ(s.name, "GUARDVESSEL ADVANCER");
  EXPECT_EQ(s.imo, 9686429);
  EXPECT_EQ(s.ship_type, 90);
  EXPECT_EQ(s.dim_a, 16);
  EXPECT_EQ(s.dim_b, 7);
  EXPECT_EQ(s.dim_c, 5);
  EXPECT_EQ(s.dim_d, 3);
  EXPECT_EQ(s.draught_m, 1.9);
  EXPECT_EQ(s.destination, "GUARD VESSEL FEMARN");
}

TEST(AisReadersCsv, MarineCadastreSpotValuesAndUnavailableValues) {
  const auto c = collect(kMc0601);
  ASSERT_EQ(c.positions.size(), 9u);
  // Line 2: 367777550,2022-06-01T00:00:02,28.10198,-96.93931,0.0,360.0,511.0,HARRY LEE,,WDJ4420,
  // 52,0,... : COG 360 and heading 511 are "not available".
  EXPECT_EQ(c.positions[0].mmsi, 367777550);
  EXPECT_EQ(c.positions[0].time, parse_iso8601("2022-06-01T00:00:02Z"));
  EXPECT_EQ(c.positions[0].sog_kn, 0.0);
  EXPECT_FALSE(c.positions[0].cog_deg);
  EXPECT_FALSE(c.positions[0].heading_deg);
  EXPECT_EQ(c.positions[0].nav_status, 0);
  EXPECT_EQ(c.positions[0].ais_class, AisClass::a);
  EXPECT_EQ(c.positions[0].provider, "marinecadastre");
  // Line 4: 368001000,...,7.9,180.0,168.0,GRANT CANDIES,IMO9481374,WDE5747,90,0,89,18,6.0,0,A
  EXPECT_EQ(c.positions[2].heading_deg, 168.0);
  const auto grant =
      std::find_if(c.statics.begin(), c.statics.end(), [](const StaticData& s) { return s.mmsi == 368001000; });
  ASSERT_NE(grant, c.statics.end());
  EXPECT_EQ(grant->imo, 9481374);
  EXPECT_EQ(grant->name, "GRANT CANDIES");
  EXPECT_EQ(grant->callsign, "WDE5747");
  EXPECT_EQ(grant->ship_type, 90);
  EXPECT_EQ(grant->draught_m, 6.0);
  // The 06-20 file: HURAO (303533000) reports 5 times with unchanged static data: kept once.
  const auto d = collect(kMc0620);
  EXPECT_EQ(d.positions.size(), 9u);
  EXPECT_EQ(d.statics.size(), 5u);
  EXPECT_EQ(std::count_if(d.positions.begin(), d.positions.end(),
                          [](const PositionReport& p) { return p.mmsi == 303533000; }),
            5);
}

TEST(AisReadersCsv, BadRowsAreCountedWithLineNumbersOrFatalWhenStrict) {
  shipchips::testing::TempDir dir("shipchips-readers-test");
  const std::string header =
      "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,"
      "Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type\n";
  const std::string good =
      "01/06/2018 00:00:00,Class "
      "A,215810000,55.921028,17.320418,Moored,0.0,102.3,360.0,511,Unknown,,,Undefined,,,,GPS,,,,AIS\n";
  const auto path = dir.write(
      "bad.csv",
      header + good + "01/06/2018 00:00:01,Class A,215810000,95.5,17.3,Moored,,,,,Unknown,,,Undefined,,,,GPS,,,,AIS\n" +
          "31/02/2018 00:00:01,Class A,215810000,55.9,17.3,Moored,,,,,Unknown,,,Undefined,,,,GPS,,,,AIS\n" +
          "01/06/2018 00:00:02,Class A,abc,55.9,17.3,Moored,,,,,Unknown,,,Undefined,,,,GPS,,,,AIS\n" +
          "01/06/2018 00:00:03,Class A,215810000,55.9,17.3,Moored,,fast,,,Unknown,,,Undefined,,,,GPS,,,,AIS\n");
  const auto c = collect(path);
  EXPECT_EQ(c.report.records, 5);
  EXPECT_EQ(c.report.bad_rows, 4);
  ASSERT_EQ(c.report.problems.size(), 4u);
  EXPECT_EQ(c.report.problems[0], path + ":3: Latitude: outside -90..90 (91 is \"not available\")");
  EXPECT_EQ(c.report.problems[1].rfind(path + ":4: Timestamp: '31/02/2018 00:00:01'", 0), 0u) << c.report.problems[1];
  EXPECT_EQ(c.report.problems[2].rfind(path + ":5: MMSI:", 0), 0u) << c.report.problems[2];
  EXPECT_EQ(c.report.problems[3].rfind(path + ":6: SOG: 'fast'", 0), 0u) << c.report.problems[3];
  // The good row: SOG 102.3, COG 360 and heading 511 are "not available", nav status Moored = 5.
  ASSERT_EQ(c.positions.size(), 1u);
  EXPECT_FALSE(c.positions[0].sog_kn);
  EXPECT_FALSE(c.positions[0].cog_deg);
  EXPECT_FALSE(c.positions[0].heading_deg);
  EXPECT_EQ(c.positions[0].nav_status, 5);
  ReadOptions strict;
  strict.strict = true;
  try {
    collect(path, strict);
    FAIL() << "strict accepted a bad row";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    EXPECT_EQ(std::string(e.what()), path + ":3: Latitude: outside -90..90 (91 is \"not available\")");
  }
}

TEST(AisReadersCsv, UploadCsvWithOptionalKinematicColumns) {
  shipchips::testing::TempDir dir("shipchips-readers-test");
  const auto path = dir.write("upload.csv",
                              "mmsi,lat,lon,overpass_time,captured_time,source,sog,cog,heading,name,ship_type,dim_a,"
                              "dim_b,dim_c,dim_d,nav_status,class\n"
                              "236329008,36.7846550,-5.8256767,2020-06-14T09:36:58Z,2020-06-14T09:36:59Z,fixture,8.7,"
                              "167.2,511,OCEAN SPIRIT,37,8,5,2,2,15,B\n"
                              "236329009,36.5,-5.5,,2020-06-14T09:37:00Z,fixture,,,,,,,,,,,\n"
                              "236329010,36.5,-5.5,,,fixture,,,,,,,,,,,\n");
  const auto c = collect(path);
  EXPECT_EQ(c.report.format, AisFormat::upload);
  ASSERT_EQ(c.positions.size(), 2u);
  EXPECT_EQ(c.positions[0].time, parse_iso8601("2020-06-14T09:36:58Z"));  // overpass_time first
  EXPECT_EQ(c.positions[0].sog_kn, 8.7);
  EXPECT_EQ(c.positions[0].cog_deg, 167.2);
  EXPECT_FALSE(c.positions[0].heading_deg);
  EXPECT_FALSE(c.positions[0].nav_status);
  EXPECT_EQ(c.positions[0].ais_class, AisClass::b);
  EXPECT_EQ(c.positions[1].time, parse_iso8601("2020-06-14T09:37:00Z"));  // else captured_time
  ASSERT_EQ(c.statics.size(), 1u);
  EXPECT_EQ(c.statics[0].name, "OCEAN SPIRIT");
  EXPECT_EQ(c.statics[0].dim_a, 8);
  EXPECT_EQ(c.report.bad_rows, 1);
  EXPECT_EQ(c.report.problems.at(0).rfind(path + ":4: overpass_time: empty", 0), 0u) << c.report.problems.at(0);
}

TEST(AisReadersCsv, NmeaTimesFromTagBlockAndUscgAgreeWithGpsdecode) {
  shipchips::testing::TempDir dir("shipchips-readers-test");
  const auto path = dir.write("t.nmea",
                              "\\s:2573135,c:1671620143*0B\\!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\n"
                              "!AIVDM,1,1,,B,15N4cJ`005Jrek0H@9n`DW5608EP,0*13,rMySSTA1,1184300012\n"
                              "!AIVDM,1,1,,B,15N4cJ`005Jrek0H@9n`DW5608EP,0*13\n"
                              "!AIVDM,1,1,,B,15N4cJ`005Jrek0H@9n`DW5608EP,0*14\n");
  const auto c = collect(path);
  EXPECT_EQ(c.report.format, AisFormat::nmea);
  EXPECT_EQ(c.report.no_time, 1);   // line 3: no tag block, no USCG time
  EXPECT_EQ(c.report.bad_rows, 1);  // line 4: checksum
  EXPECT_EQ(c.report.problems.at(0).rfind(path + ":4: checksum", 0), 0u) << c.report.problems.at(0);
  ASSERT_EQ(c.positions.size(), 2u);
  // Received at `date -u -d @1671620143` = 10:55:43, fixed at second 53: the minute before.
  EXPECT_EQ(c.positions[0].time, parse_iso8601("2022-12-21T10:54:53Z"));
  // Received at `date -u -d @1184300012` = 04:13:32, fixed at second 35: a receiver clock 3 s
  // behind, same minute.
  EXPECT_EQ(c.positions[1].time, parse_iso8601("2007-07-13T04:13:35Z"));
  const auto gpsd = run("gpsdecode -j < '" + path + "'");
  std::istringstream lines(gpsd);
  std::string line;
  std::size_t i = 0;
  while (std::getline(lines, line) && i < 2) {
    const auto j = nlohmann::json::parse(line);
    const auto& p = c.positions[i++];
    EXPECT_EQ(p.mmsi, j.at("mmsi").get<std::int64_t>());
    EXPECT_NEAR(p.lat, j.at("lat").get<double>(), 1e-6);  // gpsdecode prints 6 decimals
    EXPECT_NEAR(p.lon, j.at("lon").get<double>(), 1e-6);
    EXPECT_NEAR(*p.sog_kn, j.at("speed").get<double>(), 1e-9);
    EXPECT_NEAR(*p.cog_deg, j.at("course").get<double>(), 1e-9);
    EXPECT_EQ(*p.heading_deg, j.at("heading").get<double>());
    EXPECT_EQ(*p.nav_status, j.at("status").get<int>());
    EXPECT_EQ(static_cast<long long>(to_unix_seconds(p.time)) % 60, j.at("second").get<int>());
  }
  EXPECT_EQ(i, 2u) << "gpsdecode output: " << gpsd;
  // gpsd's sample has no times at all: nothing can be placed in time, every message counted.
  const auto s = collect(kGpsdSample);
  EXPECT_EQ(s.positions.size(), 0u);
  // gpsdecode -j finds 17 messages of the position/static types (1, 2, 3, 5, 18, 19, 24, 27).
  EXPECT_GE(s.report.no_time, 17);
  EXPECT_EQ(s.report.statics, 0);
}

TEST(AisReadersCsv, ImportDropsDuplicatesAcrossFilesAndRuns) {
  TrackStore store(":memory:");
  const auto first = import_ais_file(kDma2018, store, {}, 7);  // tiny batches: many transactions
  EXPECT_EQ(first.positions.inserted, 116u);
  EXPECT_EQ(first.positions.duplicates, 0u);
  const auto again = import_ais_file(kDma2018, store);
  EXPECT_EQ(again.positions.inserted, 0u);
  EXPECT_EQ(again.positions.duplicates, 116u);
  EXPECT_EQ(again.statics.inserted, 0u);
  // A file holding the same row twice, plus one new ping.
  shipchips::testing::TempDir dir("shipchips-readers-test");
  const std::string header =
      "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,"
      "TransceiverClass\n";
  const std::string row =
      "538009563,2022-06-20T00:00:04,29.23668,-116.63519,20.4,149.9,152.0,DEL MONTE "
      "PRIDE,IMO9869693,V7A4893,70,0,192,30,7.6,70,A\n";
  const auto path = dir.write("dup.csv", header + row + row +
                                             "538009563,2022-06-20T00:00:14,29.23500,-116.63400,20.4,149.9,152.0,DEL "
                                             "MONTE PRIDE,IMO9869693,V7A4893,70,0,192,30,7.6,70,A\n");
  const auto dup = import_ais_file(path, store);
  EXPECT_EQ(dup.positions.inserted, 2u);
  EXPECT_EQ(dup.positions.duplicates, 1u);
  const auto mc = import_ais_file(kMc0620, store);  // holds the same first row
  EXPECT_EQ(mc.positions.inserted, 8u);
  EXPECT_EQ(mc.positions.duplicates, 1u);
  EXPECT_EQ(store.counts().positions, 116 + 2 + 8);
  const auto track = store.track(538009563, parse_iso8601("2022-06-20"), parse_iso8601("2022-06-21"));
  ASSERT_EQ(track.size(), 2u);
  EXPECT_EQ(store.static_of(538009563)->name, "DEL MONTE PRIDE");
  EXPECT_EQ(store.static_of(266220000)->name, "ASTINA");
}

TEST(AisReadersCsv, IngestRateAndProgress) {
  // 200k MarineCadastre rows (500 ships, 400 pings each) through reader and store.
  shipchips::testing::TempDir dir("shipchips-readers-test");
  const auto path = dir.write("big.csv", "");
  {
    std::ofstream out(path, std::ios::binary);
    out << "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,"
           "Cargo,TransceiverClass\n";
    char line[256];
    for (int i = 0; i < 200000; ++i) {
      const int ship = i % 500, k = i / 500;
      std::snprintf(line, sizeof line,
                    "%d,2022-06-20T%02d:%02d:%02d,%.5f,%.5f,12.3,45.0,44.0,SHIP %d,,CALL%d,70,0,100,20,5.0,70,A\n",
                    367000000 + ship, k / 3600 % 24, k / 60 % 60, k % 60, 30.0 + ship * 0.01 + k * 1e-4,
                    -80.0 + k * 1e-4, ship, ship);
      out << line;
    }
  }
  TrackStore store(":memory:");
  ReadOptions options;
  long last_progress = 0;
  int calls = 0;
  options.progress = [&](long records) {
    last_progress = records;
    ++calls;
  };
  options.progress_every = 50000;
  const auto report = import_ais_file(path, store, options);
  EXPECT_EQ(report.read.records, 200000);
  EXPECT_EQ(report.positions.inserted, 200000u);
  EXPECT_EQ(report.statics.inserted, 500u);  // static columns repeat: one per ship
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(last_progress, 200000);
  std::printf("[ info ] imported 200000 MarineCadastre rows in %.2f s (%.0f rows/s)\n", report.seconds,
              200000 / report.seconds);
  EXPECT_LT(report.seconds, 20.0);
  EXPECT_EQ(store.track(367000007, parse_iso8601("2022-06-20"), parse_iso8601("2022-06-21")).size(), 400u);
}

TEST(AisReadersCsv, UnreadableFilesSayWhy) {
  shipchips::testing::TempDir dir("shipchips-readers-unreadable");
  const AisSink sink;
  const auto error_of = [&](const std::string& path) {
    try {
      read_ais_file(path, sink);
    } catch (const Error& e) {
      return std::pair(e.code(), std::string(e.what()));
    }
    return std::pair(ErrorCode::internal, std::string("no error"));
  };
  // An upload CSV without its lat column: the header names the column (not "not recognised").
  const std::string no_lat =
      dir.write("no_lat.csv", "\n# exported\nmmsi,lon,overpass_time\n1,2,2020-06-14T10:00:00Z\n");
  EXPECT_EQ(error_of(no_lat),
            std::pair(ErrorCode::input_invalid,
                      no_lat + ":3: lat: required column is missing from the header (an upload CSV has mmsi, lat, lon, "
                               "overpass_time)"));
  const std::string empty = dir.write("empty.csv", " \n\n");
  EXPECT_EQ(error_of(empty),
            std::pair(ErrorCode::input_invalid, empty + ": empty file (no CSV header, no NMEA sentence)"));
  EXPECT_EQ(error_of(dir.path.string()),
            std::pair(ErrorCode::input_invalid, dir.path.string() + ": is a directory, not a file (AIS file)"));
  const std::string missing = (dir.path / "missing.csv").string();
  EXPECT_EQ(error_of(missing), std::pair(ErrorCode::not_found, missing + ": no such file (AIS file)"));
  const std::string missing_xlsx = (dir.path / "missing.xlsx").string();
  EXPECT_EQ(error_of(missing_xlsx), std::pair(ErrorCode::not_found, missing_xlsx + ": no such file (AIS file)"));
}
