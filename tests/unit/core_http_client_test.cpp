#include "core/http_client.hpp"

#include "../support/loopback_server.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <ctime>

using shipchips::ErrorCategory;
using shipchips::ErrorCode;
using shipchips::HttpClient;
using shipchips::HttpError;
using shipchips::HttpOptions;
using shipchips::parse_retry_after_ms;
using shipchips::testing::LoopbackReply;
using shipchips::testing::LoopbackRequest;
using shipchips::testing::LoopbackServer;

namespace {

// Options that keep real-socket tests fast: short timeouts and a recorded (not real) sleep.
HttpOptions fast_options() {
  HttpOptions options;
  options.connect_timeout_ms = 1000;
  options.timeout_ms = 2000;
  options.max_retries = 3;
  options.backoff_initial_ms = 100;
  options.backoff_max_ms = 1000;
  return options;
}

struct RecordingClient {
  HttpClient client;
  std::vector<long> sleeps;
  explicit RecordingClient(HttpOptions options = fast_options()) : client(std::move(options)) {
    client.set_sleep_function([this](std::chrono::milliseconds delay) { sleeps.push_back(delay.count()); });
    client.set_jitter_seed(7);
  }
};

// gzip-compresses `text` (windowBits 31 selects the gzip wrapper).
std::string gzip(const std::string& text) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&stream, text.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace

TEST(CoreHttpClientBackoff, OptionsMapOntoTheSharedPolicy) {
  HttpOptions options;
  options.backoff_initial_ms = 250;
  options.backoff_max_ms = 8000;
  const shipchips::BackoffPolicy policy = shipchips::backoff_policy_of(options);
  EXPECT_EQ(policy.initial.count(), 250);
  EXPECT_EQ(policy.max.count(), 8000);
  options.backoff_initial_ms = -5;  // nonsense clamps to no wait rather than a negative sleep
  EXPECT_EQ(shipchips::backoff_policy_of(options).initial.count(), 0);
}

TEST(CoreHttpClientBackoff, RetryAfterSecondsAndHttpDate) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(parse_retry_after_ms("120", now), 120000);
  EXPECT_EQ(parse_retry_after_ms("  0 ", now), 0);
  EXPECT_EQ(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:30 GMT", now), 30000);
  EXPECT_EQ(parse_retry_after_ms("Wed, 21 Oct 2015 07:27:00 GMT", now), 0);          // in the past
  EXPECT_EQ(parse_retry_after_ms("Wednesday, 21-Oct-15 07:29:00 GMT", now), 60000);  // RFC 850 form
  EXPECT_FALSE(parse_retry_after_ms("", now).has_value());
  EXPECT_FALSE(parse_retry_after_ms("-5", now).has_value());
  EXPECT_FALSE(parse_retry_after_ms("1.5", now).has_value());
  EXPECT_FALSE(parse_retry_after_ms("soon", now).has_value());
}

TEST(CoreHttpClientBackoff, RetryableStatuses) {
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L})
    EXPECT_TRUE(shipchips::is_retryable_status(status)) << status;
  for (long status : {200L, 400L, 401L, 403L, 404L, 405L, 501L, 505L}) {
    EXPECT_FALSE(shipchips::is_retryable_status(status)) << status;
  }
}

TEST(CoreHttpClient, GetSendsUserAgentAndReusesTheConnection) {
  LoopbackServer server([](const LoopbackRequest& request) {
    return LoopbackReply::http(200, "{\"path\":\"" + request.target + "\"}", {{"X-Test", "yes"}});
  });
  RecordingClient rc;
  const auto first = rc.client.get(server.base_url() + "/a");
  const auto second = rc.client.get(server.base_url() + "/b?x=1");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "{\"path\":\"/a\"}");
  EXPECT_EQ(second.body, "{\"path\":\"/b?x=1\"}");
  EXPECT_EQ(first.attempts, 1);
  EXPECT_EQ(first.header("x-test"), "yes");  // case-insensitive
  EXPECT_EQ(first.header("missing"), "");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("User-Agent"), std::string("shipchips/") + SHIPCHIPS_VERSION);
  EXPECT_NE(requests[0].header("Accept-Encoding"), "");
  EXPECT_EQ(server.connections_accepted(), 1);  // keep-alive: one TCP connection for both
  EXPECT_TRUE(rc.sleeps.empty());
}

