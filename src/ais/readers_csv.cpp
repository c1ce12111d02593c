#include "ais/readers_csv.hpp"

#include "ais/readers_detail.hpp"
#include "core/csv.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>

namespace shipchips::ais {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

// One CSV row being parsed: the reader, and what went wrong named by column.
struct Row {
  const CsvReader& csv;

  std::string_view text(std::optional<std::size_t> col) const {
    return col ? trim(csv.field(*col)) : std::string_view{};
  }
  std::optional<double> number(std::optional<std::size_t> col, std::string_view name) const {
    if (!col) return std::nullopt;
    std::optional<double> v;
    try {
      v = parse_double_field(csv.field(*col));
    } catch (const Error& e) {
      csv.fail(name, e.what());
    }
    if (v && !std::isfinite(*v)) csv.fail(name, "not a finite number");
    return v;
  }
  std::optional<long long> integer(std::optional<std::size_t> col, std::string_view name) const {
    const auto v = number(col, name);
    if (!v) return std::nullopt;
    if (*v != std::floor(*v) || std::abs(*v) > 9.0e15)
      csv.fail(name, "'" + std::string(text(col)) + "' is not an integer");
    return static_cast<long long>(*v);
  }
  std::int64_t mmsi(std::size_t col, std::string_view name) const {
    const auto v = integer(col, name);
    if (!v) csv.fail(name, "empty value in a required column");
    if (*v <= 0 || *v > 999999999) csv.fail(name, "must be a 1-9 digit positive number");
    return *v;
  }
  // lat/lon: nullopt for "not available" (91 / 181, ITU-R M.1371); other values outside the
  // globe are errors.
  std::optional<std::pair<double, double>> position(std::size_t lat_col, std::size_t lon_col, std::string_view lat_name,
                                                    std::string_view lon_name) const {
    const auto lat = number(lat_col, lat_name);
    const auto lon = number(lon_col, lon_name);
    if (!lat) csv.fail(lat_name, "empty value in a required column");
    if (!lon) csv.fail(lon_name, "empty value in a required column");
    if (*lat == 91.0 || *lon == 181.0) return std::nullopt;
    if (*lat < -90.0 || *lat > 90.0) csv.fail(lat_name, "outside -90..90 (91 is \"not available\")");
    if (*lon < -180.0 || *lon > 180.0) csv.fail(lon_name, "outside -180..180 (181 is \"not available\")");
    return std::make_pair(*lat, *lon);
  }
  std::optional<int> small_int(std::optional<std::size_t> col, std::string_view name, int lo, int hi) const {
    const auto v = integer(col, name);
    if (!v) return std::nullopt;
    if (*v < lo || *v > hi) csv.fail(name, "outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return static_cast<int>(*v);
  }
};

// "18/03/2023 00:00:00" (DMA, UTC).
UtcTime parse_dma_time(const CsvReader& csv, std::string_view text, std::string_view name) {
  text = trim(text);
  auto digits = [&](std::size_t pos, std::size_t n) {
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  const bool shape =
      text.size() == 19 && text[2] == '/' && text[5] == '/' && text[10] == ' ' && text[13] == ':' && text[16] == ':';
  const int d = shape ? digits(0, 2) : -1, m = shape ? digits(3, 2) : -1, y = shape ? digits(6, 4) : -1;
  const int hh = shape ? digits(11, 2) : -1, mi = shape ? digits(14, 2) : -1, ss = shape ? digits(17, 2) : -1;
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!shape || d < 0 || m < 0 || y < 0 || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60 || !ymd.ok())
    csv.fail(name, "'" + std::string(text) + "' is not a time dd/mm/yyyy HH:MM:SS");
  return UtcTime(std::chrono::sys_days(ymd)) + std::chrono::hours(hh) + std::chrono::minutes(mi) +
         std::chrono::seconds(ss);
}

UtcTime parse_iso_time(const CsvReader& csv, std::string_view text, std::string_view name) {
  try {
    return parse_iso8601(trim(text));
  } catch (const Error& e) {
    csv.fail(name, e.what());
  }
}

bool has_static(const StaticData& s) {
  return !s.name.empty() || !s.callsign.empty() || !s.destination.empty() || s.imo || s.ship_type || s.dim_a ||
         s.dim_b || s.dim_c || s.dim_d || s.draught_m;
}

// What a static report says, without when or where from: CSV flavours repeat it on every row,
// so only a change is passed on (memory grows with ships, not rows).
std::size_t static_content_hash(const StaticData& s) {
  std::string key = s.name + '\x1f' + s.callsign + '\x1f' + s.destination + '\x1f';
  for (const auto& v : {s.ship_type, s.dim_a, s.dim_b, s.dim_c, s.dim_d}) key += (v ? std::to_string(*v) : "-") + ',';
  key += (s.imo ? std::to_string(*s.imo) : "-") + ',' + (s.draught_m ? std::to_string(*s.draught_m) : "-");
  return std::hash<std::string>{}(key);
}

struct RowResult {
  std::optional<PositionReport> position;
  std::optional<StaticData> static_data;
  bool no_position = false;
  bool not_vessel = false;
};

// The common loop: parse each row (a bad one throws input_invalid from csv.fail), then hand
// the results to the sink outside the try, so a sink's own error is never taken for a bad row.
template <typename Parse>
ReadReport run_csv(CsvReader& csv, AisFormat format, const AisSink& sink, const ReadOptions& options, Parse&& parse) {
  ReadReport report;
  report.format = format;
  std::unordered_map<std::int64_t, std::size_t> last_static;
  while (csv.next()) {
    detail::tick(report, options);
    RowResult r;
    try {
      r = parse(Row{csv});
    } catch (const Error& e) {
      detail::record_problem(report, options, e);
      continue;
    }
    if (r.not_vessel) ++report.not_vessel;
    if (r.no_position) ++report.no_position;
    if (r.position) {
      ++report.positions;
      if (sink.position) sink.position(*r.position);
    }
    if (r.static_data && has_static(*r.static_data)) {
      const auto hash = static_content_hash(*r.static_data);
      auto [it, fresh] = last_static.try_emplace(r.static_data->mmsi, hash);
      if (!fresh && it->second == hash) continue;
      it->second = hash;
      ++report.statics;
      if (sink.static_data) sink.static_data(*r.static_data);
    }
  }
  return report;
}

std::optional<std::int64_t> imo_number(const Row& row, std::optional<std::size_t> col, std::string_view name) {
  std::string_view t = row.text(col);
  if (t.empty() || lower(t) == "unknown") return std::nullopt;
  if (t.size() > 3 && lower(t.substr(0, 3)) == "imo") t.remove_prefix(3);  // MarineCadastre: "IMO9481374"
  std::int64_t v = 0;
  for (char c : t) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      row.csv.fail(name, "'" + std::string(row.text(col)) + "' is not an IMO number");
    v = v * 10 + (c - '0');
    if (v > 999999999) row.csv.fail(name, "'" + std::string(row.text(col)) + "' is not an IMO number");
  }
  if (v == 0) return std::nullopt;
  return v;
}

// Where a flavour keeps SOG, COG and heading, and what it calls them (for error messages).
struct MotionColumns {
  std::optional<std::size_t> sog, cog, heading;
  const char* sog_name;
  const char* cog_name;
  const char* heading_name;
};

// The position report every CSV flavour makes of a row: position, time, motion with ITU-R
// M.1371's "not available" values dropped. Navigational status and class are the caller's.
PositionReport motion_report(const Row& row, std::int64_t mmsi, UtcTime time, std::pair<double, double> pos,
                             const MotionColumns& c, std::string source, std::string provider) {
  PositionReport p;
  p.mmsi = mmsi;
  p.time = time;
  p.lat = pos.first;
  p.lon = pos.second;
  p.sog_kn = valid_sog(row.number(c.sog, c.sog_name));
  p.cog_deg = valid_cog(row.number(c.cog, c.cog_name));
  p.heading_deg = valid_heading(row.number(c.heading, c.heading_name));
  p.source = std::move(source);
  p.provider = std::move(provider);
  return p;
}

// An antenna-to-hull distance (A, B, C, D) in metres; 0 means "not available".
std::optional<int> antenna_dimension(const Row& row, std::optional<std::size_t> col, const char* name) {
  const auto v = row.small_int(col, name, 0, 511);
  return v && *v > 0 ? v : std::nullopt;
}

}  // namespace

