#pragma once
// Size and SHA-256 of a file on disk, read in blocks (chips are megabytes; a dataset is many of
// them). What the dataset manifest and the STAC catalog's file:size / file:checksum publish.

#include <cstdint>
#include <filesystem>
#include <string>

namespace shipchips::dataset {

struct FileDigest {
  std::uint64_t size = 0;
  std::string sha256;  // 64 lower-case hex digits
};

// Error(not_found) when `path` is not a regular file, Error(io_error) when it cannot be read;
// both name the path.
FileDigest file_digest(const std::filesystem::path& path);

// The STAC file extension's file:checksum: a multihash of SHA2-256 in hex ("1220" + digest).
std::string sha256_multihash(const FileDigest& digest);

}  // namespace shipchips::dataset
