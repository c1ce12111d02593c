// One STAC Item as StacClient::get_item reads it: JSON that does not parse is the client's
// contract_violation (tested by json::parse returning a discarded value here), a parsed value
// goes through stac::parse_item and its accessors. A broken Item contract is
// Error(contract_violation); any other exception (a nlohmann type_error, say) is a crash.
#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "stac/item.hpp"

#include <cmath>

using namespace shipchips;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  const nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (value.is_discarded()) return 0;
  stac::Item item;
  try {
    item = stac::parse_item(value, "GET fuzz/items/x");
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::contract_violation);
    return 0;
  }
  SHIPCHIPS_FUZZ_CHECK(!item.id.empty());
  for (const auto& [key, asset] : item.assets) {
    SHIPCHIPS_FUZZ_CHECK(key == asset.key);
    SHIPCHIPS_FUZZ_CHECK(item.find_asset(key) == &asset);
    (void)asset.has_role("data");
    (void)asset.declared_scale();
    (void)asset.declared_offset();
  }
  try {
    (void)item.asset("red");
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::not_found);
  }
  for (const stac::Polygon& polygon : item.footprint) {
    for (const stac::Ring& ring : polygon) {
      for (const stac::LonLat& p : ring) SHIPCHIPS_FUZZ_CHECK(std::isfinite(p.lon) && std::isfinite(p.lat));
    }
  }
  return 0;
}
