// The STAC client and scene lookup against the real fixture server over loopback: paging,
// point searches checked against the world's ground truth, and fault injection (503, reset,
// truncate) ending either in success after retries or in a categorised error.
#include "core/csv.hpp"
#include "core/error.hpp"
#include "fixture/server_fixture.hpp"
#include "fixture/world_build.hpp"
#include "stac/scene_lookup.hpp"
#include "stac/search.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

using namespace shipchips;
namespace fs = std::filesystem;

namespace {

// One world for the whole suite: building it is the slow part.
class WorldEnvironment : public ::testing::Environment {
 public:
  static fs::path dir() { return fs::temp_directory_path() / ("shipchips_stac_world_" + std::to_string(::getpid())); }
  void SetUp() override {
    fixture::WorldOptions options;
    options.out_dir = dir();
    options.seed = 11;
    fixture::build_world(options);
  }
  void TearDown() override { fs::remove_all(dir()); }
};
const auto* const kWorld = ::testing::AddGlobalTestEnvironment(new WorldEnvironment);

struct TruthRow {
  std::string scene_id;
  double lat, lon;
  UtcTime time;
};

std::vector<TruthRow> read_truth() {
  auto csv = CsvReader::open((WorldEnvironment::dir() / "truth.csv").string());
  std::vector<TruthRow> rows;
  while (csv->next()) {
    rows.push_back({std::string(csv->field(csv->require_column("scene_id"))),
                    *parse_double_field(csv->field(csv->require_column("lat"))),
                    *parse_double_field(csv->field(csv->require_column("lon"))),
                    parse_iso8601(csv->field(csv->require_column("sensing_time")))});
  }
  return rows;
}

HttpOptions fast_retries(int retries) {
  HttpOptions options;
  options.max_retries = retries;
  options.backoff_initial_ms = 1;
  options.backoff_max_ms = 5;
  options.max_retry_after_ms = 5;
  options.timeout_ms = 10000;
  return options;
}

fixture::FixtureServerOptions server_options() {
  fixture::FixtureServerOptions options;
  options.dir = WorldEnvironment::dir();
  options.retry_after_s = 0;
  return options;
}

}  // namespace

TEST(StacFixture, PagesThroughEveryItemLikeEarthSearch) {
  fixture::FixtureServer server(server_options());
  server.start();
  stac::StacClient client(server.base_url(), fast_retries(0));
  stac::SearchRequest request;
  request.collections = {"sentinel-2-l2a"};
  request.limit = 1;
  auto result = client.search(request);
  ASSERT_EQ(result.items.size(), 3u);
  // Earth Search gives a full page a next link, so the last page requested is empty.
  EXPECT_EQ(result.pages, 4);
  EXPECT_EQ(result.duplicates_dropped, 0u);
  ASSERT_TRUE(result.number_matched.has_value());
  EXPECT_EQ(*result.number_matched, 3);
  std::set<std::string> ids;
  for (const auto& item : result.items) {
    ids.insert(item.id);
    EXPECT_TRUE(item.processing_baseline_number.has_value()) << item.id;
    EXPECT_NE(item.asset("blue").href.find(server.base_url()), std::string::npos) << item.id;
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(server.stats().per_status.at(200), 4u);
}

TEST(StacFixture, SceneLookupFindsTheTruthSceneForEveryShip) {
  fixture::FixtureServer server(server_options());
  server.start();
  stac::StacClient client(server.base_url(), fast_retries(0));
  stac::SceneLookupOptions options;
  options.window_hours = 1;
  stac::SceneLookup lookup(client, options);
  auto truth = read_truth();
  ASSERT_GE(truth.size(), 10u);
  std::vector<stac::ScenePoint> points;
  for (const auto& row : truth) points.push_back({row.lon, row.lat, row.time});
  lookup.prefetch(points);
  int searches = lookup.searches();
  for (const auto& row : truth) {
    auto found = lookup.lookup({row.lon, row.lat, row.time});
    ASSERT_FALSE(found.candidates.empty()) << row.scene_id << " " << row.lat << "," << row.lon;
    EXPECT_EQ(found.candidates.front().item->id, row.scene_id);
    EXPECT_NEAR(found.candidates.front().dt_seconds, 0.0, 1e-3);
  }
  EXPECT_EQ(lookup.searches(), searches) << "lookup() must be served from the prefetched searches";
  // The reasons for no scene: far from every tile, hours away from the sensing time, too cloudy.
  const auto& first = truth.front();
  EXPECT_EQ(lookup.lookup({-40.0, 30.0, first.time}).reason, stac::NoSceneReason::not_covered);
  EXPECT_EQ(lookup.lookup({first.lon, first.lat, first.time + std::chrono::hours(3)}).reason,
            stac::NoSceneReason::outside_window);
  stac::SceneLookupOptions strict = options;
  strict.cloud_cover_max = 0.0;  // every fixture scene has some cloud
  stac::SceneLookup cloudless(client, strict);
  EXPECT_EQ(cloudless.lookup({first.lon, first.lat, first.time}).reason, stac::NoSceneReason::too_cloudy);
}

TEST(StacFixture, SurvivesIntermittent503ResetAndTruncation) {
  auto options = server_options();
  options.fault_rate = 0.4;
  options.fault_kinds = {fixture::FaultKind::http_503, fixture::FaultKind::reset, fixture::FaultKind::truncate};
  options.seed = 5;
  fixture::FixtureServer server(options);
  server.start();
  stac::StacClient client(server.base_url(), fast_retries(8));
  stac::SearchRequest request;
  request.collections = {"sentinel-2-l2a"};
  request.limit = 1;
  for (int round = 0; round < 5; ++round) {
    auto result = client.search(request);
    EXPECT_EQ(result.items.size(), 3u);
  }
  auto stats = server.stats();
  std::uint64_t faults = 0;
  for (const auto& [kind, count] : stats.faults) faults += count;
  EXPECT_GT(faults, 0u) << "the fault plan fired no fault: the test proves nothing";
  EXPECT_GT(stats.requests, 20u);
}

TEST(StacFixture, PersistentFaultsEndInARetryableError) {
  for (auto kind : {fixture::FaultKind::http_503, fixture::FaultKind::reset, fixture::FaultKind::truncate}) {
    auto options = server_options();
    options.fault_rate = 1.0;
    options.fault_kinds = {kind};
    fixture::FixtureServer server(options);
    server.start();
    stac::StacClient client(server.base_url(), fast_retries(2));
    stac::SearchRequest request;
    request.collections = {"sentinel-2-l2a"};
    try {
      client.search(request);
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::network_transient) << e.what();
      EXPECT_EQ(e.category(), ErrorCategory::retryable);
    }
    EXPECT_EQ(server.stats().requests, 3u) << "1 attempt + 2 retries";
  }
}

TEST(StacFixture, MissingItemIsNotFoundAndBadRequestIsPermanent) {
  fixture::FixtureServer server(server_options());
  server.start();
  stac::StacClient client(server.base_url(), fast_retries(3));
  try {
    client.get_item("sentinel-2-l2a", "S2A_00XXX_20000101_0_L2A");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::not_found) << e.what();
  }
  // A 4xx is not retried.
  HttpClient http(fast_retries(3));
  try {
    http.get(server.base_url() + "/search?bbox=1,2,3");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::http_client_error) << e.what();
    EXPECT_EQ(e.category(), ErrorCategory::permanent);
  }
  EXPECT_EQ(server.stats().per_status.at(400), 1u);
}
