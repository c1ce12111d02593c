#include "ais/model.hpp"

#include <algorithm>
#include <cctype>

namespace shipchips::ais {

std::string_view to_string(AisClass c) {
  switch (c) {
    case AisClass::a:
      return "A";
    case AisClass::b:
      return "B";
    case AisClass::unknown:
      break;
  }
  return "";
}

AisClass parse_ais_class(std::string_view text) {
  std::string t;
  for (char ch : text) t.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  if (t == "A" || t == "CLASS A") return AisClass::a;
  if (t == "B" || t == "CLASS B") return AisClass::b;
  return AisClass::unknown;
}

void merge_static(StaticData& into, const StaticData& from) {
  into.mmsi = from.mmsi;
  if (from.time > into.time) into.time = from.time;
  auto take_text = [](std::string& a, const std::string& b) {
    if (!b.empty()) a = b;
  };
  auto take = [](auto& a, const auto& b) {
    if (b) a = b;
  };
  take_text(into.name, from.name);
  take_text(into.callsign, from.callsign);
  take_text(into.destination, from.destination);
  take(into.imo, from.imo);
  take(into.ship_type, from.ship_type);
  take(into.dim_a, from.dim_a);
  take(into.dim_b, from.dim_b);
  take(into.dim_c, from.dim_c);
  take(into.dim_d, from.dim_d);
  take(into.draught_m, from.draught_m);
}

}  // namespace shipchips::ais
