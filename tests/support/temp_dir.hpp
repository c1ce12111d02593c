#pragma once
// A fresh temporary folder for one test, removed when it goes out of scope (header-only).

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace shipchips::testing {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(std::string_view prefix)
      : path(std::filesystem::temp_directory_path() / (std::string(prefix) + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  // Writes `text` to a file of this folder and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace shipchips::testing
