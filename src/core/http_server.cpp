// The socket half of core/http_server.hpp. Every socket is non-blocking and every wait is a
// poll() on the socket plus the server's wake pipe, so stop() interrupts reads, writes, idle
// keep-alive connections, delays and throttling alike, and a client that stops reading or
// sending cannot pin a thread for longer than the idle timeout.
#include "core/error.hpp"
#include "core/http_parse.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace shipchips::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kSendChunk = 16 * 1024;
constexpr std::size_t kFileChunk = 256 * 1024;
constexpr auto kLingerOnReject = std::chrono::milliseconds(1000);

enum class Wait { ready, timeout, stopped, failed };

Wait wait_for_socket(int fd, short events, int wake_fd, Clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Wait::timeout;
    pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Wait::failed;
    if (fds[1].revents) return Wait::stopped;
    if (fds[0].revents & (events | POLLHUP | POLLERR)) return Wait::ready;
  }
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

std::string peer_of(const tcp::socket& socket) {
  error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

struct Server::Impl {
  asio::io_context io;  // never run: every operation here is synchronous
  tcp::acceptor acceptor{io};
};

struct Server::Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  std::thread thread;
  std::atomic<bool> done{false};
};

// One connection's requests, in order, on the connection's own thread.
class Server::Session {
 public:
  Session(Server& server, Connection& connection, std::uint64_t number)
      : m_server(server),
        m_options(server.m_options),
        m_socket(connection.stream.socket()),
        m_fd(m_socket.native_handle()),
        m_number(number),
        m_peer(peer_of(m_socket)) {}

  void run() {
    while (!m_server.m_stopping && serve_one()) {
    }
    error_code ec;
    if (!m_reset) m_socket.shutdown(tcp::socket::shutdown_both, ec);
    m_socket.close(ec);
  }

 private:
  Request blank_request() const {
    Request request;
    request.peer = m_peer;
    request.connection = m_number;
    request.received = Clock::now();
    return request;
  }

  Clock::time_point idle_deadline() const { return Clock::now() + m_options.idle_timeout; }

  // Reads more bytes into m_buffer; false on EOF, error, timeout or stop.
  bool read_more() {
    while (true) {
      if (wait_for_socket(m_fd, POLLIN, m_server.m_wake[0], idle_deadline()) != Wait::ready) return false;
      error_code ec;
      const std::size_t n = m_socket.read_some(m_buffer.prepare(kReadChunk), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again || ec == asio::error::interrupted) continue;
      if (ec) return false;
      m_buffer.commit(n);
      return true;
    }
  }

  // Writes everything unless the peer, the idle timeout or stop() intervenes. When
  // `throttle`, the bytes keep to the bandwidth cap counted from `paced_from` (bytes
  // `paced_before` already went out since then).
  bool write_all(std::string_view data, std::uint64_t* counter, bool throttle, Clock::time_point paced_from,
                 std::uint64_t paced_before) {
    const double rate = throttle ? m_options.bandwidth_bytes_per_s : 0.0;
    std::size_t offset = 0;
    while (offset < data.size()) {
      const std::size_t chunk = std::min(kSendChunk, data.size() - offset);
      if (rate > 0) {
        const double due_s = static_cast<double>(paced_before + offset) / rate;
        const auto due = paced_from + std::chrono::microseconds(static_cast<long long>(due_s * 1e6));
        if (due > Clock::now() && !m_server.sleep_for(due - Clock::now())) return false;
      }
      error_code ec;
      const std::size_t n = m_socket.write_some(asio::buffer(data.data() + offset, chunk), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again || ec == asio::error::interrupted) {
        if (wait_for_socket(m_fd, POLLOUT, m_server.m_wake[0], idle_deadline()) != Wait::ready) return false;
        continue;
      }
      if (ec) return false;
      offset += n;
      if (counter) *counter += n;
    }
    return true;
  }

