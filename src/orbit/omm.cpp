#include "orbit/omm.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/input_file.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <numbers>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace shipchips::orbit {
namespace {

using Record = detail::OmmRecord;

double required_number(const Record& r, std::string_view name) {
  std::optional<double> v = r.number(name);
  if (!v) r.fail(name, "missing");
  return *v;
}

double optional_number(const Record& r, std::string_view name) {
  return r.number(name).value_or(0.0);
}

// A count or code: a whole number in 0..high (0 when absent). Checked before the cast, which
// is undefined for a value outside the integer's range.
double optional_whole_number(const Record& r, std::string_view name, double high) {
  const double value = optional_number(r, name);
  if (!(value >= 0.0 && value <= high && value == std::floor(value))) {
    std::ostringstream msg;
    msg << value << " is not a whole number in 0.." << static_cast<long>(high);
    r.fail(name, msg.str());
  }
  return value;
}

void check_range(const Record& r, std::string_view name, double value, double low, double high, bool high_open) {
  if (!(value >= low && (high_open ? value < high : value <= high))) {
    std::ostringstream msg;
    msg << value << " outside " << low << ".." << high;
    r.fail(name, msg.str());
  }
}

}  // namespace

Omm detail::make_omm(const Record& r, long source_line) {
  Omm o;
  o.source_line = source_line;
  o.object_name = r.text("OBJECT_NAME").value_or("");
  o.object_id = r.text("OBJECT_ID").value_or("");
  std::optional<std::string> id = r.text("NORAD_CAT_ID");
  if (!id || id->empty()) r.fail("NORAD_CAT_ID", "missing");
  try {
    // Plain numbers beyond 99999 are allowed in OMM; Alpha-5 text is accepted too.
    bool digits = id->find_first_not_of("0123456789") == std::string::npos;
    o.catalog_number = digits ? std::stol(*id) : decode_alpha5(*id);
  } catch (const std::exception&) {
    std::string msg = "'";
    msg += *id;
    msg += "' is not a catalogue number";
    r.fail("NORAD_CAT_ID", msg);
  }
  std::string cls = r.text("CLASSIFICATION_TYPE").value_or("U");
  o.classification = cls.empty() ? 'U' : cls[0];
  o.ephemeris_type = static_cast<int>(optional_whole_number(r, "EPHEMERIS_TYPE", 9));
  o.element_set_number = static_cast<int>(optional_whole_number(r, "ELEMENT_SET_NO", 999999999));
  o.rev_at_epoch = static_cast<long>(optional_whole_number(r, "REV_AT_EPOCH", 999999999));

  std::optional<std::string> epoch = r.text("EPOCH");
  if (!epoch || epoch->empty()) r.fail("EPOCH", "missing");
  try {
    o.epoch = parse_iso8601(*epoch);
  } catch (const Error& e) {
    r.fail("EPOCH", e.what());
  }
  o.mean_motion_rev_day = required_number(r, "MEAN_MOTION");
  o.eccentricity = required_number(r, "ECCENTRICITY");
  o.inclination_deg = required_number(r, "INCLINATION");
  o.raan_deg = required_number(r, "RA_OF_ASC_NODE");
  o.arg_perigee_deg = required_number(r, "ARG_OF_PERICENTER");
  o.mean_anomaly_deg = required_number(r, "MEAN_ANOMALY");
  o.bstar = required_number(r, "BSTAR");
  o.mean_motion_dot = optional_number(r, "MEAN_MOTION_DOT");
  o.mean_motion_ddot = optional_number(r, "MEAN_MOTION_DDOT");
  if (!(o.mean_motion_rev_day > 0.0)) r.fail("MEAN_MOTION", "must be positive");
  check_range(r, "ECCENTRICITY", o.eccentricity, 0.0, 1.0, true);
  check_range(r, "INCLINATION", o.inclination_deg, 0.0, 180.0, false);
  check_range(r, "RA_OF_ASC_NODE", o.raan_deg, 0.0, 360.0, false);
  check_range(r, "ARG_OF_PERICENTER", o.arg_perigee_deg, 0.0, 360.0, false);
  check_range(r, "MEAN_ANOMALY", o.mean_anomaly_deg, 0.0, 360.0, false);
  return o;
}

std::optional<double> detail::parse_number_text(const Record& r, std::string_view name, const std::string& text) {
  try {
    return parse_double_field(text);
  } catch (const Error&) {
    std::string msg = "'";
    msg += text;
    msg += "' is not a number";
    r.fail(name, msg);
  }
  return std::nullopt;
}

using detail::make_omm;
using detail::parse_number_text;