std::optional<int> dma_nav_status_code(std::string_view text) {
  const std::string t = lower(trim(text));
  static const std::pair<const char*, int> kCodes[] = {{"under way using engine", 0},
                                                       {"at anchor", 1},
                                                       {"not under command", 2},
                                                       {"restricted man", 3},
                                                       {"constrained by her draught", 4},
                                                       {"moored", 5},
                                                       {"aground", 6},
                                                       {"engaged in fishing", 7},
                                                       {"under way sailing", 8},
                                                       {"reserved for future amendment [hsc]", 9},
                                                       {"reserved for future amendment [wig]", 10},
                                                       {"power-driven vessel towing astern", 11},
                                                       {"power-driven vessel pushing ahead", 12},
                                                       {"reserved for future use", 13},
                                                       {"ais-sart", 14}};
  for (const auto& [prefix, code] : kCodes)
    if (t.rfind(prefix, 0) == 0) return code;
  return std::nullopt;  // "Unknown value", "Undefined", ...
}

std::optional<int> dma_ship_type_code(std::string_view text) {
  const std::string t = lower(trim(text));
  // DMA writes the ITU-R M.1371 ship type group's name; the group's first code stands for it.
  static const std::pair<const char*, int> kCodes[] = {{"wig", 20},
                                                       {"fishing", 30},
                                                       {"towing long/wide", 32},
                                                       {"towing", 31},
                                                       {"dredging", 33},
                                                       {"diving", 34},
                                                       {"military", 35},
                                                       {"sailing", 36},
                                                       {"pleasure", 37},
                                                       {"hsc", 40},
                                                       {"pilot", 50},
                                                       {"sar", 51},
                                                       {"tug", 52},
                                                       {"port tender", 53},
                                                       {"anti-pollution", 54},
                                                       {"law enforcement", 55},
                                                       {"medical", 58},
                                                       {"not party to conflict", 59},
                                                       {"passenger", 60},
                                                       {"cargo", 70},
                                                       {"tanker", 80},
                                                       {"other", 90}};
  for (const auto& [name, code] : kCodes)
    if (t == name) return code;
  return std::nullopt;  // "Undefined", "Reserved", "Spare 1", ...
}

