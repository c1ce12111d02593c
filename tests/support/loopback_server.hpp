#pragma once
// A scripted HTTP/1.1 server on 127.0.0.1 for tests: core/http_server with a handler that
// returns whatever a test scripts: a well-formed response, raw bytes (e.g. a truncated body),
// nothing at all (a hang, to provoke client timeouts), a graceful close or a TCP reset.
// Requests are recorded with the index of the connection they came on (0, 1, ...), so tests
// can count connections to check keep-alive. Handlers are called one at a time, as by a
// single-threaded server, so a test's handler needs no locking of its own.

#include "core/http_server.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shipchips::testing {

struct LoopbackRequest {
  std::string method;
  std::string target;  // path + query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int connection = 0;  // index of the TCP connection it arrived on (0, 1, ...)

  std::string header(std::string_view name) const {
    auto value = http::find_header(headers, name);
    return value ? *value : std::string();
  }
  std::string path() const { return target.substr(0, target.find('?')); }
};

struct LoopbackReply {
  enum class Kind { bytes, hang, close, reset };
  Kind kind = Kind::bytes;
  std::string raw;           // written verbatim for Kind::bytes
  bool close_after = false;  // close the connection after writing

  static std::string reason(int status) { return std::string(http::reason_phrase(status)); }
  static LoopbackReply http(int status, const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers = {},
                            const std::string& content_type = "application/json") {
    return with_length(status, body, body.size(), headers, content_type);
  }
  // Declares `declared_length` bytes but sends only `body`, then closes: a truncated body.
  static LoopbackReply truncated(int status, const std::string& body, std::size_t declared_length) {
    LoopbackReply reply = with_length(status, body, declared_length, {}, "application/json");
    reply.close_after = true;
    return reply;
  }
  static LoopbackReply hang() { return LoopbackReply{Kind::hang, {}, false}; }
  static LoopbackReply close_without_answer() { return LoopbackReply{Kind::close, {}, true}; }
  static LoopbackReply reset() { return LoopbackReply{Kind::reset, {}, true}; }

 private:
  static LoopbackReply with_length(int status, const std::string& body, std::size_t declared_length,
                                   const std::vector<std::pair<std::string, std::string>>& headers,
                                   const std::string& content_type) {
    std::string raw = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
    raw += "Content-Type: " + content_type + "\r\n";
    raw += "Content-Length: " + std::to_string(declared_length) + "\r\n";
    for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
    raw += "\r\n";
    raw += body;
    return LoopbackReply{Kind::bytes, std::move(raw), false};
  }
};

class LoopbackServer {
 public:
  using Handler = std::function<LoopbackReply(const LoopbackRequest&)>;

  explicit LoopbackServer(Handler handler)
      : m_handler(std::move(handler)), m_server(options(), [this](const http::Request& r) { return serve(r); }) {
    m_server.start();
  }
  ~LoopbackServer() { m_server.stop(); }

  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return m_server.port(); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

  std::vector<LoopbackRequest> requests() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_requests;
  }
  std::size_t request_count() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_requests.size();
  }
  int connections_accepted() const { return static_cast<int>(m_server.connections_accepted()); }

 private:
  static http::ServerOptions options() {
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.body_limit = 64 * 1024 * 1024;
    options.idle_timeout = std::chrono::minutes(5);  // tests decide when a connection ends
    options.server_name = "shipchips-loopback";
    return options;
  }

  http::Response serve(const http::Request& request) {
    LoopbackRequest recorded{request.method, request.target, request.headers, request.body,
                             static_cast<int>(request.connection) - 1};
    std::lock_guard<std::mutex> calls(m_handler_mutex);
    LoopbackReply reply = m_handler(recorded);
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_requests.push_back(std::move(recorded));
    }
    switch (reply.kind) {
      case LoopbackReply::Kind::hang:
        return http::Response::hang();
      case LoopbackReply::Kind::close:
        return http::Response::close();
      case LoopbackReply::Kind::reset:
        return http::Response::reset();
      case LoopbackReply::Kind::bytes:
        break;
    }
    return http::Response::raw_bytes(std::move(reply.raw), reply.close_after);
  }

  Handler m_handler;
  std::mutex m_handler_mutex;
  mutable std::mutex m_mutex;
  std::vector<LoopbackRequest> m_requests;
  http::Server m_server;  // last: stopped (threads joined) before the members above go
};

}  // namespace shipchips::testing
