#pragma once
// One line of an AIVDM/AIVDO file: the NMEA 0183 sentence and what surrounds it.
//
//   !AIVDM,2,1,3,B,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C
//   \s:2573135,c:1671620143*0B\!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24   (NMEA 4.0 tag block)
//   !AIVDM,1,1,,B,15N4cJ`005Jrek0H@9n`DW5608EP,0*13,rMySSTA1,1184300012          (USCG archive form)
//
// Parsing copies nothing: the views point into the caller's line.

#include "core/time.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace shipchips::ais {

struct NmeaSentence {
  std::string_view talker;     // "AI", "AB", "BS", ... (two characters)
  std::string_view formatter;  // "VDM" (received) or "VDO" (own ship)
  int fragment_count = 1;      // 1..9
  int fragment_number = 1;     // 1..fragment_count
  int sequence_id = -1;        // 0..9, -1 when the field is empty
  char channel = '\0';         // 'A', 'B', '1', '2', or '\0' when empty
  std::string_view payload;    // armoured six-bit characters
  int fill_bits = 0;           // 0..5
  // Receiver time: tag block "c:" (Unix seconds, or milliseconds when 13 digits), else the
  // USCG form's trailing Unix time.
  std::optional<UtcTime> time;
  // Receiving station: tag block "s:" or the USCG form's "r" field; empty when absent.
  std::string_view station;
};

enum class LineKind {
  sentence,  // parsed into the NmeaSentence
  blank,     // empty, whitespace or a '#' comment: nothing to report
  invalid,   // not a well-formed AIVDM/AIVDO sentence (see SentenceError)
};

struct SentenceError {
  std::string field;    // "checksum", "tag block", "fragment count", ...
  std::string message;  // what was wrong, quoting the offending text
};

// Parses one line (a trailing "\r" or "\n" is ignored). On LineKind::invalid, `error` (when
// given) says which field is wrong.
LineKind parse_sentence(std::string_view line, NmeaSentence& out, SentenceError* error = nullptr);

// XOR of the characters of `body` (the text between '!'/'\' and '*').
unsigned nmea_xor(std::string_view body) noexcept;

}  // namespace shipchips::ais
