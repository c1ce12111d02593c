#include "plan/esa_plan_source.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "plan/esa_plan_csv.hpp"
#include "plan/esa_plan_kml.hpp"
#include "plan/tle_source.hpp"

#include <unistd.h>
#include <algorithm>
#include <cctype>

namespace shipchips::plan {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The last path segment of a URL ("" when it has none usable as a file name).
std::string url_file_name(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  const auto scheme = path.find("://");
  if (scheme != std::string::npos) path = path.substr(scheme + 3);
  const auto slash = path.find('/');
  if (slash == std::string::npos) return "";
  std::string name = path.substr(path.rfind('/') + 1);
  const bool safe = !name.empty() && name != "." && name != ".." &&
                    std::all_of(name.begin(), name.end(),
                                [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '.'; });
  return safe ? name : "";
}

}  // namespace

bool is_url(std::string_view text) {
  const std::string t = lower(std::string(text.substr(0, 8)));
  return t.rfind("http://", 0) == 0 || t.rfind("https://", 0) == 0;
}

std::filesystem::path fetch_esa_plan(const std::string& url, const std::filesystem::path& cache_dir, double cache_hours,
                                     HttpClient& client, std::optional<UtcTime> now) {
  std::string name = url_file_name(url);
  const bool csv = lower(name).size() > 4 && lower(name).ends_with(".csv");
  if (name.empty()) name = tle_cache_key(url) + ".kml";
  CachedDownloadOptions o;
  o.url = url;
  o.cache_dir = cache_dir;
  o.file_name = name;
  o.cache_hours = cache_hours;
  o.now = now;
  o.what = "esa_plan";
  o.content = csv ? "an ESA plan CSV" : "an ESA acquisition plan KML";
  o.count_key = csv ? "windows" : "datatakes";
  o.hint = "give --esa-kml/--esa-csv FILE";
  const CachedDownload got = fetch_cached(o, client, [&](const std::string& body, const std::string& source) {
    if (!csv) return parse_esa_plan_kml(body, source).size();
    // The CSV reader reads files: check a private copy.
    const std::filesystem::path probe = cache_dir / (".probe-" + std::to_string(::getpid()) + ".csv");
    make_directories(cache_dir);
    write_file_atomic(probe, body);
    try {
      const std::size_t n = read_esa_plan_csv(probe).size();
      std::filesystem::remove(probe);
      return n;
    } catch (...) {
      std::filesystem::remove(probe);
      throw;
    }
  });
  return got.path;
}

}  // namespace shipchips::plan
