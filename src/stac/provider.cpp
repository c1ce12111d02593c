#include "stac/provider.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>

namespace shipchips::stac {
namespace {

constexpr double kDnScale = 0.0001;      // ESA's QUANTIFICATION_VALUE 10000
constexpr double kBoaOffset = -0.1;      // BOA_ADD_OFFSET -1000 scaled by 1/10000
constexpr double kOffsetBaseline = 4.0;  // the offset exists from processing baseline 04.00 on

const std::array<ProviderProfile, 3> kProfiles{{
    {ProviderId::earth_search_l2a,
     "earth-search",
     "sentinel-2-l2a",
     "https://earth-search.aws.element84.com/v1",
     {"blue", "green", "red", "nir", "swir16", "swir22", "scl"}},
    {ProviderId::earth_search_c1_l2a,
     "earth-search-c1",
     "sentinel-2-c1-l2a",
     "https://earth-search.aws.element84.com/v1",
     {"blue", "green", "red", "nir", "swir16", "swir22", "scl"}},
    {ProviderId::planetary_computer,
     "planetary-computer",
     "sentinel-2-l2a",
     "https://planetarycomputer.microsoft.com/api/stac/v1",
     {"B02", "B03", "B04", "B08", "B11", "B12", "SCL"}},
}};

std::size_t band_index(Band band) {
  return static_cast<std::size_t>(band);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

double required_baseline(const Item& item, std::string_view provider) {
  if (!item.processing_baseline_number) {
    throw Error(ErrorCode::contract_violation,
                "item " + item.id + ": properties.s2:processing_baseline: missing, and " + std::string(provider) +
                    " needs it to decide whether DNs carry the +1000 offset");
  }
  return *item.processing_baseline_number;
}

ReflectanceRule by_baseline(double baseline) {
  return baseline >= kOffsetBaseline ? ReflectanceRule{kDnScale, kBoaOffset} : ReflectanceRule{kDnScale, 0.0};
}

}  // namespace

std::string_view to_string(Band band) {
  static constexpr std::array<std::string_view, 7> kNames{"B02", "B03", "B04", "B08", "B11", "B12", "SCL"};
  return kNames[band_index(band)];
}

std::optional<Band> parse_band(std::string_view name) {
  const std::string wanted = lower(name);
  for (Band band : kAllBands) {
    if (lower(to_string(band)) == wanted) return band;
  }
  return std::nullopt;
}

std::string_view ProviderProfile::asset_key(Band band) const {
  return asset_keys[band_index(band)];
}

const Asset& ProviderProfile::band_asset(const Item& item, Band band) const {
  const std::string_view key = asset_key(band);
  if (const Asset* asset = item.find_asset(key)) return *asset;
  throw Error(ErrorCode::contract_violation, "item " + item.id + ": assets." + std::string(key) + ": missing (band " +
                                                 std::string(to_string(band)) + " of provider " + std::string(name) +
                                                 ")");
}

ReflectanceRule ProviderProfile::reflectance(const Item& item, Band band) const {
  if (band == Band::SCL) {
    throw Error(ErrorCode::invalid_argument, "SCL holds scene classes, not reflectance (item " + item.id + ")");
  }
  switch (id) {
    case ProviderId::earth_search_l2a:
      // Earth Search subtracted the offset already when the flag is true, although its items
      // still declare raster:bands offset -0.1; following the declaration would subtract twice.
      if (item.boa_offset_applied.value_or(false)) return ReflectanceRule{kDnScale, 0.0};
      return by_baseline(required_baseline(item, name));
    case ProviderId::earth_search_c1_l2a: {
      // Collection 1 keeps original DNs and declares the true scale/offset; use them.
      if (const Asset* asset = item.find_asset(asset_key(band))) {
        if (asset->declared_scale() && asset->declared_offset()) {
          return ReflectanceRule{*asset->declared_scale(), *asset->declared_offset()};
        }
      }
      return ReflectanceRule{kDnScale, kBoaOffset};
    }
    case ProviderId::planetary_computer:
      // Original ESA DNs, no raster:bands: the ESA rule on the baseline.
      return by_baseline(required_baseline(item, name));
  }
  throw Error(ErrorCode::internal, "unknown provider");
}

const ProviderProfile& provider_profile(ProviderId id) {
  for (const auto& profile : kProfiles) {
    if (profile.id == id) return profile;
  }
  throw Error(ErrorCode::internal, "unknown provider id");
}

const ProviderProfile& provider_by_name(std::string_view name) {
  const std::string wanted = lower(name);
  static constexpr std::array<std::pair<std::string_view, ProviderId>, 9> kAliases{{
      {"earth-search", ProviderId::earth_search_l2a},
      {"earth_search", ProviderId::earth_search_l2a},
      {"earth_search_l2a", ProviderId::earth_search_l2a},
      {"earth-search-c1", ProviderId::earth_search_c1_l2a},
      {"earth_search_c1", ProviderId::earth_search_c1_l2a},
      {"earth_search_c1_l2a", ProviderId::earth_search_c1_l2a},
      {"planetary-computer", ProviderId::planetary_computer},
      {"planetary_computer", ProviderId::planetary_computer},
      {"mpc", ProviderId::planetary_computer},
  }};
  for (const auto& [alias, id] : kAliases) {
    if (alias == wanted) return provider_profile(id);
  }
  throw Error(ErrorCode::invalid_argument, "unknown STAC provider \"" + std::string(name) +
                                               "\" (known: earth-search, earth-search-c1, planetary-computer)");
}

std::optional<ProviderId> provider_for_item(const Item& item) {
  if (item.collection == "sentinel-2-c1-l2a") return ProviderId::earth_search_c1_l2a;
  if (item.collection == "sentinel-2-l2a") {
    // Both Earth Search and Planetary Computer call it sentinel-2-l2a; the asset keys differ.
    if (item.find_asset("blue") != nullptr) return ProviderId::earth_search_l2a;
    if (item.find_asset("B02") != nullptr) return ProviderId::planetary_computer;
  }
  return std::nullopt;
}

}  // namespace shipchips::stac
