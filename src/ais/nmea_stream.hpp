#pragma once
// The whole NMEA path for one input stream: line → sentence → reassembled message → bits →
// decoded AisMessage. Constant memory (the assembler's bounded groups and gpsd's 8-entry
// type 24 memory); counts every outcome so readers can report bad lines.
//
//   NmeaStreamDecoder decoder;
//   DecodedAis out;
//   while (getline(in, line))
//     if (decoder.feed(line, ++n, out) == FeedResult::message) use(out.message, out.time);

#include "ais/nmea_assembler.hpp"
#include "ais/nmea_bits.hpp"
#include "ais/nmea_messages.hpp"
#include "ais/nmea_sentence.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace shipchips::ais {

struct DecodedAis {
  AisMessage message;
  std::optional<UtcTime> time;  // from the tag block or the USCG trailing time, if any
  std::string station;
  char channel = '\0';
  bool own_ship = false;  // !..VDO
  long first_line = 0;
  long last_line = 0;
};

enum class FeedResult {
  nothing,  // blank/comment line, a fragment that does not finish a message, or a
            // complete message of a type not decoded here
  message,  // `out` holds a decoded message
  invalid,  // the line is not a valid sentence, or its message cannot be decoded
};

struct NmeaStreamStats {
  long lines = 0;
  long blank = 0;
  long sentences = 0;
  long invalid_sentences = 0;  // parse errors (syntax, checksum, tag block)
  long messages = 0;           // complete messages reassembled
  long decoded = 0;            // returned as FeedResult::message
  long unsupported = 0;        // complete, valid, of another type (6, 8, 21, ...)
  long undecodable = 0;        // complete, but bad payload characters or length for the type
};

class NmeaStreamDecoder {
 public:
  explicit NmeaStreamDecoder(AssemblerOptions options = {});

  // Feeds one line (`line_number` counts from 1). On FeedResult::invalid, `error` (when
  // given) names the field and the problem.
  FeedResult feed(std::string_view line, long line_number, DecodedAis& out, SentenceError* error = nullptr);

  // Call at end of input: drops unfinished multi-sentence groups; returns how many.
  std::size_t finish() { return m_assembler.flush(); }

  const NmeaStreamStats& stats() const noexcept { return m_stats; }
  const AssemblerStats& assembler_stats() const noexcept { return m_assembler.stats(); }

 private:
  NmeaAssembler m_assembler;
  AisDecoder m_decoder;
  AisBits m_bits;
  NmeaSentence m_sentence;
  NmeaMessage m_message;
  NmeaStreamStats m_stats;
};

}  // namespace shipchips::ais
