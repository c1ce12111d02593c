#pragma once
// `shipchips ais decode` as a function: an AIVDM/AIVDO text stream (plain, with NMEA 4.0 tag
// blocks, or the USCG archive form) decoded line by line into one output line per complete
// message — gpsd-compatible JSON (`gpsdecode -j`'s objects, "\n"-terminated) or a readable
// summary — with bad lines counted and reported as "file:line: field: problem".

#include "ais/nmea_assembler.hpp"
#include "ais/nmea_stream.hpp"

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>

namespace shipchips::ais {

enum class NmeaOutput { gpsd_json, summary };

struct NmeaDecodeOptions {
  NmeaOutput output = NmeaOutput::summary;
  bool strict = false;     // the first bad line throws Error(input_invalid) naming file and line
  long max_reported = 50;  // bad lines given to `problem` one by one; the rest are only counted
};

struct NmeaDecodeSinks {
  std::function<void(std::string_view)> write;      // decoded output, in chunks of whole lines
  std::function<void(const std::string&)> problem;  // "file:line: field: problem"; may be empty
  std::function<void(long line_number)> progress;   // every 65536 lines; may be empty
};

struct NmeaDecodeReport {
  NmeaStreamStats stream;
  AssemblerStats assembler;
  long bad_lines = 0;
  long reported = 0;           // bad lines given to `problem`
  std::size_t unfinished = 0;  // multi-sentence groups still open at the end of input
};

// Reads `in` to its end; `name` names the input in problems (a file name, or "stdin").
// Error(io_error) when the stream fails; Error(input_invalid) on a bad line with strict (the
// output of the lines before it is written first).
NmeaDecodeReport decode_nmea(std::istream& in, const std::string& name, const NmeaDecodeOptions& options,
                             const NmeaDecodeSinks& sinks);

// One line: "NAME: L lines, S sentences, M messages, ... orphan fragments" (and "... and N more
// bad lines" first when not all were reported).
std::string describe(const NmeaDecodeReport& report, const std::string& name);

}  // namespace shipchips::ais
