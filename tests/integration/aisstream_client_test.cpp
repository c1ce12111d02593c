// The aisstream client against the local aisstream-like WebSocket server, over loopback only:
// subscription timing and bytes, decoding and order, drops and reconnects, error frames, a
// silent server, a slow consumer, live re-subscription, idling without a window, wss:// with
// a CA generated here (trusted and untrusted), and a clean shutdown that loses nothing queued.
#include "ais/aisstream_client.hpp"
#include "core/error.hpp"
#include "core/http_client.hpp"
#include "fixture/ws_server.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

using namespace shipchips;
using namespace std::chrono_literals;
using ais::StreamFrameKind;
namespace fs = std::filesystem;

namespace {

const std::string kKey = "test-api-key";

// A class A position report as aisstream sends it; the MMSI numbers the frames.
std::string position_frame(std::int64_t mmsi, double lat = 55.5, double lon = 10.5) {
  const std::string m = std::to_string(mmsi);
  return R"({"Message":{"PositionReport":{"Cog":90.5,"Latitude":)" + std::to_string(lat) + R"(,"Longitude":)" +
         std::to_string(lon) + R"(,"MessageID":1,"NavigationalStatus":0,"Sog":12.3,"TrueHeading":91,"UserID":)" + m +
         R"(,"Valid":true}},"MessageType":"PositionReport","MetaData":{"MMSI":)" + m +
         R"(,"ShipName":"TEST","latitude":55.5,"longitude":10.5,"time_utc":"2024-03-01 12:00:00.123456789 +0000 UTC"}})";
}

std::string static_frame(std::int64_t mmsi) {
  const std::string m = std::to_string(mmsi);
  return R"({"MetaData":{"MMSI":)" + m +
         R"(,"time_utc":"2024-03-01 12:00:01 +0000 UTC"},"MessageType":"ShipStaticData",)" +
         R"("Message":{"ShipStaticData":{"UserID":)" + m +
         R"(,"Name":"NORDIC STAR         ","CallSign":"OXAB2","ImoNumber":9123456,"Type":70,)"
         R"("Dimension":{"A":100,"B":20,"C":10,"D":12},"MaximumStaticDraught":7.5,"Destination":"AARHUS","Valid":true}}})";
}

ais::StreamSubscription box_sub(double min_lat = 55, double min_lon = 10, double max_lat = 56, double max_lon = 11) {
  ais::StreamSubscription s;
  s.boxes.push_back(ais::BBox{min_lat, min_lon, max_lat, max_lon});
  return s;
}

ais::StreamOptions fast_options(const std::string& url, const std::string& key = kKey) {
  ais::StreamOptions o;
  o.endpoint = url;
  o.api_key = key;
  o.message_types = {"PositionReport", "ShipStaticData"};
  o.connect_timeout_s = 2.0;
  o.ping_interval_s = 0.2;
  o.read_timeout_s = 0.6;
  o.reconnect_initial_backoff_s = 0.05;
  o.reconnect_max_backoff_s = 0.2;
  o.queue_capacity = 1000;
  return o;
}

// Pops until n frames arrived or the time is up.
std::vector<ais::StreamFrame> collect(ais::AisStreamClient& client, std::size_t n,
                                      std::chrono::milliseconds limit = 5s) {
  std::vector<ais::StreamFrame> out;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    if (!client.pop_batch(out, n - out.size(), 50ms)) break;
  }
  return out;
}

std::vector<std::int64_t> mmsis_of(const std::vector<ais::StreamFrame>& frames) {
  std::vector<std::int64_t> out;
  for (const auto& f : frames) {
    if (f.position)
      out.push_back(f.position->mmsi);
    else if (f.static_data)
      out.push_back(f.static_data->mmsi);
    else
      out.push_back(-1);
  }
  return out;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

// A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI.
struct TestPki {
  fs::path dir;
  bool ok = false;
  fs::path ca() const { return dir / "ca.pem"; }
  fs::path cert() const { return dir / "server.pem"; }
  fs::path key() const { return dir / "server.key"; }
};

fs::path pki_dir() {
  return fs::temp_directory_path() / ("shipchips_ws_pki_" + std::to_string(::getpid()));
}

// The generated keys live only as long as the test program.
class PkiCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(pki_dir(), ec);
  }
};
const auto* const kPkiCleanup = ::testing::AddGlobalTestEnvironment(new PkiCleanup);

