#include "ais/aisstream_client_impl.hpp"

#include "core/backoff.hpp"
#include "core/env.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace shipchips::ais {

namespace {

bool has_boxes(const std::optional<StreamSubscription>& s) {
  return s && !s->boxes.empty();
}

[[noreturn]] void bad_option(const std::string& message) {
  throw Error(ErrorCode::config_invalid, "aisstream client: " + message);
}

}  // namespace

// request_stop() must be callable from a signal handler: a lock-free atomic store.
static_assert(std::atomic<bool>::is_always_lock_free);

std::chrono::steady_clock::duration seconds_to_duration(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(0.0, seconds)));
}

double reconnect_delay_s(int failures, double initial_s, double max_s, double uniform01) {
  const auto ms = [](double s) { return std::chrono::milliseconds(std::llround(std::max(0.0, s) * 1000.0)); };
  return static_cast<double>(backoff_delay({ms(initial_s), ms(max_s)}, failures, uniform01).count()) / 1000.0;
}

StreamOptions stream_options_from(const AisConfig& config, std::string api_key) {
  StreamOptions o;
  o.endpoint = config.endpoint;
  o.api_key = std::move(api_key);
  o.message_types = config.message_types;
  o.connect_timeout_s = config.connect_timeout_s;
  o.ping_interval_s = config.ping_interval_s;
  o.read_timeout_s = config.read_timeout_s;
  o.reconnect_initial_backoff_s = config.reconnect_initial_backoff_s;
  o.reconnect_max_backoff_s = config.reconnect_max_backoff_s;
  o.max_reconnects = config.max_reconnects;
  o.queue_capacity = config.queue_capacity > 0 ? static_cast<std::size_t>(config.queue_capacity) : 0;
  o.ca_file = config.ca_file;
  return o;
}

StreamEndpoint parse_stream_endpoint(const std::string& url) {
  auto fail = [&](const std::string& why) -> void {
    throw Error(ErrorCode::config_invalid, "ais.endpoint \"" + url + "\": " + why);
  };
  StreamEndpoint ep;
  std::string_view rest = url;
  if (rest.starts_with("wss://")) {
    ep.tls = true;
    rest.remove_prefix(6);
    ep.port = 443;
  } else if (rest.starts_with("ws://")) {
    rest.remove_prefix(5);
    ep.port = 80;
  } else {
    fail("must start with ws:// or wss://");
  }
  const auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  ep.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (ep.target.front() == '?') ep.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) fail("credentials in the URL are not supported");
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with("[")) {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) fail("unclosed '[' in the host");
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') fail("junk after the IPv6 address");
      port = after.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) fail("no host");
  ep.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    const auto res = std::from_chars(port.data(), port.data() + port.size(), value);
    if (res.ec != std::errc() || res.ptr != port.data() + port.size() || value == 0 || value > 65535) {
      fail("port \"" + std::string(port) + "\" is not 1..65535");
    }
    ep.port = static_cast<std::uint16_t>(value);
  }
  return ep;
}

std::string_view to_string(StreamState state) {
  switch (state) {
    case StreamState::idle:
      return "idle";
    case StreamState::connecting:
      return "connecting";
    case StreamState::connected:
      return "connected";
    case StreamState::backoff:
      return "backoff";
    case StreamState::stopped:
      return "stopped";
    case StreamState::failed:
      return "failed";
  }
  return "idle";
}

// ---------------------------------------------------------------------------------- Impl

AisStreamClient::Impl::Impl(StreamOptions o) : options(std::move(o)) {
  endpoint = parse_stream_endpoint(options.endpoint);
  if (options.api_key.empty()) bad_option("no API key (set AISSTREAM_API_KEY in the environment or .env)");
  if (!(options.connect_timeout_s > 0)) bad_option("connect_timeout_s must be > 0");
  if (!(options.read_timeout_s > 0)) bad_option("read_timeout_s must be > 0");
  if (!(options.ping_interval_s > 0)) bad_option("ping_interval_s must be > 0");
  if (!(options.reconnect_initial_backoff_s >= 0) ||
      !(options.reconnect_max_backoff_s >= options.reconnect_initial_backoff_s)) {
    bad_option("reconnect backoff must satisfy 0 <= initial <= max");
  }
  if (options.max_reconnects < 0) bad_option("max_reconnects must be >= 0 (0 = never give up)");
  if (options.queue_capacity == 0) bad_option("queue_capacity must be >= 1");
  register_secret_value(options.api_key);  // redact() blanks it in every log line

  if (endpoint.tls) {
    tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
    boost::system::error_code ec;
    tls->set_default_verify_paths(ec);
    if (ec) spdlog::warn("aisstream: cannot load the system CA store: {}", ec.message());
    if (!options.ca_file.empty()) {
      tls->load_verify_file(options.ca_file, ec);
      if (ec) bad_option("ais.ca_file \"" + options.ca_file + "\": cannot load as PEM CA bundle: " + ec.message());
    }
    tls->set_verify_mode(asio::ssl::verify_peer);
  }
}

