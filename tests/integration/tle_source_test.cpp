// TLE download through the cache (plan/tle_source.hpp) against a scripted HTTP server on
// 127.0.0.1 (never the real Celestrak): first fetch, cache hit without a request, expiry,
// 503 and an error text falling back to the cached copy with its age, and the errors when
// there is no copy. The clock is passed in, so nothing sleeps.
#include "plan/tle_source.hpp"
#include "../support/reference.hpp"
#include "core/error.hpp"
#include "plan/esa_plan_kml.hpp"
#include "plan/esa_plan_source.hpp"

#include "../support/loopback_server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace fs = std::filesystem;
using namespace shipchips;
using shipchips::testing::LoopbackReply;
using shipchips::testing::LoopbackRequest;
using shipchips::testing::LoopbackServer;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const std::string kTles = read_text(shipchips::testing::reference_dir().string() + "/tle/sentinel2_tles.txt");

// The server answers with whatever the test scripted last.
struct Script {
  std::mutex mutex;
  int status = 200;
  std::string body = kTles;
  void set(int s, std::string b) {
    std::lock_guard lock(mutex);
    status = s;
    body = std::move(b);
  }
};

class TleSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("shipchips_tle_source_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    m_server = std::make_unique<LoopbackServer>([this](const LoopbackRequest&) {
      std::lock_guard lock(m_script.mutex);
      return LoopbackReply::http(m_script.status, m_script.body, {}, "text/plain");
    });
    HttpOptions http;
    http.connect_timeout_ms = 1000;
    http.timeout_ms = 2000;
    http.max_retries = 2;
    m_client = std::make_unique<HttpClient>(http);
    m_client->set_sleep_function([](std::chrono::milliseconds) {});  // retries without waiting
    m_url = m_server->base_url() + "/NORAD/elements/gp.php?NAME=SENTINEL-2&FORMAT=tle";
  }
  void TearDown() override { fs::remove_all(m_dir); }

  plan::TleSourceOptions options(double hours_after_t0) const {
    plan::TleSourceOptions o;
    o.url = m_url;  // kept after the server is gone
    o.cache_dir = m_dir / "plan" / "tle_cache";
    o.cache_hours = 6.0;
    o.now = m_t0 + std::chrono::microseconds(static_cast<long long>(hours_after_t0 * 3600e6));
    return o;
  }
  fs::path body_path() const { return m_dir / "plan" / "tle_cache" / (plan::tle_cache_key(options(0).url) + ".txt"); }
  fs::path meta_path() const { return m_dir / "plan" / "tle_cache" / (plan::tle_cache_key(options(0).url) + ".json"); }
  plan::TleFetch fetch(double hours_after_t0) { return plan::fetch_tles(options(hours_after_t0), *m_client); }

  fs::path m_dir;
  std::string m_url;
  Script m_script;
  std::unique_ptr<LoopbackServer> m_server;
  std::unique_ptr<HttpClient> m_client;
  const UtcTime m_t0 = parse_iso8601("2026-03-21T06:00:00Z");
};

