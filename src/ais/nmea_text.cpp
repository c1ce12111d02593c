#include "ais/nmea_text.hpp"

#include "ais/nmea_json.hpp"

#include <cstdio>

namespace shipchips::ais {

namespace {

std::string fixed(const std::optional<double>& v, int precision, const char* unit = "") {
  if (!v) return "n/a";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f%s", precision, *v, unit);
  return buf;
}

std::string opt_int(const std::optional<int>& v) {
  return v ? std::to_string(*v) : std::string("n/a");
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string dims(const AisShipStatic& s) {
  return opt_int(s.dim_a) + "/" + opt_int(s.dim_b) + "/" + opt_int(s.dim_c) + "/" + opt_int(s.dim_d);
}

}  // namespace

std::string summarize(const DecodedAis& d) {
  const AisHeader& h = header_of(d.message);
  std::string out = "line " + std::to_string(d.first_line) + " type " + std::to_string(h.type);
  if (const auto* r = std::get_if<StaticDataReportB>(&d.message))
    out += r->part == Type24Part::a ? "A" : r->part == Type24Part::b ? "B" : "AB";
  out += " mmsi " + std::to_string(h.mmsi);

  if (auto f = position_fix(d.message)) {
    out += std::string(" class ") + f->ais_class;
    out += " lat " + fixed(f->lat, 6) + " lon " + fixed(f->lon, 6);
    out += " sog " + fixed(f->sog_kn, 1, " kn") + " cog " + fixed(f->cog_deg, 1);
    out += " hdg " + opt_int(f->heading_deg);
    if (f->nav_status)
      out += " status " + std::to_string(*f->nav_status) + " (" + std::string(nav_status_text(*f->nav_status)) + ")";
    if (const auto* a = std::get_if<PositionReportA>(&d.message))
      if (auto rot = rate_of_turn_deg_min(a->turn)) out += " rot " + fixed(rot, 1, " deg/min");
  }
  if (const auto* e = std::get_if<ExtendedPositionReportB>(&d.message)) out += " name " + quoted(e->shipname);
  if (auto s = ship_static(d.message); s && h.type != 19) {
    if (!s->name.empty()) out += " name " + quoted(s->name);
    if (!s->callsign.empty()) out += " callsign " + s->callsign;
    if (s->imo) out += " imo " + std::to_string(*s->imo);
    out += " shiptype " + opt_int(s->ship_type);
    out += " dims " + dims(*s);
    if (h.type == 5) out += " draught " + fixed(s->draught_m, 1, " m") + " dest " + quoted(s->destination);
  } else if (const auto* r = std::get_if<StaticDataReportB>(&d.message); r && r->part == Type24Part::a) {
    out += " name " + quoted(r->shipname);
  }
  if (const auto* b = std::get_if<BaseStationReport>(&d.message)) {
    char ts[64];
    std::snprintf(ts, sizeof ts, " utc %04d-%02d-%02dT%02d:%02d:%02dZ", b->year, b->month, b->day, b->hour, b->minute,
                  b->second);
    out += ts;
    out += " lat " + fixed(latitude_deg(b->lat), 6) + " lon " + fixed(longitude_deg(b->lon), 6);
  }
  if (d.time) out += " time " + format_iso8601(*d.time, 0);
  if (!d.station.empty()) out += " station " + d.station;
  return out;
}

}  // namespace shipchips::ais
