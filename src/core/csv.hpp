#pragma once
// Streaming CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF, newlines inside quotes)
// with a header map and physical line numbers, so every bad value can be reported as
// "file:line: column: problem". Memory stays constant whatever the file size.

#include <cstddef>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips {

class CsvReader {
 public:
  // `source` names the input in error messages. The first record is the header unless
  // has_header is false. A leading UTF-8 byte-order mark and a leading "# " on the header (the
  // Danish Maritime Authority writes "# Timestamp") are ignored.
  CsvReader(std::istream& in, std::string source, char delimiter = ',', bool has_header = true);
  static std::unique_ptr<CsvReader> open(const std::string& path, char delimiter = ',');

  const std::vector<std::string>& header() const { return m_header; }
  // Index of a column by case-insensitive name, or nullopt.
  std::optional<std::size_t> column(std::string_view name) const;
  // Like column(), but a missing column is Error(input_invalid) naming the file.
  std::size_t require_column(std::string_view name) const;

  // Reads the next record; false at end of input. Blank lines are skipped.
  bool next();
  const std::vector<std::string>& row() const { return m_row; }
  // Field of the current row by index ("" if the row is short).
  std::string_view field(std::size_t index) const;
  // Physical line number (1-based) where the current record starts.
  long line() const { return m_record_line; }
  const std::string& source() const { return m_source; }

  // Error(input_invalid) "source:line: column: message" for the current record.
  [[noreturn]] void fail(std::string_view column, std::string_view message) const;

 private:
  bool read_record(std::vector<std::string>& out);

  std::unique_ptr<std::istream> m_owned;
  std::istream& m_in;
  std::string m_source;
  char m_delimiter;
  std::vector<std::string> m_header;
  std::vector<std::string> m_row;
  long m_line = 1;         // line the reader is on
  long m_record_line = 0;  // line where the current record started
};

// Parses a number field strictly (whole field, no trailing junk); nullopt for empty.
std::optional<double> parse_double_field(std::string_view text);
std::optional<long long> parse_int_field(std::string_view text);

}  // namespace shipchips
