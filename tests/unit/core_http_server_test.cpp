// core/http_server observed from the outside by clients that share none of its code: libcurl
// directly, the curl command line, and raw sockets for what no well-behaved client sends
// (garbage, huge heads, pipelined requests, idle connections).
#include "core/error.hpp"
#include "core/http_server.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include "../support/curl_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

using namespace shipchips;
using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

using shipchips::testing::Curl;
using shipchips::testing::CurlResult;

// A raw TCP client: sends bytes as given and reads whatever comes back.
class RawClient {
 public:
  explicit RawClient(int port) {
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    m_connected = ::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() {
    if (m_fd >= 0) ::close(m_fd);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return m_connected; }
  bool send(std::string_view bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(m_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Reads until the server closes or `timeout` passes without bytes; eof() tells which.
  std::string read_all(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    timeval tv{static_cast<long>(timeout.count() / 1000), static_cast<long>((timeout.count() % 1000) * 1000)};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    char chunk[65536];
    while (true) {
      const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
      if (n == 0) {
        m_eof = true;
        break;
      }
      if (n < 0) {
        m_error = errno;
        break;
      }
      out.append(chunk, static_cast<std::size_t>(n));
    }
    return out;
  }
  // Reads until `needle` has arrived (or the timeout); returns everything read so far.
  std::string read_until(std::string_view needle, std::size_t count = 1) {
    timeval tv{3, 0};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char chunk[65536];
    while (occurrences(m_pending, needle) < count) {
      const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      m_pending.append(chunk, static_cast<std::size_t>(n));
    }
    return m_pending;
  }
  bool eof() const { return m_eof; }
  int error() const { return m_error; }

 private:
  static std::size_t occurrences(const std::string& text, std::string_view needle) {
    std::size_t count = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++count;
    return count;
  }

  int m_fd = -1;
  bool m_connected = false;
  bool m_eof = false;
  int m_error = 0;
  std::string m_pending;
};

std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  ::pclose(pipe);
  return out;
}

// Answers "/echo" with what it saw, "/file" with a byte range of `file`, and scripted
// failures for the rest.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("shipchips_http_server_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    m_file_bytes.resize(200000);
    for (std::size_t i = 0; i < m_file_bytes.size(); ++i) m_file_bytes[i] = static_cast<char>((i * 131 + i / 7) % 256);
    std::ofstream(m_dir / "data.bin", std::ios::binary) << m_file_bytes;
  }
  void TearDown() override {
    m_server.reset();
    fs::remove_all(m_dir);
  }

  http::Server& start(http::ServerOptions options = {}) {
    m_server = std::make_unique<http::Server>(std::move(options),
                                              [this](const http::Request& request) { return handle(request); });
    m_server->start();
    return *m_server;
  }
  std::string url(const std::string& target) const { return "http://127.0.0.1:" + std::to_string(port()) + target; }
  int port() const { return m_server->port(); }

  http::Response handle(const http::Request& request) {
    ++m_requests;
    if (request.path == "/echo" || request.path.rfind("/echo/", 0) == 0) {
      json params = json::array();
      for (const auto& [key, value] : request.params) params.push_back({key, value});
      return http::Response::json(200, json{{"method", request.method},
                                            {"target", request.target},
                                            {"path", request.path},
                                            {"query", request.query},
                                            {"params", params},
                                            {"x_test", request.header("x-TEST")},
                                            {"body_size", request.body.size()},
                                            {"connection", request.connection},
                                            {"peer", request.peer}}
                                           .dump());
    }
    if (request.path == "/file") {
      const std::uint64_t offset = std::stoull(request.param("offset").value_or("0"));
      const std::uint64_t length = std::stoull(request.param("length").value_or("0"));
      http::Response response = http::Response::file_range(
          206, http::FileHandle(::open((m_dir / "data.bin").c_str(), O_RDONLY)), offset, length);
      if (auto cut = request.param("truncate")) response.truncate_after = std::stoull(*cut);
      return response;
    }
    if (request.path == "/reset") return http::Response::reset();
    if (request.path == "/hang") return http::Response::hang();
    if (request.path == "/close") return http::Response::close();
    if (request.path == "/raw") return http::Response::raw_bytes("HTTP/1.1 204 No Content\r\n\r\n");
    if (request.path == "/slow") {
      http::Response response = http::Response::text(200, "late");
      response.delay = std::chrono::milliseconds(5000);
      return response;
    }
    if (request.path == "/throw") throw std::runtime_error("handler bug");
    if (request.path == "/missing") throw Error(ErrorCode::not_found, "no such thing");
    return http::Response::json_error(404, "Not Found");
  }

  fs::path m_dir;
  std::string m_file_bytes;
  std::atomic<int> m_requests{0};
  std::unique_ptr<http::Server> m_server;
};

}  // namespace

