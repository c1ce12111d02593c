#include "dataset/chip_id.hpp"

#include "core/error.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace shipchips::dataset {

std::string sha256_hex(std::string_view bytes) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1 || length != 32) {
    throw Error(ErrorCode::internal, "sha256: OpenSSL digest failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * static_cast<std::size_t>(length));
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0f];
  }
  return out;
}

std::string chip_id_key(std::int64_t mmsi, std::string_view scene_id) {
  if (mmsi < 0) throw Error(ErrorCode::invalid_argument, "chip_id: negative MMSI " + std::to_string(mmsi));
  if (scene_id.empty())
    throw Error(ErrorCode::invalid_argument, "chip_id: empty scene id for MMSI " + std::to_string(mmsi));
  std::string key = std::to_string(mmsi);
  key += '|';
  key += scene_id;
  return key;
}

std::string make_chip_id(std::int64_t mmsi, std::string_view scene_id) {
  return sha256_hex(chip_id_key(mmsi, scene_id)).substr(0, chip_id_length);
}

bool is_chip_id(std::string_view text) {
  if (text.size() != chip_id_length) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace shipchips::dataset
