#include "ais/nmea_stream.hpp"

namespace shipchips::ais {

NmeaStreamDecoder::NmeaStreamDecoder(AssemblerOptions options) : m_assembler(options) {}

FeedResult NmeaStreamDecoder::feed(std::string_view line, long line_number, DecodedAis& out, SentenceError* error) {
  ++m_stats.lines;
  switch (parse_sentence(line, m_sentence, error)) {
    case LineKind::blank:
      ++m_stats.blank;
      return FeedResult::nothing;
    case LineKind::invalid:
      ++m_stats.invalid_sentences;
      return FeedResult::invalid;
    case LineKind::sentence:
      break;
  }
  ++m_stats.sentences;
  if (!m_assembler.add(m_sentence, line_number, m_message)) return FeedResult::nothing;
  ++m_stats.messages;
  if (!m_bits.assign(m_message.payload, m_message.fill_bits)) {
    ++m_stats.undecodable;
    if (error) {
      error->field = "payload";
      error->message = "has a character outside the six-bit alphabet or is too long";
    }
    return FeedResult::invalid;
  }
  switch (m_decoder.decode(m_bits, out.message, m_message.channel)) {
    case DecodeStatus::ok:
      break;
    case DecodeStatus::unsupported_type:
      ++m_stats.unsupported;
      return FeedResult::nothing;
    case DecodeStatus::bad_length:
    case DecodeStatus::bad_subtype:
      ++m_stats.undecodable;
      if (error) {
        error->field = "payload";
        error->message = "message type " + std::to_string(m_bits.u(0, 6)) + " with " + std::to_string(m_bits.size()) +
                         " bits is too short or malformed";
      }
      return FeedResult::invalid;
  }
  ++m_stats.decoded;
  out.time = m_message.time;
  out.station = m_message.station;
  out.channel = m_message.channel;
  out.own_ship = m_message.own_ship;
  out.first_line = m_message.first_line;
  out.last_line = m_message.last_line;
  return FeedResult::message;
}

}  // namespace shipchips::ais
