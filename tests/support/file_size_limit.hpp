#pragma once
// A full disk for one test without a file system to fill: while a FileSizeLimit lives, a file
// of this process may grow to `bytes` and a write past that fails with EFBIG (RLIMIT_FSIZE's
// SIGXFSZ is ignored meanwhile). Header-only; the old limit and handler come back at scope end.

#include <sys/resource.h>

#include <csignal>

namespace shipchips::testing {

class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &m_old);
    m_old_handler = std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{bytes, m_old.rlim_max};
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &m_old);
    std::signal(SIGXFSZ, m_old_handler);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit m_old{};
  void (*m_old_handler)(int) = nullptr;
};

}  // namespace shipchips::testing