MeanElements Omm::mean_elements() const {
  constexpr double kDeg2Rad = std::numbers::pi / 180.0;
  const double xpdotp = 1440.0 / (2.0 * std::numbers::pi);
  MeanElements m;
  m.catalog_number = catalog_number;
  // Julian date pair: whole days since the Unix epoch (JD 2440587.5) and the fraction.
  const long long us = epoch.time_since_epoch().count();
  constexpr long long kDay = 86400LL * 1000000LL;
  long long days = us / kDay;
  long long rem = us % kDay;
  if (rem < 0) {
    rem += kDay;
    --days;
  }
  m.epoch_jd = 2440587.5 + static_cast<double>(days);
  m.epoch_jd_fraction = static_cast<double>(rem) / static_cast<double>(kDay);
  m.bstar = bstar;
  m.ndot = mean_motion_dot / (xpdotp * 1440.0);
  m.nddot = mean_motion_ddot / (xpdotp * 1440.0 * 1440.0);
  m.eccentricity = eccentricity;
  m.arg_perigee_rad = arg_perigee_deg * kDeg2Rad;
  m.inclination_rad = inclination_deg * kDeg2Rad;
  m.mean_anomaly_rad = mean_anomaly_deg * kDeg2Rad;
  m.mean_motion_rad_min = mean_motion_rev_day / xpdotp;
  m.raan_rad = raan_deg * kDeg2Rad;
  return m;
}

std::vector<Omm> parse_omm_csv(std::istream& in, std::string_view source) {
  CsvReader csv(in, std::string(source));
  std::vector<Omm> out;
  Record r;
  r.fail = [&csv](std::string_view field, std::string_view msg) { csv.fail(field, msg); };
  r.text = [&csv](std::string_view name) -> std::optional<std::string> {
    std::optional<std::size_t> col = csv.column(name);
    if (!col) return std::nullopt;
    return std::string(csv.field(*col));
  };
  r.number = [&csv, &r](std::string_view name) -> std::optional<double> {
    std::optional<std::string> t = r.text(name);
    if (!t) return std::nullopt;
    return parse_number_text(r, name, *t);
  };
  while (csv.next()) out.push_back(make_omm(r, csv.line()));
  return out;
}

std::vector<Omm> parse_omm_json(std::string_view text, std::string_view source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::input_invalid, located(source, 0, "json", e.what()));
  }
  if (doc.is_object()) doc = nlohmann::json::array({doc});
  if (!doc.is_array())
    throw Error(ErrorCode::input_invalid, located(source, 0, "json", "expected an array of OMM objects"));
  std::vector<Omm> out;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const nlohmann::json& obj = doc[i];
    std::string where = "[";
    where += std::to_string(i);
    where += "].";
    Record r;
    r.fail = [&](std::string_view field, std::string_view msg) {
      throw Error(ErrorCode::input_invalid, located(source, 0, where + std::string(field), msg));
    };
    if (!obj.is_object()) r.fail("", "not an object");
    r.text = [&obj](std::string_view name) -> std::optional<std::string> {
      auto it = obj.find(std::string(name));
      if (it == obj.end() || it->is_null()) return std::nullopt;
      if (it->is_string()) return it->get<std::string>();
      if (it->is_number_integer()) return std::to_string(it->get<long long>());
      return it->dump();
    };
    r.number = [&obj, &r](std::string_view name) -> std::optional<double> {
      auto it = obj.find(std::string(name));
      if (it == obj.end() || it->is_null()) return std::nullopt;
      if (it->is_number()) return it->get<double>();
      if (it->is_string()) return parse_number_text(r, name, it->get<std::string>());
      r.fail(name, "not a number");
      return std::nullopt;
    };
    out.push_back(make_omm(r, static_cast<long>(i)));
  }
  return out;
}

std::vector<Omm> parse_omm_text(std::string_view text, std::string_view source) {
  // A UTF-8 byte-order mark is not content (some Windows tools write one).
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text.substr(first, 3) == "\xEF\xBB\xBF")
    first = text.find_first_not_of(" \t\r\n", first + 3);
  if (first != std::string_view::npos && (text[first] == '[' || text[first] == '{'))
    return parse_omm_json(text, source);
  if (first != std::string_view::npos && text[first] == '<') return parse_omm_xml(text, source);
  std::istringstream csv{std::string(text)};
  return parse_omm_csv(csv, source);
}

std::vector<Omm> read_omm_file(const std::filesystem::path& path) {
  return parse_omm_text(read_input_file(path, "OMM file"), path.string());
}

}  // namespace shipchips::orbit
