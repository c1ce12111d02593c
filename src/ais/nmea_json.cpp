#include "ais/nmea_json.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace shipchips::ais {

namespace {

constexpr std::array<std::string_view, 16> nav_legends = {"Under way using engine",
                                                          "At anchor",
                                                          "Not under command",
                                                          "Restricted manoeuverability",
                                                          "Constrained by her draught",
                                                          "Moored",
                                                          "Aground",
                                                          "Engaged in fishing",
                                                          "Under way sailing",
                                                          "Reserved for HSC",
                                                          "Reserved for WIG",
                                                          "Reserved",
                                                          "Reserved",
                                                          "Reserved",
                                                          "Reserved",
                                                          "Not defined"};

constexpr std::array<std::string_view, 9> epfd_legends = {
    "Undefined", "GPS",    "GLONASS", "Combined GPS/GLONASS", "Loran-C", "Chayka", "Integrated navigation system",
    "Surveyed",  "Galileo"};

// Ship type legends 0..99 as gpsd words them (ITU-R M.1371 table 53).
std::string_view ship_type_legend(int t) {
  static constexpr std::array<std::string_view, 10> hazard = {
      " - all ships of this type",   " - Hazardous category A",    " - Hazardous category B",
      " - Hazardous category C",     " - Hazardous category D",    " - Reserved for future use",
      " - Reserved for future use",  " - Reserved for future use", " - Reserved for future use",
      " - No additional information"};
  static const std::array<std::string, 100> table = [] {
    std::array<std::string, 100> a;
    a[0] = "Not available";
    for (int i = 1; i < 20; ++i) a[i] = "Reserved for future use";
    const char* groups[] = {
        "", "", "Wing in ground (WIG)", "", "High speed craft (HSC)", "", "Passenger", "Cargo", "Tanker", "Other Type"};
    for (int g : {2, 4, 6, 7, 8, 9})
      for (int d = 0; d < 10; ++d) a[g * 10 + d] = std::string(groups[g]) + std::string(hazard[d]);
    // gpsd's deviations from the pattern above.
    for (int d = 5; d < 10; ++d) a[20 + d] = "Wing in ground (WIG) - Reserved for future use";
    a[99] = "Other Type - no additional information";
    const char* thirties[] = {"Fishing",
                              "Towing",
                              "Towing: length exceeds 200m or breadth exceeds 25m",
                              "Dredging or underwater ops",
                              "Diving ops",
                              "Military ops",
                              "Sailing",
                              "Pleasure Craft",
                              "Reserved",
                              "Reserved"};
    for (int d = 0; d < 10; ++d) a[30 + d] = thirties[d];
    const char* fifties[] = {"Pilot Vessel",
                             "Search and Rescue vessel",
                             "Tug",
                             "Port Tender",
                             "Anti-pollution equipment",
                             "Law Enforcement",
                             "Spare - Local Vessel",
                             "Spare - Local Vessel",
                             "Medical Transport",
                             "Ship according to RR Resolution No. 18"};
    for (int d = 0; d < 10; ++d) a[50 + d] = fifties[d];
    return a;
  }();
  return table[static_cast<std::size_t>(t)];
}

// JSON is built in a stack buffer and appended to the caller's string once: many small
// std::string appends were the largest cost of decoding to JSON.
class Writer {
 public:
  void push_back(char c) noexcept { *m_p++ = c; }
  void append(const char* s, std::size_t n) noexcept {
    std::memcpy(m_p, s, n);
    m_p += n;
  }
  void append(const char* b, const char* e) noexcept { append(b, static_cast<std::size_t>(e - b)); }
  char* pos() noexcept { return m_p; }
  void advance(char* to) noexcept { m_p = to; }
  char* end() noexcept { return m_buf + sizeof m_buf; }
  char& back() noexcept { return m_p[-1]; }
  const char* data() const noexcept { return m_buf; }
  std::size_t size() const noexcept { return static_cast<std::size_t>(m_p - m_buf); }

 private:
  // The longest object (type 5 with every text character escaped) is under 1 KiB.
  char m_buf[2048];
  char* m_p = m_buf;
};

void put(Writer& out, std::string_view s) {
  out.append(s.data(), s.size());
}

void put_uint(Writer& out, std::uint64_t v) {
  out.advance(std::to_chars(out.pos(), out.end(), v).ptr);
}

// printf("%0<width>u") for small widths.
void put_uint_padded(Writer& out, std::uint64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int n = static_cast<int>(r.ptr - buf); n < width; ++n) out.push_back('0');
  out.append(buf, r.ptr);
}

// printf("%.<precision>f"): std::to_chars rounds the exact binary value the same way glibc does.
void put_fixed(Writer& out, double v, int precision) {
  out.advance(std::to_chars(out.pos(), out.end(), v, std::chars_format::fixed, precision).ptr);
}

