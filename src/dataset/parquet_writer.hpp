#pragma once
// A small Parquet file writer: flat schemas (no nesting, no repeated fields), PLAIN encoding,
// data page v1, definition levels for nullable columns, UNCOMPRESSED or GZIP pages, column
// chunk statistics, file key-value metadata. It exists because Debian ships no Parquet library
// for C++; what it writes is checked by independent readers (DuckDB, hyparquet) in
// tests/integration/test_parquet_readers.sh.
//
// The output is a pure function of the schema, options and rows (no clocks, no randomness),
// so rewriting an unchanged index yields byte-identical files.

#include "core/time.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace shipchips::dataset::parquet {

enum class ColumnType {
  string,     // BYTE_ARRAY, UTF8 / STRING; values must be valid UTF-8
  binary,     // BYTE_ARRAY, no logical type (e.g. WKB geometry)
  int32,      // INT32
  int64,      // INT64
  float64,    // DOUBLE
  boolean,    // BOOLEAN
  timestamp,  // INT64, TIMESTAMP(isAdjustedToUTC=true, MICROS) + TIMESTAMP_MICROS
};

struct Column {
  std::string name;
  ColumnType type = ColumnType::string;
  bool nullable = false;  // OPTIONAL (max definition level 1) instead of REQUIRED
};

// One cell. std::monostate is null. A string column and a binary column both take
// std::string; an int64 column also takes int32 (widened); nothing else converts.
using Value = std::variant<std::monostate, std::string, std::int32_t, std::int64_t, double, bool, UtcTime>;
inline constexpr std::monostate null_value{};

enum class Compression { uncompressed, gzip };

struct WriterOptions {
  Compression compression = Compression::gzip;
  std::size_t row_group_rows = 131072;  // rows per row group (> 0)
  std::size_t page_bytes = 1 << 20;     // target encoded values per data page (> 0)
  bool statistics = true;               // min/max (not for binary/boolean) and null_count
  std::string created_by;               // default "shipchips version <version>"
};

class Writer {
 public:
  // Throws Error(invalid_argument) on an empty schema, an empty or duplicate column name, or
  // a zero row_group_rows/page_bytes.
  explicit Writer(std::vector<Column> columns, WriterOptions options = {});

  // Appends one row, one value per column in schema order. Throws Error(invalid_argument)
  // naming the row number and column on a wrong width, a wrong type, a null in a required
  // column or invalid UTF-8 in a string column; the row is then not added.
  void append_row(std::vector<Value> row);

  // File key-value metadata (e.g. GeoParquet's "geo"), written in key order. Setting a key
  // again replaces its value. May be called any time before finish().
  void set_metadata(const std::string& key, std::string value);

  const std::vector<Column>& columns() const { return m_columns; }
  std::size_t rows() const { return m_total_rows; }

  // Completes the file and returns all of its bytes. The writer cannot be used afterwards.
  std::string finish();

  // finish(), then write_file_atomic(path) (temporary name in the same folder, then rename).
  void write_file(const std::filesystem::path& path);

 private:
  struct ChunkMeta {
    std::int64_t data_page_offset = 0;
    std::int64_t uncompressed_size = 0;  // page headers + uncompressed page bodies
    std::int64_t compressed_size = 0;    // page headers + stored page bodies
    std::int64_t num_values = 0;
    std::int64_t null_count = 0;
    std::optional<std::pair<std::string, std::string>> min_max;  // PLAIN-encoded bounds
  };
  struct RowGroupMeta {
    std::vector<ChunkMeta> chunks;
    std::int64_t num_rows = 0;
  };

  void check_open() const;
  void flush_row_group();
  ChunkMeta write_chunk(std::size_t column);
  std::string footer() const;

  std::vector<Column> m_columns;
  WriterOptions m_options;
  std::vector<std::vector<Value>> m_pending;  // per column: the current row group's cells
  std::size_t m_pending_rows = 0;
  std::size_t m_total_rows = 0;
  std::vector<RowGroupMeta> m_row_groups;
  std::vector<std::pair<std::string, std::string>> m_metadata;  // sorted by key
  std::string m_out;
  bool m_finished = false;
};

std::string_view to_string(ColumnType type);

}  // namespace shipchips::dataset::parquet
