#pragma once
// Every output is written to a temporary name in the destination folder and renamed into
// place, so a reader never sees a half-written file and a crash leaves no partial output.

#include <filesystem>
#include <string_view>

namespace shipchips {

// Writes `bytes` to a temporary file next to `path`, flushes it to disk and renames it over
// `path`. Creates missing parent folders. Throws Error(io_error) naming the path.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// For writers that need a file name (GDAL, SQLite exports): write to temp_path(), then
// commit(). If commit() is never called, the destructor removes the temporary file.
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

} // namespace shipchips
