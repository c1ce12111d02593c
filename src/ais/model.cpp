#include "ais/model.hpp"

#include <algorithm>
#include <cctype>

namespace shipchips::ais {

std::string_view to_string(AisClass c) {
  switch (c) {
    case AisClass::a: return "A";
    case AisClass::b: return "B";
    case AisClass::unknown: break;
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

}  // namespace shipchips::ais