TEST_F(HttpServerTest, KeepAliveReusesTheConnection) {
  auto& server = start();
  Curl curl;
  auto first = curl.get(url("/echo"));
  ASSERT_EQ(first.code, CURLE_OK) << curl_easy_strerror(first.code);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.num_connects, 1);
  EXPECT_EQ(first.headers["connection"], "keep-alive");
  auto second = curl.get(url("/echo"));
  EXPECT_EQ(second.num_connects, 0);
  EXPECT_EQ(json::parse(first.body)["connection"], json::parse(second.body)["connection"]);
  auto closing = curl.get(url("/echo"), {"Connection: close"});
  EXPECT_EQ(closing.headers["connection"], "close");
  auto after = curl.get(url("/echo"));
  EXPECT_EQ(after.num_connects, 1);
  EXPECT_EQ(server.connections_accepted(), 2u);

  // Two pipelined requests on one raw connection get two answers, in order.
  RawClient raw(port());
  ASSERT_TRUE(raw.connected());
  raw.send("GET /echo/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /echo/2 HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string both = raw.read_until("HTTP/1.1 200", 2);
  EXPECT_NE(both.find("/echo/1"), std::string::npos);
  EXPECT_LT(both.find("/echo/1"), both.find("/echo/2"));
  // HTTP/1.0 without keep-alive: answered, then closed.
  RawClient old(port());
  old.send("GET /echo HTTP/1.0\r\n\r\n");
  const std::string answer = old.read_all();
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(old.eof());
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
  http::ServerOptions options;
  options.body_limit = 1024;
  start(options);
  Curl curl;
  auto small = curl.post(url("/echo"), std::string(1024, 'a'));
  EXPECT_EQ(small.status, 200);
  EXPECT_EQ(json::parse(small.body)["body_size"], 1024);
  auto big = curl.post(url("/echo"), std::string(4096, 'a'));
  ASSERT_EQ(big.code, CURLE_OK) << curl_easy_strerror(big.code);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(json::parse(big.body)["code"], "ContentTooLarge");
  // A declared length far beyond the limit is refused before any body byte is read.
  RawClient raw(port());
  raw.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n");
  const std::string answer = raw.read_all();
  EXPECT_EQ(answer.rfind("HTTP/1.1 413 ", 0), 0u) << answer;
  EXPECT_TRUE(raw.eof());
  EXPECT_EQ(m_requests, 1);  // the handler saw only the small one
}

TEST_F(HttpServerTest, HugeHeadGets431) {
  http::ServerOptions options;
  options.header_limit = 8 * 1024;
  start(options);
  Curl curl;
  auto r = curl.get(url("/echo"), {"X-Big: " + std::string(16 * 1024, 'b')});
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(json::parse(r.body)["code"], "RequestHeaderFieldsTooLarge");
  EXPECT_EQ(curl.get(url("/echo"), {"X-Small: 1"}).status, 200);
  EXPECT_EQ(m_requests, 1);
}

