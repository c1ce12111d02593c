// The fixture server over real loopback sockets, observed with libcurl directly (not with the
// project's HTTP client, so a bug shared by both cannot hide): ranges, HEAD, keep-alive, path
// safety, each injected fault as curl reports it, latency, bandwidth, the request log, stats.
#include "core/error.hpp"
#include "fixture/server_fixture.hpp"
#include "fixture/server_range.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include "../support/curl_client.hpp"

#include <unistd.h>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

using namespace shipchips;
using namespace shipchips::fixture;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using shipchips::testing::Curl;
using shipchips::testing::CurlResult;

constexpr std::size_t kCogSize = 100000;

std::string cog_bytes() {
  std::string bytes(kCogSize, '\0');
  for (std::size_t i = 0; i < kCogSize; ++i) bytes[i] = static_cast<char>((i * 31 + i / 251) % 256);
  return bytes;
}

FixtureServerOptions faulty(double rate, std::vector<FaultKind> kinds) {
  FixtureServerOptions options;
  options.fault_rate = rate;
  options.fault_kinds = std::move(kinds);
  return options;
}

class FixtureServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("shipchips_fixture_server_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "items");
    fs::create_directories(m_dir / "cogs" / "A");
    std::ofstream(m_dir / "cogs" / "A" / "B02.tif", std::ios::binary) << cog_bytes();
    json item = {{"type", "Feature"},
                 {"stac_version", "1.0.0"},
                 {"id", "A"},
                 {"collection", "sentinel-2-l2a"},
                 {"geometry", {{"type", "Polygon"}, {"coordinates", {{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}}},
                 {"properties", {{"datetime", "2023-10-08T18:02:55.276000Z"}, {"eo:cloud_cover", 3.5}}},
                 {"assets", {{"blue", {{"href", "{{BASE_URL}}/cogs/A/B02.tif"}}}}},
                 {"links", json::array()}};
    std::ofstream(m_dir / "items" / "A.json") << item.dump();
  }
  void TearDown() override {
    m_server.reset();
    fs::remove_all(m_dir);
  }

  FixtureServer& start(FixtureServerOptions options = {}) {
    options.dir = m_dir;
    m_server = std::make_unique<FixtureServer>(options);
    m_server->start();
    return *m_server;
  }
  std::string url(const std::string& path) const { return m_server->base_url() + path; }

  fs::path m_dir;
  std::unique_ptr<FixtureServer> m_server;
};

}  // namespace

TEST_F(FixtureServerTest, SingleRangesAnswer206WithContentRange) {
  start();
  const std::string bytes = cog_bytes();
  Curl curl;
  auto r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-99"});
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.header("content-range"), "bytes 0-99/100000");
  EXPECT_EQ(r.header("content-length"), "100");
  EXPECT_EQ(r.body, bytes.substr(0, 100));

  r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=99990-"});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.header("content-range"), "bytes 99990-99999/100000");
  EXPECT_EQ(r.body, bytes.substr(99990));

  r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=-16"});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.header("content-range"), "bytes 99984-99999/100000");
  EXPECT_EQ(r.body, bytes.substr(99984));

  // An end past the file is clamped.
  r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=50000-999999"});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.header("content-range"), "bytes 50000-99999/100000");
  EXPECT_EQ(r.body.size(), 50000u);
}

TEST_F(FixtureServerTest, UnsatisfiableRangeAnswers416) {
  start();
  Curl curl;
  for (const char* range : {"Range: bytes=100000-", "Range: bytes=200000-200010", "Range: bytes=-0"}) {
    auto r = curl.get(url("/cogs/A/B02.tif"), {range});
    ASSERT_EQ(r.code, CURLE_OK) << range;
    EXPECT_EQ(r.status, 416) << range;
    EXPECT_EQ(r.header("content-range"), "bytes */100000") << range;
    EXPECT_EQ(r.header("content-length"), "0") << range;
  }
}