  // One request and its answer; false when the connection must close.
  bool serve_one() {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(m_options.header_limit);
    parser.body_limit(m_options.body_limit);
    bool continue_sent = false;
    while (!parser.is_done()) {
      if (m_buffer.size() > 0) {
        error_code ec;
        const std::size_t used = parser.put(m_buffer.data(), ec);
        m_buffer.consume(used);
        if (ec && ec != bhttp::error::need_more) {
          Request request = blank_request();
          if (parser.is_header_done()) copy_head(parser.get(), request);
          auto rejection = classify_parse_error(ec);
          reject(request, rejection->status, rejection->message);
          return false;
        }
        if (!ec && used > 0) continue;
      }
      if (parser.is_header_done() && !continue_sent &&
          iequals(std::string(parser.get()[bhttp::field::expect]), "100-continue")) {
        // curl waits a second for this before sending a large body.
        continue_sent = true;
        if (!write_all("HTTP/1.1 100 Continue\r\n\r\n", nullptr, false, Clock::now(), 0)) return false;
      }
      if (!read_more()) return false;  // EOF, idle or stop before or inside a request: nothing to answer
    }
    Request request = blank_request();
    if (auto rejection = finish_request(parser.release(), request)) {
      reject(request, rejection->status, rejection->message);
      return false;
    }
    Response response = call_handler(request);
    return deliver(request, std::move(response));
  }

  Response call_handler(const Request& request) {
    // The one catch boundary per request.
    try {
      return m_server.m_handler(request);
    } catch (const Error& e) {
      return error_response(request, http_status_of(e.code()), e.what());
    } catch (const std::exception& e) {
      return error_response(request, 500, e.what());
    } catch (...) {
      return error_response(request, 500, "unknown error");
    }
  }

  Response error_response(const Request& request, int status, std::string_view message) {
    if (m_options.error_response) {
      try {
        return m_options.error_response(request, status, message);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "shipchips http server: error_response hook failed: %s\n", e.what());
      }
    }
    return Response::json_error(status, message);
  }

  void reject(const Request& request, int status, std::string_view message) {
    Response response = error_response(request, status, message);
    response.close_connection = true;
    deliver(request, std::move(response));
    // Half-close and drain what the client is still sending, so our answer is not lost to the
    // reset that closing a socket with unread bytes would send.
    error_code ec;
    m_socket.shutdown(tcp::socket::shutdown_send, ec);
    const auto until = Clock::now() + kLingerOnReject;
    char sink[4096];
    while (wait_for_socket(m_fd, POLLIN, m_server.m_wake[0], until) == Wait::ready) {
      m_socket.read_some(asio::buffer(sink), ec);
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again) break;
    }
  }

  std::string head_of(const Response& response, bool keep_alive) const {
    std::string head =
        "HTTP/1.1 " + std::to_string(response.status) + " " + std::string(reason_phrase(response.status)) + "\r\n";
    head += "Server: " + m_options.server_name + "\r\n";
    for (const auto& [name, value] : response.headers) {
      if (iequals(name, "Content-Length") || iequals(name, "Connection")) continue;
      head += name + ": " + value + "\r\n";
    }
    head += "Content-Length: " + std::to_string(response.content_length()) + "\r\n";
    head += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    head += "\r\n";
    return head;
  }

  bool deliver(const Request& request, Response response) {
    const bool bad_header = std::any_of(response.headers.begin(), response.headers.end(), [](const auto& header) {
      return header.first.empty() || has_line_break(header.first) || has_line_break(header.second);
    });
    if (bad_header) response = error_response(request, 500, "the handler returned a header with a line break");
    Delivery delivery;
    auto finish = [&](bool keep) {
      if (response.on_finished) {
        try {
          response.on_finished(delivery);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "shipchips http server: on_finished failed: %s\n", e.what());
        }
      }
      return keep && !m_server.m_stopping;
    };
    if (response.delay.count() > 0 && !m_server.sleep_for(response.delay)) return finish(false);

    switch (response.action) {
      case Response::Action::hang:
        delivery.complete = true;
        finish(false);
        hang();
        return false;
      case Response::Action::close:
        delivery.complete = true;
        return finish(false);
      case Response::Action::reset: {
        error_code ec;
        m_socket.set_option(asio::socket_base::linger(true, 0), ec);  // close() then sends RST
        m_reset = true;
        delivery.complete = true;
        return finish(false);
      }
      case Response::Action::raw:
        delivery.complete = write_all(response.body, &delivery.body_bytes, false, Clock::now(), 0);
        return finish(delivery.complete && request.keep_alive && !response.close_connection);
      case Response::Action::send:
        break;
    }

    const std::uint64_t length = response.content_length();
    const bool truncated = response.truncate_after && *response.truncate_after < length;
    const bool keep_alive = request.keep_alive && !response.close_connection && !truncated && !m_server.m_stopping;
    delivery.status = response.status;
    if (!write_all(head_of(response, keep_alive), nullptr, false, Clock::now(), 0)) return finish(false);
    if (request.method == "HEAD") {
      delivery.complete = true;
      return finish(keep_alive);
    }
    const std::uint64_t to_send = truncated ? *response.truncate_after : length;
    const auto body_start = Clock::now();
    bool ok = true;
    if (response.file.get() < 0) {
      ok = write_all(std::string_view(response.body).substr(0, to_send), &delivery.body_bytes, true, body_start, 0);
    } else {
      std::string chunk(kFileChunk, '\0');
      std::uint64_t done = 0;
      while (ok && done < to_send) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), to_send - done));
        const ssize_t n =
            ::pread(response.file.get(), chunk.data(), want, static_cast<off_t>(response.file_offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          ok = false;  // the file shrank under us; the client sees a short body
          break;
        }
        ok = write_all(std::string_view(chunk.data(), static_cast<std::size_t>(n)), &delivery.body_bytes, true,
                       body_start, done);
        done += static_cast<std::uint64_t>(n);
      }
    }
    delivery.complete = ok && !truncated;
    return finish(ok && keep_alive);
  }

  // Sends nothing and swallows what the client sends until it leaves, goes idle or stop().
  void hang() {
    char sink[4096];
    while (wait_for_socket(m_fd, POLLIN, m_server.m_wake[0], idle_deadline()) == Wait::ready) {
      error_code ec;
      m_socket.read_some(asio::buffer(sink), ec);
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return;
    }
  }

  Server& m_server;
  const ServerOptions& m_options;
  tcp::socket& m_socket;
  int m_fd;
  std::uint64_t m_number;
  std::string m_peer;
  beast::flat_buffer m_buffer;
  bool m_reset = false;
};

