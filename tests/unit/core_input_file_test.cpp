// Input files the user names: a missing file, a directory and a readable file read the same
// from every reader (core/input_file.hpp).
#include "../support/temp_dir.hpp"
#include "core/error.hpp"
#include "core/input_file.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace shipchips;

namespace {

Error error_of(const std::filesystem::path& path, std::string_view what) {
  try {
    read_input_file(path, what);
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::internal, "no error");
}

}  // namespace

TEST(CoreInputFile, MissingFileIsNotFoundNamingThePath) {
  const shipchips::testing::TempDir dir("input-file-missing");
  const Error e = error_of(dir.path / "plan.kml", "ESA plan KML");
  EXPECT_EQ(e.code(), ErrorCode::not_found);
  EXPECT_EQ(std::string(e.what()), (dir.path / "plan.kml").string() + ": no such file (ESA plan KML)");
}

TEST(CoreInputFile, DirectoryIsInvalidInputNamingThePath) {
  const shipchips::testing::TempDir dir("input-file-dir");
  const Error e = error_of(dir.path, "file");
  EXPECT_EQ(e.code(), ErrorCode::input_invalid);
  EXPECT_EQ(std::string(e.what()), dir.path.string() + ": is a directory, not a file");
  EXPECT_THROW(open_input_file(dir.path), Error);
  EXPECT_THROW(check_input_file(dir.path), Error);
}

TEST(CoreInputFile, ReadsWholeFilesEmptyOnesToo) {
  const shipchips::testing::TempDir dir("input-file-read");
  const std::string bytes("a\0b\nc", 5);
  EXPECT_EQ(read_input_file(dir.write("bytes.bin", bytes)), bytes);
  EXPECT_EQ(read_input_file(dir.write("empty.txt", "")), "");
  std::ifstream in = open_input_file(dir.path / "bytes.bin");
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, std::string("a\0b", 3));
  EXPECT_NO_THROW(check_input_file("/dev/null"));  // devices and pipes are read like files
}
