// shipchips fixture aisstream: the local aisstream.io stand-in (fixture/ws_server.hpp) on a free
// loopback port until SIGINT/SIGTERM, so `collect-ais --no-dry-run` can be tried and tested
// end to end without a key or a network: every connection must subscribe within 3 s with the
// given key, then receives the frames of --frames (JSON lines, exactly as aisstream sends them)
// --interval-ms apart, optionally only those inside its subscribed boxes.
#include "app/command.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "fixture/ws_server.hpp"

#include <csignal>
#include <fstream>
#include <iostream>

namespace {

class FixtureAisstreamCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--frames", m_frames, "JSON-lines file of aisstream frames played to every connection");
    sub.add_option("--interval-ms", m_interval_ms, "Delay before each frame")
        ->capture_default_str()
        ->check(CLI::Range(0, 3600000));
    sub.add_option("--key", m_options.expected_api_key, "The API key a subscription must carry")->capture_default_str();
    sub.add_flag("--filter-to-boxes", m_options.filter_to_boxes,
                 "Send a position only when it lies in the connection's subscribed boxes (as aisstream does)");
    sub.add_option("--tls-cert", m_options.cert_chain_file, "PEM certificate chain: serve wss:// (with --tls-key)");
    auto* key = sub.add_option("--tls-key", m_options.private_key_file, "PEM private key for --tls-cert");
    key->needs(sub.get_option("--tls-cert"));
    sub.get_option("--tls-cert")->needs(key);
    sub.add_option("--port-file", m_port_file, "Write the listening port here (atomically) once ready");
  }

  int run(const shipchips::app::GlobalOptions&) override {
    using namespace shipchips;
    if (!m_frames.empty()) {
      std::ifstream in(m_frames);
      if (!in) throw Error(ErrorCode::not_found, m_frames + ": cannot open for reading");
      std::string line;
      while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        m_options.default_script.push_back(fixture::WsStep::send(line, std::chrono::milliseconds(m_interval_ms)));
      }
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    fixture::AisStreamTestServer server(m_options);
    if (!m_port_file.empty()) write_file_atomic(m_port_file, std::to_string(server.port()) + "\n");
    std::cout << "aisstream stand-in at " << server.url() << " (" << m_options.default_script.size()
              << " frames per connection)" << std::endl;
    int received = 0;
    sigwait(&stop_signals, &received);
    server.stop();
    std::cout << "aisstream stand-in stopped: " << server.connections_accepted() << " connections, "
              << server.subscriptions().size() << " subscriptions, " << server.frames_sent() << " frames sent, "
              << server.frames_filtered() << " filtered" << std::endl;
    return 0;
  }

 private:
  std::string m_frames;
  long m_interval_ms = 0;
  std::string m_port_file;
  shipchips::fixture::WsServerOptions m_options;
};

shipchips::app::RegisterCommand reg{"fixture aisstream",
                                    "Serve a local aisstream.io stand-in (WebSocket) on loopback until SIGINT",
                                    [] { return std::make_unique<FixtureAisstreamCommand>(); }};

}  // namespace
