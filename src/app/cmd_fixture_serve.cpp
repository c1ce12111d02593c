// shipchips fixture serve: the offline world's STAC API and COGs on loopback until SIGINT/SIGTERM
// (see fixture/server_fixture.hpp).
#include "app/command.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "fixture/server_fixture.hpp"

#include <csignal>
#include <iostream>

namespace {

class FixtureServeCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--dir", m_dir, "World directory written by 'fixture build'")->required();
    sub.add_option("--port", m_options.port, "TCP port on 127.0.0.1 (0: pick a free port and print it)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    sub.add_option("--host", m_options.host, "Bind address; loopback only (127.0.0.1 or localhost)")
        ->capture_default_str();
    sub.add_option("--latency-ms", m_options.latency_ms, "Delay added before every response")
        ->capture_default_str()
        ->check(CLI::Range(0L, 600000L));
    sub.add_option("--bandwidth-mbps", m_options.bandwidth_mbps,
                   "Body send rate per connection in megabits/s (0: unlimited)")
        ->capture_default_str()
        ->check(shipchips::app::non_negative_number);
    sub.add_option("--fault-rate", m_options.fault_rate, "Probability of an injected fault per request")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    sub.add_option("--fault-kinds", m_fault_kinds, "Comma list of 503, reset, truncate, slow")->capture_default_str();
    sub.add_option("--seed", m_options.seed, "Seed of the fault decisions")->capture_default_str();
    sub.add_option("--retry-after", m_options.retry_after_s, "Retry-After seconds of injected 503s")
        ->capture_default_str()
        ->check(CLI::Range(0, 3600));
    sub.add_option("--log", m_log, "Append a JSON line per request to this file");
    sub.add_option("--port-file", m_port_file, "Write the listening port here (atomically) once ready");
  }

  int run(const shipchips::app::GlobalOptions&) override {
    using namespace shipchips;
    m_options.dir = m_dir;
    m_options.fault_kinds = fixture::parse_fault_kinds(m_fault_kinds);
    if (!m_log.empty()) m_options.log_path = m_log;

    // Block the stop signals before any server thread exists, so every thread inherits the
    // mask and only sigwait() below receives them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    // A shell starts background jobs with SIGINT ignored; restore the default so the blocked
    // signal is queued for sigwait() whatever the parent did.
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    fixture::FixtureServer server(m_options);
    server.start();
    if (!m_port_file.empty()) write_file_atomic(m_port_file, std::to_string(server.port()) + "\n");
    std::cout << "fixture serving " << m_dir << " at " << server.base_url() << std::endl;

    int received = 0;
    sigwait(&stop_signals, &received);
    server.stop();
    const auto stats = server.stats();
    std::cout << "fixture stopped (" << (received == SIGINT ? "SIGINT" : "SIGTERM") << "): " << stats.requests
              << " requests, " << stats.bytes_sent << " body bytes, " << stats.connections << " connections"
              << std::endl;
    return 0;
  }

 private:
  std::string m_dir;
  std::string m_fault_kinds = "503,reset,truncate,slow";
  std::string m_log;
  std::string m_port_file;
  shipchips::fixture::FixtureServerOptions m_options;
};

shipchips::app::RegisterCommand reg{"fixture serve",
                                    "Serve a fixture world's STAC API and COGs on loopback (ranges, latency, faults)",
                                    [] { return std::make_unique<FixtureServeCommand>(); }};

}  // namespace
