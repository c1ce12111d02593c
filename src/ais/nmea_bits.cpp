#include "ais/nmea_bits.hpp"

#include <cstring>

namespace shipchips::ais {

int armour_value(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 48 && u <= 87) return u - 48;
  if (u >= 96 && u <= 119) return u - 56;
  return -1;
}

char armour_char(unsigned value) noexcept {
  value &= 63U;
  return static_cast<char>(value < 40 ? value + 48 : value + 56);
}

char sixbit_ascii(unsigned value) noexcept {
  value &= 63U;
  return static_cast<char>(value < 32 ? value + 64 : value);
}

bool AisBits::assign(std::string_view payload, int fill_bits) {
  m_size = 0;
  if (fill_bits < 0 || fill_bits > 5 || payload.size() * 6 > max_bits + 5) return false;
  // Bytes past the payload must read as zero; clearing only what a previous, longer payload
  // may have left is cheaper than clearing the whole array every time.
  const std::size_t used = (payload.size() * 6 + 7) / 8;
  if (m_dirty > used) std::memset(m_bytes.data() + used, 0, m_dirty - used);
  m_dirty = used;
  // Accumulate 6 bits at a time into a 32-bit window and flush whole bytes: faster than
  // setting bit by bit, and this loop is the decoder's hot path.
  std::uint32_t acc = 0;
  unsigned acc_bits = 0;
  std::size_t byte = 0;
  for (char c : payload) {
    const int v = armour_value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    acc_bits += 6;
    if (acc_bits >= 8) {
      acc_bits -= 8;
      m_bytes[byte++] = static_cast<std::uint8_t>(acc >> acc_bits);
      acc &= (1U << acc_bits) - 1U;
    }
  }
  if (acc_bits > 0) m_bytes[byte] = static_cast<std::uint8_t>(acc << (8 - acc_bits));
  const std::size_t total = payload.size() * 6;
  if (static_cast<std::size_t>(fill_bits) > total) return false;
  m_size = total - static_cast<std::size_t>(fill_bits);
  if (m_size > max_bits) {
    m_size = 0;
    return false;
  }
  // Fill bits are left as sent: gpsd reads them too when a short type 5 (420/422 bits, common
  // in the wild) is decoded up to bit 424, and we agree with gpsd field by field.
  return true;
}

std::uint32_t AisBits::u(std::size_t start, unsigned count) const noexcept {
  if (count == 0) return 0;
  // Read up to 5 bytes covering the field into a 64-bit window.
  const std::size_t first = start / 8;
  std::uint64_t window = 0;
  if (first + 5 <= m_bytes.size()) {
    const std::uint8_t* p = m_bytes.data() + first;
    window = (std::uint64_t{p[0]} << 32) | (std::uint64_t{p[1]} << 24) | (std::uint64_t{p[2]} << 16) |
             (std::uint64_t{p[3]} << 8) | std::uint64_t{p[4]};
  } else {
    for (std::size_t i = 0; i < 5; ++i) {
      const std::size_t idx = first + i;
      window = (window << 8) | (idx < m_bytes.size() ? m_bytes[idx] : 0U);
    }
  }
  const unsigned shift = 40U - static_cast<unsigned>(start % 8) - count;
  const std::uint64_t mask = (count >= 32) ? 0xffffffffULL : ((1ULL << count) - 1ULL);
  return static_cast<std::uint32_t>((window >> shift) & mask);
}

std::int32_t AisBits::s(std::size_t start, unsigned count) const noexcept {
  const std::uint32_t raw = u(start, count);
  if (count == 0 || count >= 32) return static_cast<std::int32_t>(raw);
  const std::uint32_t sign = 1U << (count - 1);
  return static_cast<std::int32_t>(raw ^ sign) - static_cast<std::int32_t>(sign);
}

std::string AisBits::text(std::size_t start, unsigned chars) const {
  std::string out;
  out.reserve(chars);
  for (unsigned i = 0; i < chars; ++i) {
    const char c = sixbit_ascii(u(start + 6U * i, 6));
    if (c == '@') break;
    out.push_back(c);
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '@')) out.pop_back();
  return out;
}

}  // namespace shipchips::ais