void AisStreamClient::Impl::set_state(StreamState s) {
  std::lock_guard lock(mutex);
  state = s;
}

void AisStreamClient::Impl::note_error(const std::string& message) {
  std::lock_guard lock(mutex);
  stats.last_error = message;
}

std::optional<StreamSubscription> AisStreamClient::Impl::current_subscription() const {
  std::lock_guard lock(mutex);
  return subscription;
}

std::string AisStreamClient::Impl::current_subscription_json() const {
  auto sub = current_subscription();
  if (!sub) sub.emplace();
  if (sub->message_types.empty()) sub->message_types = options.message_types;
  return subscription_json(options.api_key, *sub);
}

bool AisStreamClient::Impl::on_frame(std::string_view text, std::optional<Error>& permanent) {
  StreamFrame frame;
  try {
    frame = parse_stream_frame(text);
  } catch (const Error& e) {
    spdlog::debug("aisstream: skipped a malformed frame: {}", e.what());
    std::lock_guard lock(mutex);
    ++stats.malformed_frames;
    stats.last_error = e.what();
    return true;
  }
  std::unique_lock lock(mutex);
  switch (frame.kind) {
    case StreamFrameKind::ignored:
      ++stats.ignored;
      return true;
    case StreamFrameKind::position:
      ++stats.positions;
      break;
    case StreamFrameKind::static_data:
      ++stats.static_reports;
      break;
    case StreamFrameKind::error: {
      ++stats.error_frames;
      stats.last_error_frame = frame.text;
      stats.last_error = "error frame: " + frame.text;
      spdlog::warn("aisstream: the service sent an error: {}", frame.text);
      std::string lower = frame.text;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower.find("api key") != std::string::npos || lower.find("apikey") != std::string::npos) {
        permanent.emplace(ErrorCode::http_client_error,
                          "aisstream refused the API key (\"" + frame.text + "\"): check AISSTREAM_API_KEY");
      }
      break;
    }
  }
  if (queue.size() >= options.queue_capacity) {
    parked = std::move(frame);
    return false;
  }
  queue.push_back(std::move(frame));
  stats.queue_high_water = std::max(stats.queue_high_water, queue.size());
  lock.unlock();
  queue_cv.notify_one();
  return true;
}

bool AisStreamClient::Impl::parked_cleared() const {
  std::lock_guard lock(mutex);
  return !parked;
}

asio::awaitable<void> AisStreamClient::Impl::poll_stop() {
  asio::steady_timer timer(io);
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(100));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    {
      std::lock_guard lock(mutex);
      if (finished) co_return;
    }
    if (stop_requested.load()) do_stop();
  }
}

void AisStreamClient::Impl::do_stop() {
  if (stopping) return;
  stopping = true;
  spdlog::info("aisstream: stopping ({})", endpoint.host);
  wake.cancel();
  resume.cancel();
  if (link) link->request_close();
}

void AisStreamClient::Impl::do_update() {
  if (stopping) return;
  wake.cancel();  // an idle loop wakes up to connect
  if (!link) return;
  const auto sub = current_subscription();
  if (!has_boxes(sub)) {
    spdlog::info("aisstream: no active window: closing the connection");
    link->request_close();
  } else if (options.live_resubscribe && link->handshaken()) {
    link->resubscribe();
  } else if (link->handshaken()) {
    link->request_close();  // the loop reconnects at once with the new subscription
  }
  // Still connecting: the subscription is read when the handshake completes.
}

