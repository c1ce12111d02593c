#include "raster/gdal_errors.hpp"

#include <cpl_error.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cctype>
#include <regex>

namespace shipchips::raster {

GdalErrorCapture::GdalErrorCapture() {
  CPLPushErrorHandlerEx([](CPLErr error_class, CPLErrorNum number,
                           const char* message) { handler(static_cast<int>(error_class), number, message); },
                        this);
}

GdalErrorCapture::~GdalErrorCapture() {
  CPLPopErrorHandler();
}

void GdalErrorCapture::handler(int error_class, int error_number, const char* message) {
  if (error_class < CE_Failure) return;  // warnings (e.g. TIFF tag notes) are not failures
  auto* self = static_cast<GdalErrorCapture*>(CPLGetErrorHandlerUserData());
  if (!self) return;
  if (!self->m_messages.empty()) self->m_messages += "; ";
  self->m_messages += message ? message : "(no message)";
  self->m_last_number = error_number;
}

namespace {

void log_gdal_message(CPLErr error_class, CPLErrorNum number, const char* message) {
  const auto level = error_class >= CE_Failure ? spdlog::level::warn : spdlog::level::debug;
  spdlog::log(level, "GDAL: {} (error {})", message ? message : "(no message)", static_cast<int>(number));
}

bool contains_ci(std::string_view text, std::string_view needle) {
  if (needle.size() > text.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    bool match = true;
    for (std::size_t k = 0; k < needle.size() && match; ++k)
      match =
          std::tolower(static_cast<unsigned char>(text[i + k])) == std::tolower(static_cast<unsigned char>(needle[k]));
    if (match) return true;
  }
  return false;
}

}  // namespace

void route_gdal_messages_to_log() {
  CPLSetErrorHandler(log_gdal_message);
}

ErrorCode classify_gdal_failure(std::string_view messages, int error_number, bool remote) {
  // GDAL phrases HTTP failures as "HTTP response code: 503" or "HTTP error code : 503".
  static const std::regex http_status(R"(HTTP (?:response|error) code\s*(?:on [^:]*)?:\s*(\d{3}))", std::regex::icase);
  std::match_results<std::string_view::const_iterator> m;
  if (std::regex_search(messages.begin(), messages.end(), m, http_status)) {
    const int status = std::stoi(m[1].str());
    if (status == 404 || status == 410) return ErrorCode::not_found;
    if (status == 408 || status == 429 || status >= 500) return ErrorCode::network_transient;
    return ErrorCode::http_client_error;
  }
  if (error_number == CPLE_AWSObjectNotFound) return ErrorCode::not_found;
  static constexpr std::array<std::string_view, 10> transient = {
      "timed out",   "timeout",      "couldn't connect", "could not connect", "connection",
      "empty reply", "recv failure", "send failure",     "transfer closed",   "failure when receiving"};
  for (auto needle : transient)
    if (contains_ci(messages, needle)) return ErrorCode::network_transient;
  if (contains_ci(messages, "does not exist in the file system") || contains_ci(messages, "no such file"))
    return ErrorCode::not_found;
  // A remote block that came back shorter than its tile ("TIFFFillTile:Read error at row 512, col
  // 512, tile 2; got 9442 bytes, expected 305938"): a response cut in transit, so worth another
  // try; a local file that short is damaged.
  if (remote && (contains_ci(messages, "bytes, expected") || contains_ci(messages, "read error at")))
    return ErrorCode::network_transient;
  static constexpr std::array<std::string_view, 7> undecodable = {"not recognized as a supported",
                                                                  "not a tiff",
                                                                  "tiffread",
                                                                  "ireadblock failed",
                                                                  "decod",
                                                                  "corrupt",
                                                                  "cannot read tiff"};
  for (auto needle : undecodable)
    if (contains_ci(messages, needle)) return ErrorCode::contract_violation;
  if (error_number == CPLE_HttpResponse) return ErrorCode::network_transient;
  return remote ? ErrorCode::network_transient : ErrorCode::io_error;
}

}  // namespace shipchips::raster
