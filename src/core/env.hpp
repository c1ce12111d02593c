#pragma once
// .env files and secrets. Secrets (AISSTREAM_API_KEY, anything named *_TOKEN, *_API_KEY,
// *_PASSWORD, *_SECRET, ...) come from the environment or a .env file, never from config.yaml.
// Their values are registered here so that redact() — applied by every log sink — can blank
// them out of log lines and reports.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips {

struct DotenvEntry {
  std::string key;
  std::string value;
  long line = 0;
};

// Parses .env text: KEY=VALUE lines, blank lines and "# comments", an optional "export "
// prefix, values unquoted (trailing " # comment" dropped, whitespace trimmed), 'single-quoted'
// (literal) or "double-quoted" (\n \t \" \\ escapes). Throws Error(config_invalid)
// "<file_name>:<line>: <KEY>: <what is wrong>" on a malformed line.
std::vector<DotenvEntry> parse_dotenv(std::string_view text, const std::string& file_name);

// Loads `path` into the process environment; variables already set win (the environment is
// the operator's explicit choice, .env only fills gaps). A missing file loads nothing.
// Secret values found are registered for redaction. Returns how many variables were set.
int load_dotenv(const std::filesystem::path& path);

// True for names whose values must never be logged.
bool is_secret_name(std::string_view name);

struct SecretInfo {
  std::string name;
  std::string purpose;
};
// Secrets the doctor reports on (present or missing; never their values).
const std::vector<SecretInfo>& known_secrets();

// Registers a value to blank out of logs. Values shorter than 4 characters are ignored:
// blanking "1" or "ab" everywhere would make logs unreadable without protecting anything.
void register_secret_value(std::string value);
// Registers the values of every secret-named variable in the current environment.
void register_secrets_from_environment();
// Forgets every registered value (tests).
void clear_secret_values();

// `text` with every registered secret value replaced by "***". Thread-safe.
std::string redact(std::string_view text);

}  // namespace shipchips