TEST_F(FixtureServerTest, NoRangeOrMultipleRangesAnswer200WithWholeFile) {
  start();
  Curl curl;
  auto r = curl.get(url("/cogs/A/B02.tif"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("accept-ranges"), "bytes");
  EXPECT_EQ(r.header("content-length"), "100000");
  EXPECT_EQ(r.body, cog_bytes());
  // Multi-range: whole file with 200, as S3 answers (documented choice).
  r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-10,20-30"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), kCogSize);
  // A malformed Range header is ignored.
  r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=abc"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), kCogSize);
}

TEST_F(FixtureServerTest, HeadGivesLengthWithoutBody) {
  start();
  Curl curl;
  auto r = curl.get(url("/cogs/A/B02.tif"), {}, /*head=*/true);
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-length"), "100000");
  EXPECT_TRUE(r.body.empty());
  // The connection stays usable after a HEAD (no stray body bytes).
  auto next = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-9"});
  EXPECT_EQ(next.status, 206);
  EXPECT_EQ(next.num_connects, 0);
}

TEST_F(FixtureServerTest, KeepAliveReusesTheConnectionUntilClosed) {
  auto& server = start();
  Curl curl;
  auto first = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-9"});
  EXPECT_EQ(first.num_connects, 1);
  EXPECT_EQ(first.header("connection"), "keep-alive");
  auto second = curl.get(url("/search"));
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.num_connects, 0);  // same connection reused
  auto closing = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-9", "Connection: close"});
  EXPECT_EQ(closing.num_connects, 0);
  EXPECT_EQ(closing.header("connection"), "close");
  auto after = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-9"});
  EXPECT_EQ(after.num_connects, 1);  // the server closed it as asked
  EXPECT_EQ(server.stats().connections, 2u);
}

TEST_F(FixtureServerTest, PathTraversalAndMissingFilesAreRefused) {
  start();
  fs::create_directory_symlink("/etc", m_dir / "escape");
  Curl curl;
  EXPECT_EQ(curl.get(url("/cogs/../../etc/passwd"), {}, false, /*path_as_is=*/true).status, 400);
  EXPECT_EQ(curl.get(url("/cogs/%2e%2e/%2e%2e/etc/passwd"), {}, false, true).status, 400);
  EXPECT_EQ(curl.get(url("/escape/hostname")).status, 404);  // symlink out of the world
  EXPECT_EQ(curl.get(url("/cogs/A/B99.tif")).status, 404);
  EXPECT_EQ(curl.get(url("/cogs/A")).status, 404);  // directories are not listed
}

TEST_F(FixtureServerTest, StacApiOverHttpSubstitutesBaseUrl) {
  start();
  Curl curl;
  auto r = curl.post(url("/search"), R"({"intersects":{"type":"Point","coordinates":[0.5,0.5]}})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/geo+json");
  json page = json::parse(r.body);
  ASSERT_EQ(page["features"].size(), 1u);
  EXPECT_EQ(page["features"][0]["assets"]["blue"]["href"], url("/cogs/A/B02.tif"));
  EXPECT_EQ(page["links"][0]["body"]["next"], "2023-10-08T18:02:55.276000Z,A,sentinel-2-l2a");

  auto bad = curl.get(url("/search?bbox=1,2,3"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["code"], "BadRequest");
  auto item = curl.get(url("/items/A.json"));  // static world JSON is substituted too
  EXPECT_EQ(json::parse(item.body)["assets"]["blue"]["href"], url("/cogs/A/B02.tif"));
}

TEST_F(FixtureServerTest, LargePostBodiesDoNotWaitForExpectContinue) {
  start();
  json body = {{"ids", json::array()}};
  for (int i = 0; i < 400; ++i) body["ids"].push_back("S2A_FAKE_ITEM_" + std::to_string(i));
  body["ids"].push_back("A");
  Curl curl;
  auto r = curl.post(url("/search"), body.dump());  // > 1 KiB: curl sends Expect: 100-continue
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["numberReturned"], 1);
  EXPECT_LT(r.seconds, 0.5);  // curl would wait 1 s for a missing 100 Continue
}

