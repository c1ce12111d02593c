#include "core/error.hpp"

#include <array>

namespace shipchips {
namespace {

struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  ErrorCategory category;
  int exit_code;
  int http_status;
};

// The one table: category, exit code and HTTP status per code.
constexpr std::array<CodeInfo, 13> kCodes{{
    {ErrorCode::invalid_argument, "invalid_argument", ErrorCategory::permanent, 2, 400},
    {ErrorCode::config_invalid, "config_invalid", ErrorCategory::contract, 3, 500},
    {ErrorCode::input_invalid, "input_invalid", ErrorCategory::contract, 4, 422},
    {ErrorCode::io_error, "io_error", ErrorCategory::retryable, 5, 500},
    {ErrorCode::network_transient, "network_transient", ErrorCategory::retryable, 6, 503},
    {ErrorCode::http_client_error, "http_client_error", ErrorCategory::permanent, 7, 502},
    {ErrorCode::contract_violation, "contract_violation", ErrorCategory::contract, 8, 502},
    {ErrorCode::not_found, "not_found", ErrorCategory::permanent, 9, 404},
    {ErrorCode::internal, "internal", ErrorCategory::permanent, 10, 500},
    {ErrorCode::tls_failed, "tls_failed", ErrorCategory::permanent, 11, 502},
    {ErrorCode::database_busy, "database_busy", ErrorCategory::retryable, 12, 503},
    {ErrorCode::database_corrupt, "database_corrupt", ErrorCategory::contract, 13, 500},
    {ErrorCode::lease_expired, "lease_expired", ErrorCategory::retryable, 14, 503},
}};

const CodeInfo& info(ErrorCode code) {
  for (const auto& entry : kCodes) {
    if (entry.code == code) return entry;
  }
  return kCodes.back();
}

}  // namespace

std::string_view to_string(ErrorCode code) {
  return info(code).name;
}

std::optional<ErrorCode> error_code_from_name(std::string_view name) {
  for (const auto& entry : kCodes)
    if (entry.name == name) return entry.code;
  return std::nullopt;
}

std::string_view to_string(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::retryable:
      return "retryable";
    case ErrorCategory::permanent:
      return "permanent";
    case ErrorCategory::contract:
      return "contract";
  }
  return "permanent";
}

ErrorCategory category_of(ErrorCode code) {
  return info(code).category;
}
int exit_code_of(ErrorCode code) {
  return info(code).exit_code;
}
int http_status_of(ErrorCode code) {
  return info(code).http_status;
}

Error::Error(ErrorCode code, std::string message) : std::runtime_error(std::move(message)), m_code(code) {}

std::string located(std::string_view file, long line, std::string_view field, std::string_view message) {
  std::string out(file);
  if (line > 0) {
    out += ':';
    out += std::to_string(line);
  }
  out += ": ";
  if (!field.empty()) {
    out += field;
    out += ": ";
  }
  out += message;
  return out;
}

Error io_error_from(const std::filesystem::filesystem_error& e) {
  std::string where = e.path1().string();
  if (!e.path2().empty()) where += " -> " + e.path2().string();
  if (where.empty()) where = "(no path)";
  // what() is "filesystem error: <operation>: <reason> [paths]"; keep the reason, lead with the path.
  return Error(ErrorCode::io_error, where + ": " + e.code().message() + " (" + e.what() + ")");
}

}  // namespace shipchips
