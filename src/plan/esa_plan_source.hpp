#pragma once
// An ESA acquisition plan given as a URL (satellite_tracking.esa_kml_path / esa_csv_path or
// --esa-kml / --esa-csv starting with http:// or https://): downloaded through the same cache
// policy as TLEs (tle_source.hpp: reused for satellite_tracking.tle_cache_hours, a body that is
// not a readable plan never replaces a good copy, a failed download falls back to the cache with
// a warning of its age) into <dataset_root>/plan/esa_cache/, under the URL's own file name,
// which carries the plan's validity period ("..._20190912T120000_20190930T150000.kml").

#include "core/http_client.hpp"
#include "core/time.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace shipchips::plan {

bool is_url(std::string_view text);

// The local path of the plan at `url` (KML unless the URL's file name ends in .csv).
std::filesystem::path fetch_esa_plan(const std::string& url, const std::filesystem::path& cache_dir, double cache_hours,
                                     HttpClient& client, std::optional<UtcTime> now = std::nullopt);

}  // namespace shipchips::plan
