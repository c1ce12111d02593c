#pragma once
// UTF-8 validity (RFC 3629): what every text that ends up in JSON must be, since nlohmann::json
// refuses to dump anything else. Strict: no overlong forms, no UTF-16 surrogates (U+D800..DFFF),
// nothing above U+10FFFF.

#include <cstddef>
#include <string_view>

namespace shipchips {

// Offset of the first byte that does not start a valid UTF-8 sequence, or npos.
std::size_t invalid_utf8_at(std::string_view text) noexcept;

inline bool is_valid_utf8(std::string_view text) noexcept {
  return invalid_utf8_at(text) == std::string_view::npos;
}

}  // namespace shipchips
