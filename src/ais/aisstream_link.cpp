// One aisstream WebSocket connection (ws:// or wss://): connect, handshake, subscribe, read
// frames into the client's queue, keep-alive and read timeout, close. See aisstream_client.hpp
// for the behaviour; this file is the Boost.Beast mechanics.

#include "ais/aisstream_client_impl.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#ifndef SHIPCHIPS_VERSION
#define SHIPCHIPS_VERSION "dev"
#endif

namespace shipchips::ais {

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr std::size_t kMaxFrameBytes = 4u << 20;  // aisstream frames are < 2 KB; bounds a bad server

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

template <class Ws>
class Link final : public LinkBase, public std::enable_shared_from_this<Link<Ws>> {
 public:
  static constexpr bool kTls = std::is_same_v<Ws, TlsWs>;

  explicit Link(AisStreamClient::Impl& impl) : m_impl(impl), m_resolver(impl.io), m_ws(make_stream(impl)) {}

  asio::awaitable<LinkResult> run() override {
    auto self = this->shared_from_this();  // spawned helpers may outlive this coroutine
    LinkResult result;
    const auto& ep = m_impl.endpoint;
    const auto connect_timeout = seconds_to_duration(m_impl.options.connect_timeout_s);
    auto& tcp_layer = beast::get_lowest_layer(m_ws);
    std::string stage = "resolving " + ep.host;
    try {
      const std::string service = std::to_string(ep.port);
      const auto results = co_await m_resolver.async_resolve(ep.host, service, asio::use_awaitable);
      if (m_abandoned) throw boost::system::system_error(asio::error::operation_aborted);
      stage = "connecting to " + ep.host + ":" + std::to_string(ep.port);
      tcp_layer.expires_after(connect_timeout);
      co_await tcp_layer.async_connect(results, asio::use_awaitable);
      if constexpr (kTls) {
        stage = "TLS handshake with " + ep.host;
        if (auto permanent = co_await tls_handshake(connect_timeout)) {
          result.permanent = std::move(permanent);
          result.error = result.permanent->what();
          co_return result;
        }
      }
      tcp_layer.expires_never();
      // Beast's own timer bounds the WebSocket handshake and the close; the idle side is ours
      // (watchdog), so that waiting for a slow consumer is not mistaken for a dead server.
      websocket::stream_base::timeout timeouts{};
      timeouts.handshake_timeout = connect_timeout;
      timeouts.idle_timeout = websocket::stream_base::none();
      timeouts.keep_alive_pings = false;
      m_ws.set_option(timeouts);
      m_ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(beast::http::field::user_agent, std::string("shipchips/") + SHIPCHIPS_VERSION);
      }));
      m_ws.read_message_max(kMaxFrameBytes);
      m_ws.control_callback([this](websocket::frame_type, beast::string_view) { m_last_rx = Clock::now(); });
      const bool default_port = ep.port == (ep.tls ? 443 : 80);
      stage = "WebSocket handshake with " + ep.host;
      const std::string host_header = default_port ? ep.host : ep.host + ":" + std::to_string(ep.port);
      co_await m_ws.async_handshake(host_header, ep.target, asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      result.error = stage + ": " + describe(e.code());
      result.ended_on_purpose = m_abandoned;
      co_return result;
    }

    m_handshaken = true;
    m_connected_at = m_last_rx = m_last_ping = Clock::now();
    m_impl.with_stats([](StreamStats& s) { ++s.connects; });
    m_impl.set_state(StreamState::connected);
    {
      const auto sub = m_impl.current_subscription();
      spdlog::info("aisstream: connected to {}; subscribing to {} box(es)", m_impl.options.endpoint,
                   sub ? sub->boxes.size() : 0);
    }
    if (m_abandoned) {  // stop or "no window" arrived during the handshake
      request_close_now();
    } else {
      resubscribe();  // at once: aisstream drops clients that have not subscribed within 3 s
      asio::co_spawn(m_impl.io, watchdog(self), asio::detached);
    }

