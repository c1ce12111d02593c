#include "ais/nmea_decode.hpp"

#include "ais/nmea_json.hpp"
#include "ais/nmea_text.hpp"
#include "core/error.hpp"

namespace shipchips::ais {

NmeaDecodeReport decode_nmea(std::istream& in, const std::string& name, const NmeaDecodeOptions& options,
                             const NmeaDecodeSinks& sinks) {
  NmeaDecodeReport report;
  NmeaStreamDecoder decoder;
  DecodedAis decoded;
  SentenceError error;
  std::string line;
  std::string out;
  out.reserve(1 << 17);
  const auto flush = [&] {
    if (!out.empty() && sinks.write) sinks.write(out);
    out.clear();
  };
  long line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if ((line_number & 0xffff) == 0 && sinks.progress) sinks.progress(line_number);
    const FeedResult r = decoder.feed(line, line_number, decoded, &error);
    if (r == FeedResult::message) {
      if (options.output == NmeaOutput::gpsd_json) {
        // gpsd ends its lines with "\r\n"; a JSON-lines file wants plain "\n".
        if (append_gpsd_json(decoded.message, out, name)) out.erase(out.size() - 2, 1);
      } else {
        out += summarize(decoded);
        out += '\n';
      }
      if (out.size() > (1 << 16)) flush();
    } else if (r == FeedResult::invalid) {
      ++report.bad_lines;
      const std::string where = located(name, line_number, error.field, error.message);
      if (options.strict) {
        flush();
        throw Error(ErrorCode::input_invalid, where);
      }
      if (report.reported < options.max_reported) {
        if (sinks.problem) sinks.problem(where);
        ++report.reported;
      }
    }
  }
  if (in.bad()) throw Error(ErrorCode::io_error, name + ": read error");
  flush();
  report.unfinished = decoder.finish();
  report.stream = decoder.stats();
  report.assembler = decoder.assembler_stats();
  return report;
}

std::string describe(const NmeaDecodeReport& r, const std::string& name) {
  std::string text;
  if (r.bad_lines > r.reported)
    text += name + ": ... and " + std::to_string(r.bad_lines - r.reported) + " more bad lines\n";
  const NmeaStreamStats& s = r.stream;
  text += name + ": " + std::to_string(s.lines) + " lines, " + std::to_string(s.sentences) + " sentences, " +
          std::to_string(s.messages) + " messages, " + std::to_string(s.decoded) + " decoded, " +
          std::to_string(s.unsupported) + " of other types, " + std::to_string(r.bad_lines) + " bad lines (" +
          std::to_string(s.invalid_sentences) + " bad sentences, " + std::to_string(s.undecodable) +
          " undecodable messages), " + std::to_string(r.assembler.dropped_groups) +
          " incomplete multi-sentence groups dropped" +
          (r.unfinished ? " (" + std::to_string(r.unfinished) + " at end of input)" : std::string()) + ", " +
          std::to_string(r.assembler.orphan_fragments) + " orphan fragments";
  return text;
}

}  // namespace shipchips::ais
