// NMEA files into the AIS model, format detection and dispatch.

#include "ais/nmea_stream.hpp"
#include "ais/readers_csv.hpp"
#include "ais/readers_detail.hpp"
#include "ais/readers_xlsx.hpp"
#include "core/input_file.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace shipchips::ais {
namespace {

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::vector<std::string> header_names(std::string_view line) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= line.size()) {
    const auto end = std::min(line.find(',', start), line.size());
    std::string name = lower(line.substr(start, end - start));
    name.erase(std::remove_if(name.begin(), name.end(),
                              [](char c) { return c == '"' || std::isspace(static_cast<unsigned char>(c)); }),
               name.end());
    names.push_back(name);
    start = end + 1;
  }
  return names;
}

// The receiver's time is when the message was heard; the position was fixed at the UTC second
// the message carries (0..59). Put that second into the receiver's minute, one minute back if
// it would be more than a few seconds after reception (a receiver clock may run a little
// behind). At 12 kn the 1-3 s between fix and reception are 6-18 m.
UtcTime fix_time(UtcTime received, std::optional<int> second) {
  if (!second) return received;
  const auto minute = std::chrono::floor<std::chrono::minutes>(received);
  UtcTime t = minute + std::chrono::seconds(*second);
  if (t > received + std::chrono::seconds(5)) t -= std::chrono::minutes(1);
  return t;
}

// The first line that says what a file is: blank lines and "#" comments (NMEA files such as
// gpsd's samples carry them) skipped, but not DMA's "# Timestamp," header. Number 0: none.
struct HeadLine {
  long number = 0;
  std::string text;
};

HeadLine head_line(const std::string& path) {
  std::ifstream in = open_input_file(path, "AIS file");
  std::string line;
  long number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 byte-order mark
    while (!line.empty() && (line.back() == '\r' || std::isspace(static_cast<unsigned char>(line.back()))))
      line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#' && line.rfind("# Timestamp,", 0) != 0) continue;
    return {number, line};
  }
  return {};
}

// Why a file is no AIS file we read, as precisely as its first line tells.
[[noreturn]] void throw_unrecognised(const std::string& path) {
  const HeadLine head = head_line(path);
  if (head.number == 0) throw Error(ErrorCode::input_invalid, path + ": empty file (no CSV header, no NMEA sentence)");
  const auto names = header_names(head.text);
  if (std::find(names.begin(), names.end(), "mmsi") != names.end()) {
    for (const char* column : {"lat", "lon"}) {
      if (std::find(names.begin(), names.end(), column) == names.end())
        throw Error(ErrorCode::input_invalid,
                    located(path, head.number, column,
                            "required column is missing from the header (an upload CSV has mmsi, lat, lon, "
                            "overpass_time)"));
    }
  }
  throw Error(
      ErrorCode::input_invalid,
      path +
          ": not a recognised AIS file (DMA CSV, MarineCadastre CSV, upload CSV or XLSX with mmsi,lat,lon, or NMEA)");
}

}  // namespace

std::string_view to_string(AisFormat format) {
  switch (format) {
    case AisFormat::dma:
      return "dma";
    case AisFormat::marinecadastre:
      return "marinecadastre";
    case AisFormat::upload:
      return "upload";
    case AisFormat::nmea:
      return "nmea";
    case AisFormat::unknown:
      break;
  }
  return "unknown";
}