ReadReport read_dma_csv(const std::string& path, const AisSink& sink, const ReadOptions& options) {
  auto csv = CsvReader::open(path);
  const std::string source = detail::source_name(path, options);
  const auto c_time = csv->require_column("Timestamp"), c_mmsi = csv->require_column("MMSI"),
             c_lat = csv->require_column("Latitude"), c_lon = csv->require_column("Longitude");
  const auto c_mobile = csv->column("Type of mobile"), c_nav = csv->column("Navigational status"),
             c_sog = csv->column("SOG"), c_cog = csv->column("COG"), c_heading = csv->column("Heading"),
             c_imo = csv->column("IMO"), c_callsign = csv->column("Callsign"), c_name = csv->column("Name"),
             c_type = csv->column("Ship type"), c_draught = csv->column("Draught"), c_dest = csv->column("Destination"),
             c_a = csv->column("A"), c_b = csv->column("B"), c_c = csv->column("C"), c_d = csv->column("D");
  return run_csv(*csv, AisFormat::dma, sink, options, [&](const Row& row) {
    RowResult r;
    const std::string mobile = lower(row.text(c_mobile));
    // Base stations, aids to navigation and the like are not ships.
    if (mobile == "base station" || mobile == "aton") {
      r.not_vessel = true;
      return r;
    }
    const AisClass cls = parse_ais_class(row.text(c_mobile));
    const auto time = parse_dma_time(row.csv, row.csv.field(c_time), "Timestamp");
    const auto mmsi = row.mmsi(c_mmsi, "MMSI");
    const auto pos = row.position(c_lat, c_lon, "Latitude", "Longitude");
    if (pos) {
      PositionReport p =
          motion_report(row, mmsi, time, *pos, {c_sog, c_cog, c_heading, "SOG", "COG", "Heading"}, source, "dma");
      p.nav_status = dma_nav_status_code(row.text(c_nav));
      p.ais_class = cls;
      r.position = std::move(p);
    } else {
      r.no_position = true;
    }
    StaticData s;
    s.mmsi = mmsi;
    s.time = time;
    s.name = std::string(row.text(c_name));
    s.callsign = std::string(row.text(c_callsign));
    s.destination = std::string(row.text(c_dest));
    s.imo = imo_number(row, c_imo, "IMO");
    s.ship_type = dma_ship_type_code(row.text(c_type));
    s.dim_a = antenna_dimension(row, c_a, "A");
    s.dim_b = antenna_dimension(row, c_b, "B");
    s.dim_c = antenna_dimension(row, c_c, "C");
    s.dim_d = antenna_dimension(row, c_d, "D");
    const auto draught = row.number(c_draught, "Draught");
    if (draught && *draught > 0) s.draught_m = draught;
    s.source = source;
    s.provider = "dma";
    r.static_data = std::move(s);
    return r;
  });
}

