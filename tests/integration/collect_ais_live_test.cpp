// `collect-ais --no-dry-run` (pipeline::collect_ais, live) against the local aisstream stand-in
// (fixture::AisStreamTestServer) over loopback: the subscription carries the tile boxes from
// the grid and the configured message types; frames across a dropped connection all reach the
// track store and the snapshot; an error frame is counted; a stop request flushes and ends
// cleanly; with --restrict-to-schedule the subscription follows windows opening and closing;
// with no window open and --once it ends without connecting.
#include "ais/aisstream_message.hpp"
#include "ais/track_store.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/sqlite_db.hpp"
#include "fixture/ws_server.hpp"
#include "pipeline/capture_windows.hpp"
#include "pipeline/collect_ais.hpp"
#include "plan/schedule.hpp"

#include "../support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;
using namespace shipchips;
using namespace std::chrono_literals;

namespace {

// A PositionReport frame as aisstream sends it (the fields of the reference samples).
std::string position_frame(std::int64_t mmsi, double lat, double lon, UtcTime t, double sog, double cog) {
  const std::string iso = format_iso8601(t, 6);  // 2026-11-22T02:30:00.123456Z
  const std::string go_time = iso.substr(0, 10) + " " + iso.substr(11, 15) + "000 +0000 UTC";
  nlohmann::json report{{"Cog", cog},
                        {"CommunicationState", 0},
                        {"Latitude", lat},
                        {"Longitude", lon},
                        {"MessageID", 1},
                        {"NavigationalStatus", 0},
                        {"PositionAccuracy", true},
                        {"Raim", false},
                        {"RateOfTurn", 0},
                        {"RepeatIndicator", 0},
                        {"Sog", sog},
                        {"Spare", 0},
                        {"SpecialManoeuvreIndicator", 0},
                        {"Timestamp", 30},
                        {"TrueHeading", 511},
                        {"UserID", mmsi},
                        {"Valid", true}};
  nlohmann::json frame{{"Message", {{"PositionReport", report}}},
                       {"MessageType", "PositionReport"},
                       {"MetaData",
                        {{"MMSI", mmsi},
                         {"MMSI_String", mmsi},
                         {"ShipName", "TEST SHIP"},
                         {"latitude", lat},
                         {"longitude", lon},
                         {"time_utc", go_time}}}};
  return frame.dump();
}

Config test_config(const fs::path& root, const std::string& endpoint) {
  Config c;
  c.storage.dataset_root = root.string();
  c.ais.endpoint = endpoint;
  c.ais.batch_size = 7;
  c.ais.flush_interval_s = 0.2;
  c.ais.connect_timeout_s = 2;
  c.ais.reconnect_initial_backoff_s = 0.05;
  c.ais.reconnect_max_backoff_s = 0.2;
  c.ais.read_timeout_s = 5;
  c.ais.ping_interval_s = 1;
  c.satellite_tracking.tiles = {"31UFU"};
  return c;
}

}  // namespace

