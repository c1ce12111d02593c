// One page of a STAC item search (an ItemCollection) as StacClient::search reads it
// (stac::parse_search_page): JSON, the FeatureCollection shape, every item, the next link and
// the match count. A page that breaks the contract is Error(contract_violation); any other
// exception is a crash.
#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "stac/search.hpp"

using namespace shipchips;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  stac::SearchPage page;
  try {
    page = stac::parse_search_page(fuzz::as_text(data, size), "POST fuzz/search page 1");
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::contract_violation);
    return 0;
  }
  for (const stac::Item& item : page.items) SHIPCHIPS_FUZZ_CHECK(!item.id.empty());
  if (page.next) {
    SHIPCHIPS_FUZZ_CHECK(page.next->method == "GET" || page.next->method == "POST");
    (void)page.next->body.dump();
  }
  return 0;
}
