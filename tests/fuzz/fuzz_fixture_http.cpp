// What the fixture server does with the bytes a client sends before it touches its world:
// the request head (fixture::parse_request_head), header lookups, keep-alive, the Range
// header, the query string, and the STAC search parameters of a GET query or a POST body.
// Bad requests are return values (HeadParse::invalid, a RangeDecision) or, for search
// parameters, Error(invalid_argument) (a 400); any other exception is a crash.
#include "core/error.hpp"
#include "fixture/server_http.hpp"
#include "fixture/server_range.hpp"
#include "fixture/stac_api_params.hpp"
#include "fuzz_support.hpp"

using namespace shipchips;

namespace {

void parse_search(const fixture::HttpRequest& request) {
  try {
    if (request.method == "POST") {
      const nlohmann::json body =
          request.body.empty() ? nlohmann::json::object() : nlohmann::json::parse(request.body, nullptr, false);
      if (body.is_discarded()) return;  // the server answers "Invalid JSON body" (400)
      (void)fixture::parse_search_body(body);
    } else {
      (void)fixture::parse_search_query(fixture::parse_query_string(request.query));
    }
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::invalid_argument);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view buffer = fuzz::as_text(data, size);
  fixture::HttpRequest request;
  const fixture::HeadResult head = fixture::parse_request_head(buffer, request);
  if (head.status == fixture::HeadParse::invalid) {
    SHIPCHIPS_FUZZ_CHECK(!head.error.empty());
    return 0;
  }
  if (head.status == fixture::HeadParse::incomplete) return 0;
  SHIPCHIPS_FUZZ_CHECK(head.head_length >= 4 && head.head_length <= buffer.size());
  SHIPCHIPS_FUZZ_CHECK(!request.method.empty() && !request.path.empty() && request.path.front() == '/');
  (void)request.keep_alive();
  const fixture::RangeDecision range = fixture::evaluate_range(request.header("Range"), 1 << 20);
  if (range.kind == fixture::RangeKind::single)
    SHIPCHIPS_FUZZ_CHECK(range.first <= range.last && range.last < (1 << 20));

  // The query string survives a round trip through its encoder.
  const auto params = fixture::parse_query_string(request.query);
  SHIPCHIPS_FUZZ_CHECK(fixture::parse_query_string(fixture::build_query_string(params)) == params);

  request.body = std::string(buffer.substr(head.head_length));
  parse_search(request);
  return 0;
}
