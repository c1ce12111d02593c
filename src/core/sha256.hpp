#pragma once
// SHA-256 (OpenSSL EVP) of bytes and of files, as 64 lower-case hex digits: manifests, the
// dataset manifest, file checksums in the STAC catalog.

#include <filesystem>
#include <string>
#include <string_view>

namespace shipchips {

std::string sha256_of_bytes(std::string_view bytes);
// Streams the file in 1 MiB reads. Error(io_error) naming the file when it cannot be read.
std::string sha256_of_file(const std::filesystem::path& path);

}  // namespace shipchips
