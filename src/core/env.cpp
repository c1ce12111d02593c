#include "core/env.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

extern char** environ;

namespace shipchips {
namespace {

constexpr std::size_t kMinSecretLength = 4;

std::string trim(std::string_view s) {
  const auto* ws = " \t\r";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

bool valid_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

// Registered values, longest first so a secret containing another is blanked whole. Readers
// take a snapshot (shared_ptr copy) so logging never waits on a registration.
class SecretStore {
 public:
  void add(std::string value) {
    if (value.size() < kMinSecretLength) return;
    std::lock_guard lock(m_mutex);
    auto next = std::make_shared<std::vector<std::string>>(*m_values);
    if (std::find(next->begin(), next->end(), value) != next->end()) return;
    next->push_back(std::move(value));
    std::sort(next->begin(), next->end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    m_values = std::move(next);
  }
  void clear() {
    std::lock_guard lock(m_mutex);
    m_values = std::make_shared<std::vector<std::string>>();
  }
  std::shared_ptr<const std::vector<std::string>> snapshot() const {
    std::lock_guard lock(m_mutex);
    return m_values;
  }

 private:
  mutable std::mutex m_mutex;
  std::shared_ptr<const std::vector<std::string>> m_values = std::make_shared<std::vector<std::string>>();
};

SecretStore& store() {
  static SecretStore s;
  return s;
}

}  // namespace

std::vector<DotenvEntry> parse_dotenv(std::string_view text, const std::string& file_name) {
  std::vector<DotenvEntry> out;
  std::istringstream in{std::string(text)};
  std::string raw;
  long line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    if (line_no == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);  // UTF-8 BOM
    std::string line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (line.rfind("export ", 0) == 0 || line.rfind("export\t", 0) == 0) line = trim(line.substr(7));
    auto eq = line.find('=');
    if (eq == std::string::npos) {
      throw Error(ErrorCode::config_invalid,
                  located(file_name, line_no, "", "expected KEY=VALUE, got \"" + line + "\""));
    }
    std::string key = trim(line.substr(0, eq));
    if (!valid_name(key)) {
      throw Error(ErrorCode::config_invalid,
                  located(file_name, line_no, "", "\"" + key + "\" is not a variable name (letters, digits, _)"));
    }
    std::string rest = trim(line.substr(eq + 1));
    std::string value;
    if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
      char quote = rest.front();
      std::size_t i = 1;
      bool closed = false;
      for (; i < rest.size(); ++i) {
        char c = rest[i];
        if (c == quote) {
          closed = true;
          break;
        }
        if (quote == '"' && c == '\\' && i + 1 < rest.size()) {
          char n = rest[++i];
          value += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n;
          continue;
        }
        value += c;
      }
      if (!closed)
        throw Error(ErrorCode::config_invalid, located(file_name, line_no, key, "unterminated quoted value"));
      std::string after = trim(rest.substr(i + 1));
      if (!after.empty() && after.front() != '#') {
        throw Error(ErrorCode::config_invalid,
                    located(file_name, line_no, key, "unexpected text after the closing quote: \"" + after + "\""));
      }
    } else {
      // An unquoted value ends at " #": a '#' inside a word (URL fragments, colours) is kept.
      auto comment = rest.find(" #");
      auto tab_comment = rest.find("\t#");
      value = trim(rest.substr(0, std::min(comment, tab_comment)));
    }
    out.push_back({std::move(key), std::move(value), line_no});
  }
  return out;
}

int load_dotenv(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::config_invalid, located(path.string(), 0, "", "cannot be read"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  int loaded = 0;
  for (const auto& entry : parse_dotenv(buffer.str(), path.string())) {
    if (std::getenv(entry.key.c_str()) == nullptr) {
      ::setenv(entry.key.c_str(), entry.value.c_str(), 0);
      ++loaded;
    }
    if (is_secret_name(entry.key)) register_secret_value(entry.value);
  }
  register_secrets_from_environment();
  return loaded;
}

bool is_secret_name(std::string_view name) {
  static constexpr std::string_view kExact[] = {"AISSTREAM_API_KEY", "PGPASSWORD", "SHIPCHIPS_ALERTS_WEBHOOK_URL"};
  static constexpr std::string_view kSuffixes[] = {"_TOKEN",  "_API_KEY",    "_APIKEY",     "_PASSWORD",
                                                   "_SECRET", "_SECRET_KEY", "_ACCESS_KEY", "_PRIVATE_KEY"};
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (auto exact : kExact) {
    if (upper == exact) return true;
  }
  for (auto suffix : kSuffixes) {
    if (upper.size() > suffix.size() && upper.compare(upper.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return true;
    }
  }
  return false;
}

const std::vector<SecretInfo>& known_secrets() {
  static const std::vector<SecretInfo> secrets{
      {"AISSTREAM_API_KEY", "live AIS capture from aisstream.io: collect-ais, continuous runs"}};
  return secrets;
}

void register_secret_value(std::string value) {
  store().add(std::move(value));
}

void register_secrets_from_environment() {
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    if (is_secret_name(entry.substr(0, eq))) register_secret_value(std::string(entry.substr(eq + 1)));
  }
}

void clear_secret_values() {
  store().clear();
}

std::string redact(std::string_view text) {
  auto values = store().snapshot();
  std::string out(text);
  for (const auto& secret : *values) {
    std::size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return out;
}

}  // namespace shipchips
