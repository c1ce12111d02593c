// Search requests and paging. The paging tests serve the recorded Earth Search responses from
// a loopback server (hrefs rewritten to it) and check the requests the client makes against
// the requests pystac-client recorded (PROVENANCE.json), an independent oracle.

#include "../support/reference.hpp"
#include "stac/search.hpp"

#include "core/error.hpp"
#include "core/http_text.hpp"

#include "../support/loopback_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;
using shipchips::Error;
using shipchips::ErrorCode;
using shipchips::HttpClient;
using shipchips::HttpOptions;
using shipchips::parse_iso8601;
using shipchips::testing::LoopbackReply;
using shipchips::testing::LoopbackRequest;
using shipchips::testing::LoopbackServer;
using namespace shipchips::stac;

namespace {

const fs::path kEarthSearch = shipchips::testing::reference_dir() / "earth-search";
const std::string kRecordedRoot = "https://earth-search.aws.element84.com/v1";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A recorded response with its links pointed at the loopback server.
std::string recorded(const std::string& name, const std::string& server_root) {
  return replace_all(read_text(kEarthSearch / name), kRecordedRoot, server_root);
}

json provenance_request_body(const std::string& name) {
  return json::parse(read_text(kEarthSearch / "PROVENANCE.json")).at(name).at("request").at("body");
}

HttpOptions quick() {
  HttpOptions options;
  options.max_retries = 1;
  options.backoff_initial_ms = 1;
  options.backoff_max_ms = 2;
  options.timeout_ms = 5000;
  return options;
}

// Serves `pages` in order to successive requests; anything after that gets a 500.
struct PagedServer {
  std::vector<std::string> pages;
  std::atomic<std::size_t> served{0};
  LoopbackServer server;
  explicit PagedServer(std::function<std::vector<std::string>(const std::string& root)> make)
      : server([this](const LoopbackRequest&) {
          const std::size_t i = served++;
          if (i >= pages.size()) return LoopbackReply::http(500, "no more pages scripted");
          return LoopbackReply::http(200, pages[i], {}, "application/geo+json");
        }) {
    pages = make(root());
  }
  std::string root() const { return server.base_url() + "/v1"; }
};

SearchRequest multiple_collections_request() {
  SearchRequest request;
  request.collections = {"sentinel-2-l2a", "landsat-c2-l2"};
  request.datetime = "2023-10-08T00:00:00Z/2023-10-08T23:59:59Z";
  request.intersects = json{{"type", "Point"}, {"coordinates", {-105.1019, 40.1672}}};
  return request;
}

}  // namespace

TEST(StacSearchRequest, PostBodyHasEveryField) {
  SearchRequest request;
  request.collections = {"sentinel-2-l2a"};
  request.bbox = std::array<double, 4>{-105.5, 39.5, -104.5, 40.5};
  request.datetime = "2023-10-01T00:00:00Z/..";
  request.ids = {"a", "b"};
  request.limit = 50;
  request.cloud_cover.lte = 20;
  request.cloud_cover.gt = 0.5;
  request.sort_datetime = SortOrder::descending;
  const json expected = json::parse(R"({
    "collections": ["sentinel-2-l2a"], "bbox": [-105.5, 39.5, -104.5, 40.5],
    "datetime": "2023-10-01T00:00:00Z/..", "ids": ["a", "b"], "limit": 50,
    "query": {"eo:cloud_cover": {"lte": 20.0, "gt": 0.5}},
    "sortby": [{"field": "properties.datetime", "direction": "desc"}]})");
  EXPECT_EQ(request.to_json(), expected);
  EXPECT_EQ(SearchRequest{}.to_json(), json::object());
}

TEST(StacSearchRequest, PostBodyMatchesTheRecordedPystacClientRequest) {
  EXPECT_EQ(multiple_collections_request().to_json(),
            provenance_request_body("search_response__test_multiple_collections__0.json"));
}

