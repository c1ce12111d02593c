// AIS files as `shipchips ais import` and `chip --ais` read them: the input is written to a
// temporary .csv file, its format detected (DMA, MarineCadastre, upload CSV, NMEA) and read
// row by row; the same file through the seed's upload-schema reader. Bad input is
// Error(input_invalid) (strict, or when the header lacks a column) or a counted bad row; any
// other exception is a crash.
#include "ais/readers_csv.hpp"
#include "ais/upload_csv.hpp"
#include "core/error.hpp"
#include "fuzz_support.hpp"

#include <cmath>

using namespace shipchips;

namespace {

void check_position(const ais::PositionReport& p) {
  // Rows whose position is not available (91/181) or out of range never reach the sink.
  SHIPCHIPS_FUZZ_CHECK(ais::valid_position(p.lat, p.lon));
  if (p.sog_kn) SHIPCHIPS_FUZZ_CHECK(*p.sog_kn >= 0.0 && *p.sog_kn < 102.25);
  if (p.cog_deg) SHIPCHIPS_FUZZ_CHECK(*p.cog_deg >= 0.0 && *p.cog_deg < 360.0);
  if (p.heading_deg) SHIPCHIPS_FUZZ_CHECK(*p.heading_deg >= 0.0 && *p.heading_deg < 360.0);
}

void read_detected(const std::string& path, bool strict) {
  ais::ReadOptions options;
  options.strict = strict;
  options.max_problems = 3;
  long positions = 0;
  ais::AisSink sink{[&](const ais::PositionReport& p) {
                      check_position(p);
                      ++positions;
                    },
                    [](const ais::StaticData&) {}};
  try {
    const ais::ReadReport report = ais::read_ais_file(path, sink, options);
    SHIPCHIPS_FUZZ_CHECK(report.positions == positions);
    SHIPCHIPS_FUZZ_CHECK(report.problems.size() <= options.max_problems);
    SHIPCHIPS_FUZZ_CHECK(static_cast<long>(report.problems.size()) <= report.bad_rows);
    if (strict) SHIPCHIPS_FUZZ_CHECK(report.bad_rows == 0);
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::input_invalid);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = fuzz::write_temp_file(fuzz::as_text(data, size), ".csv");
  read_detected(path, false);
  read_detected(path, true);
  try {
    const ais::UploadReadReport report = ais::read_upload_csv(
        path, false, [](const ais::UploadRow& row) { SHIPCHIPS_FUZZ_CHECK(ais::valid_position(row.lat, row.lon)); });
    SHIPCHIPS_FUZZ_CHECK(report.bad_rows <= report.rows);
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::input_invalid);
  }
  return 0;
}
