// Downloaded element sets through a cache (see tle_source.hpp).
#include "plan/tle_source.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "plan/planner_tle.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace shipchips::plan {
namespace {

struct CachedCopy {
  std::filesystem::path body_path;
  std::string body;
  UtcTime fetched_at{};
};

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io_error, path.string() + ": cannot open");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The cached copy for this URL, if any. A metadata file that names another URL (a key
// collision) or cannot be read means no copy; a body without metadata (a crash between the two
// renames) dates from its modification time.
std::optional<CachedCopy> load_cache(const std::filesystem::path& body_path, const std::filesystem::path& meta_path,
                                     const std::string& url) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(body_path, ec)) return std::nullopt;
  CachedCopy copy;
  copy.body_path = body_path;
  bool dated = false;
  if (std::filesystem::is_regular_file(meta_path, ec)) {
    try {
      const nlohmann::json meta = nlohmann::json::parse(read_all(meta_path));
      if (meta.value("url", std::string()) != url) return std::nullopt;
      copy.fetched_at = parse_iso8601(meta.at("fetched_at").get<std::string>());
      dated = true;
    } catch (const std::exception& e) {
      spdlog::warn("tle_source: {}: unreadable cache metadata ({}); dating the copy by its file time",
                   meta_path.string(), e.what());
    }
  }
  if (!dated) {
    const auto mtime = std::filesystem::last_write_time(body_path, ec);
    if (ec) return std::nullopt;
    copy.fetched_at = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::file_clock::to_sys(mtime));
  }
  copy.body = read_all(body_path);
  return copy;
}

double hours_between(UtcTime from, UtcTime to) {
  return std::chrono::duration<double, std::ratio<3600>>(to - from).count();
}

std::string age_text(double hours) {
  char buffer[64];
  if (hours < 48.0)
    std::snprintf(buffer, sizeof buffer, "%.1f h", hours);
  else
    std::snprintf(buffer, sizeof buffer, "%.1f days", hours / 24.0);
  return buffer;
}

// The first line of a response, short enough for a log line ("No GP data found").
std::string snippet(const std::string& body) {
  std::string line = body.substr(0, body.find_first_of("\r\n"));
  if (line.size() > 80) line = line.substr(0, 77) + "...";
  return line;
}

}  // namespace

std::string_view to_string(TleOrigin origin) {
  switch (origin) {
    case TleOrigin::downloaded:
      return "downloaded";
    case TleOrigin::cache_fresh:
      return "cache";
    case TleOrigin::cache_stale:
      return "stale cache";
  }
  return "?";
}

std::string tle_cache_key(std::string_view url) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a 64: stable across runs and machines
  for (const char c : url) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

