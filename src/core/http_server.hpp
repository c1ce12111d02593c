#pragma once
// The HTTP/1.1 server every shipchips server is built on (the service, the fixture, the test
// servers): Boost.Beast's parser over blocking sockets, one thread per connection, keep-alive.
//
// Why Beast: it already carries our WebSocket server and client (one dependency for HTTP and
// WebSocket); its parser enforces header and body limits before we buffer anything; and we
// keep socket-level control (resets, truncated bodies, throttled writes) that fault injection
// needs and a higher-level server library hides.
//
//   http::Server server(options, [](const http::Request& request) {
//     return http::Response::json(200, R"({"ok":true})");
//   });
//   server.start();  // binds options.host:options.port (0 = a free port); server.port()
//   server.stop();   // also done by the destructor
//
// A request is answered by what its handler returns: a normal response (a body from a string
// or a byte range of an open file) or, for tests, a scripted action (raw bytes, a hang, a
// close, a reset, a truncated body). The handler call is the one catch boundary per request:
// an Error becomes its HTTP status (error.hpp's table), anything else a 500; the server keeps
// running. Oversized heads get 431, oversized bodies 413, malformed requests 400.

#include "core/http_text.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace shipchips::http {

using Clock = std::chrono::steady_clock;

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // as sent: path plus optional ?query
  std::string path;    // percent-decoded path, starts with '/'
  std::string query;   // raw query string without '?', "" if none
  QueryParams params;  // the query string parsed
  HeaderList headers;
  std::string body;
  int version = 11;              // 10 or 11
  bool keep_alive = true;        // what the client asked for (HTTP/1.0 rules included)
  std::string peer;              // "127.0.0.1:54321"
  std::uint64_t connection = 0;  // number of the connection it came on, from 1 in accept order
  Clock::time_point received{};  // when the whole request had been read

  // Case-insensitive; "" when absent.
  std::string header(std::string_view name) const;
  // The first query parameter named `name`; nullopt when absent.
  std::optional<std::string> param(std::string_view name) const;
};

// What happened to a response on the wire, told to Response::on_finished.
struct Delivery {
  int status = 0;                // 0 for an action without an HTTP answer (hang, close, reset)
  std::uint64_t body_bytes = 0;  // body bytes written to the socket
  bool complete = false;         // everything meant to be sent was sent
};

// An open file descriptor, closed by the destructor.
class FileHandle {
 public:
  FileHandle() = default;
  explicit FileHandle(int fd) : m_fd(fd) {}
  FileHandle(FileHandle&& other) noexcept : m_fd(other.release()) {}
  FileHandle& operator=(FileHandle&& other) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle();
  int get() const { return m_fd; }
  int release() {
    const int fd = m_fd;
    m_fd = -1;
    return fd;
  }

 private:
  int m_fd = -1;
};

struct Response {
  enum class Action {
    send,   // status, headers and body
    raw,    // `body` written verbatim (no head added), then keep-alive unless close_connection
    hang,   // send nothing; the connection stays open until the client leaves or stop()
    close,  // close without an answer (FIN)
    reset,  // close with SO_LINGER {1,0}: the client sees ECONNRESET
  };
  Action action = Action::send;
  int status = 200;
  HeaderList headers;  // Content-Length and Connection are added by the server
  std::string body;    // the body, or the raw bytes of Action::raw
  // When set, the body is file_length bytes of this file from file_offset, read in chunks.
  FileHandle file;
  std::uint64_t file_offset = 0;
  std::uint64_t file_length = 0;
  // Announce the full Content-Length but send only this many body bytes, then close.
  std::optional<std::uint64_t> truncate_after;
  std::chrono::milliseconds delay{0};  // waited (interruptibly) before anything is sent
  bool close_connection = false;       // close after this response even if the client keeps alive
  std::function<void(const Delivery&)> on_finished;

  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Response json(int status, std::string body, std::string content_type = "application/json");
  // {"code": "<ReasonWithoutSpaces>", "description": message}
  static Response json_error(int status, std::string_view message);
  static Response file_range(int status, FileHandle file, std::uint64_t offset, std::uint64_t length);
  static Response raw_bytes(std::string bytes, bool close_after = false);
  static Response hang();
  static Response close();
  static Response reset();

  // The Content-Length a send response announces.
  std::uint64_t content_length() const { return file.get() >= 0 ? file_length : body.size(); }
  // Replaces every header of that name (case-insensitive) with one.
  void set_header(std::string_view name, std::string value);
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IPv4/IPv6 literal or "localhost"
  int port = 0;                    // 0: the kernel picks a free port
  std::size_t max_connections = 512;
  std::uint32_t header_limit = 64 * 1024;         // request line + headers; beyond: 431
  std::uint64_t body_limit = 16 * 1024 * 1024;    // beyond: 413
  std::chrono::milliseconds idle_timeout{60000};  // a connection waiting this long for bytes is closed
  double bandwidth_bytes_per_s = 0;               // pace of body writes per connection; 0 = unlimited
  std::string server_name = "shipchips";          // the Server header
  // Builds the answer to a rejected request (400/413/431/505) and to a handler exception; the
  // request holds what was parsed before the failure. Empty: Response::json_error.
  std::function<Response(const Request&, int status, std::string_view message)> error_response;
  // Told about every accepted connection (number from 1), also those refused over the cap.
  std::function<void(std::uint64_t number, const std::string& peer)> on_connection;
};

// The result of parsing bytes as one request, for the server and for fuzzing.
struct ParseResult {
  enum class Status { complete, incomplete, rejected };
  Status status = Status::incomplete;
  std::size_t consumed = 0;  // bytes of the request (head and body) when complete
  int http_status = 0;       // for rejected: 400, 413, 431 or 505
  std::string error;         // for rejected
  Request request;
};
ParseResult parse_request(std::string_view bytes, std::uint32_t header_limit, std::uint64_t body_limit);

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds and starts accepting. Throws Error(invalid_argument) for bad options or an address
  // that is not a literal or "localhost", Error(io_error) when the port cannot be bound.
  void start();
  // Stops accepting, wakes every connection (reads, writes, delays, throttling) and joins
  // every thread. Idempotent.
  void stop();

  int port() const { return m_port; }
  const std::string& host() const { return m_options.host; }
  std::uint64_t connections_accepted() const { return m_accepted.load(); }
  std::size_t connections_open() const;

 private:
  struct Impl;
  struct Connection;
  class Session;

  void accept_loop();
  void reap(bool all);
  // Sleeps unless stop() comes first; false if interrupted.
  bool sleep_for(Clock::duration duration);

  ServerOptions m_options;
  Handler m_handler;
  std::unique_ptr<Impl> m_impl;  // the Asio context and acceptor
  int m_wake[2] = {-1, -1};      // stop() writes to [1]; every poll() also watches [0]
  int m_port = 0;
  bool m_started = false;
  std::atomic<bool> m_stopping{false};
  std::atomic<std::uint64_t> m_accepted{0};
  std::thread m_accept_thread;
  mutable std::mutex m_connections_mutex;
  std::list<std::unique_ptr<Connection>> m_connections;
  std::mutex m_sleep_mutex;
  std::condition_variable m_sleep_cv;
};

}  // namespace shipchips::http
