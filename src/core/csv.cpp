#include "core/csv.hpp"

#include "core/error.hpp"
#include "core/input_file.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>

namespace shipchips {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

CsvReader::CsvReader(std::istream& in, std::string source, char delimiter, bool has_header)
    : m_in(in), m_source(std::move(source)), m_delimiter(delimiter) {
  if (!has_header) return;
  if (!read_record(m_header)) throw Error(ErrorCode::input_invalid, m_source + ": empty file (no header)");
  if (!m_header.empty()) {
    std::string& first = m_header.front();
    if (first.rfind("\xEF\xBB\xBF", 0) == 0) first.erase(0, 3);
    if (first.rfind('#', 0) == 0) first = std::string(trim(std::string_view(first).substr(1)));
  }
  for (auto& name : m_header) name = std::string(trim(name));
}

std::unique_ptr<CsvReader> CsvReader::open(const std::string& path, char delimiter) {
  auto file = std::make_unique<std::ifstream>(open_input_file(path));
  auto reader = std::make_unique<CsvReader>(*file, path, delimiter);
  reader->m_owned = std::move(file);
  return reader;
}

std::optional<std::size_t> CsvReader::column(std::string_view name) const {
  for (std::size_t i = 0; i < m_header.size(); ++i) {
    if (iequals(m_header[i], name)) return i;
  }
  return std::nullopt;
}

std::size_t CsvReader::require_column(std::string_view name) const {
  if (auto index = column(name)) return *index;
  throw Error(ErrorCode::input_invalid, located(m_source, 1, name, "required column is missing from the header"));
}

bool CsvReader::next() {
  while (read_record(m_row)) {
    bool blank = std::all_of(m_row.begin(), m_row.end(), [](const std::string& f) { return trim(f).empty(); });
    if (!blank) return true;
  }
  return false;
}

std::string_view CsvReader::field(std::size_t index) const {
  return index < m_row.size() ? std::string_view(m_row[index]) : std::string_view();
}

void CsvReader::fail(std::string_view column, std::string_view message) const {
  throw Error(ErrorCode::input_invalid, located(m_source, m_record_line, column, message));
}

bool CsvReader::read_record(std::vector<std::string>& out) {
  out.clear();
  std::string field;
  bool in_quotes = false;
  bool any = false;
  m_record_line = m_line;
  int c;
  while ((c = m_in.get()) != EOF) {
    any = true;
    char ch = static_cast<char>(c);
    if (in_quotes) {
      if (ch == '"') {
        if (m_in.peek() == '"') {
          field += '"';
          m_in.get();
        } else {
          in_quotes = false;
        }
      } else {
        if (ch == '\n') ++m_line;
        field += ch;
      }
      continue;
    }
    if (ch == '"' && field.empty()) {
      in_quotes = true;
    } else if (ch == m_delimiter) {
      out.push_back(std::move(field));
      field.clear();
    } else if (ch == '\r') {
      if (m_in.peek() == '\n') continue;
      ++m_line;
      break;
    } else if (ch == '\n') {
      ++m_line;
      break;
    } else {
      field += ch;
    }
  }
  if (in_quotes)
    throw Error(ErrorCode::input_invalid, located(m_source, m_record_line, "", "unterminated quoted field"));
  if (!any) return false;
  out.push_back(std::move(field));
  return true;
}

std::optional<double> parse_double_field(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    throw Error(ErrorCode::input_invalid, "'" + std::string(text) + "' is not a number");
  }
  return value;
}

std::optional<long long> parse_int_field(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    throw Error(ErrorCode::input_invalid, "'" + std::string(text) + "' is not an integer");
  }
  return value;
}

}  // namespace shipchips