CachedDownload fetch_cached(const CachedDownloadOptions& options, HttpClient& client, const BodyValidator& validate) {
  const std::string& what = options.what;
  if (options.url.empty()) throw Error(ErrorCode::invalid_argument, what + ": no URL configured");
  if (options.cache_dir.empty()) throw Error(ErrorCode::invalid_argument, what + ": no cache folder given");
  if (!(options.cache_hours >= 0.0))
    throw Error(ErrorCode::invalid_argument, what + ": cache hours must not be negative");
  const UtcTime now = options.now.value_or(utc_now());
  const std::string key = tle_cache_key(options.url);
  const std::filesystem::path body_path =
      options.cache_dir / (options.file_name.empty() ? key + ".txt" : options.file_name);
  const std::filesystem::path meta_path = options.cache_dir / (key + ".json");
  auto check = [&](const std::string& body, const std::string& source, std::string& problem) -> std::size_t {
    try {
      const std::size_t n = validate(body, source);
      if (n == 0) problem = "nothing usable in it";
      return n;
    } catch (const Error& e) {
      problem = e.what();
    }
    return 0;
  };

  CachedDownload result;
  std::optional<CachedCopy> cache = load_cache(body_path, meta_path, options.url);
  std::size_t cached_items = 0;
  if (cache) {
    std::string problem;
    cached_items = check(cache->body, body_path.string(), problem);
    if (cached_items == 0) {
      // Only validated bodies are cached, so this is damage from outside: do not trust it.
      result.warnings.push_back(what + ": cached copy " + body_path.string() + " is unusable (" + problem + ")");
      cache.reset();
    }
  }
  const auto use_cache = [&](TleOrigin origin) {
    result.path = cache->body_path;
    result.items = cached_items;
    result.origin = origin;
    result.fetched_at = cache->fetched_at;
    result.age_hours = hours_between(cache->fetched_at, now);
    for (const std::string& w : result.warnings) spdlog::warn("{}", w);
    return result;
  };
  if (cache && options.cache_hours > 0.0 && hours_between(cache->fetched_at, now) < options.cache_hours) {
    return use_cache(TleOrigin::cache_fresh);
  }

  // Download; any failure falls back to the cache when there is one.
  std::string failure;
  ErrorCode failure_code = ErrorCode::network_transient;
  std::string body;
  try {
    HttpResponse response = client.get(options.url);
    if (response.status < 200 || response.status > 299) {
      failure = "HTTP " + std::to_string(response.status);
      failure_code = response.status >= 500 ? ErrorCode::network_transient : ErrorCode::http_client_error;
    } else {
      body = std::move(response.body);
    }
  } catch (const Error& e) {
    failure = e.what();
    failure_code = e.code();
  }
  std::size_t items = 0;
  if (failure.empty()) {
    std::string problem;
    items = check(body, options.url, problem);
    if (items == 0) {
      failure = "the response is not " + options.content + " (\"" + snippet(body) + "\": " + problem + ")";
      failure_code = ErrorCode::input_invalid;
    }
  }
  if (!failure.empty()) {
    // HttpError messages already name the URL; say it once.
    if (failure.find(options.url) == std::string::npos) failure = options.url + ": " + failure;
    if (!cache) {
      for (const std::string& w : result.warnings) spdlog::warn("{}", w);
      throw Error(failure_code, what + ": " + failure + "; no cached copy in " + options.cache_dir.string() +
                                    (options.hint.empty() ? "" : " (" + options.hint + ")"));
    }
    result.warnings.push_back(what + ": " + failure + "; using the cached copy fetched " +
                              format_iso8601(cache->fetched_at, 0) + " (" +
                              age_text(hours_between(cache->fetched_at, now)) + " old)");
    return use_cache(TleOrigin::cache_stale);
  }

  // Body first: a crash before the metadata is written leaves a body dated by its file time.
  write_file_atomic(body_path, body);
  nlohmann::ordered_json meta;
  meta["url"] = options.url;
  meta["fetched_at"] = format_iso8601(now);
  meta["bytes"] = body.size();
  meta[options.count_key] = items;
  write_file_atomic(meta_path, meta.dump(2) + "\n");
  for (const std::string& w : result.warnings) spdlog::warn("{}", w);
  result.path = body_path;
  result.items = items;
  result.origin = TleOrigin::downloaded;
  result.fetched_at = now;
  result.age_hours = 0.0;
  spdlog::info("{}: {} {} from {} cached in {}", what, items, options.count_key, options.url, body_path.string());
  return result;
}

TleFetch fetch_tles(const TleSourceOptions& options, HttpClient& client) {
  CachedDownloadOptions o;
  o.url = options.url;
  o.cache_dir = options.cache_dir;
  o.cache_hours = options.cache_hours;
  o.now = options.now;
  o.what = "tle_source";
  o.content = "TLE/OMM element sets";
  o.count_key = "element_sets";
  o.hint = "give --tle FILE or set satellite_tracking.tle_file";
  const CachedDownload got = fetch_cached(o, client, [](const std::string& body, const std::string& source) {
    return parse_element_sets(body, source).size();
  });
  TleFetch result;
  result.path = got.path;
  result.element_sets = parse_element_sets(read_all(got.path), got.path.string());
  result.origin = got.origin;
  result.fetched_at = got.fetched_at;
  result.age_hours = got.age_hours;
  result.warnings = got.warnings;
  return result;
}

}  // namespace shipchips::plan