const TestPki& test_pki();

// A wss:// server presenting the test PKI's certificate.
fixture::WsServerOptions tls_server_options(const TestPki& pki) {
  fixture::WsServerOptions so;
  so.cert_chain_file = pki.cert().string();
  so.private_key_file = pki.key().string();
  return so;
}

const TestPki& test_pki() {
  static const TestPki pki = [] {
    TestPki p;
    p.dir = pki_dir();
    fs::create_directories(p.dir);
    const std::string d = p.dir.string();
    std::ofstream(p.dir / "ext.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                                        "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string script =
        "(cd '" + d + "' && openssl req -x509" + ec +
        " -keyout ca.key -out ca.pem -days 2 -subj '/CN=shipchips test CA'"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
        " && openssl req" +
        ec +
        " -keyout server.key -out server.csr -subj /CN=localhost"
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2"
        " -extfile ext.cnf) >/dev/null 2>&1";
    p.ok = std::system(script.c_str()) == 0;
    return p;
  }();
  return pki;
}

}  // namespace

TEST(AisStreamClient, EndpointParsing) {
  EXPECT_EQ(ais::parse_stream_endpoint("wss://stream.aisstream.io/v0/stream"),
            (ais::StreamEndpoint{true, "stream.aisstream.io", 443, "/v0/stream"}));
  EXPECT_EQ(ais::parse_stream_endpoint("ws://127.0.0.1:8080"), (ais::StreamEndpoint{false, "127.0.0.1", 8080, "/"}));
  EXPECT_EQ(ais::parse_stream_endpoint("ws://[::1]:9/x?y=1"), (ais::StreamEndpoint{false, "::1", 9, "/x?y=1"}));
  for (const char* bad :
       {"http://x/", "ws://", "ws://host:0/", "ws://host:99999/", "wss://u:p@host/", "ws://host:ab/"}) {
    EXPECT_THROW(ais::parse_stream_endpoint(bad), Error) << bad;
  }
}

TEST(AisStreamClient, OptionsFromConfig) {
  AisConfig c;
  c.endpoint = "ws://127.0.0.1:1/v0/stream";
  c.read_timeout_s = 7;
  c.queue_capacity = 12;
  c.max_reconnects = 3;
  const auto o = ais::stream_options_from(c, "k");
  EXPECT_EQ(o.endpoint, c.endpoint);
  EXPECT_EQ(o.api_key, "k");
  EXPECT_EQ(o.read_timeout_s, 7);
  EXPECT_EQ(o.queue_capacity, 12u);
  EXPECT_EQ(o.max_reconnects, 3);
  EXPECT_EQ(o.message_types, c.message_types);
  EXPECT_THROW(ais::AisStreamClient(ais::stream_options_from(c, "")), Error);  // no key
}

TEST(AisStreamClient, ReconnectDelayIsCappedExponentialWithFullJitter) {
  EXPECT_DOUBLE_EQ(ais::reconnect_delay_s(1, 1.0, 60.0, 0.5), 0.5);    // uniform over [0, 1)
  EXPECT_DOUBLE_EQ(ais::reconnect_delay_s(2, 1.0, 60.0, 0.5), 1.0);    // [0, 2)
  EXPECT_DOUBLE_EQ(ais::reconnect_delay_s(4, 1.0, 60.0, 0.99), 7.92);  // [0, 8)
  EXPECT_DOUBLE_EQ(ais::reconnect_delay_s(7, 1.0, 60.0, 0.5), 30.0);   // 64 capped at 60
  EXPECT_DOUBLE_EQ(ais::reconnect_delay_s(1000, 1.0, 60.0, 1.0), 60.0);
  EXPECT_DOUBLE_EQ(ais::reconnect_delay_s(3, 1.0, 60.0, 0.0), 0.0);
}

