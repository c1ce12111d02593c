#include "dataset/file_digest.hpp"

#include "core/error.hpp"

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace shipchips::dataset {

FileDigest file_digest(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorCode::not_found, path.string() + ": no such file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io_error, path.string() + ": cannot open: " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorCode::internal, "sha256: OpenSSL digest failed");
  }
  FileDigest digest;
  std::vector<char> block(1 << 20);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    if (EVP_DigestUpdate(ctx.get(), block.data(), static_cast<std::size_t>(got)) != 1) {
      throw Error(ErrorCode::internal, "sha256: OpenSSL digest failed");
    }
    digest.size += static_cast<std::uint64_t>(got);
  }
  if (in.bad()) throw Error(ErrorCode::io_error, path.string() + ": read failed");
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md.data(), &length) != 1 || length != 32) {
    throw Error(ErrorCode::internal, "sha256: OpenSSL digest failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  digest.sha256.reserve(64);
  for (unsigned int i = 0; i < length; ++i) {
    digest.sha256 += kHex[md[i] >> 4];
    digest.sha256 += kHex[md[i] & 0x0f];
  }
  return digest;
}

std::string sha256_multihash(const FileDigest& digest) {
  return "1220" + digest.sha256;
}

}  // namespace shipchips::dataset
