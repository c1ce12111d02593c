#pragma once
// What several fuzz targets share (header-only): the input as text, split into lines, written
// to a temporary file for the readers that take a path, and a check that aborts (a crash
// libFuzzer records) when the product breaks one of its documented promises.

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Lines as std::getline gives them (the trailing "\r" kept): what the readers see.
inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The first part of the input up to `separator` and the rest after it (the rest is empty when
// there is no separator).
inline std::pair<std::string_view, std::string_view> split_at(std::string_view text, char separator) {
  const std::size_t at = text.find(separator);
  if (at == std::string_view::npos) return {text, {}};
  return {text.substr(0, at), text.substr(at + 1)};
}

// One file per process (a target uses one extension), rewritten for every input and removed
// at exit; in /dev/shm when there is one, so a run does not wear the disk.
struct TempFile {
  std::filesystem::path path;
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

inline std::string write_temp_file(std::string_view bytes, std::string_view extension) {
  static const std::filesystem::path dir = std::filesystem::is_directory("/dev/shm")
                                               ? std::filesystem::path("/dev/shm")
                                               : std::filesystem::temp_directory_path();
  static const TempFile file{dir / ("shipchips-fuzz-" + std::to_string(::getpid()) + std::string(extension))};
  const std::filesystem::path& path = file.path;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  // A later modification time for every input: GDAL's /vsizip/ keeps an archive's listing until
  // the file's mtime (whole seconds) grows or its size changes, so two same-sized inputs within
  // one second would otherwise share the first one's listing.
  static std::int64_t generation = 0;
  std::filesystem::last_write_time(path,
                                   std::filesystem::file_time_type::clock::now() + std::chrono::seconds(++generation));
  return path.string();
}

// A broken promise of the product: report it and abort, so libFuzzer keeps the input.
#define SHIPCHIPS_FUZZ_CHECK(condition)                                                       \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)

}  // namespace shipchips::fuzz
