#include "core/atomic_file.hpp"

#include "core/error.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <unistd.h>

namespace shipchips {
namespace fs = std::filesystem;
namespace {

// Unique per process and call, so concurrent writers of the same file never share a temp name.
fs::path temp_name_for(const fs::path& final_path) {
  static std::atomic<unsigned long> counter{0};
  static const unsigned long salt = std::random_device{}();
  std::string name = ".";
  name += final_path.filename().string();
  name += ".tmp.";
  name += std::to_string(::getpid());
  name += '.';
  name += std::to_string(salt % 100000);
  name += '.';
  name += std::to_string(counter++);
  // Keep the extension last so format-sniffing writers (GDAL) pick the right driver.
  name += final_path.extension().string();
  return final_path.parent_path() / name;
}

void ensure_parent(const fs::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) throw Error(ErrorCode::io_error, path.parent_path().string() + ": cannot create folder: " + ec.message());
}

[[noreturn]] void io_fail(const fs::path& path, std::string_view what) {
  throw Error(ErrorCode::io_error, path.string() + ": " + std::string(what) + ": " + std::strerror(errno));
}

} // namespace

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  ensure_parent(path);
  fs::path temp = temp_name_for(path);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) io_fail(temp, "cannot create");
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      errno = saved;
      io_fail(temp, "write failed");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    io_fail(temp, "flush failed");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    io_fail(path, "rename failed");
  }
}

AtomicOutput::AtomicOutput(fs::path final_path) : m_final(std::move(final_path)) {
  ensure_parent(m_final);
  m_temp = temp_name_for(m_final);
}

AtomicOutput::~AtomicOutput() {
  if (!m_committed) {
    std::error_code ec;
    fs::remove(m_temp, ec);
  }
}

void AtomicOutput::commit() {
  if (m_committed) return;
  if (!fs::exists(m_temp)) throw Error(ErrorCode::io_error, m_temp.string() + ": nothing was written");
  if (::rename(m_temp.c_str(), m_final.c_str()) != 0) io_fail(m_final, "rename failed");
  m_committed = true;
}

} // namespace shipchips
