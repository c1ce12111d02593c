// The message half of core/http_server.hpp: requests built from Beast's parser, responses and
// their factories. The socket half is http_server.cpp.
#include "core/http_parse.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>
#include <algorithm>

namespace shipchips::http {

namespace bhttp = boost::beast::http;

std::string Request::header(std::string_view name) const {
  auto value = find_header(headers, name);
  return value ? std::move(*value) : std::string();
}

std::optional<std::string> Request::param(std::string_view name) const {
  for (const auto& [key, value] : params)
    if (key == name) return value;
  return std::nullopt;
}

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = other.release();
  }
  return *this;
}

FileHandle::~FileHandle() {
  if (m_fd >= 0) ::close(m_fd);
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

Response Response::json(int status, std::string body, std::string content_type) {
  return text(status, std::move(body), std::move(content_type));
}

Response Response::json_error(int status, std::string_view message) {
  std::string code;
  for (char c : reason_phrase(status))
    if (c != ' ' && c != '-') code.push_back(c);
  const nlohmann::json body = {{"code", code}, {"description", message}};
  return json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response Response::file_range(int status, FileHandle file, std::uint64_t offset, std::uint64_t length) {
  Response response;
  response.status = status;
  response.file = std::move(file);
  response.file_offset = offset;
  response.file_length = length;
  return response;
}

Response Response::raw_bytes(std::string bytes, bool close_after) {
  Response response;
  response.action = Action::raw;
  response.body = std::move(bytes);
  response.close_connection = close_after;
  return response;
}

Response Response::hang() {
  Response response;
  response.action = Action::hang;
  return response;
}

Response Response::close() {
  Response response;
  response.action = Action::close;
  response.close_connection = true;
  return response;
}

Response Response::reset() {
  Response response;
  response.action = Action::reset;
  response.close_connection = true;
  return response;
}

void Response::set_header(std::string_view name, std::string value) {
  headers.erase(std::remove_if(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); }),
                headers.end());
  headers.emplace_back(std::string(name), std::move(value));
}

std::optional<Rejection> classify_parse_error(const boost::system::error_code& ec) {
  if (!ec) return std::nullopt;
  if (ec == bhttp::error::header_limit) return Rejection{431, "request head too large"};
  if (ec == bhttp::error::body_limit) return Rejection{413, "request body too large"};
  if (ec == bhttp::error::bad_version) return Rejection{505, "unsupported HTTP version"};
  return Rejection{400, "malformed request: " + ec.message()};
}

void copy_head(const bhttp::request<bhttp::string_body>& message, Request& request) {
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.version = static_cast<int>(message.version());
  request.headers.clear();
  for (const auto& field : message) request.headers.emplace_back(field.name_string(), field.value());
}

std::optional<Rejection> finish_request(bhttp::request<bhttp::string_body>&& message, Request& request) {
  copy_head(message, request);
  if (request.version != 10 && request.version != 11) return Rejection{505, "unsupported HTTP version"};
  std::string_view raw_path = request.target;
  request.query.clear();
  if (auto q = raw_path.find('?'); q != std::string_view::npos) {
    request.query = std::string(raw_path.substr(q + 1));
    raw_path = raw_path.substr(0, q);
  }
  if (auto hash = raw_path.find('#'); hash != std::string_view::npos) raw_path = raw_path.substr(0, hash);
  auto decoded = percent_decode(raw_path, false);
  if (!decoded || decoded->empty() || decoded->front() != '/') return Rejection{400, "malformed request target"};
  request.path = std::move(*decoded);
  request.params = parse_query_string(request.query);
  request.keep_alive = message.keep_alive();
  request.body = std::move(message.body());
  request.received = Clock::now();
  return std::nullopt;
}

ParseResult parse_request(std::string_view bytes, std::uint32_t header_limit, std::uint64_t body_limit) {
  ParseResult result;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(header_limit);
  parser.body_limit(body_limit);
  std::size_t offset = 0;
  while (!parser.is_done()) {
    boost::system::error_code ec;
    const std::size_t used = parser.put(boost::asio::buffer(bytes.data() + offset, bytes.size() - offset), ec);
    offset += used;
    if (ec == bhttp::error::need_more || (!ec && used == 0)) return result;  // incomplete
    if (auto rejection = classify_parse_error(ec)) {
      if (parser.is_header_done()) copy_head(parser.get(), result.request);
      result.status = ParseResult::Status::rejected;
      result.http_status = rejection->status;
      result.error = std::move(rejection->message);
      return result;
    }
  }
  if (auto rejection = finish_request(parser.release(), result.request)) {
    result.status = ParseResult::Status::rejected;
    result.http_status = rejection->status;
    result.error = std::move(rejection->message);
    return result;
  }
  result.status = ParseResult::Status::complete;
  result.consumed = offset;
  return result;
}

}  // namespace shipchips::http