TEST_F(FixtureServerTest, Injected503CarriesRetryAfter) {
  auto options = faulty(1.0, {FaultKind::http_503});
  options.retry_after_s = 1;
  start(options);
  Curl curl;
  auto r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-99"});
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("retry-after"), "1");
  EXPECT_EQ(m_server->stats().faults.at("503"), 1u);
}

TEST_F(FixtureServerTest, InjectedResetIsSeenAsConnectionError) {
  start(faulty(1.0, {FaultKind::reset}));
  Curl curl;
  auto r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-99"});
  EXPECT_TRUE(r.code == CURLE_RECV_ERROR || r.code == CURLE_GOT_NOTHING) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 0);
}

TEST_F(FixtureServerTest, InjectedTruncationIsAPartialFile) {
  start(faulty(1.0, {FaultKind::truncate}));
  Curl curl;
  auto r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-9999"});
  EXPECT_EQ(r.code, CURLE_PARTIAL_FILE) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.body, cog_bytes().substr(0, 5000));  // half of the announced 10000 bytes
}

TEST_F(FixtureServerTest, InjectedSlownessDelaysTheAnswer) {
  auto options = faulty(1.0, {FaultKind::slow});
  options.slow_ms = 400;
  start(options);
  Curl curl;
  auto r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-99"});
  EXPECT_EQ(r.status, 206);
  EXPECT_GE(r.seconds, 0.4);
}

TEST_F(FixtureServerTest, FaultsAreDeterministicForASeed) {
  auto statuses = [&](std::uint64_t seed) {
    auto options = faulty(0.5, {FaultKind::http_503});
    options.seed = seed;
    start(options);
    std::vector<long> out;
    Curl curl;
    for (int i = 0; i < 40; ++i) {
      // Every range twice: a retry of the same request gets its own draw.
      const std::string range = "Range: bytes=" + std::to_string(i * 100) + "-" + std::to_string(i * 100 + 99);
      out.push_back(curl.get(url("/cogs/A/B02.tif"), {range}).status);
      out.push_back(curl.get(url("/cogs/A/B02.tif"), {range}).status);
    }
    m_server.reset();
    return out;
  };
  auto a = statuses(7), b = statuses(7), c = statuses(8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  const auto faults = std::count(a.begin(), a.end(), 503L);
  EXPECT_GT(faults, 20);  // 80 draws at rate 0.5
  EXPECT_LT(faults, 60);
  EXPECT_EQ(std::count(a.begin(), a.end(), 206L) + faults, 80);
}

TEST_F(FixtureServerTest, LatencyIsAddedBeforeEachResponse) {
  FixtureServerOptions options;
  options.latency_ms = 150;
  start(options);
  Curl curl;
  for (int i = 0; i < 3; ++i) {
    auto r = curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-99"});
    EXPECT_EQ(r.status, 206);
    EXPECT_GE(r.seconds, 0.15) << i;
  }
}

TEST_F(FixtureServerTest, BandwidthLimitPacesTheBody) {
  FixtureServerOptions options;
  options.bandwidth_mbps = 4.0;  // 500 000 bytes/s
  start(options);
  Curl curl;
  auto r = curl.get(url("/cogs/A/B02.tif"));
  ASSERT_EQ(r.body.size(), kCogSize);
  // The last 16 KiB chunk is due at (100000 - 16384) / 500000 s; allow scheduler slack above.
  EXPECT_GE(r.seconds, 0.16);
  EXPECT_LT(r.seconds, 2.0);
}

TEST_F(FixtureServerTest, RequestLogAndStatsCountWhatWasServed) {
  fs::path log = m_dir / "requests.jsonl";
  FixtureServerOptions options;
  options.log_path = log;
  auto& server = start(options);
  Curl curl;
  curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-99"});
  curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=100-299"});
  curl.get(url("/search?limit=1"));
  auto stats = server.stats();
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.per_path.at("/cogs/A/B02.tif"), 2u);
  EXPECT_EQ(stats.per_path.at("/search"), 1u);
  EXPECT_EQ(stats.per_status.at(206), 2u);

  std::ifstream in(log);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["method"], "GET");
  EXPECT_EQ(lines[0]["path"], "/cogs/A/B02.tif");
  EXPECT_EQ(lines[0]["range"], "bytes=0-99");
  EXPECT_EQ(lines[0]["status"], 206);
  EXPECT_EQ(lines[0]["bytes"], 100);
  EXPECT_EQ(lines[1]["bytes"], 200);
  EXPECT_TRUE(lines[0]["fault"].is_null());
  EXPECT_GE(lines[0]["duration_ms"].get<double>(), 0.0);
  EXPECT_EQ(lines[0]["time"].get<std::string>().back(), 'Z');
  EXPECT_EQ(lines[2]["query"], "limit=1");
  EXPECT_EQ(stats.bytes_sent, 300u + lines[2]["bytes"].get<std::uint64_t>());
}

