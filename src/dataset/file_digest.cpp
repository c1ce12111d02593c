#include "dataset/file_digest.hpp"

#include "core/error.hpp"
#include "core/sha256.hpp"

namespace shipchips::dataset {

FileDigest file_digest(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorCode::not_found, path.string() + ": no such file");
  }
  FileDigest digest;
  digest.size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(ErrorCode::io_error, path.string() + ": cannot read its size: " + ec.message());
  digest.sha256 = sha256_of_file(path);
  return digest;
}

std::string sha256_multihash(const FileDigest& digest) {
  return "1220" + digest.sha256;
}

}  // namespace shipchips::dataset
