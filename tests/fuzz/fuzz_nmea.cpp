// NMEA AIVDM/AIVDO lines through the path `shipchips ais decode` takes: sentence parsing, the
// multi-sentence assembler, payload bits, message decoding, gpsd JSON and the readable summary.
// Two decoders see the same lines: one with the default assembler limits and one with tight
// ones, so eviction, line-gap and age expiry run too. The decoder reports bad input as return
// values (no exceptions are documented), so any exception is a crash.
#include "ais/nmea_json.hpp"
#include "ais/nmea_stream.hpp"
#include "ais/nmea_text.hpp"
#include "fuzz_support.hpp"

#include <nlohmann/json.hpp>

using namespace shipchips;

namespace {

void decode_all(const std::vector<std::string_view>& lines, ais::AssemblerOptions options) {
  ais::NmeaStreamDecoder decoder(options);
  ais::DecodedAis out;
  ais::SentenceError error;
  std::string json;
  long line_number = 0;
  for (std::string_view line : lines) {
    error = {};
    const ais::FeedResult result = decoder.feed(line, ++line_number, out, &error);
    if (result == ais::FeedResult::invalid) {
      // Every bad line is reported as "file:line: field: message".
      SHIPCHIPS_FUZZ_CHECK(!error.field.empty());
      SHIPCHIPS_FUZZ_CHECK(!error.message.empty());
      continue;
    }
    if (result != ais::FeedResult::message) continue;
    SHIPCHIPS_FUZZ_CHECK(out.first_line >= 1 && out.first_line <= out.last_line && out.last_line == line_number);
    json.clear();
    if (ais::append_gpsd_json(out.message, json, "stdin")) {
      SHIPCHIPS_FUZZ_CHECK(json.size() >= 2 && json.ends_with("\r\n"));
      SHIPCHIPS_FUZZ_CHECK(nlohmann::json::accept(json));
    }
    SHIPCHIPS_FUZZ_CHECK(!ais::summarize(out).empty());
    if (const auto fix = ais::position_fix(out.message)) {
      if (fix->lat) SHIPCHIPS_FUZZ_CHECK(*fix->lat >= -90.0 && *fix->lat <= 90.0);
      if (fix->lon) SHIPCHIPS_FUZZ_CHECK(*fix->lon >= -180.0 && *fix->lon <= 180.0);
      if (fix->second) SHIPCHIPS_FUZZ_CHECK(*fix->second >= 0 && *fix->second <= 59);
    }
    (void)ais::ship_static(out.message);
  }
  decoder.finish();
  const ais::NmeaStreamStats& s = decoder.stats();
  SHIPCHIPS_FUZZ_CHECK(s.lines == line_number);
  SHIPCHIPS_FUZZ_CHECK(s.blank + s.invalid_sentences + s.sentences == s.lines);
  SHIPCHIPS_FUZZ_CHECK(s.decoded + s.unsupported + s.undecodable == s.messages);
  SHIPCHIPS_FUZZ_CHECK(decoder.assembler_stats().completed == s.messages);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string_view> lines = fuzz::split_lines(fuzz::as_text(data, size));
  decode_all(lines, ais::AssemblerOptions{});
  ais::AssemblerOptions tight;
  tight.max_pending = 2;
  tight.max_line_gap = 3;
  tight.max_age_s = 1.0;
  decode_all(lines, tight);
  return 0;
}
