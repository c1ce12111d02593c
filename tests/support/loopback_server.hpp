#pragma once
// A tiny scripted HTTP/1.1 server on 127.0.0.1 for tests (header-only, POSIX sockets).
// One background thread polls the listening socket and every open connection, parses
// requests (Content-Length bodies), records them and writes whatever the handler returns:
// a well-formed response, raw bytes (e.g. a truncated body), nothing at all (a hang, to
// provoke client timeouts), a graceful close or a TCP reset. Connections are kept alive
// unless the reply says otherwise, so tests can count connections to check keep-alive.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
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
    for (const auto& [key, value] : headers) {
      if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          })) {
        return value;
      }
    }
    return {};
  }
  std::string path() const { return target.substr(0, target.find('?')); }
};

struct LoopbackReply {
  enum class Kind { bytes, hang, close, reset };
  Kind kind = Kind::bytes;
  std::string raw;           // written verbatim for Kind::bytes
  bool close_after = false;  // close the connection after writing

  static std::string reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 206:
        return "Partial Content";
      case 400:
        return "Bad Request";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 429:
        return "Too Many Requests";
      case 500:
        return "Internal Server Error";
      case 502:
        return "Bad Gateway";
      case 503:
        return "Service Unavailable";
      case 504:
        return "Gateway Timeout";
      default:
        return "Status";
    }
  }
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

  explicit LoopbackServer(Handler handler) : m_handler(std::move(handler)) {
    m_listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (m_listen_fd < 0) throw std::runtime_error("loopback server: socket() failed");
    int one = 1;
    ::setsockopt(m_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(m_listen_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(m_listen_fd, 16) != 0) {
      ::close(m_listen_fd);
      throw std::runtime_error(std::string("loopback server: bind/listen failed: ") + std::strerror(errno));
    }
    socklen_t length = sizeof(address);
    ::getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&address), &length);
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this] { loop(); });
  }

  ~LoopbackServer() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    for (auto& connection : m_connections) ::close(connection.fd);
    ::close(m_listen_fd);
  }

  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return m_port; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

  std::vector<LoopbackRequest> requests() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_requests;
  }
  std::size_t request_count() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_requests.size();
  }
  int connections_accepted() const { return m_accepted.load(); }

 private:
  struct Connection {
    int fd = -1;
    int index = 0;
    std::string buffer;
    bool hung = false;
    bool closed = false;
  };

  void loop() {
    while (!m_stop) {
      std::vector<pollfd> fds;
      fds.push_back({m_listen_fd, POLLIN, 0});
      for (const auto& connection : m_connections) fds.push_back({connection.fd, POLLIN, 0});
      const int ready = ::poll(fds.data(), fds.size(), 20);
      if (ready <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int fd = ::accept(m_listen_fd, nullptr, nullptr);
        if (fd >= 0) m_connections.push_back({fd, m_accepted++, {}, false, false});
      }
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) serve(m_connections[i - 1]);
      }
      for (auto& connection : m_connections) {
        if (connection.closed) ::close(connection.fd);
      }
      m_connections.erase(
          std::remove_if(m_connections.begin(), m_connections.end(), [](const Connection& c) { return c.closed; }),
          m_connections.end());
    }
  }

  void serve(Connection& connection) {
    char chunk[65536];
    const ssize_t got = ::recv(connection.fd, chunk, sizeof(chunk), 0);
    if (got <= 0) {
      connection.closed = true;
      return;
    }
    if (connection.hung) return;  // swallow whatever the client sends on a hung connection
    connection.buffer.append(chunk, static_cast<std::size_t>(got));
    while (!connection.closed && !connection.hung) {
      LoopbackRequest request;
      if (!take_request(connection, request)) return;
      LoopbackReply reply = m_handler(request);
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_requests.push_back(request);
      }
      switch (reply.kind) {
        case LoopbackReply::Kind::hang:
          connection.hung = true;
          break;
        case LoopbackReply::Kind::reset: {
          linger option{1, 0};  // close with RST instead of FIN
          ::setsockopt(connection.fd, SOL_SOCKET, SO_LINGER, &option, sizeof(option));
          connection.closed = true;
          break;
        }
        case LoopbackReply::Kind::close:
          connection.closed = true;
          break;
        case LoopbackReply::Kind::bytes:
          send_all(connection.fd, reply.raw);
          if (reply.close_after) connection.closed = true;
          break;
      }
    }
  }

  static bool take_request(Connection& connection, LoopbackRequest& request) {
    const auto end_of_headers = connection.buffer.find("\r\n\r\n");
    if (end_of_headers == std::string::npos) return false;
    const std::string head = connection.buffer.substr(0, end_of_headers);
    std::size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const auto first_space = request_line.find(' ');
    const auto second_space = request_line.find(' ', first_space + 1);
    request.method = request_line.substr(0, first_space);
    request.target = request_line.substr(first_space + 1, second_space - first_space - 1);
    std::size_t content_length = 0;
    while (line_end != std::string::npos && line_end < head.size()) {
      const std::size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      request.headers.emplace_back(name, value);
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower == "content-length") content_length = std::stoul(value);
    }
    const std::size_t total = end_of_headers + 4 + content_length;
    if (connection.buffer.size() < total) return false;
    request.body = connection.buffer.substr(end_of_headers + 4, content_length);
    request.connection = connection.index;
    connection.buffer.erase(0, total);
    return true;
  }

  static void send_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  Handler m_handler;
  int m_listen_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_accepted{0};
  std::vector<Connection> m_connections;  // touched only by the server thread
  mutable std::mutex m_mutex;
  std::vector<LoopbackRequest> m_requests;
  std::thread m_thread;
};

}  // namespace shipchips::testing