AisFormat detect_format(const std::string& path) {
  const HeadLine head = head_line(path);
  const std::string& line = head.text;
  if (head.number == 0) return AisFormat::unknown;
  if (line.rfind("# Timestamp,", 0) == 0 || line.rfind("Timestamp,", 0) == 0) return AisFormat::dma;
  if (line[0] == '!' || line[0] == '\\' || line[0] == '$' || line.find("!AIVDM") != std::string::npos ||
      line.find("!AIVDO") != std::string::npos)
    return AisFormat::nmea;
  const auto names = header_names(line);
  const auto has = [&](const char* n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  if (has("mmsi") && has("basedatetime")) return AisFormat::marinecadastre;
  if (has("mmsi") && has("lat") && has("lon")) return AisFormat::upload;
  return AisFormat::unknown;
}

ReadReport read_nmea_file(const std::string& path, const AisSink& sink, const ReadOptions& options) {
  std::ifstream in = open_input_file(path, "AIS file");
  const std::string source = detail::source_name(path, options);
  ReadReport report;
  report.format = AisFormat::nmea;
  NmeaStreamDecoder decoder;
  DecodedAis out;
  SentenceError error;
  std::string line;
  long line_number = 0;
  while (std::getline(in, line)) {
    detail::tick(report, options);
    const auto result = decoder.feed(line, ++line_number, out, &error);
    if (result == FeedResult::invalid) {
      detail::record_problem(report, options,
                             Error(ErrorCode::input_invalid, located(path, line_number, error.field, error.message)));
      continue;
    }
    if (result != FeedResult::message) continue;
    const auto fix = position_fix(out.message);
    const auto stat = ship_static(out.message);
    if (!fix && !stat) continue;  // base station report (type 4) and the like
    if (!out.time) {              // no tag block time, no USCG time: nothing to place it in time
      ++report.no_time;
      continue;
    }
    if (fix) {
      if (!fix->lat || !fix->lon || !valid_position(*fix->lat, *fix->lon)) {
        ++report.no_position;
      } else {
        PositionReport p;
        p.mmsi = fix->mmsi;
        p.time = fix_time(*out.time, fix->second);
        p.lat = *fix->lat;
        p.lon = *fix->lon;
        p.sog_kn = valid_sog(fix->sog_kn);
        p.cog_deg = valid_cog(fix->cog_deg);
        if (fix->heading_deg) p.heading_deg = valid_heading(static_cast<double>(*fix->heading_deg));
        p.nav_status = fix->nav_status;
        p.ais_class = fix->ais_class == 'B' ? AisClass::b : AisClass::a;
        p.source = source;
        p.provider = "nmea";
        ++report.positions;
        if (sink.position) sink.position(p);
      }
    }
    if (stat) {
      StaticData s;
      s.mmsi = stat->mmsi;
      s.time = *out.time;
      s.name = stat->name;
      s.callsign = stat->callsign;
      s.destination = stat->destination;
      if (stat->imo && *stat->imo > 0) s.imo = *stat->imo;
      s.ship_type = stat->ship_type;
      s.dim_a = stat->dim_a;
      s.dim_b = stat->dim_b;
      s.dim_c = stat->dim_c;
      s.dim_d = stat->dim_d;
      s.draught_m = stat->draught_m;
      s.source = source;
      s.provider = "nmea";
      ++report.statics;
      if (sink.static_data) sink.static_data(s);
    }
  }
  decoder.finish();
  return report;
}

ReadReport read_ais_file(const std::string& path, const AisSink& sink, const ReadOptions& options) {
  if (path.size() > 5 && (path.ends_with(".xlsx") || path.ends_with(".XLSX"))) {
    return read_upload_ais_xlsx(path, sink, options);
  }
  switch (detect_format(path)) {
    case AisFormat::dma:
      return read_dma_csv(path, sink, options);
    case AisFormat::marinecadastre:
      return read_marinecadastre_csv(path, sink, options);
    case AisFormat::upload:
      return read_upload_ais_csv(path, sink, options);
    case AisFormat::nmea:
      return read_nmea_file(path, sink, options);
    case AisFormat::unknown:
      break;
  }
  throw_unrecognised(path);
}

ImportReport import_ais_file(const std::string& path, TrackStore& store, const ReadOptions& options,
                             std::size_t batch_size) {
  const auto start = std::chrono::steady_clock::now();
  batch_size = std::max<std::size_t>(batch_size, 1);
  ImportReport report;
  std::vector<PositionReport> positions;
  std::vector<StaticData> statics;
  const auto add = [](InsertCounts& into, const InsertCounts& c) {
    into.inserted += c.inserted;
    into.duplicates += c.duplicates;
  };
  const auto flush_positions = [&] {
    add(report.positions, store.insert(std::span<const PositionReport>(positions)));
    positions.clear();
  };
  const auto flush_statics = [&] {
    add(report.statics, store.insert(std::span<const StaticData>(statics)));
    statics.clear();
  };
  AisSink sink{[&](const PositionReport& p) {
                 positions.push_back(p);
                 if (positions.size() >= batch_size) flush_positions();
               },
               [&](const StaticData& s) {
                 statics.push_back(s);
                 if (statics.size() >= batch_size) flush_statics();
               }};
  report.read = read_ais_file(path, sink, options);
  flush_positions();
  flush_statics();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace shipchips::ais