TEST(CoreHttpClient, GzipBodiesAreDecoded) {
  const std::string text(20000, 'a');
  const std::string compressed = gzip(text);
  ASSERT_LT(compressed.size(), 1000u);
  LoopbackServer server([&](const LoopbackRequest& request) {
    EXPECT_NE(request.header("Accept-Encoding").find("gzip"), std::string::npos);
    return LoopbackReply::http(200, compressed, {{"Content-Encoding", "gzip"}});
  });
  RecordingClient rc;
  EXPECT_EQ(rc.client.get(server.base_url() + "/z").body, text);
}

TEST(CoreHttpClient, PostJsonSendsBodyAndContentType) {
  LoopbackServer server([](const LoopbackRequest& request) { return LoopbackReply::http(200, request.body); });
  RecordingClient rc;
  std::string big(5000, 'x');  // large enough that curl would otherwise wait for 100-continue
  const std::string body = "{\"k\":\"" + big + "\"}";
  const auto response = rc.client.post_json(server.base_url() + "/search", body);
  EXPECT_EQ(response.body, body);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
}

TEST(CoreHttpClient, RetriesA503ThenSucceeds) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const LoopbackRequest&) {
    return calls++ == 0 ? LoopbackReply::http(503, "busy") : LoopbackReply::http(200, "ok");
  });
  RecordingClient rc;
  const auto response = rc.client.get(server.base_url() + "/x");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(response.attempts, 2);
  ASSERT_EQ(rc.sleeps.size(), 1u);
  EXPECT_GE(rc.sleeps[0], 0);
  EXPECT_LE(rc.sleeps[0], 100);  // first retry: at most backoff_initial_ms
}

TEST(CoreHttpClient, ClientErrorIsNotRetried) {
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackReply::http(404, "{\"code\":\"NotFound\"}"); });
  RecordingClient rc;
  try {
    rc.client.get(server.base_url() + "/nope");
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.code(), ErrorCode::http_client_error);
    EXPECT_EQ(e.category(), ErrorCategory::permanent);
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.attempts(), 1);
    EXPECT_NE(std::string(e.what()).find("/nope"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("404"), std::string::npos);
  }
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(rc.sleeps.empty());
}

TEST(CoreHttpClient, PersistentServerErrorBecomesNetworkTransient) {
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackReply::http(502, "bad gateway"); });
  RecordingClient rc;
  try {
    rc.client.get(server.base_url() + "/flaky");
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.code(), ErrorCode::network_transient);
    EXPECT_EQ(e.category(), ErrorCategory::retryable);
    EXPECT_EQ(e.attempts(), 4);
    EXPECT_EQ(e.status(), 502);
    const std::string message = e.what();
    EXPECT_NE(message.find("/flaky"), std::string::npos);
    EXPECT_NE(message.find("HTTP 502"), std::string::npos);
    EXPECT_NE(message.find("4 attempt"), std::string::npos);
  }
  EXPECT_EQ(server.request_count(), 4u);
  ASSERT_EQ(rc.sleeps.size(), 3u);
  EXPECT_LE(rc.sleeps[0], 100);
  EXPECT_LE(rc.sleeps[1], 200);
  EXPECT_LE(rc.sleeps[2], 400);
}

TEST(CoreHttpClient, CloseWithoutAnswerIsRetried) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const LoopbackRequest&) {
    return calls++ == 0 ? LoopbackReply::close_without_answer() : LoopbackReply::http(200, "ok");
  });
  RecordingClient rc;
  const auto response = rc.client.get(server.base_url() + "/x");
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(response.attempts, 2);
}

TEST(CoreHttpClient, ResetsExhaustRetries) {
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackReply::reset(); });
  HttpOptions options = fast_options();
  options.max_retries = 2;
  RecordingClient rc(options);
  try {
    rc.client.get(server.base_url() + "/reset");
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.code(), ErrorCode::network_transient);
    EXPECT_EQ(e.attempts(), 3);
    EXPECT_EQ(e.status(), 0);
    EXPECT_NE(std::string(e.what()).find("curl error"), std::string::npos);
  }
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(CoreHttpClient, TruncatedBodyIsRetriedThenFails) {
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackReply::truncated(200, "{\"partial\":", 1000); });
  HttpOptions options = fast_options();
  options.max_retries = 2;
  RecordingClient rc(options);
  try {
    rc.client.get(server.base_url() + "/trunc");
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.code(), ErrorCode::network_transient);
    EXPECT_EQ(e.attempts(), 3);
    EXPECT_NE(std::string(e.what()).find("curl error 18"), std::string::npos) << e.what();  // CURLE_PARTIAL_FILE
  }
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(CoreHttpClient, TruncatedOnceThenComplete) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const LoopbackRequest&) {
    return calls++ == 0 ? LoopbackReply::truncated(200, "{\"a\":", 9) : LoopbackReply::http(200, "{\"a\":1}");
  });
  RecordingClient rc;
  const auto response = rc.client.get(server.base_url() + "/x");
  EXPECT_EQ(response.body, "{\"a\":1}");  // the partial first body is not glued to the second
  EXPECT_EQ(response.attempts, 2);
}

