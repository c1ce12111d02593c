#pragma once
// Provider profiles: where a Sentinel-2 L2A archive lives, which asset key holds each band,
// and how to turn its digital numbers into surface reflectance. The rules differ per
// provider and per processing baseline; src/stac/README.md explains them with sources.

#include "stac/item.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace shipchips::stac {

enum class ProviderId { earth_search_l2a, earth_search_c1_l2a, planetary_computer };

// The bands shipchips reads (Sentinel-2 band names).
enum class Band { B02, B03, B04, B08, B11, B12, SCL };
inline constexpr std::array<Band, 7> kAllBands{Band::B02, Band::B03, Band::B04, Band::B08,
                                               Band::B11, Band::B12, Band::SCL};

std::string_view to_string(Band band);
std::optional<Band> parse_band(std::string_view name);  // "B02", ..., "SCL" (case-insensitive)

// reflectance = DN * scale + offset
struct ReflectanceRule {
  double scale = 1.0;
  double offset = 0.0;
  double apply(double dn) const { return dn * scale + offset; }
};

struct ProviderProfile {
  ProviderId id;
  std::string_view name;                       // "earth-search", "earth-search-c1", "planetary-computer"
  std::string_view collection;                 // STAC collection id
  std::string_view default_endpoint;           // STAC API root
  std::array<std::string_view, 7> asset_keys;  // indexed like kAllBands

  std::string_view asset_key(Band band) const;
  // The asset of `band` in `item`; Error(contract_violation) naming item and key if absent.
  const Asset& band_asset(const Item& item, Band band) const;
  // DN → reflectance for a reflectance band of `item` (SCL has classes, not reflectance:
  // Error(invalid_argument)). Error(contract_violation) when the item lacks what the rule
  // needs (the processing baseline).
  ReflectanceRule reflectance(const Item& item, Band band = Band::B02) const;
};

const ProviderProfile& provider_profile(ProviderId id);
// By name ("earth-search", "earth_search_l2a", ...); Error(invalid_argument) listing the names.
const ProviderProfile& provider_by_name(std::string_view name);
// The profile whose collection the item belongs to, guessed from the item (collection id and
// asset keys); nullopt when none matches.
std::optional<ProviderId> provider_for_item(const Item& item);

}  // namespace shipchips::stac
