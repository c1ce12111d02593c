#pragma once
// Internals of AisStreamClient, shared by aisstream_client.cpp (public API, queue, reconnect
// loop) and aisstream_link.cpp (one WebSocket connection). Not for use elsewhere: it pulls in
// Boost.Asio/Beast, which the public header keeps out of every other translation unit.
//
// Threads: everything below marked [io] runs only on the client's I/O thread (a single thread
// running the io_context, so those members need no lock). Members marked [mutex] are shared
// with the consumer and guarded by `mutex`.

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange unincluded

#include "ais/aisstream_client.hpp"
#include "core/error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

namespace shipchips::ais {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::chrono::steady_clock::duration seconds_to_duration(double seconds);

// How one connection ended, for the reconnect loop.
struct LinkResult {
  std::string error;               // "" when it ended because we asked it to
  std::optional<Error> permanent;  // set: give up without retrying
  bool delivered_stably = false;   // delivered messages for stable_after_s
  bool ended_on_purpose = false;   // stop(), or a subscription change that needs a new socket
};

// One connection's control surface, as the reconnect loop and update/stop see it. [io]
class LinkBase {
 public:
  virtual ~LinkBase() = default;
  virtual asio::awaitable<LinkResult> run() = 0;
  // Normal close frame if the WebSocket is up, else abandon the connect attempt.
  virtual void request_close() = 0;
  // Sends the client's current subscription (serialised with any write in flight).
  virtual void resubscribe() = 0;
  virtual bool handshaken() const = 0;
};

class AisStreamClient::Impl {
 public:
  Impl(StreamOptions options);

  // --- set at construction, read-only afterwards
  StreamOptions options;
  StreamEndpoint endpoint;
  asio::io_context io;
  std::unique_ptr<asio::ssl::context> tls;  // wss:// only

  // --- [mutex]
  mutable std::mutex mutex;
  std::condition_variable queue_cv;
  std::deque<StreamFrame> queue;
  std::optional<StreamFrame> parked;  // read while the queue was full; goes in first
  bool finished = false;              // the I/O loop has ended
  StreamStats stats;
  StreamState state = StreamState::idle;
  std::optional<StreamSubscription> subscription;
  std::optional<Error> failure;

  std::atomic<bool> stop_requested{false};
  std::thread thread;
  bool started = false;  // guarded by mutex

  // --- [io]
  bool stopping = false;
  asio::steady_timer wake{io};    // idle / backoff waits; cancelled by update and stop
  asio::steady_timer resume{io};  // a parked reader waits here; cancelled when space frees
  std::shared_ptr<LinkBase> link;
  std::mt19937_64 rng{std::random_device{}()};

  // [io] The reconnect loop (the thread's main coroutine) and the stop poll.
  asio::awaitable<void> run_loop();
  asio::awaitable<void> poll_stop();
  void do_stop();
  void do_update();

  // [io] Called by a link for each text frame; false = the frame is parked (queue full) and
  // the reader must wait on `resume` until parked_cleared(). `permanent` is set when an
  // error frame says the key was refused.
  bool on_frame(std::string_view text, std::optional<Error>& permanent);
  bool parked_cleared() const;
  std::optional<StreamSubscription> current_subscription() const;
  std::string current_subscription_json() const;  // with options.message_types filled in
  void set_state(StreamState s);
  void note_error(const std::string& message);
  template <class F>
  void with_stats(F&& f) {
    std::lock_guard lock(mutex);
    f(stats);
  }

  std::shared_ptr<LinkBase> make_link();  // aisstream_link.cpp
};

}  // namespace shipchips::ais
