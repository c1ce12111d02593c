#include "core/atomic_file.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

namespace shipchips {
namespace fs = std::filesystem;
namespace {

// Unique per process and call, so concurrent writers of the same file never share a temp name.
fs::path temp_name_for(const fs::path& final_path) {
  static std::atomic<unsigned long> counter{0};
  static const unsigned long salt = std::random_device{}();
  // ".tiles.tmp.<pid>.<salt>.<n>.parquet": the extension once and last, so format-sniffing
  // writers (GDAL) pick the right driver, and never inside the name (GDAL's XLSX writer goes
  // through /vsizip/, which cuts a path at the first ".xlsx").
  std::string name = ".";
  name += final_path.stem().string();
  name += ".tmp.";
  name += std::to_string(::getpid());
  name += '.';
  name += std::to_string(salt % 100000);
  name += '.';
  name += std::to_string(counter++);
  name += final_path.extension().string();
  return final_path.parent_path() / name;
}

fs::path folder_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

[[noreturn]] void io_fail(const fs::path& path, std::string_view what, int error_number) {
  throw Error(ErrorCode::io_error, path.string() + ": " + std::string(what) + ": " + std::strerror(error_number));
}

// Closes the descriptor on every path; the first failure wins.
class Descriptor {
 public:
  explicit Descriptor(int fd) : m_fd(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (m_fd >= 0) ::close(m_fd);
  }
  int get() const { return m_fd; }
  // Returns 0 or the errno of close().
  int close() {
    const int fd = m_fd;
    m_fd = -1;
    return ::close(fd) == 0 ? 0 : errno;
  }

 private:
  int m_fd;
};

// Errors name `shown` (the file the caller writes, not its temporary name) when given.
void fsync_path(const fs::path& path, int flags, std::string_view what, const fs::path& shown = {}) {
  const fs::path& name = shown.empty() ? path : shown;
  Descriptor fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (fd.get() < 0) io_fail(name, std::string("cannot open to ") + std::string(what), errno);
  if (::fsync(fd.get()) != 0) io_fail(name, what, errno);
  if (const int e = fd.close(); e != 0) io_fail(name, what, e);
}

void remove_quietly(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

// The pid of a temporary's name, or 0 when the name is not one of ours.
long temp_owner_pid(const std::string& name) {
  if (name.size() < 8 || name[0] != '.') return 0;
  const auto at = name.find(".tmp.");
  if (at == std::string::npos || at == 0) return 0;
  std::size_t pos = at + 5;
  auto digits = [&](long& value) {
    const std::size_t start = pos;
    value = 0;
    while (pos < name.size() && name[pos] >= '0' && name[pos] <= '9' && pos - start < 12) {
      value = value * 10 + (name[pos] - '0');
      ++pos;
    }
    return pos > start;
  };
  long pid = 0, salt = 0, n = 0;
  if (!digits(pid) || pos >= name.size() || name[pos++] != '.') return 0;
  if (!digits(salt) || pos >= name.size() || name[pos++] != '.') return 0;
  if (!digits(n)) return 0;
  if (pos < name.size() && name[pos] != '.') return 0;  // then only the extension
  return pid;
}

bool process_alive(long pid) {
  if (pid == static_cast<long>(::getpid())) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

std::vector<fs::path> remove_stale_temporaries(const fs::path& root, bool dry_run) {
  std::vector<fs::path> removed;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return removed;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const long pid = temp_owner_pid(it->path().filename().string());
    if (pid <= 0 || process_alive(pid)) continue;
    if (dry_run || fs::remove(it->path(), ec)) removed.push_back(it->path());
  }
  return removed;
}

void make_directories(const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorCode::io_error, dir.string() + ": cannot create folder: " + ec.message());
}

void fsync_directory(const fs::path& dir) {
  fsync_path(dir.empty() ? fs::path(".") : dir, O_RDONLY | O_DIRECTORY, "sync folder");
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  make_directories(path.parent_path());
  const fs::path temp = temp_name_for(path);
  try {
    Descriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) io_fail(path, "cannot create its temporary file", errno);
    std::size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        io_fail(path, "write failed", errno);
      }
      written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) io_fail(path, "flush failed", errno);
    if (const int e = fd.close(); e != 0) io_fail(path, "flush failed", e);
    if (::rename(temp.c_str(), path.c_str()) != 0) io_fail(path, "rename failed", errno);
  } catch (...) {
    remove_quietly(temp);
    throw;
  }
  fsync_directory(folder_of(path));
}

AtomicOutput::AtomicOutput(fs::path final_path) : m_final(std::move(final_path)) {
  make_directories(m_final.parent_path());
  m_temp = temp_name_for(m_final);
}

AtomicOutput::~AtomicOutput() {
  if (!m_committed) remove_quietly(m_temp);
}

void AtomicOutput::commit() {
  if (m_committed) return;
  if (!fs::exists(m_temp))
    throw Error(ErrorCode::io_error,
                m_final.string() + ": nothing was written (to " + m_temp.filename().string() + ")");
  // The writer (GDAL, SQLite, our own stream) closed the file; its bytes may still be only in
  // the page cache.
  fsync_path(m_temp, O_RDONLY, "flush", m_final);
  if (::rename(m_temp.c_str(), m_final.c_str()) != 0) io_fail(m_final, "rename failed", errno);
  m_committed = true;
  fsync_directory(folder_of(m_final));
}

}  // namespace shipchips