TEST(CoreHttpClient, TimeoutIsRetried) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const LoopbackRequest&) {
    return calls++ == 0 ? LoopbackReply::hang() : LoopbackReply::http(200, "late but fine");
  });
  HttpOptions options = fast_options();
  options.timeout_ms = 300;
  RecordingClient rc(options);
  const auto started = std::chrono::steady_clock::now();
  const auto response = rc.client.get(server.base_url() + "/slow");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(response.body, "late but fine");
  EXPECT_EQ(response.attempts, 2);
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000));
}

TEST(CoreHttpClient, RefusedConnectionIsRetriedThenTransient) {
  int port = 0;
  {
    LoopbackServer server([](const LoopbackRequest&) { return LoopbackReply::http(200, ""); });
    port = server.port();
  }  // closed: nothing listens on the port now
  HttpOptions options = fast_options();
  options.max_retries = 1;
  RecordingClient rc(options);
  try {
    rc.client.get("http://127.0.0.1:" + std::to_string(port) + "/");
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.code(), ErrorCode::network_transient);
    EXPECT_EQ(e.attempts(), 2);
  }
  EXPECT_EQ(rc.sleeps.size(), 1u);
}

TEST(CoreHttpClient, RetryAfterSecondsIsHonoured) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const LoopbackRequest&) {
    return calls++ == 0 ? LoopbackReply::http(429, "slow down", {{"Retry-After", "1"}})
                        : LoopbackReply::http(200, "ok");
  });
  RecordingClient rc;
  const auto response = rc.client.get(server.base_url() + "/x");
  EXPECT_EQ(response.attempts, 2);
  ASSERT_EQ(rc.sleeps.size(), 1u);
  EXPECT_EQ(rc.sleeps[0], 1000);  // the server's wish, not the 0..100 ms backoff
}

TEST(CoreHttpClient, RetryAfterIsCapped) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const LoopbackRequest&) {
    return calls++ == 0 ? LoopbackReply::http(503, "", {{"Retry-After", "3600"}}) : LoopbackReply::http(200, "ok");
  });
  HttpOptions options = fast_options();
  options.max_retry_after_ms = 1500;
  RecordingClient rc(options);
  rc.client.get(server.base_url() + "/x");
  ASSERT_EQ(rc.sleeps.size(), 1u);
  EXPECT_EQ(rc.sleeps[0], 1500);
}

TEST(CoreHttpClient, RealSleepWithRetryAfterOneSecond) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const LoopbackRequest&) {
    return calls++ == 0 ? LoopbackReply::http(503, "", {{"Retry-After", "1"}}) : LoopbackReply::http(200, "ok");
  });
  HttpClient client(fast_options());  // the default sleep: really waits
  const auto started = std::chrono::steady_clock::now();
  const auto response = client.get(server.base_url() + "/x");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(response.attempts, 2);
  EXPECT_GE(elapsed, std::chrono::milliseconds(950));
  EXPECT_LT(elapsed, std::chrono::milliseconds(3000));
}

TEST(CoreHttpClient, NotImplementedIsNotRetried) {
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackReply::http(501, "no"); });
  RecordingClient rc;
  try {
    rc.client.request("PATCH", server.base_url() + "/x", "{}", {{"Content-Type", "application/json"}});
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 501);
    EXPECT_EQ(e.attempts(), 1);
  }
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PATCH");
  EXPECT_EQ(requests[0].body, "{}");
}

TEST(CoreHttpClient, MalformedUrlIsInvalidArgument) {
  RecordingClient rc;
  try {
    rc.client.get("notaprotocol://x");
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(e.attempts(), 1);
  }
}