TEST(AisStreamClient, SubscribesAtOnceAndDeliversFramesInOrder) {
  fixture::WsServerOptions so;
  so.default_script = {fixture::WsStep::send(position_frame(211000001)), fixture::WsStep::send(static_frame(211000002)),
                       fixture::WsStep::send("{not json"),
                       fixture::WsStep::send(R"({"MessageType":"BaseStationReport","MetaData":{},"Message":{}})"),
                       fixture::WsStep::send(position_frame(211000003))};
  fixture::AisStreamTestServer server(so);
  const auto options = fast_options(server.url());
  ais::AisStreamClient client(options);
  const auto sub = box_sub();
  client.start(sub);

  ASSERT_TRUE(server.wait_for_subscriptions(1, 5s));
  const auto received = server.subscriptions().at(0);
  EXPECT_LT(received.after_connect, 3000ms);
  EXPECT_TRUE(received.accepted);
  auto expected_sub = sub;
  expected_sub.message_types = options.message_types;  // filled in from the options
  EXPECT_EQ(received.text, ais::subscription_json(kKey, expected_sub));

  const auto frames = collect(client, 3);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(mmsis_of(frames), (std::vector<std::int64_t>{211000001, 211000002, 211000003}));
  EXPECT_EQ(frames[0].kind, StreamFrameKind::position);
  EXPECT_EQ(frames[0].position->time, parse_iso8601("2024-03-01T12:00:00.123456Z"));
  EXPECT_EQ(frames[0].position->sog_kn, 12.3);
  EXPECT_EQ(frames[1].kind, StreamFrameKind::static_data);
  EXPECT_EQ(frames[1].static_data->name, "NORDIC STAR");
  EXPECT_EQ(frames[1].static_data->draught_m, 7.5);
  const auto stats = client.stats();
  EXPECT_EQ(stats.connects, 1u);
  EXPECT_EQ(stats.frames, 5u);
  EXPECT_EQ(stats.positions, 2u);
  EXPECT_EQ(stats.static_reports, 1u);
  EXPECT_EQ(stats.malformed_frames, 1u);
  EXPECT_EQ(stats.ignored, 1u);
  EXPECT_GT(stats.bytes, 500u);
  EXPECT_EQ(client.state(), ais::StreamState::connected);
}

TEST(AisStreamClient, ReconnectsAfterADropAndSubscribesAgain) {
  fixture::WsServerOptions so;
  so.scripts = {
      {fixture::WsStep::send(position_frame(1)), fixture::WsStep::send(position_frame(2)),
       fixture::WsStep::send(position_frame(3)), fixture::WsStep::drop()},
      {fixture::WsStep::send(position_frame(4)), fixture::WsStep::send(position_frame(5)), fixture::WsStep::drop(50ms)},
      {fixture::WsStep::send(position_frame(6))}};
  fixture::AisStreamTestServer server(so);
  ais::AisStreamClient client(fast_options(server.url()));
  client.start(box_sub());
  const auto frames = collect(client, 6);
  EXPECT_EQ(mmsis_of(frames), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(server.wait_for_subscriptions(3, 2s));
  const auto subs = server.subscriptions();
  EXPECT_EQ(subs[1].connection, 1u);
  EXPECT_EQ(subs[2].connection, 2u);
  EXPECT_EQ(subs[1].text, subs[0].text);
  EXPECT_EQ(subs[2].text, subs[0].text);
  const auto stats = client.stats();
  EXPECT_EQ(stats.connects, 3u);
  EXPECT_EQ(stats.reconnects, 2u);
  EXPECT_FALSE(stats.last_error.empty());
}

TEST(AisStreamClient, GivesUpAfterMaxReconnectsWhenNothingListens) {
  std::string url;
  {
    fixture::AisStreamTestServer gone(fixture::WsServerOptions{});  // a port that was just free: now nothing listens
    url = gone.url();
  }
  auto options = fast_options(url);
  options.max_reconnects = 2;
  ais::AisStreamClient client(options);
  client.start(box_sub());
  std::vector<ais::StreamFrame> out;
  const auto t0 = std::chrono::steady_clock::now();
  while (client.pop_batch(out, 10, 50ms) && std::chrono::steady_clock::now() - t0 < 5s) {
  }
  EXPECT_EQ(client.state(), ais::StreamState::failed);
  EXPECT_EQ(client.stats().reconnects, 2u);
  try {
    client.throw_if_failed();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::network_transient);
    EXPECT_NE(std::string(e.what()).find("3 consecutive"), std::string::npos) << e.what();
  }
}