Server::Server(ServerOptions options, Handler handler)
    : m_options(std::move(options)), m_handler(std::move(handler)), m_impl(std::make_unique<Impl>()) {}

Server::~Server() {
  stop();
}

void Server::start() {
  if (m_started) throw Error(ErrorCode::internal, "http server already started");
  if (!m_handler) throw Error(ErrorCode::internal, "http server: no handler");
  if (m_options.port < 0 || m_options.port > 65535)
    throw Error(ErrorCode::invalid_argument, "port: must be 0..65535, got " + std::to_string(m_options.port));
  if (m_options.max_connections == 0) throw Error(ErrorCode::invalid_argument, "max_connections: must be > 0");
  if (m_options.idle_timeout.count() <= 0) throw Error(ErrorCode::invalid_argument, "idle_timeout: must be > 0");
  if (!std::isfinite(m_options.bandwidth_bytes_per_s) || m_options.bandwidth_bytes_per_s < 0)
    throw Error(ErrorCode::invalid_argument, "bandwidth: must be >= 0 (0 = unlimited)");
  error_code ec;
  asio::ip::address address =
      m_options.host == "localhost" ? asio::ip::address_v4::loopback() : asio::ip::make_address(m_options.host, ec);
  if (ec)
    throw Error(ErrorCode::invalid_argument,
                "host: '" + m_options.host + "' is not an IP address (names other than localhost are not resolved)");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(m_options.port));
  const std::string where = m_options.host + ":" + std::to_string(m_options.port);
  auto& acceptor = m_impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) acceptor.non_blocking(true, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    throw Error(ErrorCode::io_error, "cannot listen on " + where + ": " + ec.message());
  }
  m_port = acceptor.local_endpoint(ec).port();
  if (::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    const std::string why = std::strerror(errno);
    acceptor.close(ec);
    throw Error(ErrorCode::io_error, "pipe: " + why);
  }
  m_stopping = false;
  m_started = true;
  m_accept_thread = std::thread(&Server::accept_loop, this);
}

