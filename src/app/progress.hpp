#pragma once
// A one-line progress display on stderr for long reads (`ais decode`, `ais import`): shown only
// when stderr is a terminal (logs and pipes stay clean), redrawn at most 5 times a second,
// erased when done.

#include <unistd.h>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace shipchips::app {

class TerminalProgress {
 public:
  TerminalProgress(std::string label, std::uint64_t total_bytes)
      : m_label(std::move(label)),
        m_total(total_bytes),
        m_enabled(::isatty(STDERR_FILENO) == 1),
        m_start(std::chrono::steady_clock::now()) {}
  ~TerminalProgress() { done(); }
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  // bytes: read so far (0 if unknown); records: lines or rows so far.
  void update(std::uint64_t bytes, std::uint64_t records) {
    if (!m_enabled) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last < std::chrono::milliseconds(200)) return;
    m_last = now;
    const double secs = std::chrono::duration<double>(now - m_start).count();
    std::string pct;
    if (m_total > 0 && bytes > 0) pct = std::to_string(static_cast<int>(100.0 * bytes / m_total)) + " %  ";
    std::fprintf(stderr, "\r%s: %s%llu records  %.0f/s   ", m_label.c_str(), pct.c_str(),
                 static_cast<unsigned long long>(records), secs > 0 ? records / secs : 0.0);
    std::fflush(stderr);
    m_drawn = true;
  }

  void done() {
    if (m_drawn) std::fprintf(stderr, "\r\033[K");
    m_drawn = false;
  }

 private:
  std::string m_label;
  std::uint64_t m_total;
  bool m_enabled;
  bool m_drawn = false;
  std::chrono::steady_clock::time_point m_start;
  std::chrono::steady_clock::time_point m_last{};
};

}  // namespace shipchips::app