bool contains(const std::vector<std::string>& warnings, const std::string& text) {
  for (const auto& w : warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_F(TleSourceTest, FirstFetchCachesThenCacheHitMakesNoRequest) {
  const plan::TleFetch first = fetch(0.0);
  EXPECT_EQ(first.origin, plan::TleOrigin::downloaded);
  EXPECT_EQ(first.element_sets.size(), 7u);  // every set of the reference file
  EXPECT_EQ(first.path, body_path());
  EXPECT_TRUE(first.warnings.empty());
  EXPECT_EQ(m_server->request_count(), 1u);
  EXPECT_EQ(m_server->requests()[0].target, "/NORAD/elements/gp.php?NAME=SENTINEL-2&FORMAT=tle");
  EXPECT_EQ(read_text(body_path()), kTles);
  const nlohmann::json meta = nlohmann::json::parse(read_text(meta_path()));
  EXPECT_EQ(meta["url"], options(0).url);
  EXPECT_EQ(meta["fetched_at"], "2026-03-21T06:00:00.000000Z");
  EXPECT_EQ(meta["element_sets"], 7);
  // No temporary files left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(body_path().parent_path()), fs::directory_iterator()), 2);

  const plan::TleFetch second = fetch(5.9);
  EXPECT_EQ(second.origin, plan::TleOrigin::cache_fresh);
  EXPECT_EQ(second.element_sets.size(), 7u);
  EXPECT_NEAR(second.age_hours, 5.9, 1e-9);
  EXPECT_EQ(second.fetched_at, m_t0);
  EXPECT_EQ(m_server->request_count(), 1u);  // served from the cache
}

TEST_F(TleSourceTest, ExpiredCacheIsFetchedAgainAndReplaced) {
  fetch(0.0);
  // OMM XML this time (Celestrak's FORMAT=xml): one set replaces the seven TLEs.
  m_script.set(200, read_text(shipchips::testing::reference_dir().string() + "/sgp4/sample_omm.xml"));
  const plan::TleFetch again = fetch(6.5);
  EXPECT_EQ(again.origin, plan::TleOrigin::downloaded);
  EXPECT_EQ(m_server->request_count(), 2u);
  ASSERT_EQ(again.element_sets.size(), 1u);
  EXPECT_EQ(again.element_sets[0].catalog_number, 5);
  EXPECT_EQ(nlohmann::json::parse(read_text(meta_path()))["element_sets"], 1);
  // cache_hours 0: every call downloads.
  plan::TleSourceOptions always = options(6.6);
  always.cache_hours = 0.0;
  EXPECT_EQ(plan::fetch_tles(always, *m_client).origin, plan::TleOrigin::downloaded);
  EXPECT_EQ(m_server->request_count(), 3u);
}

TEST_F(TleSourceTest, ServerErrorFallsBackToTheStaleCacheWithItsAge) {
  fetch(0.0);
  m_script.set(503, "Service Unavailable");
  const plan::TleFetch stale = fetch(30.0);
  EXPECT_EQ(stale.origin, plan::TleOrigin::cache_stale);
  EXPECT_EQ(stale.element_sets.size(), 7u);
  EXPECT_EQ(m_server->request_count(), 1u + 3u);  // first try + 2 retries
  ASSERT_EQ(stale.warnings.size(), 1u);
  EXPECT_TRUE(contains(stale.warnings, "503")) << stale.warnings[0];
  EXPECT_TRUE(contains(stale.warnings, "using the cached copy fetched 2026-03-21T06:00:00Z (30.0 h old)"))
      << stale.warnings[0];
  EXPECT_EQ(read_text(body_path()), kTles);
  // A 404 (no retries) and a refused connection fall back the same way; ages past two days
  // are given in days.
  m_script.set(404, "Not Found");
  const plan::TleFetch missing = fetch(72.0);
  EXPECT_EQ(missing.origin, plan::TleOrigin::cache_stale);
  EXPECT_TRUE(contains(missing.warnings, "(3.0 days old)")) << missing.warnings[0];
  m_server.reset();
  EXPECT_EQ(fetch(80.0).origin, plan::TleOrigin::cache_stale);
}

TEST_F(TleSourceTest, ErrorTextDoesNotReplaceAGoodCache) {
  fetch(0.0);
  const std::string meta_before = read_text(meta_path());
  m_script.set(200, "No GP data found");
  const plan::TleFetch kept = fetch(7.0);
  EXPECT_EQ(kept.origin, plan::TleOrigin::cache_stale);
  EXPECT_EQ(kept.element_sets.size(), 7u);
  EXPECT_TRUE(contains(kept.warnings, "not TLE/OMM element sets (\"No GP data found\"")) << kept.warnings[0];
  EXPECT_EQ(read_text(body_path()), kTles);
  EXPECT_EQ(read_text(meta_path()), meta_before);
  // A TLE with a bad checksum is not element sets either.
  std::string bad = kTles;
  bad[bad.find("9994")] = '8';
  m_script.set(200, bad);
  EXPECT_EQ(fetch(8.0).origin, plan::TleOrigin::cache_stale);
  EXPECT_EQ(read_text(body_path()), kTles);
}

TEST_F(TleSourceTest, NoCacheAndAFailureIsAClearError) {
  m_script.set(503, "busy");
  try {
    fetch(0.0);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::network_transient);
    const std::string msg = e.what();
    EXPECT_NE(msg.find(options(0).url), std::string::npos) << msg;
    EXPECT_NE(msg.find("no cached copy in " + (m_dir / "plan" / "tle_cache").string()), std::string::npos) << msg;
  }
  m_script.set(200, "No GP data found");
  try {
    fetch(0.0);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    EXPECT_NE(std::string(e.what()).find("No GP data found"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(body_path()));
  EXPECT_FALSE(fs::exists(meta_path()));
}

TEST_F(TleSourceTest, DamagedCacheIsRefetched) {
  fetch(0.0);
  std::ofstream(body_path(), std::ios::trunc) << "garbage\n";
  const plan::TleFetch again = fetch(1.0);  // young, but unusable: download
  EXPECT_EQ(again.origin, plan::TleOrigin::downloaded);
  EXPECT_TRUE(contains(again.warnings, "is unusable"));
  EXPECT_EQ(read_text(body_path()), kTles);
  EXPECT_EQ(m_server->request_count(), 2u);
}

// An ESA plan given as a URL goes through the same cache, under the URL's own file name (its
// validity period is in it); an answer that is not a plan never replaces the copy.
TEST_F(TleSourceTest, EsaPlanFromAUrlIsCachedUnderItsOwnName) {
  const std::string name = "Sentinel-2A_MP_ACQ_KML_20190912T120000_20190930T150000.kml";
  const std::string kml = read_text(shipchips::testing::reference_dir().string() + "/esa-plans/" + name);
  m_script.set(200, kml);
  const std::string url = m_server->base_url() + "/plans/" + name + "?download=1";
  const fs::path cache = m_dir / "plan" / "esa_cache";
  const fs::path first = plan::fetch_esa_plan(url, cache, 24.0, *m_client, m_t0);
  EXPECT_EQ(first, cache / name);
  EXPECT_EQ(read_text(first), kml);
  EXPECT_EQ(plan::read_esa_plan_kml(first).size(), plan::parse_esa_plan_kml(kml, "ref").size());
  EXPECT_EQ(m_server->request_count(), 1u);
  EXPECT_EQ(m_server->requests()[0].target, "/plans/" + name + "?download=1");
  // Within the cache time: no request.
  EXPECT_EQ(plan::fetch_esa_plan(url, cache, 24.0, *m_client, m_t0 + std::chrono::hours(2)), first);
  EXPECT_EQ(m_server->request_count(), 1u);
  // Later, the server answers with an HTML error page: the copy stays and is used.
  m_script.set(200, "<html><body>Service unavailable</body></html>");
  EXPECT_EQ(plan::fetch_esa_plan(url, cache, 24.0, *m_client, m_t0 + std::chrono::hours(30)), first);
  EXPECT_EQ(m_server->request_count(), 2u);
  EXPECT_EQ(read_text(first), kml);
  // No copy at all and no plan in the answer: an error naming the URL.
  try {
    plan::fetch_esa_plan(m_server->base_url() + "/other/plan.kml", cache, 24.0, *m_client, m_t0);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    EXPECT_NE(std::string(e.what()).find("/other/plan.kml"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(cache / "plan.kml"));
  EXPECT_TRUE(plan::is_url("HTTPS://example.org/p.kml"));
  EXPECT_FALSE(plan::is_url("plans/p.kml"));
}