TEST_F(FixtureServerTest, FaultsAreLogged) {
  fs::path log = m_dir / "faults.jsonl";
  auto options = faulty(1.0, {FaultKind::truncate});
  options.log_path = log;
  start(options);
  Curl curl;
  curl.get(url("/cogs/A/B02.tif"), {"Range: bytes=0-99"});
  m_server->stop();
  std::ifstream in(log);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  json entry = json::parse(line);
  EXPECT_EQ(entry["fault"], "truncate");
  EXPECT_EQ(entry["bytes"], 50);
}

TEST_F(FixtureServerTest, LoopbackOnlyAndFreePorts) {
  FixtureServerOptions options;
  options.dir = m_dir;
  options.host = "0.0.0.0";
  FixtureServer outside(options);
  try {
    outside.start();
    FAIL() << "bound a non-loopback address";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  }
  options.host = "127.0.0.1";
  FixtureServer a(options), b(options);
  a.start();
  b.start();
  EXPECT_GT(a.port(), 0);
  EXPECT_NE(a.port(), b.port());
  options.dir = m_dir / "missing";
  EXPECT_THROW(FixtureServer(options).start(), Error);
}

TEST_F(FixtureServerTest, StopReturnsPromptlyWithOpenConnections) {
  start();
  Curl idle;
  EXPECT_EQ(idle.get(url("/")).status, 200);  // leaves a keep-alive connection open
  const auto started = std::chrono::steady_clock::now();
  m_server->stop();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 1.5);
  auto after = idle.get(url("/"));
  EXPECT_NE(after.code, CURLE_OK);
}

TEST(FixtureServerRange, EvaluatesRfc9110Forms) {
  auto single = [](std::string_view header, std::uint64_t size, std::uint64_t first, std::uint64_t last) {
    auto d = evaluate_range(header, size);
    EXPECT_EQ(d.kind, RangeKind::single) << header;
    EXPECT_EQ(d.first, first) << header;
    EXPECT_EQ(d.last, last) << header;
  };
  single("bytes=0-0", 10, 0, 0);
  single("BYTES=2-4", 10, 2, 4);
  single("bytes= 3 - 5 ", 10, 3, 5);
  single("bytes=7-", 10, 7, 9);
  single("bytes=-3", 10, 7, 9);
  single("bytes=-30", 10, 0, 9);  // a suffix longer than the file is the whole file
  single("bytes=8-100", 10, 8, 9);
  EXPECT_EQ(evaluate_range("bytes=10-", 10).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(evaluate_range("bytes=0-", 0).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(evaluate_range("bytes=-1", 0).kind, RangeKind::unsatisfiable);
  EXPECT_EQ(evaluate_range("bytes=0-1,4-5", 10).kind, RangeKind::multiple);
  // Invalid headers are ignored (whole file): reversed, not bytes, garbage, empty spec.
  for (const char* bad : {"bytes=5-3", "items=0-1", "bytes=x-1", "bytes=", "bytes=1-2,", ""})
    EXPECT_EQ(evaluate_range(bad, 10).kind, RangeKind::none) << bad;
}