TEST(StacSearchRequest, GetQueryString) {
  SearchRequest request;
  request.collections = {"sentinel-2-l2a", "sentinel-2-c1-l2a"};
  request.bbox = std::array<double, 4>{-105.5, 39.5, -104.5, 40.5};
  request.datetime = "2023-10-01T00:00:00Z/2023-10-02T00:00:00Z";
  request.limit = 10;
  request.cloud_cover.lt = 30;
  request.sort_datetime = SortOrder::ascending;
  EXPECT_EQ(request.to_query_string(),
            "collections=sentinel-2-l2a%2Csentinel-2-c1-l2a&bbox=-105.5%2C39.5%2C-104.5%2C40.5"
            "&datetime=2023-10-01T00%3A00%3A00Z%2F2023-10-02T00%3A00%3A00Z&limit=10"
            "&query=%7B%22eo%3Acloud_cover%22%3A%7B%22lt%22%3A30.0%7D%7D&sortby=%2Bproperties.datetime");
  SearchRequest point;
  point.intersects = json{{"type", "Point"}, {"coordinates", {1.5, 2}}};
  EXPECT_EQ(point.to_query_string(),
            "intersects=" + shipchips::http::percent_encode(R"({"coordinates":[1.5,2],"type":"Point"})"));
}

TEST(StacSearchRequest, InvalidRequestsNameTheField) {
  auto expect_invalid = [](const SearchRequest& request, const std::string& field) {
    try {
      request.to_json();
      ADD_FAILURE() << "accepted a bad " << field;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  SearchRequest both;
  both.bbox = std::array<double, 4>{0, 0, 1, 1};
  both.intersects = json{{"type", "Point"}, {"coordinates", {0, 0}}};
  expect_invalid(both, "bbox");
  SearchRequest flipped;
  flipped.bbox = std::array<double, 4>{0, 10, 1, 5};
  expect_invalid(flipped, "bbox");
  for (const char* text : {"..", "../..", "2023-13-01T00:00:00Z", "2023-10-02T00:00:00Z/2023-10-01T00:00:00Z",
                           "2023-10-01/2023-10-02/2023-10-03", "yesterday"}) {
    SearchRequest request;
    request.datetime = text;
    expect_invalid(request, "datetime");
  }
  SearchRequest negative;
  negative.limit = -1;
  expect_invalid(negative, "limit");
  SearchRequest shapeless;
  shapeless.intersects = json{{"coordinates", {0, 0}}};
  expect_invalid(shapeless, "intersects");

  // Accepted forms: instant, closed interval, open ends, antimeridian bbox.
  for (const char* text : {"2023-10-08T18:02:55Z", "2023-10-08T00:00:00Z/2023-10-09T00:00:00Z",
                           "../2023-10-09T00:00:00Z", "2023-10-08T00:00:00Z/.."}) {
    SearchRequest request;
    request.datetime = text;
    EXPECT_NO_THROW(request.to_json()) << text;
  }
  SearchRequest across;
  across.bbox = std::array<double, 4>{170, -10, -170, 10};
  EXPECT_NO_THROW(across.to_json());
}

TEST(StacSearchRequest, DatetimeIntervalFormatting) {
  const auto a = parse_iso8601("2023-10-08T17:00:00Z");
  const auto b = parse_iso8601("2023-10-08T19:00:00Z");
  EXPECT_EQ(format_datetime_interval(a, b), "2023-10-08T17:00:00.000000Z/2023-10-08T19:00:00.000000Z");
  EXPECT_EQ(format_datetime_interval(std::nullopt, b), "../2023-10-08T19:00:00.000000Z");
  EXPECT_EQ(format_datetime_interval(a, std::nullopt), "2023-10-08T17:00:00.000000Z/..");
  EXPECT_THROW(format_datetime_interval(std::nullopt, std::nullopt), Error);
  EXPECT_THROW(format_datetime_interval(b, a), Error);
}

TEST(StacSearchPaging, FollowsTheRecordedEarthSearchNextLinkThenStopsOnTheEmptyPage) {
  PagedServer paged([](const std::string& root) {
    return std::vector<std::string>{recorded("search_response__TestCLISearch.test_filter_inprocess___1.json", root),
                                    recorded("search_response__TestCLISearch.test_filter_inprocess___2.json", root),
                                    recorded("search_response__test_multiple_collections__1.json", root)};
  });
  HttpClient http(quick());
  StacClient client(paged.root(), http);
  SearchRequest request;
  request.limit = 10;
  const SearchResult result = client.search(request);

  ASSERT_EQ(result.items.size(), 20u);
  EXPECT_EQ(result.pages, 3);
  EXPECT_EQ(result.duplicates_dropped, 0u);
  EXPECT_EQ(result.number_matched, 115912757);
  EXPECT_FALSE(result.hit_max_items);
  EXPECT_EQ(result.items.front().id, "S1A_IW_GRDH_1SSH_20250731T135702_20250731T135722_060328_077F7E");
  EXPECT_EQ(result.items[10].id, "S2B_24MVV_20250731_0_L2A");
  EXPECT_EQ(result.items.back().id, "S2B_24MUA_20250731_0_L2A");

  const auto requests = paged.server.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/v1/search");
    EXPECT_EQ(r.header("Content-Type"), "application/json");
  }
  EXPECT_EQ(json::parse(requests[0].body), json({{"limit", 10}}));
  // The second request is exactly what pystac-client sent when it recorded page 2.
  EXPECT_EQ(json::parse(requests[1].body),
            provenance_request_body("search_response__TestCLISearch.test_filter_inprocess___2.json"));
  EXPECT_EQ(json::parse(requests[2].body),
            json({{"next", "2025-07-31T13:03:19.635000Z,S2B_24MUA_20250731_0_L2A,sentinel-2-l2a"}}));
  EXPECT_EQ(paged.server.connections_accepted(), 1);  // keep-alive across pages
}

TEST(StacSearchPaging, MultipleCollectionsAsRecorded) {
  PagedServer paged([](const std::string& root) {
    return std::vector<std::string>{recorded("search_response__test_multiple_collections__0.json", root),
                                    recorded("search_response__test_multiple_collections__1.json", root)};
  });
  StacClient client(paged.root() + "/", quick());  // a trailing slash is tolerated
  const SearchResult result = client.search(multiple_collections_request());
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[0].id, "S2A_13TDE_20231008_0_L2A");
  EXPECT_EQ(result.items[1].collection, "landsat-c2-l2");
  EXPECT_EQ(result.pages, 2);
  EXPECT_EQ(result.number_matched, 2);
  const auto requests = paged.server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(json::parse(requests[0].body),
            provenance_request_body("search_response__test_multiple_collections__0.json"));
  EXPECT_EQ(json::parse(requests[1].body),
            provenance_request_body("search_response__test_multiple_collections__1.json"));
}