TEST(AisStreamClient, ErrorFramesAreReportedInOrder) {
  fixture::WsServerOptions so;
  so.default_script = {fixture::WsStep::send(position_frame(7)), fixture::WsStep::send_error("Too many requests"),
                       fixture::WsStep::send(position_frame(8))};
  fixture::AisStreamTestServer server(so);
  ais::AisStreamClient client(fast_options(server.url()));
  client.start(box_sub());
  const auto frames = collect(client, 3);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[1].kind, StreamFrameKind::error);
  EXPECT_EQ(frames[1].text, "Too many requests");
  EXPECT_EQ(mmsis_of(frames), (std::vector<std::int64_t>{7, -1, 8}));
  const auto stats = client.stats();
  EXPECT_EQ(stats.error_frames, 1u);
  EXPECT_EQ(stats.last_error_frame, "Too many requests");
  EXPECT_EQ(client.state(), ais::StreamState::connected);  // the service kept the link open
}

TEST(AisStreamClient, RefusedApiKeyEndsTheClientWithoutRetrying) {
  fixture::AisStreamTestServer server(fixture::WsServerOptions{});
  ais::AisStreamClient client(fast_options(server.url(), "wrong-key"));
  client.start(box_sub());
  const auto frames = collect(client, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].kind, StreamFrameKind::error);
  EXPECT_EQ(frames[0].text, "Api Key Is Not Valid");
  std::vector<ais::StreamFrame> rest;
  EXPECT_TRUE(eventually([&] { return !client.pop_batch(rest, 10, 20ms); }));
  EXPECT_EQ(client.state(), ais::StreamState::failed);
  EXPECT_THROW(client.throw_if_failed(), Error);
  std::this_thread::sleep_for(300ms);  // several backoff periods: no new attempt
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_FALSE(server.subscriptions().at(0).accepted);
}

TEST(AisStreamClient, SilentServerIsDroppedWithinTheReadTimeout) {
  fixture::WsServerOptions so;
  so.scripts = {{fixture::WsStep::send(position_frame(1)), fixture::WsStep::stall()},
                {fixture::WsStep::send(position_frame(2))}};
  fixture::AisStreamTestServer server(so);
  const auto options = fast_options(server.url());
  ais::AisStreamClient client(options);
  client.start(box_sub());
  const auto first = collect(client, 1);
  ASSERT_EQ(first.size(), 1u);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(server.wait_for_connections(2, 3s));
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Pings went unanswered: the drop comes after read_timeout, and well before it plus backoff.
  EXPECT_GE(waited, options.read_timeout_s * 0.8);
  EXPECT_LE(waited, options.read_timeout_s + options.reconnect_max_backoff_s + 0.5);
  EXPECT_EQ(mmsis_of(collect(client, 1)), std::vector<std::int64_t>{2});
  EXPECT_NE(client.stats().last_error.find("no frame or pong"), std::string::npos) << client.stats().last_error;
}