void put_bool(Writer& out, bool b) {
  put(out, b ? "true" : "false");
}

// gpsd's json_stringify: escape '"' and '\' (six-bit text has no control characters).
void put_string(Writer& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void key(Writer& out, std::string_view k) {
  out.push_back('"');
  put(out, k);
  put(out, "\":");
}

void field_uint(Writer& out, std::string_view k, std::uint64_t v) {
  key(out, k);
  put_uint(out, v);
  out.push_back(',');
}
void field_bool(Writer& out, std::string_view k, bool v) {
  key(out, k);
  put_bool(out, v);
  out.push_back(',');
}
void field_fixed(Writer& out, std::string_view k, double v, int precision) {
  key(out, k);
  put_fixed(out, v, precision);
  out.push_back(',');
}
void field_string(Writer& out, std::string_view k, std::string_view v) {
  key(out, k);
  put_string(out, v);
  out.push_back(',');
}

constexpr double latlon_div = 600000.0;

void lonlat(Writer& out, std::int32_t lon, std::int32_t lat) {
  field_fixed(out, "lon", lon / latlon_div, 6);
  field_fixed(out, "lat", lat / latlon_div, 6);
}

void dimensions(Writer& out, int bow, int stern, int port, int starboard) {
  field_uint(out, "to_bow", static_cast<unsigned>(bow));
  field_uint(out, "to_stern", static_cast<unsigned>(stern));
  field_uint(out, "to_port", static_cast<unsigned>(port));
  field_uint(out, "to_starboard", static_cast<unsigned>(starboard));
}

void ship_type(Writer& out, int t) {
  field_uint(out, "shiptype", static_cast<unsigned>(t));
  field_string(out, "shiptype_text", ship_type_text(t));
}

void epfd(Writer& out, int e) {
  field_uint(out, "epfd", static_cast<unsigned>(e));
  field_string(out, "epfd_text", epfd_text(e));
}

void body(Writer& out, const PositionReportA& m) {
  field_uint(out, "status", static_cast<unsigned>(m.status));
  field_string(out, "status_text", nav_status_text(m.status));
  key(out, "turn");
  if (m.turn == -128) {
    put(out, "\"nan\"");
  } else if (m.turn == -127) {
    put(out, "\"fastleft\"");
  } else if (m.turn == 127) {
    put(out, "\"fastright\"");
  } else {
    // gpsd 3.22 prints the square of ROT_AIS/4.733, dropping the sign; kept for agreement.
    // rate_of_turn_deg_min() gives the signed rate.
    const double r = m.turn / 4.733;
    put_fixed(out, r * r, 0);
  }
  out.push_back(',');
  key(out, "speed");
  if (m.speed == 1023)
    put(out, "\"nan\"");
  else if (m.speed == 1022)
    put(out, "\"fast\"");
  else
    put_fixed(out, m.speed / 10.0, 1);
  out.push_back(',');
  field_bool(out, "accuracy", m.accuracy);
  lonlat(out, m.lon, m.lat);
  field_fixed(out, "course", m.course / 10.0, 1);
  field_uint(out, "heading", static_cast<unsigned>(m.heading));
  field_uint(out, "second", static_cast<unsigned>(m.second));
  field_uint(out, "maneuver", static_cast<unsigned>(m.maneuver));
  field_bool(out, "raim", m.raim);
  field_uint(out, "radio", m.radio);
}

void body(Writer& out, const BaseStationReport& m) {
  key(out, "timestamp");
  out.push_back('"');
  put_uint_padded(out, static_cast<unsigned>(m.year), 4);
  out.push_back('-');
  put_uint_padded(out, static_cast<unsigned>(m.month), 2);
  out.push_back('-');
  put_uint_padded(out, static_cast<unsigned>(m.day), 2);
  out.push_back('T');
  put_uint_padded(out, static_cast<unsigned>(m.hour), 2);
  out.push_back(':');
  put_uint_padded(out, static_cast<unsigned>(m.minute), 2);
  out.push_back(':');
  put_uint_padded(out, static_cast<unsigned>(m.second), 2);
  put(out, "Z\",");
  field_bool(out, "accuracy", m.accuracy);
  lonlat(out, m.lon, m.lat);
  epfd(out, m.epfd);
  field_bool(out, "raim", m.raim);
  field_uint(out, "radio", m.radio);
}

void body(Writer& out, const StaticVoyageData& m) {
  field_uint(out, "imo", m.imo);
  field_uint(out, "ais_version", static_cast<unsigned>(m.ais_version));
  field_string(out, "callsign", m.callsign);
  field_string(out, "shipname", m.shipname);
  ship_type(out, m.shiptype);
  dimensions(out, m.to_bow, m.to_stern, m.to_port, m.to_starboard);
  epfd(out, m.epfd);
  key(out, "eta");
  out.push_back('"');
  put_uint_padded(out, static_cast<unsigned>(m.month), 2);
  out.push_back('-');
  put_uint_padded(out, static_cast<unsigned>(m.day), 2);
  out.push_back('T');
  put_uint_padded(out, static_cast<unsigned>(m.hour), 2);
  out.push_back(':');
  put_uint_padded(out, static_cast<unsigned>(m.minute), 2);
  put(out, "Z\",");
  field_fixed(out, "draught", m.draught / 10.0, 1);
  field_string(out, "destination", m.destination);
  field_uint(out, "dte", m.dte ? 1U : 0U);
}

template <typename B>
void class_b_kinematics(Writer& out, const B& m) {
  field_uint(out, "reserved", static_cast<unsigned>(m.reserved));
  field_fixed(out, "speed", m.speed / 10.0, 1);
  field_bool(out, "accuracy", m.accuracy);
  lonlat(out, m.lon, m.lat);
  field_fixed(out, "course", m.course / 10.0, 1);
  field_uint(out, "heading", static_cast<unsigned>(m.heading));
  field_uint(out, "second", static_cast<unsigned>(m.second));
  field_uint(out, "regional", static_cast<unsigned>(m.regional));
}

void body(Writer& out, const PositionReportB& m) {
  class_b_kinematics(out, m);
  field_bool(out, "cs", m.cs);
  field_bool(out, "display", m.display);
  field_bool(out, "dsc", m.dsc);
  field_bool(out, "band", m.band);
  field_bool(out, "msg22", m.msg22);
  field_bool(out, "raim", m.raim);
  field_uint(out, "radio", m.radio);
}

void body(Writer& out, const ExtendedPositionReportB& m) {
  class_b_kinematics(out, m);
  field_string(out, "shipname", m.shipname);
  ship_type(out, m.shiptype);
  dimensions(out, m.to_bow, m.to_stern, m.to_port, m.to_starboard);
  epfd(out, m.epfd);
  field_bool(out, "raim", m.raim);
  field_uint(out, "dte", m.dte ? 1U : 0U);
  field_bool(out, "assigned", m.assigned);
}

void body(Writer& out, const StaticDataReportB& m) {
  field_string(out, "shipname", m.shipname);
  ship_type(out, m.shiptype);
  field_string(out, "vendorid", m.vendorid);
  field_uint(out, "model", static_cast<unsigned>(m.model));
  field_uint(out, "serial", m.serial);
  field_string(out, "callsign", m.callsign);
  if (m.mmsi / 10000000U == 98U)
    field_uint(out, "mothership_mmsi", m.mothership_mmsi);
  else
    dimensions(out, m.to_bow, m.to_stern, m.to_port, m.to_starboard);
}

void body(Writer& out, const LongRangeReport& m) {
  field_string(out, "status", nav_status_text(m.status));
  field_bool(out, "accuracy", m.accuracy);
  field_fixed(out, "lon", m.lon / 600.0, 1);
  field_fixed(out, "lat", m.lat / 600.0, 1);
  field_uint(out, "speed", static_cast<unsigned>(m.speed));
  field_uint(out, "course", static_cast<unsigned>(m.course));
  field_bool(out, "raim", m.raim);
  field_bool(out, "gnss", m.gnss);
}

}  // namespace

