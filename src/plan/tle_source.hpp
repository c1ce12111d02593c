#pragma once
// Element sets downloaded from a GP service (satellite_tracking.tle_source, by default
// Celestrak's gp.php?NAME=SENTINEL-2&FORMAT=tle) through a local cache.
//
// Cache: <cache_dir>/<key>.txt holds the last good response body and <key>.json its metadata
// ({"url", "fetched_at", "bytes", "element_sets"}); key = 16 hex digits of FNV-1a 64 of the
// URL, so several sources share one folder. Both files are written atomically (body first).
//
// Policy (Celestrak asks clients not to fetch the same data more often than every 2 hours, and
// a planner must keep working through an outage):
//  - a cached copy younger than cache_hours is used without any request (0 = always download);
//  - otherwise the URL is fetched (HttpClient: retries with backoff). The body replaces the
//    cache only when it parses as TLE or OMM (CSV/JSON/XML) with at least one element set, so
//    an error text such as Celestrak's "No GP data found" never overwrites a good copy;
//  - when the download fails or returns something that is not element sets, the cached copy
//    is used with a warning giving its age; without one it is an Error (network_transient for
//    network failures and 5xx, the HTTP error's code for 4xx, input_invalid for a bad body),
//    naming the URL and the cache folder.

#include "core/http_client.hpp"
#include "core/time.hpp"
#include "orbit/tle.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::plan {

struct TleSourceOptions {
  std::string url;
  std::filesystem::path cache_dir;  // usually <dataset_root>/plan/tle_cache
  double cache_hours = 6.0;         // satellite_tracking.tle_cache_hours
  std::optional<UtcTime> now;       // the clock (tests); default utc_now()
};

enum class TleOrigin {
  downloaded,   // fetched now and cached
  cache_fresh,  // cached copy younger than cache_hours: no request made
  cache_stale,  // download failed or was not element sets: the older cached copy
};
std::string_view to_string(TleOrigin origin);

struct TleFetch {
  std::filesystem::path path;  // the cached body the sets were read from
  std::vector<orbit::Tle> element_sets;
  TleOrigin origin = TleOrigin::downloaded;
  UtcTime fetched_at{};               // when the body was downloaded
  double age_hours = 0.0;             // now − fetched_at
  std::vector<std::string> warnings;  // also logged with spdlog::warn
};

TleFetch fetch_tles(const TleSourceOptions& options, HttpClient& client);

// The same cache policy for any downloaded file (the ESA acquisition plan from a URL): body at
// <cache_dir>/<file_name> (default <key>.txt; a plan keeps its own name, which carries its
// validity period), metadata at <cache_dir>/<key>.json with `count_key` = what validate
// counted. `validate(body, source)` returns how many usable items the body holds (0 or an
// Error: not cached, and a cached copy is used instead with a warning).
struct CachedDownloadOptions {
  std::string url;
  std::filesystem::path cache_dir;
  std::string file_name;
  double cache_hours = 6.0;
  std::optional<UtcTime> now;
  std::string what = "download";        // names the source in messages ("tle_source")
  std::string content = "usable data";  // "the response is not <content>"
  std::string count_key = "items";
  std::string hint;  // what to do when there is no copy at all
};
struct CachedDownload {
  std::filesystem::path path;
  std::size_t items = 0;
  TleOrigin origin = TleOrigin::downloaded;
  UtcTime fetched_at{};
  double age_hours = 0.0;
  std::vector<std::string> warnings;
};
using BodyValidator = std::function<std::size_t(const std::string& body, const std::string& source)>;
CachedDownload fetch_cached(const CachedDownloadOptions& options, HttpClient& client, const BodyValidator& validate);

// The cache key of a URL: 16 lower-case hex digits (FNV-1a 64 of its bytes).
std::string tle_cache_key(std::string_view url);

}  // namespace shipchips::plan
