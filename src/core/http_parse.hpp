#pragma once
// Beast glue shared by http_message.cpp and http_server.cpp (not for use outside core): how a
// parser error becomes an HTTP status, and how a parsed Beast message becomes a Request.

#include "core/http_server.hpp"

#include <boost/beast/http.hpp>

#include <optional>
#include <string>

namespace shipchips::http {

struct Rejection {
  int status = 400;
  std::string message;
};

// header_limit → 431, body_limit → 413, bad_version (Beast reads only 1.x) → 505, any other
// parser error → 400; nullopt for no error.
std::optional<Rejection> classify_parse_error(const boost::system::error_code& ec);

// Method, target, version and headers: what a rejected request's error response can see.
void copy_head(const boost::beast::http::request<boost::beast::http::string_body>& message, Request& request);

// Fills the whole request (path decoded, query parsed, body moved); a rejection for an HTTP
// version other than 1.0/1.1 (505) or a target that is not an absolute path (400).
std::optional<Rejection> finish_request(boost::beast::http::request<boost::beast::http::string_body>&& message,
                                        Request& request);

}  // namespace shipchips::http
