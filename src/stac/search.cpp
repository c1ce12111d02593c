#include "stac/search.hpp"

#include "core/error.hpp"
#include "core/http_text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace shipchips::stac {
namespace {

using nlohmann::json;

[[noreturn]] void invalid(std::string_view field, const std::string& message) {
  throw Error(ErrorCode::invalid_argument, "search request: " + std::string(field) + ": " + message);
}

[[noreturn]] void contract(std::string_view source, const std::string& message) {
  throw Error(ErrorCode::contract_violation, std::string(source) + ": " + message);
}

std::string join(const std::vector<std::string>& values, char separator) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += separator;
    out += values[i];
  }
  return out;
}

void validate_datetime(const std::string& text) {
  if (text.empty()) return;
  const auto slash = text.find('/');
  auto parse = [&](const std::string& part) {
    try {
      return parse_iso8601(part);
    } catch (const Error& e) {
      invalid("datetime", "\"" + text + "\": " + e.what());
    }
  };
  if (slash == std::string::npos) {
    if (text == "..") invalid("datetime", "an instant cannot be \"..\"");
    parse(text);
    return;
  }
  if (text.find('/', slash + 1) != std::string::npos) invalid("datetime", "\"" + text + "\" has more than one '/'");
  const std::string start = text.substr(0, slash);
  const std::string end = text.substr(slash + 1);
  auto open = [](const std::string& s) { return s.empty() || s == ".."; };
  if (open(start) && open(end)) invalid("datetime", "\"" + text + "\": at least one end must be closed");
  if (!open(start) && !open(end) && parse(end) < parse(start)) {
    invalid("datetime", "\"" + text + "\": end is before start");
  }
  if (!open(start)) parse(start);
  if (!open(end)) parse(end);
}

json cloud_cover_json(const CloudCoverQuery& query) {
  json ops = json::object();
  if (query.lt) ops["lt"] = *query.lt;
  if (query.lte) ops["lte"] = *query.lte;
  if (query.gt) ops["gt"] = *query.gt;
  if (query.gte) ops["gte"] = *query.gte;
  if (query.eq) ops["eq"] = *query.eq;
  return json{{"eo:cloud_cover", ops}};
}

std::string number_text(double value) {
  return json(value).dump();
}  // shortest round-trip form

