#pragma once
// STAC API item search: request building, page parsing and the client that pages through
// results the way Earth Search serves them (a `next` link that POSTs a body carrying a `next`
// token, `merge: false`; the last page may be empty), also following GET `next` links with an
// href. Search uses POST and falls back to GET (for this client's lifetime) when the server
// answers 405 or 404 to the POST. Items are deduplicated on (collection, id).
//
// Errors: transport and status errors come from HttpClient (network_transient after retries,
// http_client_error on 4xx); a page that is not JSON, not a FeatureCollection, or holds an
// item that breaks the Item contract is Error(contract_violation) naming the URL and page.

#include "core/http_client.hpp"
#include "stac/item.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::stac {

// The `query` extension on eo:cloud_cover; unset operators are left out.
struct CloudCoverQuery {
  std::optional<double> lt, lte, gt, gte, eq;
  bool empty() const { return !lt && !lte && !gt && !gte && !eq; }
};

enum class SortOrder { none, ascending, descending };

struct SearchRequest {
  std::vector<std::string> collections;
  std::optional<std::array<double, 4>> bbox;  // west, south, east, north (west > east crosses 180°)
  nlohmann::json intersects;                  // a GeoJSON geometry; null for none
  std::string datetime;                       // "" (any), an instant, or "start/end" with ".." open ends
  std::vector<std::string> ids;
  int limit = 0;  // page size; 0 leaves the server's default
  CloudCoverQuery cloud_cover;
  SortOrder sort_datetime = SortOrder::none;

  // Error(invalid_argument) naming the field: bbox with intersects, bad bbox, a datetime
  // that is not an instant or interval (or runs backwards), negative limit, non-object
  // intersects without a "type".
  void validate() const;
  nlohmann::json to_json() const;       // the POST body (validates first)
  std::string to_query_string() const;  // the GET form, percent-encoded, without "?"
};

// "start/end" for the datetime filter; nullopt ends become "..". Both open is invalid_argument.
std::string format_datetime_interval(std::optional<UtcTime> start, std::optional<UtcTime> end);

struct NextLink {
  std::string method = "GET";
  std::string href;
  nlohmann::json body;  // the POST body (null for GET)
  bool merge = false;   // true: merge `body` into the previous request body
  std::vector<std::pair<std::string, std::string>> headers;
};

struct SearchPage {
  std::vector<Item> items;
  std::optional<NextLink> next;
  std::optional<long long> number_matched;  // numberMatched or context.matched
};

// One ItemCollection page; `source` names it in errors ("POST https://.../search page 2").
SearchPage parse_search_page(std::string_view text, std::string_view source);

struct SearchOptions {
  std::size_t max_items = 0;  // 0: no limit
  int max_pages = 10000;      // a guard against servers that never stop
};

struct SearchResult {
  std::vector<Item> items;
  int pages = 0;
  std::size_t duplicates_dropped = 0;
  std::optional<long long> number_matched;  // from the first page
  bool hit_max_items = false;
  bool hit_max_pages = false;
};

// Not thread-safe (it uses one HttpClient); use one per thread.
class StacClient {
 public:
  // Uses `http`, which must outlive the client.
  StacClient(std::string endpoint, HttpClient& http);
  // Owns its own HttpClient.
  explicit StacClient(std::string endpoint, HttpOptions options = {});

  const std::string& endpoint() const { return m_endpoint; }
  bool uses_get_search() const { return m_get_search; }

  // The landing page (a Catalog with links); contract_violation if it is not one.
  nlohmann::json landing();
  SearchResult search(const SearchRequest& request, const SearchOptions& options = {});
  // GET {endpoint}/collections/{collection}/items/{id}; Error(not_found) on 404.
  Item get_item(const std::string& collection, const std::string& id);

 private:
  std::string resolve(const std::string& href) const;

  std::unique_ptr<HttpClient> m_owned;
  HttpClient* m_http;
  std::string m_endpoint;
  bool m_get_search = false;
};

}  // namespace shipchips::stac