TEST_F(HttpServerTest, GarbageGets400AndOtherVersions505) {
  start();
  for (const char* garbage : {"\x01\x02\x03 nonsense\r\n\r\n", "GET / HTTP/1.1\r\nno colon here\r\n\r\n",
                              "GET noslash HTTP/1.1\r\nHost: x\r\n\r\n", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    RawClient raw(port());
    raw.send(garbage);
    const std::string answer = raw.read_all();
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << garbage << " → " << answer;
    const auto body = answer.substr(answer.find("\r\n\r\n") + 4);
    EXPECT_EQ(json::parse(body)["code"], "BadRequest") << body;
    EXPECT_TRUE(raw.eof()) << garbage;
  }
  RawClient future(port());
  future.send("GET / HTTP/2.0\r\n\r\n");
  EXPECT_EQ(future.read_all().rfind("HTTP/1.1 505 ", 0), 0u);
  EXPECT_EQ(m_requests, 0);
  Curl curl;
  EXPECT_EQ(curl.get(url("/echo")).status, 200);  // the server is still fine
}

TEST_F(HttpServerTest, PathIsPercentDecodedAndQueryParsed) {
  start();
  Curl curl;
  auto r = curl.get(url("/echo/a%20b/c%2Fd?x=1%202&y&z=%zz&x=2"), {"X-Test: seen"});
  ASSERT_EQ(r.status, 200);
  const json echo = json::parse(r.body);
  EXPECT_EQ(echo["path"], "/echo/a b/c/d");
  EXPECT_EQ(echo["target"], "/echo/a%20b/c%2Fd?x=1%202&y&z=%zz&x=2");
  EXPECT_EQ(echo["query"], "x=1%202&y&z=%zz&x=2");
  EXPECT_EQ(echo["params"], json::parse(R"([["x","1 2"],["y",""],["z","%zz"],["x","2"]])"));
  EXPECT_EQ(echo["x_test"], "seen");  // header names are case-insensitive
  EXPECT_EQ(echo["peer"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
  EXPECT_EQ(echo["connection"], 1);
}

TEST_F(HttpServerTest, FileRangesAreStreamed) {
  start();
  Curl curl;
  auto r = curl.get(url("/file?offset=1000&length=150000"));
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.headers["content-length"], "150000");
  EXPECT_EQ(r.body, m_file_bytes.substr(1000, 150000));
  // The curl command line agrees (an independent client, not linked to our process).
  const std::string cli = run_command("curl -s --max-time 10 '" + url("/file?offset=199990&length=10") + "'");
  EXPECT_EQ(cli, m_file_bytes.substr(199990, 10));
  const std::string head = run_command("curl -s -I --max-time 10 '" + url("/file?offset=0&length=77") + "'");
  EXPECT_NE(head.find("Content-Length: 77\r\n"), std::string::npos) << head;
}

TEST_F(HttpServerTest, BandwidthCapPacesBodies) {
  http::ServerOptions options;
  options.bandwidth_bytes_per_s = 500000;
  start(options);
  Curl curl;
  auto r = curl.get(url("/file?offset=0&length=100000"));
  ASSERT_EQ(r.body.size(), 100000u);
  // The last 16 KiB chunk is due at (100000 - 16384) / 500000 s; allow scheduler slack above.
  EXPECT_GE(r.seconds, 0.16);
  EXPECT_LT(r.seconds, 2.0);
}

TEST_F(HttpServerTest, ResetAndTruncationAreClientErrors) {
  start();
  Curl curl;
  auto reset = curl.get(url("/reset"));
  EXPECT_TRUE(reset.code == CURLE_RECV_ERROR || reset.code == CURLE_GOT_NOTHING) << curl_easy_strerror(reset.code);
  EXPECT_EQ(reset.status, 0);
  RawClient raw(port());
  raw.send("GET /reset HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(raw.read_all(), "");
  EXPECT_EQ(raw.error(), ECONNRESET);

  auto truncated = curl.get(url("/file?offset=0&length=10000&truncate=4000"));
  EXPECT_EQ(truncated.code, CURLE_PARTIAL_FILE) << curl_easy_strerror(truncated.code);
  EXPECT_EQ(truncated.headers["content-length"], "10000");
  EXPECT_EQ(truncated.body, m_file_bytes.substr(0, 4000));

  auto closed = curl.get(url("/close"));
  EXPECT_EQ(closed.code, CURLE_GOT_NOTHING) << curl_easy_strerror(closed.code);
  auto raw_reply = curl.get(url("/raw"));
  EXPECT_EQ(raw_reply.status, 204);
}

TEST_F(HttpServerTest, HandlerExceptionsBecomeStatusesAndTheServerGoesOn) {
  start();
  Curl curl;
  auto bug = curl.get(url("/throw"));
  ASSERT_EQ(bug.code, CURLE_OK);
  EXPECT_EQ(bug.status, 500);
  EXPECT_EQ(json::parse(bug.body)["description"], "handler bug");
  auto missing = curl.get(url("/missing"));
  EXPECT_EQ(missing.status, 404);  // Error(not_found) through error.hpp's table
  EXPECT_EQ(missing.num_connects, 0);
  auto next = curl.get(url("/echo"));
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.num_connects, 0);  // same connection, still served
}

TEST_F(HttpServerTest, StopIsPromptWithIdleHangingAndDelayedConnections) {
  start();
  Curl keep_alive;
  EXPECT_EQ(keep_alive.get(url("/echo")).status, 200);
  RawClient idle(port()), partial(port()), hanging(port()), delayed(port());
  partial.send("GET /echo HTTP/1.1\r\nHost: x\r\n");  // a head that never ends
  hanging.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
  delayed.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 100 && m_server->connections_open() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the handlers have run
  EXPECT_EQ(m_server->connections_open(), 5u);
  const auto started = Clock::now();
  m_server->stop();
  EXPECT_LT(seconds_since(started), 1.5);
  EXPECT_EQ(m_server->connections_open(), 0u);
  EXPECT_EQ(delayed.read_all(), "");  // the delayed answer was abandoned, not sent
  EXPECT_TRUE(delayed.eof());
  EXPECT_NE(keep_alive.get(url("/echo")).code, CURLE_OK);
}

TEST_F(HttpServerTest, IdleConnectionsTimeOutAndTheCapRefusesExtraOnes) {
  http::ServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(300);
  options.max_connections = 2;
  start(options);
  RawClient a(port()), b(port());
  for (int i = 0; i < 100 && m_server->connections_open() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  RawClient c(port());
  const std::string refused = c.read_all();
  EXPECT_EQ(refused.rfind("HTTP/1.1 503 ", 0), 0u) << refused;
  const auto started = Clock::now();
  EXPECT_EQ(a.read_all(std::chrono::milliseconds(3000)), "");
  EXPECT_TRUE(a.eof());  // closed by the idle timeout
  EXPECT_LT(seconds_since(started), 2.0);
  Curl curl;
  EXPECT_EQ(curl.get(url("/echo")).status, 200);  // room again
}

TEST_F(HttpServerTest, LargeBodiesDoNotWaitForExpectContinue) {
  start();
  Curl curl;
  auto r = curl.post(url("/echo"), std::string(2 * 1024 * 1024, 'x'), {"Expect: 100-continue"});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["body_size"], 2 * 1024 * 1024);
  EXPECT_LT(r.seconds, 0.9);  // curl waits 1 s for a 100 Continue that does not come
}

TEST_F(HttpServerTest, BindErrorsAndFreePorts) {
  auto& server = start();
  http::ServerOptions taken;
  taken.port = server.port();
  http::Server clash(taken, [](const http::Request&) { return http::Response::text(200, ""); });
  try {
    clash.start();
    FAIL() << "bound a port in use";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io_error);
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:"), std::string::npos) << e.what();
  }
  http::ServerOptions named;
  named.host = "example.com";
  EXPECT_THROW(http::Server(named, [](const http::Request&) { return http::Response::text(200, ""); }).start(), Error);
}

TEST(HttpParse, ParsesRequestsAndRejectsMalformedOnes) {
  const std::string text = "GET /cogs/a%20b.tif?x=1 HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\n\r\n";
  auto parsed = http::parse_request(text + "rest", 1024, 1024);
  ASSERT_EQ(parsed.status, http::ParseResult::Status::complete) << parsed.error;
  EXPECT_EQ(parsed.consumed, text.size());
  EXPECT_EQ(parsed.request.path, "/cogs/a b.tif");
  EXPECT_EQ(parsed.request.query, "x=1");
  EXPECT_EQ(parsed.request.header("range"), "bytes=0-1");
  EXPECT_TRUE(parsed.request.keep_alive);
  EXPECT_EQ(http::parse_request("GET / HTTP/1.1\r\nHost: h\r\n", 1024, 1024).status,
            http::ParseResult::Status::incomplete);
  auto post = http::parse_request("POST /s HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 1024, 1024);
  ASSERT_EQ(post.status, http::ParseResult::Status::complete);
  EXPECT_EQ(post.request.body, "abc");
  auto chunked = http::parse_request(
      "POST /s HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 1024, 1024);
  ASSERT_EQ(chunked.status, http::ParseResult::Status::complete);
  EXPECT_EQ(chunked.request.body, "abcde");
  for (const char* bad : {"GET\r\n\r\n", "GET /%zz HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n",
                          "GET noslash HTTP/1.1\r\n\r\n"}) {
    auto r = http::parse_request(bad, 1024, 1024);
    EXPECT_EQ(r.status, http::ParseResult::Status::rejected) << bad;
    EXPECT_EQ(r.http_status, 400) << bad;
  }
  EXPECT_EQ(http::parse_request("GET / HTTP/2.0\r\n\r\n", 1024, 1024).http_status, 505);
  EXPECT_EQ(http::parse_request("GET / HTTP/1.1\r\nX: " + std::string(2000, 'x') + "\r\n\r\n", 1024, 1024).http_status,
            431);
  EXPECT_EQ(http::parse_request("POST / HTTP/1.1\r\nContent-Length: 2000\r\n\r\n", 1024, 1024).http_status, 413);
  EXPECT_FALSE(http::parse_request("GET / HTTP/1.0\r\n\r\n", 1024, 1024).request.keep_alive);
  EXPECT_TRUE(http::parse_request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 1024, 1024).request.keep_alive);
}

TEST(HttpText, PercentEncodingQueryStringsAndReasons) {
  EXPECT_EQ(http::percent_decode("a%2Fb+c", true), std::optional<std::string>("a/b c"));
  EXPECT_EQ(http::percent_decode("a+b", false), std::optional<std::string>("a+b"));
  EXPECT_EQ(http::percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(http::percent_encode("a b/é~"), "a%20b%2F%C3%A9~");
  EXPECT_EQ(http::parse_query_string("a=1&&b=x%20y&c"), (http::QueryParams{{"a", "1"}, {"b", "x y"}, {"c", ""}}));
  const http::QueryParams params{{"q", "a&b=c"}, {"sp ace", "+"}};
  EXPECT_EQ(http::parse_query_string(http::build_query_string(params)), params);
  EXPECT_EQ(http::reason_phrase(404), "Not Found");
  EXPECT_EQ(http::reason_phrase(413), "Content Too Large");
  EXPECT_EQ(http::reason_phrase(799), "Unknown");
}