void Server::stop() {
  if (!m_started) return;
  m_started = false;
  m_stopping = true;
  { std::lock_guard lock(m_sleep_mutex); }
  m_sleep_cv.notify_all();
  [[maybe_unused]] auto written = ::write(m_wake[1], "x", 1);  // stays readable: wakes every poll()
  if (m_accept_thread.joinable()) m_accept_thread.join();
  error_code ec;
  m_impl->acceptor.close(ec);
  reap(true);
  ::close(m_wake[0]);
  ::close(m_wake[1]);
  m_wake[0] = m_wake[1] = -1;
}

std::size_t Server::connections_open() const {
  std::lock_guard lock(m_connections_mutex);
  std::size_t open = 0;
  for (const auto& connection : m_connections)
    if (!connection->done) ++open;
  return open;
}

bool Server::sleep_for(Clock::duration duration) {
  if (duration <= Clock::duration::zero()) return !m_stopping;
  std::unique_lock lock(m_sleep_mutex);
  return !m_sleep_cv.wait_for(lock, duration, [this] { return m_stopping.load(); });
}

void Server::reap(bool all) {
  std::list<std::unique_ptr<Connection>> finished;
  {
    std::lock_guard lock(m_connections_mutex);
    for (auto it = m_connections.begin(); it != m_connections.end();) {
      if (all || (*it)->done) {
        finished.push_back(std::move(*it));
        it = m_connections.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& connection : finished)
    if (connection->thread.joinable()) connection->thread.join();
}

void Server::accept_loop() {
  auto& acceptor = m_impl->acceptor;
  const int listen_fd = acceptor.native_handle();
  while (!m_stopping) {
    const Wait wait = wait_for_socket(listen_fd, POLLIN, m_wake[0], Clock::now() + std::chrono::seconds(1));
    if (wait == Wait::stopped || m_stopping) break;
    reap(false);
    if (wait != Wait::ready) continue;
    error_code ec;
    tcp::socket socket(m_impl->io);
    acceptor.accept(socket, ec);
    if (ec) continue;  // would_block after a client gave up, or EMFILE: try again later
    socket.non_blocking(true, ec);
    socket.set_option(tcp::no_delay(true), ec);
    const std::uint64_t number = ++m_accepted;
    const std::string peer = peer_of(socket);
    if (m_options.on_connection) m_options.on_connection(number, peer);
    if (connections_open() >= m_options.max_connections) {
      // Over the cap: a short 503 (best effort, the socket is non-blocking) and close.
      static const std::string kBody = R"({"code":"ServiceUnavailable","description":"too many connections"})";
      static const std::string kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
          "Content-Length: " +
          std::to_string(kBody.size()) + "\r\nConnection: close\r\n\r\n" + kBody;
      socket.write_some(asio::buffer(kBusy), ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
      continue;
    }
    auto connection = std::make_unique<Connection>(std::move(socket));
    Connection* raw = connection.get();
    std::lock_guard lock(m_connections_mutex);
    m_connections.push_back(std::move(connection));
    try {
      raw->thread = std::thread([this, raw, number] {
        try {
          Session(*this, *raw, number).run();
        } catch (const std::exception& e) {
          // Resource exhaustion (bad_alloc): drop this connection only.
          std::fprintf(stderr, "shipchips http server: connection %llu dropped: %s\n",
                       static_cast<unsigned long long>(number), e.what());
          error_code ignored;
          raw->stream.socket().close(ignored);
        }
        raw->done = true;
      });
    } catch (const std::system_error& e) {
      std::fprintf(stderr, "shipchips http server: cannot start a connection thread: %s\n", e.what());
      raw->stream.socket().close(ec);
      raw->done = true;
    }
  }
}

}  // namespace shipchips::http