std::string_view nav_status_text(int status) noexcept {
  return nav_legends[static_cast<std::size_t>(status) & 15U];
}

std::string_view epfd_text(int e) noexcept {
  if (e < 0 || e >= static_cast<int>(epfd_legends.size())) return "INVALID EPFD";
  return epfd_legends[static_cast<std::size_t>(e)];
}

std::string_view ship_type_text(int t) noexcept {
  if (t < 0 || t >= 100) return "INVALID SHIP TYPE";
  return ship_type_legend(t);
}

bool append_gpsd_json(const AisMessage& message, std::string& result, std::string_view device) {
  if (const auto* r = std::get_if<StaticDataReportB>(&message); r && r->part != Type24Part::both) return false;
  const AisHeader& h = header_of(message);
  result += "{\"class\":\"AIS\",";
  if (!device.empty()) {
    // Outside the fixed-size buffer: the device name has no length limit.
    result += "\"device\":\"";
    for (char c : device) {
      if (c == '"' || c == '\\') result += '\\';
      result += c;
    }
    result += "\",";
  }
  Writer out;
  field_uint(out, "type", static_cast<unsigned>(h.type));
  field_uint(out, "repeat", static_cast<unsigned>(h.repeat));
  field_uint(out, "mmsi", h.mmsi);
  field_bool(out, "scaled", true);
  std::visit([&out](const auto& m) { body(out, m); }, message);
  out.back() = '}';  // replaces the last field's comma
  put(out, "\r\n");
  result.append(out.data(), out.size());
  return true;
}

}  // namespace shipchips::ais