TEST(StacSearchPaging, PlanetaryComputerTokenBody) {
  PagedServer paged([](const std::string& root) {
    const std::string pc_root = "https://planetarycomputer.microsoft.com/api/stac/v1";
    auto page = [&](const char* name) {
      return replace_all(read_text(kEarthSearch / "other-providers" / name), pc_root, root);
    };
    return std::vector<std::string>{page("mpc_search_page1.json"), page("mpc_search_page2.json")};
  });
  StacClient client(paged.root(), quick());
  SearchRequest request;
  request.collections = {"sentinel-2-l2a"};
  request.limit = 1;
  const SearchResult result = client.search(request, SearchOptions{2, 100});
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_TRUE(result.hit_max_items);
  const auto requests = paged.server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(json::parse(requests[1].body), json::parse(R"({"collections": ["sentinel-2-l2a"], "limit": 1,
                            "token": "next:S2A_MSIL2A_20230216T150721_R082_T19PHS_20230217T082924"})"));
}

TEST(StacSearchPaging, MaxItemsStopsEarly) {
  PagedServer paged([](const std::string& root) {
    return std::vector<std::string>{recorded("search_response__TestCLISearch.test_filter_inprocess___1.json", root)};
  });
  StacClient client(paged.root(), quick());
  const SearchResult result = client.search(SearchRequest{}, SearchOptions{4, 100});
  EXPECT_EQ(result.items.size(), 4u);
  EXPECT_TRUE(result.hit_max_items);
  EXPECT_EQ(paged.server.request_count(), 1u);
}

namespace {

json feature_collection(const std::vector<json>& features, const std::optional<json>& next) {
  json page{{"type", "FeatureCollection"}, {"features", features}, {"links", json::array()}};
  if (next) page["links"].push_back(*next);
  return page;
}

json recorded_item(const std::string& id) {
  auto item = json::parse(read_text(kEarthSearch / "item__S2A_13TDE_20231008_0_L2A.json"));
  item["id"] = id;
  return item;
}

}  // namespace