asio::awaitable<void> AisStreamClient::Impl::run_loop() {
  int failures = 0;  // consecutive
  bool after_failure = false;
  std::optional<Error> fatal;
  try {
    while (!stopping) {
      if (!has_boxes(current_subscription())) {
        set_state(StreamState::idle);
        spdlog::info("aisstream: no subscription window: waiting");
        wake.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        after_failure = false;
        continue;
      }
      if (after_failure) with_stats([](StreamStats& s) { ++s.reconnects; });
      set_state(StreamState::connecting);
      link = make_link();
      const LinkResult result = co_await link->run();
      link.reset();
      if (stopping) break;
      if (result.permanent) {
        fatal = result.permanent;
        break;
      }
      if (result.ended_on_purpose) {
        after_failure = false;
        continue;
      }
      note_error(result.error);
      if (result.delivered_stably) failures = 0;
      ++failures;
      if (options.max_reconnects > 0 && failures > options.max_reconnects) {
        fatal.emplace(ErrorCode::network_transient, "aisstream: gave up after " + std::to_string(failures) +
                                                        " consecutive connection failures to " + endpoint.host +
                                                        "; last: " + result.error);
        break;
      }
      // Full jitter spreads reconnecting clients apart (no thundering herd after an outage).
      const double delay =
          reconnect_delay_s(failures, options.reconnect_initial_backoff_s, options.reconnect_max_backoff_s,
                            std::uniform_real_distribution<double>(0.0, 1.0)(rng));
      spdlog::warn("aisstream: connection to {} lost ({}); reconnecting in {:.1f} s (failure {} in a row)",
                   endpoint.host, result.error, delay, failures);
      set_state(StreamState::backoff);
      const auto deadline = Clock::now() + seconds_to_duration(delay);
      // Woken early by stop and by subscription updates; only stop or "no window" cut it short.
      while (!stopping && Clock::now() < deadline && has_boxes(current_subscription())) {
        wake.expires_at(deadline);
        boost::system::error_code ec;
        co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      after_failure = true;
    }
  } catch (const Error& e) {
    fatal = e;
  } catch (const std::exception& e) {
    fatal.emplace(ErrorCode::internal, std::string("aisstream client: ") + e.what());
  }
  {
    std::lock_guard lock(mutex);
    finished = true;
    if (fatal) {
      state = StreamState::failed;
      stats.last_error = fatal->what();
      failure = fatal;
    } else {
      state = StreamState::stopped;
    }
  }
  if (fatal) spdlog::error("{}", fatal->what());
  queue_cv.notify_all();
}

// ------------------------------------------------------------------------------ public API

AisStreamClient::AisStreamClient(StreamOptions options) : m_impl(std::make_shared<Impl>(std::move(options))) {}

AisStreamClient::~AisStreamClient() {
  stop();
  join();
}

void AisStreamClient::start(std::optional<StreamSubscription> subscription) {
  if (has_boxes(subscription)) subscription_json(m_impl->options.api_key, *subscription);  // validates, throws
  std::lock_guard lock(m_impl->mutex);
  if (m_impl->started) throw Error(ErrorCode::internal, "aisstream client: start() called twice");
  m_impl->started = true;
  m_impl->subscription = std::move(subscription);
  if (m_impl->stop_requested.load()) {  // stopped before it started: nothing to run
    m_impl->finished = true;
    m_impl->state = StreamState::stopped;
    return;
  }
  Impl* impl = m_impl.get();
  asio::co_spawn(impl->io, impl->run_loop(), asio::detached);
  asio::co_spawn(impl->io, impl->poll_stop(), asio::detached);
  m_impl->thread = std::thread([impl] { impl->io.run(); });
}

void AisStreamClient::update_subscription(std::optional<StreamSubscription> subscription) {
  if (has_boxes(subscription)) subscription_json(m_impl->options.api_key, *subscription);  // validates, throws
  {
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->subscription == subscription) return;
    m_impl->subscription = std::move(subscription);
    if (!m_impl->started) return;
  }
  Impl* impl = m_impl.get();
  asio::post(impl->io, [impl] { impl->do_update(); });
}

void AisStreamClient::stop() {
  request_stop();
  std::lock_guard lock(m_impl->mutex);
  if (!m_impl->started) {
    m_impl->finished = true;
    m_impl->state = StreamState::stopped;
    m_impl->queue_cv.notify_all();
    return;
  }
  Impl* impl = m_impl.get();
  asio::post(impl->io, [impl] { impl->do_stop(); });
}

void AisStreamClient::request_stop() noexcept {
  m_impl->stop_requested.store(true);
}

void AisStreamClient::join() {
  if (m_impl->thread.joinable() && m_impl->thread.get_id() != std::this_thread::get_id()) m_impl->thread.join();
}

bool AisStreamClient::pop_batch(std::vector<StreamFrame>& out, std::size_t max, std::chrono::milliseconds wait) {
  Impl& impl = *m_impl;
  std::unique_lock lock(impl.mutex);
  impl.queue_cv.wait_for(lock, wait, [&] { return !impl.queue.empty() || impl.parked || impl.finished; });
  std::size_t taken = 0;
  while (taken < max && !impl.queue.empty()) {
    out.push_back(std::move(impl.queue.front()));
    impl.queue.pop_front();
    ++taken;
  }
  if (impl.parked && impl.queue.size() < impl.options.queue_capacity) {
    // The reader is waiting with this frame: it joins the queue behind everything older, and
    // the reader is told to go on reading.
    impl.queue.push_back(std::move(*impl.parked));
    impl.parked.reset();
    impl.stats.queue_high_water = std::max(impl.stats.queue_high_water, impl.queue.size());
    if (taken < max) {
      out.push_back(std::move(impl.queue.front()));
      impl.queue.pop_front();
      ++taken;
    }
    Impl* p = &impl;
    asio::post(impl.io, [p] { p->resume.cancel(); });
  }
  return taken > 0 || !impl.finished || !impl.queue.empty();
}

StreamState AisStreamClient::state() const {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->state;
}

StreamStats AisStreamClient::stats() const {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->stats;
}

std::optional<StreamSubscription> AisStreamClient::subscription() const {
  return m_impl->current_subscription();
}

void AisStreamClient::throw_if_failed() const {
  std::lock_guard lock(m_impl->mutex);
  if (m_impl->failure) throw *m_impl->failure;
}

}  // namespace shipchips::ais
