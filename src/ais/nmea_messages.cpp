#include "ais/nmea_messages.hpp"

#include <cmath>

namespace shipchips::ais {

namespace {

constexpr std::int32_t lat_na = 91 * 600000;
constexpr std::int32_t lon_na = 181 * 600000;

// Bit lengths follow gpsd's acceptance rules (driver_ais.c), so the same messages decode.
DecodeStatus decode_position_a(const AisBits& b, PositionReportA& m) {
  if (b.size() < 163) return DecodeStatus::bad_length;
  m.status = static_cast<int>(b.u(38, 4));
  m.turn = b.s(42, 8);
  m.speed = static_cast<int>(b.u(50, 10));
  m.accuracy = b.u(60, 1) != 0;
  m.lon = b.s(61, 28);
  m.lat = b.s(89, 27);
  m.course = static_cast<int>(b.u(116, 12));
  m.heading = static_cast<int>(b.u(128, 9));
  m.second = static_cast<int>(b.u(137, 6));
  m.maneuver = static_cast<int>(b.u(143, 2));
  m.raim = b.u(148, 1) != 0;
  // Some transmitters cut the communication state short; read what is there.
  m.radio = b.u(149, b.size() >= 168 ? 19U : static_cast<unsigned>(b.size() - 149));
  return DecodeStatus::ok;
}

DecodeStatus decode_base_station(const AisBits& b, BaseStationReport& m) {
  if (b.size() < 168) return DecodeStatus::bad_length;
  m.year = static_cast<int>(b.u(38, 14));
  m.month = static_cast<int>(b.u(52, 4));
  m.day = static_cast<int>(b.u(56, 5));
  m.hour = static_cast<int>(b.u(61, 5));
  m.minute = static_cast<int>(b.u(66, 6));
  m.second = static_cast<int>(b.u(72, 6));
  m.accuracy = b.u(78, 1) != 0;
  m.lon = b.s(79, 28);
  m.lat = b.s(107, 27);
  m.epfd = static_cast<int>(b.u(134, 4));
  m.raim = b.u(148, 1) != 0;
  m.radio = b.u(149, 19);
  return DecodeStatus::ok;
}

DecodeStatus decode_static_voyage(const AisBits& b, StaticVoyageData& m) {
  // 424 bits by the standard; many transmitters send 420 or 422, which gpsd accepts.
  if (b.size() < 420) return DecodeStatus::bad_length;
  m.ais_version = static_cast<int>(b.u(38, 2));
  m.imo = b.u(40, 30);
  m.callsign = b.text(70, 7);
  m.shipname = b.text(112, 20);
  m.shiptype = static_cast<int>(b.u(232, 8));
  m.to_bow = static_cast<int>(b.u(240, 9));
  m.to_stern = static_cast<int>(b.u(249, 9));
  m.to_port = static_cast<int>(b.u(258, 6));
  m.to_starboard = static_cast<int>(b.u(264, 6));
  m.epfd = static_cast<int>(b.u(270, 4));
  m.month = static_cast<int>(b.u(274, 4));
  m.day = static_cast<int>(b.u(278, 5));
  m.hour = static_cast<int>(b.u(283, 5));
  m.minute = static_cast<int>(b.u(288, 6));
  m.draught = static_cast<int>(b.u(294, 8));
  m.destination = b.text(302, 20);
  m.dte = b.size() >= 423 && b.u(422, 1) != 0;
  return DecodeStatus::ok;
}

DecodeStatus decode_position_b(const AisBits& b, PositionReportB& m) {
  if (b.size() < 168) return DecodeStatus::bad_length;
  m.reserved = static_cast<int>(b.u(38, 8));
  m.speed = static_cast<int>(b.u(46, 10));
  m.accuracy = b.u(56, 1) != 0;
  m.lon = b.s(57, 28);
  m.lat = b.s(85, 27);
  m.course = static_cast<int>(b.u(112, 12));
  m.heading = static_cast<int>(b.u(124, 9));
  m.second = static_cast<int>(b.u(133, 6));
  m.regional = static_cast<int>(b.u(139, 2));
  m.cs = b.u(141, 1) != 0;
  m.display = b.u(142, 1) != 0;
  m.dsc = b.u(143, 1) != 0;
  m.band = b.u(144, 1) != 0;
  m.msg22 = b.u(145, 1) != 0;
  m.assigned = b.u(146, 1) != 0;
  m.raim = b.u(147, 1) != 0;
  m.radio = b.u(148, 20);
  return DecodeStatus::ok;
}

DecodeStatus decode_extended_b(const AisBits& b, ExtendedPositionReportB& m) {
  if (b.size() < 312) return DecodeStatus::bad_length;
  m.reserved = static_cast<int>(b.u(38, 8));
  m.speed = static_cast<int>(b.u(46, 10));
  m.accuracy = b.u(56, 1) != 0;
  m.lon = b.s(57, 28);
  m.lat = b.s(85, 27);
  m.course = static_cast<int>(b.u(112, 12));
  m.heading = static_cast<int>(b.u(124, 9));
  m.second = static_cast<int>(b.u(133, 6));
  m.regional = static_cast<int>(b.u(139, 4));
  m.shipname = b.text(143, 20);
  m.shiptype = static_cast<int>(b.u(263, 8));
  m.to_bow = static_cast<int>(b.u(271, 9));
  m.to_stern = static_cast<int>(b.u(280, 9));
  m.to_port = static_cast<int>(b.u(289, 6));
  m.to_starboard = static_cast<int>(b.u(295, 6));
  m.epfd = static_cast<int>(b.u(301, 4));
  m.raim = b.u(305, 1) != 0;
  m.dte = b.u(306, 1) != 0;
  m.assigned = b.u(307, 1) != 0;
  return DecodeStatus::ok;
}

DecodeStatus decode_long_range(const AisBits& b, LongRangeReport& m) {
  // 96 bits; a full 168-bit slot is an implementation error seen in the wild (gpsd accepts it).
  if (b.size() != 96 && b.size() != 168) return DecodeStatus::bad_length;
  m.accuracy = b.u(38, 1) != 0;
  m.raim = b.u(39, 1) != 0;
  m.status = static_cast<int>(b.u(40, 4));
  m.lon = b.s(44, 18);
  m.lat = b.s(62, 17);
  m.speed = static_cast<int>(b.u(79, 6));
  m.course = static_cast<int>(b.u(85, 9));
  m.gnss = b.u(94, 1) != 0;
  return DecodeStatus::ok;
}

bool auxiliary_mmsi(std::uint32_t mmsi) {
  return mmsi / 10000000U == 98U;
}

template <typename T>
T& emplace(AisMessage& out, int type, int repeat, std::uint32_t mmsi) {
  T& m = out.emplace<T>();
  m.type = type;
  m.repeat = repeat;
  m.mmsi = mmsi;
  return m;
}

std::optional<int> nonzero(int v) {
  return v == 0 ? std::nullopt : std::optional<int>(v);
}

}  // namespace

const AisHeader& header_of(const AisMessage& message) noexcept {
  return std::visit([](const auto& m) -> const AisHeader& { return m; }, message);
}

DecodeStatus AisDecoder::decode(const AisBits& b, AisMessage& out, char channel) {
  if (b.size() < 38) return DecodeStatus::bad_length;
  const int type = static_cast<int>(b.u(0, 6));
  const int repeat = static_cast<int>(b.u(6, 2));
  const std::uint32_t mmsi = b.u(8, 30);
  switch (type) {
    case 1:
    case 2:
    case 3:
      return decode_position_a(b, emplace<PositionReportA>(out, type, repeat, mmsi));
    case 4:
    case 11:
      return decode_base_station(b, emplace<BaseStationReport>(out, type, repeat, mmsi));
    case 5:
      return decode_static_voyage(b, emplace<StaticVoyageData>(out, type, repeat, mmsi));
    case 18:
      return decode_position_b(b, emplace<PositionReportB>(out, type, repeat, mmsi));
    case 19:
      return decode_extended_b(b, emplace<ExtendedPositionReportB>(out, type, repeat, mmsi));
    case 27:
      return decode_long_range(b, emplace<LongRangeReport>(out, type, repeat, mmsi));
    case 24: {
      const unsigned part = b.u(38, 2);
      if (part == 0) {
        if (b.size() < 160 || b.size() > 168) return DecodeStatus::bad_length;
        auto& m = emplace<StaticDataReportB>(out, type, repeat, mmsi);
        m.part = Type24Part::a;
        m.shipname = b.text(40, 20);
        // Remembered in a ring of 8 for the part B that should follow.
        Part24Memory& memory = m_part_a[channel == 'B' || channel == '2' ? 1 : 0];
        memory.parts[memory.next] = Part24A{mmsi, m.shipname};
        memory.next = (memory.next + 1) % memory.parts.size();
        return DecodeStatus::ok;
      }
      if (part == 1) {
        if (b.size() < 168) return DecodeStatus::bad_length;
        auto& m = emplace<StaticDataReportB>(out, type, repeat, mmsi);
        m.part = Type24Part::b;
        m.shiptype = static_cast<int>(b.u(40, 8));
        // Revision 4 split the 7-character vendor id into 3 characters + model + serial; both
        // readings are kept, as gpsd does.
        m.vendorid = b.text(48, 7);
        m.model = static_cast<int>(b.u(66, 4));
        m.serial = b.u(70, 20);
        m.callsign = b.text(90, 7);
        if (auxiliary_mmsi(mmsi)) {
          m.mothership_mmsi = b.u(132, 30);
        } else {
          m.to_bow = static_cast<int>(b.u(132, 9));
          m.to_stern = static_cast<int>(b.u(141, 9));
          m.to_port = static_cast<int>(b.u(150, 6));
          m.to_starboard = static_cast<int>(b.u(156, 6));
        }
        for (auto& a : m_part_a[channel == 'B' || channel == '2' ? 1 : 0].parts) {
          if (a.mmsi == mmsi) {
            m.shipname = a.shipname;
            m.part = Type24Part::both;
            a.mmsi = 0;  // a repeated part B must not match again
            break;
          }
        }
        return DecodeStatus::ok;
      }
      return DecodeStatus::bad_subtype;
    }
    default:
      return DecodeStatus::unsupported_type;
  }
}

std::optional<double> latitude_deg(std::int32_t raw) noexcept {
  if (raw == lat_na || raw > 90 * 600000 || raw < -90 * 600000) return std::nullopt;
  return raw / 600000.0;
}

std::optional<double> longitude_deg(std::int32_t raw) noexcept {
  if (raw == lon_na || raw > 180 * 600000 || raw < -180 * 600000) return std::nullopt;
  return raw / 600000.0;
}

std::optional<double> latitude_deg_long_range(std::int32_t raw) noexcept {
  if (raw > 90 * 600 || raw < -90 * 600) return std::nullopt;
  return raw / 600.0;
}

std::optional<double> longitude_deg_long_range(std::int32_t raw) noexcept {
  if (raw > 180 * 600 || raw < -180 * 600) return std::nullopt;
  return raw / 600.0;
}

std::optional<double> speed_knots(int raw) noexcept {
  if (raw < 0 || raw >= 1023) return std::nullopt;
  return raw / 10.0;
}

std::optional<double> course_deg(int raw) noexcept {
  if (raw < 0 || raw >= 3600) return std::nullopt;
  return raw / 10.0;
}

std::optional<int> heading_deg(int raw) noexcept {
  if (raw < 0 || raw > 359) return std::nullopt;
  return raw;
}

std::optional<double> rate_of_turn_deg_min(int raw) noexcept {
  if (raw <= -127 || raw >= 127) return std::nullopt;
  const double r = raw / 4.733;
  return raw < 0 ? -(r * r) : r * r;
}

std::optional<double> draught_m(int raw) noexcept {
  if (raw <= 0) return std::nullopt;
  return raw / 10.0;
}

std::optional<AisPositionFix> position_fix(const AisMessage& message) {
  AisPositionFix f;
  auto common = [&f](const auto& m, char cls) {
    f.mmsi = m.mmsi;
    f.type = m.type;
    f.ais_class = cls;
    f.lat = latitude_deg(m.lat);
    f.lon = longitude_deg(m.lon);
    f.sog_kn = speed_knots(m.speed);
    f.cog_deg = course_deg(m.course);
    f.heading_deg = heading_deg(m.heading);
    if (m.second < 60) f.second = m.second;
  };
  if (const auto* a = std::get_if<PositionReportA>(&message)) {
    common(*a, 'A');
    if (a->status != 15) f.nav_status = a->status;
    return f;
  }
  if (const auto* b = std::get_if<PositionReportB>(&message)) {
    common(*b, 'B');
    return f;
  }
  if (const auto* e = std::get_if<ExtendedPositionReportB>(&message)) {
    common(*e, 'B');
    return f;
  }
  if (const auto* l = std::get_if<LongRangeReport>(&message)) {
    f.mmsi = l->mmsi;
    f.type = l->type;
    f.ais_class = 'A';
    f.lat = latitude_deg_long_range(l->lat);
    f.lon = longitude_deg_long_range(l->lon);
    if (l->speed < 63) f.sog_kn = static_cast<double>(l->speed);
    if (l->course < 360) f.cog_deg = static_cast<double>(l->course);
    if (l->status != 15) f.nav_status = l->status;
    return f;
  }
  return std::nullopt;
}

std::optional<AisShipStatic> ship_static(const AisMessage& message) {
  AisShipStatic s;
  auto dims = [&s](const auto& m) {
    s.dim_a = nonzero(m.to_bow);
    s.dim_b = nonzero(m.to_stern);
    s.dim_c = nonzero(m.to_port);
    s.dim_d = nonzero(m.to_starboard);
  };
  if (const auto* v = std::get_if<StaticVoyageData>(&message)) {
    s.mmsi = v->mmsi;
    s.type = 5;
    s.ais_class = 'A';
    if (v->imo != 0) s.imo = v->imo;
    s.name = v->shipname;
    s.callsign = v->callsign;
    s.destination = v->destination;
    s.ship_type = nonzero(v->shiptype);
    dims(*v);
    s.draught_m = draught_m(v->draught);
    return s;
  }
  if (const auto* e = std::get_if<ExtendedPositionReportB>(&message)) {
    s.mmsi = e->mmsi;
    s.type = 19;
    s.ais_class = 'B';
    s.name = e->shipname;
    s.ship_type = nonzero(e->shiptype);
    dims(*e);
    return s;
  }
  if (const auto* r = std::get_if<StaticDataReportB>(&message)) {
    if (r->part == Type24Part::a) return std::nullopt;  // name only; merged into the part B
    s.mmsi = r->mmsi;
    s.type = 24;
    s.ais_class = 'B';
    s.name = r->shipname;
    s.callsign = r->callsign;
    s.ship_type = nonzero(r->shiptype);
    if (r->mothership_mmsi == 0) dims(*r);
    return s;
  }
  return std::nullopt;
}

}  // namespace shipchips::ais