TEST(StacSearchPaging, DuplicatesAcrossPagesAreDropped) {
  PagedServer paged([](const std::string& root) {
    const json next{{"rel", "next"}, {"method", "POST"}, {"href", root + "/search"}, {"body", {{"next", "t1"}}}};
    return std::vector<std::string>{
        feature_collection({recorded_item("a"), recorded_item("b")}, next).dump(),
        feature_collection({recorded_item("b"), recorded_item("c"), recorded_item("a")}, std::nullopt).dump()};
  });
  StacClient client(paged.root(), quick());
  const SearchResult result = client.search(SearchRequest{});
  ASSERT_EQ(result.items.size(), 3u);
  EXPECT_EQ(result.items[2].id, "c");
  EXPECT_EQ(result.duplicates_dropped, 2u);
  EXPECT_EQ(result.pages, 2);
}

TEST(StacSearchPaging, MergeTrueKeepsThePreviousBody) {
  PagedServer paged([](const std::string& root) {
    const json next{
        {"rel", "next"}, {"method", "POST"}, {"href", root + "/search"}, {"merge", true}, {"body", {{"next", "t1"}}}};
    return std::vector<std::string>{feature_collection({recorded_item("a")}, next).dump(),
                                    feature_collection({}, std::nullopt).dump()};
  });
  StacClient client(paged.root(), quick());
  SearchRequest request;
  request.collections = {"sentinel-2-l2a"};
  client.search(request);
  const auto requests = paged.server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(json::parse(requests[1].body), json({{"collections", {"sentinel-2-l2a"}}, {"next", "t1"}}));
}

TEST(StacSearchPaging, FallsBackToGetAndFollowsGetNextLinks) {
  std::atomic<int> gets{0};
  std::string root;
  LoopbackServer server([&](const LoopbackRequest& request) {
    if (request.method == "POST") return LoopbackReply::http(405, "{\"code\":\"MethodNotAllowed\"}");
    if (gets++ == 0) {
      const json next{{"rel", "next"}, {"href", root + "/search?collections=sentinel-2-l2a&next=tok%2C1"}};
      return LoopbackReply::http(200, feature_collection({recorded_item("a")}, next).dump());
    }
    return LoopbackReply::http(200, feature_collection({recorded_item("b")}, std::nullopt).dump());
  });
  root = server.base_url() + "/v1";
  StacClient client(root, quick());
  SearchRequest request;
  request.collections = {"sentinel-2-l2a"};
  request.cloud_cover.lt = 10;
  const SearchResult result = client.search(request);
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_TRUE(client.uses_get_search());
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].target, "/v1/search?" + request.to_query_string());
  EXPECT_EQ(requests[2].target, "/v1/search?collections=sentinel-2-l2a&next=tok%2C1");

  // The client remembers: the next search goes straight to GET.
  gets = 1;
  client.search(request);
  requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[3].method, "GET");
}

TEST(StacSearchPaging, ClientErrorOnPostIsNotAFallbackCase) {
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackReply::http(400, "{\"code\":\"BadRequest\"}"); });
  StacClient client(server.base_url(), quick());
  try {
    client.search(SearchRequest{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::http_client_error);
  }
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(StacSearchPaging, MalformedPagesAreContractViolations) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"{\"type\": \"FeatureCollection\", \"features\": [", "malformed JSON"},
      {"[1, 2]", "expected a FeatureCollection"},
      {"{\"type\": \"Feature\", \"features\": []}", "type: expected \"FeatureCollection\""},
      {"{\"type\": \"FeatureCollection\", \"features\": {}}", "features: missing required array"},
      {"{\"type\": \"FeatureCollection\", \"features\": [], \"links\": [{\"rel\": \"next\"}]}", "links[0].href"},
  };
  for (const auto& [second_page, expected] : cases) {
    // Init-capture: clang before 16 cannot capture a structured binding.
    PagedServer paged([page = second_page](const std::string& root) {
      const json next{{"rel", "next"}, {"method", "POST"}, {"href", root + "/search"}, {"body", {{"next", "t"}}}};
      return std::vector<std::string>{feature_collection({recorded_item("a")}, next).dump(), page};
    });
    StacClient client(paged.root(), quick());
    try {
      client.search(SearchRequest{});
      ADD_FAILURE() << "accepted: " << second_page;
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(e.code(), ErrorCode::contract_violation) << message;
      EXPECT_NE(message.find("page 2"), std::string::npos) << message;
      EXPECT_NE(message.find(expected), std::string::npos) << message;
    }
  }
}