// "https://host:port/path" → "https://host:port".
std::string origin_of(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  const auto path = url.find('/', scheme + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

std::optional<NextLink> parse_next_link(const json& links, std::string_view source) {
  if (!links.is_array()) contract(source, "links: expected an array");
  for (std::size_t i = 0; i < links.size(); ++i) {
    const json& link = links[i];
    const std::string path = "links[" + std::to_string(i) + "]";
    if (!link.is_object()) contract(source, path + ": expected an object");
    const auto rel = link.find("rel");
    if (rel == link.end() || !rel->is_string()) contract(source, path + ".rel: missing required string");
    if (rel->get<std::string>() != "next") continue;
    NextLink next;
    const auto href = link.find("href");
    if (href == link.end() || !href->is_string() || href->get<std::string>().empty()) {
      contract(source, path + ".href: missing required string");
    }
    next.href = href->get<std::string>();
    if (const auto method = link.find("method"); method != link.end() && !method->is_null()) {
      if (!method->is_string()) contract(source, path + ".method: expected a string");
      next.method = method->get<std::string>();
      std::transform(next.method.begin(), next.method.end(), next.method.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      if (next.method != "GET" && next.method != "POST")
        contract(source, path + ".method: \"" + next.method + "\" is neither GET nor POST");
    }
    if (const auto body = link.find("body"); body != link.end() && !body->is_null()) {
      if (!body->is_object()) contract(source, path + ".body: expected an object");
      next.body = *body;
    }
    if (next.method == "POST" && next.body.is_null()) contract(source, path + ".body: a POST next link needs a body");
    if (const auto merge = link.find("merge"); merge != link.end() && !merge->is_null()) {
      if (!merge->is_boolean()) contract(source, path + ".merge: expected a boolean");
      next.merge = merge->get<bool>();
    }
    if (const auto headers = link.find("headers"); headers != link.end() && !headers->is_null()) {
      if (!headers->is_object()) contract(source, path + ".headers: expected an object");
      for (const auto& [name, value] : headers->items()) {
        if (!value.is_string()) contract(source, path + ".headers." + name + ": expected a string");
        next.headers.emplace_back(name, value.get<std::string>());
      }
    }
    return next;
  }
  return std::nullopt;
}

}  // namespace

std::string format_datetime_interval(std::optional<UtcTime> start, std::optional<UtcTime> end) {
  if (!start && !end) invalid("datetime", "an interval needs at least one closed end");
  if (start && end && *end < *start) invalid("datetime", "end is before start");
  return (start ? format_iso8601(*start) : std::string("..")) + "/" + (end ? format_iso8601(*end) : std::string(".."));
}

void SearchRequest::validate() const {
  if (bbox && !intersects.is_null()) invalid("bbox", "give bbox or intersects, not both");
  if (bbox) {
    const auto& b = *bbox;
    for (double v : b) {
      if (!std::isfinite(v)) invalid("bbox", "values must be finite");
    }
    if (b[1] < -90 || b[3] > 90 || b[1] > b[3]) invalid("bbox", "need -90 <= south <= north <= 90");
    if (b[0] < -180 || b[0] > 180 || b[2] < -180 || b[2] > 180) invalid("bbox", "longitudes must be within -180..180");
  }
  if (!intersects.is_null()) {
    if (!intersects.is_object() || !intersects.contains("type") || !intersects["type"].is_string()) {
      invalid("intersects", "expected a GeoJSON geometry object with a \"type\"");
    }
  }
  validate_datetime(datetime);
  if (limit < 0) invalid("limit", "must not be negative");
  for (const auto& c : collections) {
    if (c.empty()) invalid("collections", "empty collection id");
  }
  for (const auto& id : ids) {
    if (id.empty()) invalid("ids", "empty id");
  }
}

json SearchRequest::to_json() const {
  validate();
  json body = json::object();
  if (!collections.empty()) body["collections"] = collections;
  if (bbox) body["bbox"] = *bbox;
  if (!intersects.is_null()) body["intersects"] = intersects;
  if (!datetime.empty()) body["datetime"] = datetime;
  if (!ids.empty()) body["ids"] = ids;
  if (limit > 0) body["limit"] = limit;
  if (!cloud_cover.empty()) body["query"] = cloud_cover_json(cloud_cover);
  if (sort_datetime != SortOrder::none) {
    body["sortby"] = json::array(
        {{{"field", "properties.datetime"}, {"direction", sort_datetime == SortOrder::ascending ? "asc" : "desc"}}});
  }
  return body;
}

std::string SearchRequest::to_query_string() const {
  validate();
  std::vector<std::string> parts;
  auto add = [&](std::string_view key, const std::string& value) {
    parts.push_back(std::string(key) + "=" + http::percent_encode(value));
  };
  if (!collections.empty()) add("collections", join(collections, ','));
  if (bbox) {
    add("bbox", number_text((*bbox)[0]) + "," + number_text((*bbox)[1]) + "," + number_text((*bbox)[2]) + "," +
                    number_text((*bbox)[3]));
  }
  if (!intersects.is_null()) add("intersects", intersects.dump());
  if (!datetime.empty()) add("datetime", datetime);
  if (!ids.empty()) add("ids", join(ids, ','));
  if (limit > 0) add("limit", std::to_string(limit));
  if (!cloud_cover.empty()) add("query", cloud_cover_json(cloud_cover).dump());
  if (sort_datetime != SortOrder::none) {
    add("sortby", std::string(sort_datetime == SortOrder::ascending ? "+" : "-") + "properties.datetime");
  }
  return join(parts, '&');
}

SearchPage parse_search_page(std::string_view text, std::string_view source) {
  json page;
  try {
    page = json::parse(text);
  } catch (const json::exception& e) {
    contract(source, std::string("malformed JSON: ") + e.what());
  }
  if (!page.is_object())
    contract(source, "expected a FeatureCollection object, found " + std::string(page.type_name()));
  const auto type = page.find("type");
  if (type == page.end() || !type->is_string() || type->get<std::string>() != "FeatureCollection") {
    contract(source, "type: expected \"FeatureCollection\"");
  }
  const auto features = page.find("features");
  if (features == page.end() || !features->is_array()) contract(source, "features: missing required array");

  SearchPage out;
  out.items.reserve(features->size());
  for (std::size_t i = 0; i < features->size(); ++i) {
    out.items.push_back(parse_item((*features)[i], source, "features[" + std::to_string(i) + "]"));
  }
  if (const auto links = page.find("links"); links != page.end() && !links->is_null()) {
    out.next = parse_next_link(*links, source);
  }
  if (const auto matched = page.find("numberMatched"); matched != page.end() && matched->is_number_integer()) {
    out.number_matched = matched->get<long long>();
  } else if (const auto context = page.find("context"); context != page.end() && context->is_object()) {
    if (const auto m = context->find("matched"); m != context->end() && m->is_number_integer()) {
      out.number_matched = m->get<long long>();
    }
  }
  return out;
}

StacClient::StacClient(std::string endpoint, HttpClient& http) : m_http(&http), m_endpoint(std::move(endpoint)) {
  while (!m_endpoint.empty() && m_endpoint.back() == '/') m_endpoint.pop_back();
  if (m_endpoint.empty()) throw Error(ErrorCode::invalid_argument, "STAC endpoint is empty");
}

StacClient::StacClient(std::string endpoint, HttpOptions options)
    : m_owned(std::make_unique<HttpClient>(std::move(options))),
      m_http(m_owned.get()),
      m_endpoint(std::move(endpoint)) {
  while (!m_endpoint.empty() && m_endpoint.back() == '/') m_endpoint.pop_back();
  if (m_endpoint.empty()) throw Error(ErrorCode::invalid_argument, "STAC endpoint is empty");
}

std::string StacClient::resolve(const std::string& href) const {
  if (href.find("://") != std::string::npos) return href;
  if (!href.empty() && href.front() == '/') return origin_of(m_endpoint) + href;
  return m_endpoint + "/" + href;
}

json StacClient::landing() {
  const HttpResponse response = m_http->get(m_endpoint);
  json page;
  try {
    page = json::parse(response.body);
  } catch (const json::exception& e) {
    contract("GET " + m_endpoint, std::string("malformed JSON: ") + e.what());
  }
  if (!page.is_object()) contract("GET " + m_endpoint, "expected a Catalog object");
  if (!page.contains("links") || !page["links"].is_array())
    contract("GET " + m_endpoint, "links: missing required array");
  if (!page.contains("type") || !page["type"].is_string() || page["type"].get<std::string>() != "Catalog") {
    contract("GET " + m_endpoint, "type: expected \"Catalog\"");
  }
  return page;
}

Item StacClient::get_item(const std::string& collection, const std::string& id) {
  const std::string url =
      m_endpoint + "/collections/" + http::percent_encode(collection) + "/items/" + http::percent_encode(id);
  HttpResponse response;
  try {
    response = m_http->get(url);
  } catch (const HttpError& e) {
    if (e.status() == 404) {
      throw Error(ErrorCode::not_found, "item " + id + " not found in collection " + collection + " (GET " + url + ")");
    }
    throw;
  }
  json value;
  try {
    value = json::parse(response.body);
  } catch (const json::exception& e) {
    contract("GET " + url, std::string("malformed JSON: ") + e.what());
  }
  return parse_item(value, "GET " + url);
}

SearchResult StacClient::search(const SearchRequest& request, const SearchOptions& options) {
  struct PendingRequest {
    std::string method;
    std::string url;
    json body;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  const std::string search_url = m_endpoint + "/search";
  PendingRequest current = m_get_search
                               ? PendingRequest{"GET", search_url + "?" + request.to_query_string(), json(), {}}
                               : PendingRequest{"POST", search_url, request.to_json(), {}};

  SearchResult result;
  std::set<std::pair<std::string, std::string>> seen;  // (collection, id)
  std::set<std::string> requested;                     // guards against next links that loop
  while (true) {
    if (result.pages >= options.max_pages) {
      result.hit_max_pages = true;
      return result;
    }
    const std::string signature = current.method + " " + current.url + " " + current.body.dump();
    if (!requested.insert(signature).second) {
      contract(current.method + " " + current.url,
               "page " + std::to_string(result.pages) + " links to a request already made (paging loop): " + signature);
    }

    HttpResponse response;
    if (current.method == "POST") {
      std::vector<std::pair<std::string, std::string>> headers = current.headers;
      headers.emplace_back("Content-Type", "application/json");
      headers.emplace_back("Accept", "application/geo+json, application/json");
      try {
        response = m_http->request("POST", current.url, current.body.dump(), headers);
      } catch (const HttpError& e) {
        // Servers without POST /search answer 405 (or 404 for the route); use GET from now on.
        const bool first_request = result.pages == 0 && current.url == search_url;
        if (!first_request || (e.status() != 405 && e.status() != 404)) throw;
        m_get_search = true;
        requested.clear();
        current = PendingRequest{"GET", search_url + "?" + request.to_query_string(), json(), {}};
        continue;
      }
    } else {
      response = m_http->request("GET", current.url, {}, current.headers);
    }

    const std::string source = current.method + " " + current.url + " page " + std::to_string(result.pages + 1);
    SearchPage page = parse_search_page(response.body, source);
    ++result.pages;
    if (result.pages == 1) result.number_matched = page.number_matched;
    if (page.items.empty()) return result;  // Earth Search may end with an empty page

    for (auto& item : page.items) {
      if (!seen.emplace(item.collection, item.id).second) {
        ++result.duplicates_dropped;
        continue;
      }
      result.items.push_back(std::move(item));
      if (options.max_items > 0 && result.items.size() >= options.max_items) {
        result.hit_max_items = true;
        return result;
      }
    }
    if (!page.next) return result;

    PendingRequest next{page.next->method, resolve(page.next->href), json(), page.next->headers};
    if (next.method == "POST") {
      if (page.next->merge && current.body.is_object()) {
        next.body = current.body;
        next.body.update(page.next->body);
      } else {
        next.body = page.next->body;
      }
    }
    current = std::move(next);
  }
}

}  // namespace shipchips::stac