    beast::flat_buffer buffer;
    std::uint64_t delivered = 0;
    std::optional<Error> permanent;
    while (!m_closing) {
      error_code ec;
      const std::size_t n = co_await m_ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        result.error = read_failure(ec);
        break;
      }
      m_last_rx = Clock::now();
      m_impl.with_stats([n](StreamStats& s) {
        ++s.frames;
        s.bytes += n;
      });
      const auto data = buffer.cdata();
      const std::string_view text(static_cast<const char*>(data.data()), data.size());
      if (!m_impl.on_frame(text, permanent)) {
        // Queue full: stop reading (TCP back-pressure) until the consumer makes room.
        m_paused = true;
        while (!m_impl.parked_cleared() && !m_impl.stopping) {
          m_impl.resume.expires_at(asio::steady_timer::time_point::max());
          error_code wait_ec;
          co_await m_impl.resume.async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
        }
        m_paused = false;
        m_last_rx = Clock::now();  // the wait was ours, not the server's
      }
      buffer.consume(buffer.size());
      ++delivered;
      if (permanent) {
        result.permanent = std::move(permanent);
        result.error = result.permanent->what();
        request_close();
      }
    }
    m_alive = false;
    if (m_watchdog_timer) m_watchdog_timer->cancel();
    if (m_timed_out) result.error = "no frame or pong for " + std::to_string(m_impl.options.read_timeout_s) + " s";
    result.ended_on_purpose = m_abandoned && !result.permanent;
    result.delivered_stably =
        delivered > 0 && Clock::now() - m_connected_at >= seconds_to_duration(m_impl.options.stable_after_s);
    co_return result;
  }

  void request_close() override {
    m_abandoned = true;
    if (!m_handshaken) {  // connecting: give up the attempt
      error_code ec;
      m_resolver.cancel();
      beast::get_lowest_layer(m_ws).cancel();
      return;
    }
    request_close_now();
  }

  void resubscribe() override {
    if (!m_handshaken || m_closing) return;
    if (m_writing) {
      m_write_again = true;  // the writer loops and sends the newest subscription
      return;
    }
    m_writing = true;
    asio::co_spawn(m_impl.io, write_subscriptions(this->shared_from_this()), asio::detached);
  }

  bool handshaken() const override { return m_handshaken; }

 private:
  static Ws make_stream(AisStreamClient::Impl& impl) {
    if constexpr (kTls) {
      return Ws(impl.io, *impl.tls);
    } else {
      return Ws(impl.io);
    }
  }

  // SNI (names only, RFC 6066), host name or IP verification by OpenSSL, then the handshake.
  // Returns the permanent error for a certificate that does not verify.
  asio::awaitable<std::optional<Error>> tls_handshake(Clock::duration timeout) requires kTls {
    const auto& host = m_impl.endpoint.host;
    SSL* ssl = m_ws.next_layer().native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip_literal(host)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, host.c_str());
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
    beast::get_lowest_layer(m_ws).expires_after(timeout);
    error_code ec;
    co_await m_ws.next_layer().async_handshake(asio::ssl::stream_base::client,
                                               asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_return std::nullopt;
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      co_return Error(ErrorCode::tls_failed,
                      "aisstream: TLS certificate of " + host +
                          " failed verification: " + X509_verify_cert_error_string(verify) +
                          " (if the server uses a private CA, set ais.ca_file to its PEM bundle)");
    }
    throw boost::system::system_error(ec);
  }

  asio::awaitable<void> write_subscriptions(std::shared_ptr<Link> self) {
    do {
      m_write_again = false;
      std::string text;
      try {
        text = m_impl.current_subscription_json();
      } catch (const Error& e) {  // validated before it was accepted; defensive only
        spdlog::error("aisstream: cannot build the subscription: {}", e.what());
        break;
      }
      const auto sub = m_impl.current_subscription();
      if (!sub || sub->boxes.empty()) break;
      m_ws.text(true);
      error_code ec;
      co_await m_ws.async_write(asio::buffer(text), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec != asio::error::operation_aborted) {
          spdlog::warn("aisstream: sending the subscription failed: {}", ec.message());
          abort_socket();
        }
        break;
      }
      m_impl.with_stats([](StreamStats& s) { ++s.subscriptions_sent; });
      spdlog::info("aisstream: subscription sent ({} box(es))", sub->boxes.size());
    } while (m_write_again && !m_closing);
    m_writing = false;
    (void)self;
  }

  // Sends pings on a quiet link and drops a link that stays silent for read_timeout_s.
  asio::awaitable<void> watchdog(std::shared_ptr<Link> self) {
    const auto read_timeout = seconds_to_duration(m_impl.options.read_timeout_s);
    const auto ping_interval = seconds_to_duration(m_impl.options.ping_interval_s);
    const auto tick = std::clamp<Clock::duration>(std::min(read_timeout, ping_interval) / 5,
                                                  std::chrono::milliseconds(20), std::chrono::milliseconds(500));
    asio::steady_timer timer(m_impl.io);
    m_watchdog_timer = &timer;
    while (m_alive) {
      timer.expires_after(tick);
      error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!m_alive || m_closing) break;
      if (m_paused) continue;
      const auto now = Clock::now();
      if (now - m_last_rx >= read_timeout) {
        spdlog::warn("aisstream: nothing from {} for {} s: dropping the connection", m_impl.endpoint.host,
                     m_impl.options.read_timeout_s);
        m_timed_out = true;
        abort_socket();
        break;
      }
      if (now - m_last_rx >= ping_interval && now - m_last_ping >= ping_interval && !m_pinging) {
        m_last_ping = now;
        m_pinging = true;
        asio::co_spawn(m_impl.io, ping(self), asio::detached);
      }
    }
    m_watchdog_timer = nullptr;
  }

  asio::awaitable<void> ping(std::shared_ptr<Link> self) {
    error_code ec;
    co_await m_ws.async_ping({}, asio::redirect_error(asio::use_awaitable, ec));
    m_pinging = false;
    (void)self;
  }

  void request_close_now() {
    if (m_closing) return;
    m_closing = true;
    if (!m_ws.is_open()) return;
    asio::co_spawn(m_impl.io, close(this->shared_from_this()), asio::detached);
  }

  // A normal close frame; Beast waits for the server's reply within handshake_timeout.
  asio::awaitable<void> close(std::shared_ptr<Link> self) {
    error_code ec;
    co_await m_ws.async_close(websocket::close_code::normal, asio::redirect_error(asio::use_awaitable, ec));
    if (ec && ec != asio::error::operation_aborted) {
      spdlog::debug("aisstream: close handshake: {}", ec.message());
      abort_socket();
    }
    (void)self;
  }

  void abort_socket() {
    error_code ec;
    beast::get_lowest_layer(m_ws).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(m_ws).close();
  }

  std::string read_failure(const error_code& ec) const {
    if (ec == websocket::error::closed) {
      const auto& reason = m_ws.reason();
      std::string text = "closed by the server (code " + std::to_string(static_cast<int>(reason.code));
      if (!reason.reason.empty()) text += ", \"" + std::string(reason.reason.c_str()) + "\"";
      return text + ")";
    }
    return describe(ec);
  }

  static std::string describe(const error_code& ec) {
    if (ec == beast::error::timeout) return "timed out";
    return ec.message();
  }

  AisStreamClient::Impl& m_impl;
  tcp::resolver m_resolver;
  Ws m_ws;
  bool m_handshaken = false;
  bool m_abandoned = false;  // close requested by us (stop, subscription change)
  bool m_closing = false;    // close frame sent (or being sent)
  bool m_alive = true;
  bool m_paused = false;
  bool m_timed_out = false;
  bool m_writing = false;
  bool m_write_again = false;
  bool m_pinging = false;
  asio::steady_timer* m_watchdog_timer = nullptr;
  Clock::time_point m_connected_at{}, m_last_rx{}, m_last_ping{};
};

}  // namespace

std::shared_ptr<LinkBase> AisStreamClient::Impl::make_link() {
  if (endpoint.tls) return std::make_shared<Link<TlsWs>>(*this);
  return std::make_shared<Link<PlainWs>>(*this);
}

}  // namespace shipchips::ais
