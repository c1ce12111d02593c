#pragma once
// AIVDM payload bits: NMEA 0183 six-bit armouring undone into a packed bit vector, and the
// ITU-R M.1371 field readers (unsigned, two's-complement signed, 6-bit ASCII text).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shipchips::ais {

// Six-bit value of one armoured payload character ('0'..'W' → 0..39, '`'..'w' → 40..63);
// -1 for a character outside the armouring alphabet.
int armour_value(char c) noexcept;

// The armoured character for a six-bit value 0..63 (inverse of armour_value).
char armour_char(unsigned value) noexcept;

// ITU-R M.1371 6-bit ASCII: 0..31 → '@'..'_', 32..63 → ' '..'?'.
char sixbit_ascii(unsigned value) noexcept;

class AisBits {
 public:
  // Longest AIVDM message: 5 slots = 1008 bits (gpsd allows the same).
  static constexpr std::size_t max_bits = 1008;

  // Undoes the armouring of `payload` and drops `fill_bits` (0..5) from the end.
  // Returns false (leaving the object empty) on a character outside the alphabet, a fill
  // count out of range, or a payload longer than max_bits.
  bool assign(std::string_view payload, int fill_bits);

  std::size_t size() const noexcept { return m_size; }

  // Bits [start, start+count) as an unsigned number, most significant bit first (count <= 32).
  // Fill bits read as sent and bits past the payload as zero (gpsd does the same).
  std::uint32_t u(std::size_t start, unsigned count) const noexcept;
  // The same field read as two's complement.
  std::int32_t s(std::size_t start, unsigned count) const noexcept;
  // `chars` six-bit characters from `start`, the way gpsd reads them: stop at the first '@'
  // (the "no more text" mark) and trim trailing spaces and '@'.
  std::string text(std::size_t start, unsigned chars) const;

 private:
  std::array<std::uint8_t, max_bits / 8 + 2> m_bytes{};
  std::size_t m_size = 0;
  std::size_t m_dirty = 0;  // bytes that may hold bits of an earlier payload
};

}  // namespace shipchips::ais
