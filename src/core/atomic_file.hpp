#pragma once
// Every output is written to a temporary name in the destination folder and renamed into
// place, so a reader never sees a half-written file and a crash leaves no partial output.
//
// Durability: the temporary file is fsynced before the rename and the folder is fsynced after
// it, so once write_file_atomic() or commit() returns, the new content survives a power loss
// (POSIX: the rename is only durable once the directory entry is on disk). On every failure
// the temporary file is removed and its descriptor closed.

#include <filesystem>
#include <string_view>
#include <vector>

namespace shipchips {

// Writes `bytes` to a temporary file next to `path`, fsyncs it, renames it over `path` and
// fsyncs the folder. Creates missing parent folders. Throws Error(io_error) naming the path.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// The temporaries that writers killed mid-write (kill -9, power loss) left under `root`, in every
// folder below it: files named ".<stem>.tmp.<pid>.<salt>.<n><ext>" (what this file's writers
// name them) whose pid is not a running process. Removes them and returns their paths; a
// temporary of a live process (another writer at work) is left alone. A missing root is empty.
// With dry_run, only lists them.
std::vector<std::filesystem::path> remove_stale_temporaries(const std::filesystem::path& root, bool dry_run = false);

// create_directories that throws Error(io_error) naming the folder instead of letting a
// std::filesystem_error escape (which would surface as an internal error).
void make_directories(const std::filesystem::path& dir);

// Flushes a folder's entries (new, renamed or removed files) to disk. Throws Error(io_error).
void fsync_directory(const std::filesystem::path& dir);

// For writers that need a file name (GDAL, SQLite exports): write to temp_path(), then
// commit(): fsync, rename into place, fsync the folder. If commit() is never called, the
// destructor removes the temporary file.
class AtomicOutput {
 public:
  explicit AtomicOutput(std::filesystem::path final_path);
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  ~AtomicOutput();

  const std::filesystem::path& temp_path() const { return m_temp; }
  const std::filesystem::path& final_path() const { return m_final; }
  void commit();

 private:
  std::filesystem::path m_final;
  std::filesystem::path m_temp;
  bool m_committed = false;
};

}  // namespace shipchips