TEST(CollectAisLive, FramesAcrossADropReachTheStoreAndTheSnapshot) {
  shipchips::testing::TempDir tmp("shipchips-collect-live");
  // Ten ships' pings inside 31UFU (52.25–53.24 N, 4.46–6.14 E), a drop after the first six.
  const UtcTime t0 = std::chrono::floor<std::chrono::seconds>(utc_now()) - 1min;
  fixture::WsServerOptions so;
  so.expected_api_key = "live-test-key-123";
  fixture::WsScript first, second;
  for (int i = 0; i < 6; ++i)
    first.push_back(fixture::WsStep::send(
        position_frame(244000000 + i, 52.6 + 0.05 * i, 5.0 + 0.05 * i, t0 + std::chrono::seconds(i), 10.0, 90.0)));
  first.push_back(fixture::WsStep::drop(50ms));
  second.push_back(fixture::WsStep::send_error("Throttled: too many connections", 20ms));
  for (int i = 6; i < 10; ++i)
    second.push_back(fixture::WsStep::send(
        position_frame(244000000 + i, 52.6 + 0.05 * i, 5.0 + 0.05 * i, t0 + std::chrono::seconds(i), 10.0, 90.0)));
  so.scripts = {first, second};
  fixture::AisStreamTestServer server(so);

  const Config config = test_config(tmp.path / "ds", server.url());
  std::atomic<bool> stop{false};
  pipeline::CollectOptions options;
  options.dry_run = false;
  options.api_key = "live-test-key-123";
  options.stop = &stop;
  pipeline::CollectReport report;
  std::thread runner([&] { report = pipeline::collect_ais(config, options); });
  ASSERT_TRUE(server.wait_for_subscriptions(2, 10s));
  // Wait until the second script has played and the collector has stored all ten positions
  // (it flushes every 0.2 s), then ask for the stop a signal would give. Waiting on what the
  // collector did, not a fixed sleep: on a loaded machine 500 ms after the last frame was sent
  // was sometimes too early.
  for (int i = 0; i < 200 && server.frames_sent() < 11; ++i) std::this_thread::sleep_for(50ms);
  const auto stored = [&]() -> std::int64_t {
    try {
      sqlite::Database db(pipeline::track_store_path(config), sqlite::OpenMode::read_only);
      sqlite::Statement q = db.prepare("SELECT count(*) FROM positions");
      return q.step() ? q.int64(0) : 0;
    } catch (const Error&) {
      return 0;  // not created yet, or its schema not yet written
    }
  };
  for (int i = 0; i < 400 && stored() < 10; ++i) std::this_thread::sleep_for(50ms);
  stop = true;
  runner.join();

  EXPECT_EQ(report.positions_received, 10u);
  EXPECT_EQ(report.positions_inserted, 10u);
  EXPECT_EQ(report.error_frames, 1u);
  EXPECT_GE(report.reconnects, 1u);
  EXPECT_EQ(report.ended, "stop requested");
  EXPECT_EQ(report.tiles, std::vector<std::string>{"31UFU"});
  ASSERT_FALSE(report.snapshots.empty());
  EXPECT_TRUE(fs::exists(report.snapshots.front()));
  EXPECT_EQ(report.snapshot_rows, 10u);

  // The subscription: the key, the tile's box from the grid with the margin, the message types.
  const auto subs = server.subscriptions();
  ASSERT_GE(subs.size(), 2u);
  for (const auto& s : subs) {
    ASSERT_TRUE(s.accepted) << s.text;
    ASSERT_TRUE(s.parsed);
    ASSERT_EQ(s.parsed->boxes.size(), 1u);
    EXPECT_EQ(s.parsed->boxes[0], pipeline::tile_capture_box("31UFU", config.ais.bbox_margin_km));
    EXPECT_EQ(s.parsed->message_types, config.ais.message_types);
    EXPECT_LT(s.after_connect, 3000ms);
  }
  const ais::BBox box = subs.front().parsed->boxes[0];
  EXPECT_LT(box.min_lat, 52.25 - 0.08);  // 10 km margin ≈ 0.09° of latitude
  EXPECT_GT(box.max_lat, 53.24 + 0.08);

  ais::TrackStore store(pipeline::track_store_path(config).string());
  EXPECT_EQ(store.counts().positions, 10);
  const auto track = store.track(244000003, t0, t0 + 1h);
  ASSERT_EQ(track.size(), 1u);
  EXPECT_EQ(track[0].provider, "aisstream");
  EXPECT_NEAR(track[0].lat, 52.75, 1e-12);
  EXPECT_EQ(track[0].time, t0 + 3s);
}

TEST(CollectAisLive, RestrictedToTheScheduleFollowsWindowsAndWaitsOrEnds) {
  shipchips::testing::TempDir tmp("shipchips-collect-live");
  fixture::WsServerOptions so;
  fixture::AisStreamTestServer server(so);
  Config config = test_config(tmp.path / "ds", server.url());

  // 31UFU open now until +2 s; 30STF opens at +1 s and stays open.
  const UtcTime now = utc_now();
  std::vector<plan::OverpassWindow> windows{{"31UFU", "S2A", now - 10min, now + 2s, {}, {}, {}, {}, "tle"},
                                            {"30STF", "S2B", now + 1s, now + 1h, {}, {}, {}, {}, "tle"}};
  const fs::path schedule = tmp.path / "schedule.csv";
  plan::write_schedule(schedule, windows);

  std::atomic<bool> stop{false};
  pipeline::CollectOptions options;
  options.dry_run = false;
  options.api_key = so.expected_api_key;
  options.restrict_to_schedule = true;
  options.schedule = schedule;
  options.stop = &stop;
  pipeline::CollectReport report;
  std::thread runner([&] { report = pipeline::collect_ais(config, options); });
  // First {31UFU}, then {30STF, 31UFU}, then {30STF}: three subscription messages.
  const bool three = server.wait_for_subscriptions(3, 10s);
  stop = true;
  runner.join();
  ASSERT_TRUE(three) << server.subscriptions().size() << " subscription(s)";
  const auto subs = server.subscriptions();
  auto boxes = [&](std::size_t i) { return subs[i].parsed ? subs[i].parsed->boxes : std::vector<ais::BBox>{}; };
  const ais::BBox ufu = pipeline::tile_capture_box("31UFU", config.ais.bbox_margin_km);
  const ais::BBox stf = pipeline::tile_capture_box("30STF", config.ais.bbox_margin_km);
  EXPECT_EQ(boxes(0), std::vector<ais::BBox>{ufu});
  EXPECT_EQ(boxes(1), (std::vector<ais::BBox>{stf, ufu}));
  EXPECT_EQ(boxes(2), std::vector<ais::BBox>{stf});
  EXPECT_EQ(report.tiles, (std::vector<std::string>{"30STF", "31UFU"}));

  // Nothing open and --once: ends at once, no connection, never a global subscription.
  const std::size_t before = server.connections_accepted();
  plan::write_schedule(schedule, {{"31UFU", "S2A", now + 2h, now + 3h, {}, {}, {}, {}, "tle"}});
  options.once = true;
  stop = false;
  const auto idle = pipeline::collect_ais(config, options);
  EXPECT_EQ(idle.ended, "no overpass window open (--once)");
  EXPECT_EQ(server.connections_accepted(), before);
  EXPECT_EQ(idle.positions_received, 0u);
}