TEST(AisStreamClient, SlowConsumerLosesNothingAndFillsTheQueueExactly) {
  constexpr int kFrames = 400;
  fixture::WsServerOptions so;
  for (int i = 1; i <= kFrames; ++i) so.default_script.push_back(fixture::WsStep::send(position_frame(i)));
  fixture::AisStreamTestServer server(so);
  auto options = fast_options(server.url());
  options.queue_capacity = 8;
  ais::AisStreamClient client(options);
  client.start(box_sub());
  // Nobody consumes at first: the reader must fill the queue and then stop reading.
  ASSERT_TRUE(eventually([&] { return client.stats().queue_high_water == 8; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(client.stats().frames, 9u);  // 8 queued + 1 parked, then no more reads
  std::vector<ais::StreamFrame> got;
  const auto deadline = std::chrono::steady_clock::now() + 8s;
  while (got.size() < kFrames && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);  // slower than the server
    client.pop_batch(got, 3, 50ms);
  }
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) ASSERT_EQ(got[i].position->mmsi, i + 1) << "at " << i;
  EXPECT_EQ(client.stats().queue_high_water, 8u);
  EXPECT_EQ(client.stats().connects, 1u);  // back-pressure is not a timeout
}

TEST(AisStreamClient, UpdateSubscriptionResubscribesOnTheLiveSocket) {
  fixture::WsServerOptions so;
  so.filter_to_boxes = true;
  so.default_script = {fixture::WsStep::send(position_frame(1, 55.5, 10.5)),
                       fixture::WsStep::send(position_frame(2, 55.5, 10.5), 700ms),  // box A: filtered by then
                       fixture::WsStep::send(position_frame(3, 40.5, -70.5))};       // box B
  fixture::AisStreamTestServer server(so);
  ais::AisStreamClient client(fast_options(server.url()));
  client.start(box_sub());
  ASSERT_EQ(mmsis_of(collect(client, 1)), std::vector<std::int64_t>{1});
  const auto b = box_sub(40, -71, 41, -70);
  client.update_subscription(b);
  client.update_subscription(b);  // unchanged: not sent again
  ASSERT_TRUE(server.wait_for_subscriptions(2, 2s));
  EXPECT_EQ(mmsis_of(collect(client, 1)), std::vector<std::int64_t>{3});
  const auto subs = server.subscriptions();
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_FALSE(subs[1].first);
  EXPECT_EQ(subs[1].connection, 0u);
  ASSERT_TRUE(subs[1].parsed);
  EXPECT_EQ(subs[1].parsed->boxes.at(0).min_lat, 40);
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(server.frames_filtered(), 1u);
  EXPECT_EQ(client.stats().subscriptions_sent, 2u);
}

TEST(AisStreamClient, WithoutLiveResubscribeAChangeReconnects) {
  fixture::AisStreamTestServer server(fixture::WsServerOptions{});
  auto options = fast_options(server.url());
  options.live_resubscribe = false;
  ais::AisStreamClient client(options);
  client.start(box_sub());
  ASSERT_TRUE(server.wait_for_subscriptions(1, 2s));
  client.update_subscription(box_sub(40, -71, 41, -70));
  ASSERT_TRUE(server.wait_for_subscriptions(2, 2s));
  const auto subs = server.subscriptions();
  EXPECT_TRUE(subs[1].first);
  EXPECT_EQ(subs[1].connection, 1u);
  EXPECT_EQ(subs[1].parsed->boxes.at(0).max_lon, -70);
  EXPECT_EQ(client.stats().reconnects, 0u);  // a chosen reconnect, not a failure
  EXPECT_EQ(server.close_frames_received(), 1u);
}

TEST(AisStreamClient, NoWindowMeansNoConnection) {
  fixture::AisStreamTestServer server(fixture::WsServerOptions{});
  ais::AisStreamClient client(fast_options(server.url()));
  client.start(std::nullopt);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(server.connections_accepted(), 0u);
  EXPECT_EQ(client.state(), ais::StreamState::idle);

  client.update_subscription(box_sub());
  ASSERT_TRUE(server.wait_for_subscriptions(1, 2s));
  EXPECT_TRUE(eventually([&] { return client.state() == ais::StreamState::connected; }));

  client.update_subscription(ais::StreamSubscription{});  // empty box list: no window
  EXPECT_TRUE(eventually([&] { return server.open_connections() == 0; }));
  EXPECT_EQ(server.close_frames_received(), 1u);
  EXPECT_TRUE(eventually([&] { return client.state() == ais::StreamState::idle; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_EQ(client.stats().reconnects, 0u);
}

TEST(AisStreamClient, WssWithTheGeneratedCaConnects) {
  const auto& pki = test_pki();
  ASSERT_TRUE(pki.ok) << "openssl CLI failed in " << pki.dir;
  fixture::WsServerOptions so = tls_server_options(pki);
  so.default_script = {fixture::WsStep::send(position_frame(42))};
  fixture::AisStreamTestServer server(so);
  ASSERT_EQ(server.url().substr(0, 6), "wss://");
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    auto options = fast_options("wss://" + host + ":" + std::to_string(server.port()) + "/v0/stream");
    options.ca_file = pki.ca().string();
    ais::AisStreamClient client(options);
    client.start(box_sub());
    EXPECT_EQ(mmsis_of(collect(client, 1)), std::vector<std::int64_t>{42}) << host;
  }
}

// The HTTP client (STAC, downloads) classifies the same failure the same way: a certificate that
// does not verify is permanent and is not retried.
TEST(AisStreamClient, HttpsToAnUntrustedCertificateIsPermanentAndNotRetried) {
  const auto& pki = test_pki();
  ASSERT_TRUE(pki.ok) << "openssl CLI failed in " << pki.dir;
  fixture::WsServerOptions so = tls_server_options(pki);
  fixture::AisStreamTestServer server(so);
  HttpOptions options;
  options.max_retries = 3;
  HttpClient client(options);
  int sleeps = 0;
  client.set_sleep_function([&](std::chrono::milliseconds) { ++sleeps; });
  try {
    client.get("https://127.0.0.1:" + std::to_string(server.port()) + "/");
    FAIL() << "no error";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.code(), ErrorCode::tls_failed) << e.what();
    EXPECT_EQ(e.category(), ErrorCategory::permanent);
    EXPECT_EQ(e.attempts(), 1);
  }
  EXPECT_EQ(sleeps, 0);
}

TEST(AisStreamClient, WssWithAnUntrustedCertificateFailsOnce) {
  const auto& pki = test_pki();
  ASSERT_TRUE(pki.ok) << "openssl CLI failed in " << pki.dir;
  fixture::WsServerOptions so = tls_server_options(pki);
  fixture::AisStreamTestServer server(so);
  ais::AisStreamClient client(fast_options(server.url()));  // system store only
  client.start(box_sub());
  EXPECT_TRUE(eventually([&] { return client.state() == ais::StreamState::failed; }));
  try {
    client.throw_if_failed();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::tls_failed);
    EXPECT_EQ(e.category(), ErrorCategory::permanent);
    const std::string what = e.what();
    EXPECT_NE(what.find("certificate"), std::string::npos) << what;
    EXPECT_NE(what.find("127.0.0.1"), std::string::npos) << what;
  }
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(server.connections_accepted(), 1u);
  EXPECT_TRUE(server.subscriptions().empty());
  EXPECT_THROW(
      {
        auto options = fast_options(server.url());
        options.ca_file = (pki.dir / "missing.pem").string();
        ais::AisStreamClient bad(options);
      },
      Error);
}

TEST(AisStreamClient, StopSendsACloseAndLeavesTheQueueToDrain) {
  constexpr int kFrames = 50;
  fixture::WsServerOptions so;
  for (int i = 1; i <= kFrames; ++i) so.default_script.push_back(fixture::WsStep::send(position_frame(i)));
  fixture::AisStreamTestServer server(so);
  auto options = fast_options(server.url());
  options.queue_capacity = 20;  // 30 frames wait in the socket / parked when stop comes
  ais::AisStreamClient client(options);
  client.start(box_sub());
  ASSERT_TRUE(eventually([&] { return client.stats().queue_high_water == 20; }));
  client.request_stop();  // the async-signal-safe path
  client.join();
  EXPECT_EQ(client.state(), ais::StreamState::stopped);
  EXPECT_NO_THROW(client.throw_if_failed());
  std::vector<ais::StreamFrame> got;
  while (client.pop_batch(got, 7, 10ms)) {
  }
  // Everything read before the stop comes out, in order: the 20 queued and the parked one.
  ASSERT_EQ(got.size(), 21u);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].position->mmsi, static_cast<std::int64_t>(i + 1));
  EXPECT_TRUE(eventually([&] { return server.open_connections() == 0; }));
  EXPECT_EQ(server.close_frames_received(), 1u);  // a normal close, not a reset
}

// The test server, like aisstream, closes a connection that has not subscribed in time. A
// hand-made WebSocket upgrade over a plain socket plays the silent client.
TEST(AisStreamTestServer, ClosesAClientThatDoesNotSubscribeInTime) {
  fixture::WsServerOptions so;
  so.subscription_timeout = 300ms;
  fixture::AisStreamTestServer server(so);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{5, 0};  // a hang fails the test instead of blocking it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string upgrade =
      "GET /v0/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  ASSERT_EQ(::send(fd, upgrade.data(), upgrade.size(), 0), static_cast<ssize_t>(upgrade.size()));
  const auto t0 = std::chrono::steady_clock::now();
  std::string received;
  char buf[512];
  ssize_t n = 0;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) received.append(buf, static_cast<std::size_t>(n));
  const auto waited = std::chrono::steady_clock::now() - t0;
  ::close(fd);
  EXPECT_EQ(n, 0) << "the server should have closed the connection";
  EXPECT_EQ(received.rfind("HTTP/1.1 101", 0), 0u) << received;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 2s);
  EXPECT_TRUE(server.subscriptions().empty());
  EXPECT_EQ(server.connections_accepted(), 1u);
}
