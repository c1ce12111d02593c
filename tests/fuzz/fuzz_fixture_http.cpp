// What the fixture server does with the bytes a client sends before it touches its world:
// the request (http::parse_request: Beast's parser, limits, path decoding, query parameters,
// as core/http_server reads it), header lookups, the Range header, the query string, and the
// STAC search parameters of a GET query or a POST body. Bad requests are return values
// (ParseResult::rejected, a RangeDecision) or, for search parameters, Error(invalid_argument)
// (a 400); any other exception is a crash.
#include "core/error.hpp"
#include "core/http_server.hpp"
#include "core/http_text.hpp"
#include "fixture/server_range.hpp"
#include "fixture/stac_api_params.hpp"
#include "fuzz_support.hpp"

using namespace shipchips;

namespace {

void parse_search(const http::Request& request) {
  try {
    if (request.method == "POST") {
      const nlohmann::json body =
          request.body.empty() ? nlohmann::json::object() : nlohmann::json::parse(request.body, nullptr, false);
      if (body.is_discarded()) return;  // the server answers "Invalid JSON body" (400)
      (void)fixture::parse_search_body(body);
    } else {
      (void)fixture::parse_search_query(request.params);
    }
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::invalid_argument);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view buffer = fuzz::as_text(data, size);
  // A head limit inside fuzzer-sized inputs (so 431 is reached), a body limit that is not.
  const http::ParseResult parsed = http::parse_request(buffer, 2048, 4096);
  if (parsed.status == http::ParseResult::Status::rejected) {
    SHIPCHIPS_FUZZ_CHECK(!parsed.error.empty());
    SHIPCHIPS_FUZZ_CHECK(parsed.http_status == 400 || parsed.http_status == 413 || parsed.http_status == 431 ||
                         parsed.http_status == 505);
    return 0;
  }
  if (parsed.status == http::ParseResult::Status::incomplete) return 0;
  const http::Request& request = parsed.request;
  SHIPCHIPS_FUZZ_CHECK(parsed.consumed >= 4 && parsed.consumed <= buffer.size());
  SHIPCHIPS_FUZZ_CHECK(!request.method.empty() && !request.path.empty() && request.path.front() == '/');
  SHIPCHIPS_FUZZ_CHECK(request.body.size() <= 4096);
  const fixture::RangeDecision range = fixture::evaluate_range(request.header("Range"), 1 << 20);
  if (range.kind == fixture::RangeKind::single)
    SHIPCHIPS_FUZZ_CHECK(range.first <= range.last && range.last < (1 << 20));

  // The query string survives a round trip through its encoder.
  SHIPCHIPS_FUZZ_CHECK(http::parse_query_string(http::build_query_string(request.params)) == request.params);

  parse_search(request);
  return 0;
}
