// Excel workbooks of the seed's upload schema, as `shipchips ais import` and the XLSX
// snapshots read them: the input is written to a temporary .xlsx file and read through GDAL's
// XLSX driver and the upload row rules. A workbook GDAL cannot open, an empty sheet or a bad
// cell is Error(input_invalid); any other exception is a crash.
#include "ais/readers_xlsx.hpp"
#include "core/error.hpp"
#include "fuzz_support.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>

using namespace shipchips;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // GDAL's own messages about broken archives would flood the fuzzer's output; the product
  // reports the failure through its exception.
  CPLSetErrorHandler(CPLQuietErrorHandler);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = fuzz::write_temp_file(fuzz::as_text(data, size), ".xlsx");
  ais::ReadOptions options;
  options.max_problems = 3;
  ais::AisSink sink{[](const ais::PositionReport& p) { SHIPCHIPS_FUZZ_CHECK(ais::valid_position(p.lat, p.lon)); },
                    [](const ais::StaticData&) {}};
  try {
    const ais::ReadReport report = ais::read_ais_file(path, sink, options);
    SHIPCHIPS_FUZZ_CHECK(report.format == ais::AisFormat::upload);
    SHIPCHIPS_FUZZ_CHECK(static_cast<long>(report.problems.size()) <= report.bad_rows);
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::input_invalid);
  }
  return 0;
}