TEST(StacSearchPaging, BadItemInAPageNamesItsPath) {
  PagedServer paged([](const std::string&) {
    auto item = recorded_item("a");
    item["assets"]["blue"].erase("href");
    return std::vector<std::string>{feature_collection({recorded_item("ok"), item}, std::nullopt).dump()};
  });
  StacClient client(paged.root(), quick());
  try {
    client.search(SearchRequest{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
    EXPECT_NE(std::string(e.what()).find("page 1: features[1].assets.blue.href: missing required string"),
              std::string::npos)
        << e.what();
  }
}

TEST(StacSearchPaging, RepeatingNextLinkIsAPagingLoop) {
  std::string root;
  std::atomic<int> calls{0};
  LoopbackServer server([&](const LoopbackRequest&) {
    const json next{{"rel", "next"}, {"method", "POST"}, {"href", root + "/search"}, {"body", {{"next", "same"}}}};
    return LoopbackReply::http(200, feature_collection({recorded_item("x" + std::to_string(calls++))}, next).dump());
  });
  root = server.base_url();
  StacClient client(root, quick());
  try {
    client.search(SearchRequest{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
    EXPECT_NE(std::string(e.what()).find("paging loop"), std::string::npos);
  }
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(StacClientItems, GetItemLandingAndNotFound) {
  std::string root;
  LoopbackServer server([&](const LoopbackRequest& request) {
    if (request.target == "/v1") return LoopbackReply::http(200, recorded("root_catalog_landing_page.json", root));
    if (request.target == "/v1/collections/sentinel-2-l2a/items/S2A_13TDE_20231008_0_L2A") {
      return LoopbackReply::http(200, read_text(kEarthSearch / "item__S2A_13TDE_20231008_0_L2A.json"));
    }
    if (request.target == "/v1/collections/sentinel-2-l2a/items/broken") return LoopbackReply::http(200, "<html>");
    return LoopbackReply::http(404, "{\"code\":\"NotFoundError\"}");
  });
  root = server.base_url() + "/v1";
  StacClient client(root, quick());
  const json landing = client.landing();
  EXPECT_EQ(landing.at("type"), "Catalog");
  EXPECT_TRUE(landing.contains("conformsTo"));

  const Item item = client.get_item("sentinel-2-l2a", "S2A_13TDE_20231008_0_L2A");
  EXPECT_EQ(item.processing_baseline, "05.09");

  try {
    client.get_item("sentinel-2-l2a", "S2A_99XXX_20231008_0_L2A");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::not_found);
    EXPECT_NE(std::string(e.what()).find("S2A_99XXX_20231008_0_L2A"), std::string::npos);
  }
  try {
    client.get_item("sentinel-2-l2a", "broken");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
  }
}

TEST(StacClientItems, TransientServerFailuresDuringPagingAreRetried) {
  std::atomic<int> calls{0};
  std::string root;
  LoopbackServer server([&](const LoopbackRequest&) {
    const int n = calls++;
    if (n == 1) return LoopbackReply::http(503, "");  // page 2 fails once
    if (n == 0) return LoopbackReply::http(200, recorded("search_response__test_multiple_collections__0.json", root));
    return LoopbackReply::http(200, recorded("search_response__test_multiple_collections__1.json", root));
  });
  root = server.base_url() + "/v1";
  StacClient client(root, quick());
  const SearchResult result = client.search(multiple_collections_request());
  EXPECT_EQ(result.items.size(), 2u);
  EXPECT_EQ(server.request_count(), 3u);
}

// Found by fuzz_stac_search: a number too large for a double ("1e999") is nlohmann's
// out_of_range, not a parse_error, and escaped the page parser as an internal error.
TEST(StacSearchPaging, NumberOverflowInAPageIsAContractViolation) {
  try {
    parse_search_page(R"({"type": "FeatureCollection", "features": [], "numberMatched": 1e999})", "POST x page 3");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
    EXPECT_EQ(std::string(e.what()).rfind("POST x page 3: malformed JSON: ", 0), 0u) << e.what();
  }
}
