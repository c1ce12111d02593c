// The fixture server's Range header evaluation (fixture::evaluate_range, RFC 9110 section 14).
// The input is the file size in decimal, a newline, and the header value. Every header gets a
// decision (no exceptions); a single range lies inside the file, and asking again for exactly
// that range gives the same answer.
#include "fixture/server_range.hpp"
#include "fuzz_support.hpp"

#include <charconv>

using namespace shipchips;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [size_text, header] = fuzz::split_at(fuzz::as_text(data, size), '\n');
  std::uint64_t file_size = 0;
  std::from_chars(size_text.data(), size_text.data() + size_text.size(), file_size);
  const fixture::RangeDecision d = fixture::evaluate_range(header, file_size);
  switch (d.kind) {
    case fixture::RangeKind::single: {
      SHIPCHIPS_FUZZ_CHECK(d.first <= d.last && d.last < file_size);
      SHIPCHIPS_FUZZ_CHECK(d.length() >= 1 && d.length() <= file_size);
      const std::string exact = "bytes=" + std::to_string(d.first) + "-" + std::to_string(d.last);
      const fixture::RangeDecision again = fixture::evaluate_range(exact, file_size);
      SHIPCHIPS_FUZZ_CHECK(again.kind == fixture::RangeKind::single && again.first == d.first && again.last == d.last);
      break;
    }
    case fixture::RangeKind::unsatisfiable:
      // Only a range that starts at or past the end, a suffix of 0 bytes, or an empty file.
      SHIPCHIPS_FUZZ_CHECK(header.find('-') != std::string_view::npos);
      break;
    case fixture::RangeKind::none:
    case fixture::RangeKind::multiple:
      break;
  }
  return 0;
}
