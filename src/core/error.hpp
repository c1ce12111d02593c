#pragma once
// One exception type for the whole project. Each code maps (in error.cpp) to a category that
// the job store uses to decide retries, an HTTP status for the server and an exit code for main.
// Expected outcomes (no scene, gate reject, no AIS near sensing time) are return values, not
// exceptions.

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace shipchips {

enum class ErrorCode {
  invalid_argument,    // bad command-line option or API parameter
  config_invalid,      // config.yaml / environment override rejected
  input_invalid,       // a data file the user gave us is malformed (names file/line/field)
  io_error,            // local file system failure
  network_transient,   // timeouts, resets, 429/5xx after retries ran out
  http_client_error,   // 4xx: the request itself is wrong; retrying will not help
  contract_violation,  // the remote answered, but not in the shape its contract promises
  not_found,           // a named thing (item, file, tile) does not exist
  internal,            // programmer error surfaced at a boundary
  tls_failed,          // the peer's certificate or host name does not verify: retrying cannot help
  database_busy,       // SQLite busy/locked past its timeout: another writer holds the database
  database_corrupt,    // the database file is damaged or not a database (names its path)
  lease_expired,       // the job's worker stopped heartbeating or died; the reaper took it back
};

enum class ErrorCategory { retryable, permanent, contract };

std::string_view to_string(ErrorCode code);
// The code of a name to_string gives; nullopt for any other text.
std::optional<ErrorCode> error_code_from_name(std::string_view name);
std::string_view to_string(ErrorCategory category);
ErrorCategory category_of(ErrorCode code);
int exit_code_of(ErrorCode code);
int http_status_of(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message);
  ErrorCode code() const noexcept { return m_code; }
  ErrorCategory category() const noexcept { return category_of(m_code); }

 private:
  ErrorCode m_code;
};

// A std::filesystem failure (create_directories, rename, ...) as the io_error it is, naming the
// path(s): "PATH: cannot create directories: No space left on device".
Error io_error_from(const std::filesystem::filesystem_error& e);

// Builds the "file:line: field: message" form every input error uses.
std::string located(std::string_view file, long line, std::string_view field, std::string_view message);

}  // namespace shipchips
