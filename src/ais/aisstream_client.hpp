#pragma once
// The aisstream.io link: one WebSocket (ws:// or wss://) kept alive on a background thread,
// handing decoded frames to a consumer through a bounded queue.
//
// Life of a connection: resolve → TCP connect → (TLS handshake: TLS 1.2+, SNI, the peer's
// certificate verified against the system store plus options.ca_file, host name or IP checked
// by OpenSSL) → WebSocket handshake → the subscription is sent at once (aisstream drops a
// client that has not subscribed within 3 s) → frames are read, decoded by parse_stream_frame
// and queued in arrival order. Text and binary WebSocket frames are both read as JSON (the
// service's frames have been seen as either, depending on the client library).
//
// Failures and what follows:
//   - drop, reset, close by the server, handshake failure, read timeout: reconnect after a
//     capped exponential backoff with full jitter: uniform(0, min(max, initial·2^n)), n the
//     consecutive failures so far. n resets once a connection has delivered messages for
//     stable_after_s. After max_reconnects consecutive failures (0 = never) the client gives
//     up: state() becomes failed and throw_if_failed() throws Error(network_transient).
//   - a certificate that does not verify, or an {"error": ...} frame about the API key: the
//     client gives up at once (Error(http_client_error), permanent) — retrying cannot fix a
//     wrong CA or key, and hammering the service with a bad key gets the key banned.
//   - other {"error": ...} frames: logged at warn, counted, queued for the consumer (kind
//     error, in order with the data); the connection continues if the server keeps it.
//   - a frame that does not decode: counted (stats().malformed_frames), logged at debug with
//     the reason, skipped. Never fatal.
// Keep-alive: a WebSocket ping after ping_interval_s without a frame; no frame or pong for
// read_timeout_s → the connection is dropped and reconnected. Time spent waiting for the
// consumer (queue full) does not count against the server.
//
// Back-pressure: the queue holds at most queue_capacity frames. When it is full the reader
// stops reading the socket (TCP's window then slows the server) and resumes when the consumer
// takes a batch. Nothing is dropped on our side.
//
// Subscription changes (update_subscription): sent on the live socket — aisstream.io's public
// documentation describes replacing a connection's subscription by sending a new subscription
// message (../shared/reference is silent on it). Should the service stop honouring that,
// live_resubscribe = false makes the client reconnect with the new subscription instead. std::nullopt or an empty box
// list means "no active window": the socket is closed (normal close) and the client idles until a subscription is set
// again.
//
// Shutdown: stop() (any thread) or request_stop() (async-signal-safe: one lock-free atomic
// store; a 100 ms poll on the I/O thread acts on it) sends a normal close frame, waits for the
// close handshake (bounded by connect_timeout_s), ends the I/O thread, and leaves everything
// already queued for the consumer: pop_batch keeps returning it, then returns false. Frames
// the server sends after our close frame are discarded by the close handshake, by design.
//
// The API key is registered with redact() and never logged: logs name the endpoint and the
// number of boxes only.

#include "ais/aisstream_message.hpp"
#include "core/config.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::ais {

struct StreamOptions {
  std::string endpoint = "wss://stream.aisstream.io/v0/stream";
  std::string api_key;
  std::vector<std::string> message_types;  // copied into every subscription that has none
  double connect_timeout_s = 10.0;         // TCP + TLS + WebSocket handshakes, and the close
  double ping_interval_s = 20.0;
  double read_timeout_s = 60.0;
  double reconnect_initial_backoff_s = 1.0;
  double reconnect_max_backoff_s = 60.0;
  int max_reconnects = 0;        // consecutive failures before giving up; 0 = never give up
  double stable_after_s = 30.0;  // a connection delivering this long resets the backoff
  std::size_t queue_capacity = 20000;
  std::string ca_file;  // extra PEM CA bundle for wss:// ("" = system store only)
  bool live_resubscribe = true;
};

// ais.* config keys → options; the key comes from the environment / .env, never the YAML.
StreamOptions stream_options_from(const AisConfig& config, std::string api_key);

// ws[s]://host[:port][/path]; the port defaults to 80 / 443, the path to "/".
struct StreamEndpoint {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string target;  // path and query

  bool operator==(const StreamEndpoint&) const = default;
};
// Throws Error(config_invalid) naming the URL for anything else (http://, no host, bad port).
StreamEndpoint parse_stream_endpoint(const std::string& url);

// The wait before reconnect attempt n (n = consecutive failures so far, ≥ 1): the shared
// core/backoff rule in seconds (ms resolution), uniform01 · min(max_s, initial_s · 2^(n-1)).
double reconnect_delay_s(int failures, double initial_s, double max_s, double uniform01);

enum class StreamState { idle, connecting, connected, backoff, stopped, failed };
std::string_view to_string(StreamState state);

struct StreamStats {
  std::uint64_t connects = 0;    // WebSocket handshakes completed
  std::uint64_t reconnects = 0;  // connection attempts after a drop or failure
  std::uint64_t frames = 0;      // data frames read (text or binary)
  std::uint64_t positions = 0;   // frames by kind
  std::uint64_t static_reports = 0;
  std::uint64_t ignored = 0;
  std::uint64_t error_frames = 0;
  std::uint64_t malformed_frames = 0;
  std::uint64_t bytes = 0;  // payload bytes of the frames read
  std::uint64_t subscriptions_sent = 0;
  std::size_t queue_high_water = 0;  // most frames ever waiting in the queue
  std::string last_error;            // last connection failure, error frame or decode error
  std::string last_error_frame;      // text of the last {"error": ...}
};

class AisStreamClient {
 public:
  // Validates the options (endpoint, timeouts, capacity ≥ 1); Error(config_invalid) if wrong.
  // Nothing connects until start().
  explicit AisStreamClient(StreamOptions options);
  ~AisStreamClient();  // stop(), then joins the I/O thread
  AisStreamClient(const AisStreamClient&) = delete;
  AisStreamClient& operator=(const AisStreamClient&) = delete;

  // Starts the I/O thread; connects when the subscription has a box, idles otherwise. Once.
  void start(std::optional<StreamSubscription> subscription);
  // Thread-safe. Same subscription as now: nothing happens.
  void update_subscription(std::optional<StreamSubscription> subscription);
  // Thread-safe, idempotent; returns at once (the close handshake runs on the I/O thread).
  void stop();
  // Async-signal-safe form of stop().
  void request_stop() noexcept;
  // Blocks until the I/O thread has ended (after stop/request_stop or a permanent failure).
  void join();

  // Moves up to `max` queued frames (kinds position, static_data, error) into `out` (appended),
  // waiting up to `wait` for the first. Returns false once the client has stopped or failed
  // and the queue is empty — the consumer's signal to finish.
  bool pop_batch(std::vector<StreamFrame>& out, std::size_t max, std::chrono::milliseconds wait);

  StreamState state() const;
  StreamStats stats() const;
  std::optional<StreamSubscription> subscription() const;
  // After state() == failed: throws the Error that ended the client. Otherwise returns.
  void throw_if_failed() const;

  class Impl;

 private:
  std::shared_ptr<Impl> m_impl;
};

}  // namespace shipchips::ais