ReadReport read_marinecadastre_csv(const std::string& path, const AisSink& sink, const ReadOptions& options) {
  auto csv = CsvReader::open(path);
  const std::string source = detail::source_name(path, options);
  const auto c_mmsi = csv->require_column("MMSI"), c_time = csv->require_column("BaseDateTime"),
             c_lat = csv->require_column("LAT"), c_lon = csv->require_column("LON");
  const auto c_sog = csv->column("SOG"), c_cog = csv->column("COG"), c_heading = csv->column("Heading"),
             c_name = csv->column("VesselName"), c_imo = csv->column("IMO"), c_callsign = csv->column("CallSign"),
             c_type = csv->column("VesselType"), c_status = csv->column("Status"), c_draft = csv->column("Draft"),
             c_class = csv->column("TransceiverClass");
  return run_csv(*csv, AisFormat::marinecadastre, sink, options, [&](const Row& row) {
    RowResult r;
    const auto mmsi = row.mmsi(c_mmsi, "MMSI");
    const auto time = parse_iso_time(row.csv, row.csv.field(c_time), "BaseDateTime");
    const auto pos = row.position(c_lat, c_lon, "LAT", "LON");
    if (pos) {
      PositionReport p = motion_report(row, mmsi, time, *pos, {c_sog, c_cog, c_heading, "SOG", "COG", "Heading"},
                                       source, "marinecadastre");
      const auto status = row.small_int(c_status, "Status", 0, 15);
      if (status && *status != 15) p.nav_status = status;
      p.ais_class = parse_ais_class(row.text(c_class));
      r.position = std::move(p);
    } else {
      r.no_position = true;
    }
    StaticData s;
    s.mmsi = mmsi;
    s.time = time;
    s.name = std::string(row.text(c_name));
    s.callsign = std::string(row.text(c_callsign));
    s.imo = imo_number(row, c_imo, "IMO");
    const auto type = row.small_int(c_type, "VesselType", 0, 1023);
    if (type && *type > 0) s.ship_type = type;  // 0: not available
    const auto draft = row.number(c_draft, "Draft");
    if (draft && *draft > 0) s.draught_m = draft;
    // Length/Width do not give the antenna position (A, B, C, D): not mapped to dimensions.
    s.source = source;
    s.provider = "marinecadastre";
    r.static_data = std::move(s);
    return r;
  });
}

