#pragma once
// The text forms of HTTP that servers and clients share: percent-encoding, query strings,
// reason phrases and case-insensitive header lookup. Pure functions over strings.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shipchips::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX; in query components also '+' as space. nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space);
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view text);

// "a=1&b=x%20y" → {{"a","1"},{"b","x y"}}; malformed escapes are kept literally.
QueryParams parse_query_string(std::string_view query);
std::string build_query_string(const QueryParams& params);

// "Not Found" for 404; "Unknown" for a status without a registered phrase.
std::string_view reason_phrase(int status);

bool iequals(std::string_view a, std::string_view b);
// The value of the first header named `name` (case-insensitive); nullopt when absent.
std::optional<std::string> find_header(const HeaderList& headers, std::string_view name);

}  // namespace shipchips::http