ReadReport read_upload_ais_csv(const std::string& path, const AisSink& sink, const ReadOptions& options) {
  auto csv = CsvReader::open(path);
  return read_upload_table(*csv, path, sink, options);
}

ReadReport read_upload_table(CsvReader& table, const std::string& path, const AisSink& sink,
                             const ReadOptions& options) {
  CsvReader* csv = &table;
  const std::string source = detail::source_name(path, options);
  const auto c_mmsi = csv->require_column("mmsi"), c_lat = csv->require_column("lat"),
             c_lon = csv->require_column("lon");
  const auto c_over = csv->column("overpass_time"), c_capt = csv->column("captured_time"), c_sog = csv->column("sog"),
             c_cog = csv->column("cog"), c_heading = csv->column("heading"), c_nav = csv->column("nav_status"),
             c_class = csv->column("class"), c_name = csv->column("name"), c_callsign = csv->column("callsign"),
             c_imo = csv->column("imo"), c_type = csv->column("ship_type"), c_a = csv->column("dim_a"),
             c_b = csv->column("dim_b"), c_c = csv->column("dim_c"), c_d = csv->column("dim_d"),
             c_draught = csv->column("draught"), c_dest = csv->column("destination"),
             c_provider = csv->column("provider"), c_source = csv->column("source");
  if (!c_over && !c_capt)
    throw Error(ErrorCode::input_invalid, path + ": needs an overpass_time or captured_time column for AIS times");
  return run_csv(*csv, AisFormat::upload, sink, options, [&](const Row& row) {
    RowResult r;
    const auto mmsi = row.mmsi(c_mmsi, "mmsi");
    // As upload_csv.hpp: the position's time is overpass_time, else captured_time.
    std::optional<UtcTime> time;
    if (!row.text(c_over).empty())
      time = parse_iso_time(row.csv, row.text(c_over), "overpass_time");
    else if (!row.text(c_capt).empty())
      time = parse_iso_time(row.csv, row.text(c_capt), "captured_time");
    else
      row.csv.fail(c_over ? "overpass_time" : "captured_time", "empty: the row has no time");
    // A shipchips snapshot says where its rows came from ("aisstream", "synthetic"); keep it.
    const std::string row_source = row.text(c_source).empty() ? source : std::string(row.text(c_source));
    const std::string row_provider =
        row.text(c_provider).empty() ? std::string("upload") : std::string(row.text(c_provider));
    const auto pos = row.position(c_lat, c_lon, "lat", "lon");
    if (pos) {
      PositionReport p = motion_report(row, mmsi, *time, *pos, {c_sog, c_cog, c_heading, "sog", "cog", "heading"},
                                       row_source, row_provider);
      const auto nav = row.small_int(c_nav, "nav_status", 0, 15);
      if (nav && *nav != 15) p.nav_status = nav;
      p.ais_class = parse_ais_class(row.text(c_class));
      r.position = std::move(p);
    } else {
      r.no_position = true;
    }
    StaticData s;
    s.mmsi = mmsi;
    s.time = *time;
    s.name = std::string(row.text(c_name));
    s.callsign = std::string(row.text(c_callsign));
    s.destination = std::string(row.text(c_dest));
    s.imo = imo_number(row, c_imo, "imo");
    const auto type = row.small_int(c_type, "ship_type", 0, 255);
    if (type && *type > 0) s.ship_type = type;
    s.dim_a = antenna_dimension(row, c_a, "dim_a");
    s.dim_b = antenna_dimension(row, c_b, "dim_b");
    s.dim_c = antenna_dimension(row, c_c, "dim_c");
    s.dim_d = antenna_dimension(row, c_d, "dim_d");
    const auto draught = row.number(c_draught, "draught");
    if (draught && *draught > 0) s.draught_m = draught;
    s.source = row_source;
    s.provider = row_provider;
    r.static_data = std::move(s);
    return r;
  });
}

}  // namespace shipchips::ais
