#include "dataset/parquet_writer.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "dataset/parquet_encoding.hpp"
#include "dataset/parquet_thrift.hpp"

#include <algorithm>
#include <limits>
#include <set>

#ifndef SHIPCHIPS_VERSION
#define SHIPCHIPS_VERSION "0.0.0"
#endif

namespace shipchips::dataset::parquet {

namespace {

using thrift::CompactType;
using thrift::CompactWriter;

// parquet.thrift enum values.
enum PhysicalType : std::int32_t { BOOLEAN = 0, INT32 = 1, INT64 = 2, DOUBLE = 5, BYTE_ARRAY = 6 };
enum Repetition : std::int32_t { REQUIRED = 0, OPTIONAL = 1 };
enum ConvertedType : std::int32_t { UTF8 = 0, TIMESTAMP_MICROS = 10 };
enum Encoding : std::int32_t { PLAIN = 0, RLE = 3 };
enum Codec : std::int32_t { UNCOMPRESSED = 0, GZIP = 2 };
enum PageType : std::int32_t { DATA_PAGE = 0 };

constexpr char magic[] = "PAR1";

std::int32_t physical_type(ColumnType type) {
  switch (type) {
    case ColumnType::string:
    case ColumnType::binary:
      return BYTE_ARRAY;
    case ColumnType::int32:
      return INT32;
    case ColumnType::int64:
    case ColumnType::timestamp:
      return INT64;
    case ColumnType::float64:
      return DOUBLE;
    case ColumnType::boolean:
      return BOOLEAN;
  }
  return BYTE_ARRAY;
}

std::int32_t checked_i32(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw Error(ErrorCode::invalid_argument, std::string("parquet: ") + what + " exceeds 2 GiB; lower page_bytes");
  }
  return static_cast<std::int32_t>(n);
}

// The value's type must match the column's; int32 widens into int64 columns.
bool normalise(ColumnType type, Value& cell) {
  switch (type) {
    case ColumnType::string:
    case ColumnType::binary:
      return std::holds_alternative<std::string>(cell);
    case ColumnType::int32:
      return std::holds_alternative<std::int32_t>(cell);
    case ColumnType::int64:
      if (const auto* v = std::get_if<std::int32_t>(&cell)) cell = static_cast<std::int64_t>(*v);
      return std::holds_alternative<std::int64_t>(cell);
    case ColumnType::float64:
      return std::holds_alternative<double>(cell);
    case ColumnType::boolean:
      return std::holds_alternative<bool>(cell);
    case ColumnType::timestamp:
      return std::holds_alternative<UtcTime>(cell);
  }
  return false;
}

std::string_view held_type(const Value& cell) {
  switch (cell.index()) {
    case 1:
      return "string";
    case 2:
      return "int32";
    case 3:
      return "int64";
    case 4:
      return "double";
    case 5:
      return "bool";
    case 6:
      return "timestamp";
  }
  return "null";
}

}  // namespace

std::string_view to_string(ColumnType type) {
  switch (type) {
    case ColumnType::string:
      return "string";
    case ColumnType::binary:
      return "binary";
    case ColumnType::int32:
      return "int32";
    case ColumnType::int64:
      return "int64";
    case ColumnType::float64:
      return "float64";
    case ColumnType::boolean:
      return "boolean";
    case ColumnType::timestamp:
      return "timestamp";
  }
  return "?";
}

Writer::Writer(std::vector<Column> columns, WriterOptions options)
    : m_columns(std::move(columns)), m_options(std::move(options)) {
  if (m_columns.empty()) throw Error(ErrorCode::invalid_argument, "parquet: a schema needs at least one column");
  std::set<std::string> names;
  for (const Column& c : m_columns) {
    if (c.name.empty()) throw Error(ErrorCode::invalid_argument, "parquet: a column name is empty");
    if (!names.insert(c.name).second) {
      throw Error(ErrorCode::invalid_argument, "parquet: duplicate column name '" + c.name + "'");
    }
  }
  if (m_options.row_group_rows == 0) throw Error(ErrorCode::invalid_argument, "parquet: row_group_rows must be > 0");
  if (m_options.page_bytes == 0) throw Error(ErrorCode::invalid_argument, "parquet: page_bytes must be > 0");
  if (m_options.created_by.empty()) m_options.created_by = "shipchips version " SHIPCHIPS_VERSION;
  m_pending.resize(m_columns.size());
  m_out.append(magic, 4);
}

void Writer::check_open() const {
  if (m_finished) throw Error(ErrorCode::internal, "parquet: writer used after finish()");
}

void Writer::append_row(std::vector<Value> row) {
  check_open();
  // Built only on failure: this runs once per row of an index.
  auto fail = [&](const std::string& what) {
    throw Error(ErrorCode::invalid_argument, "parquet: row " + std::to_string(m_total_rows) + ": " + what);
  };
  if (row.size() != m_columns.size()) {
    fail(std::to_string(row.size()) + " values for " + std::to_string(m_columns.size()) + " columns");
  }
  for (std::size_t i = 0; i < row.size(); ++i) {
    const Column& c = m_columns[i];
    Value& cell = row[i];
    if (std::holds_alternative<std::monostate>(cell)) {
      if (!c.nullable) fail("column '" + c.name + "': null in a required column");
      continue;
    }
    if (!normalise(c.type, cell)) {
      fail("column '" + c.name + "': a " + std::string(held_type(cell)) + " value in a " +
           std::string(to_string(c.type)) + " column");
    }
    if (c.type == ColumnType::string && !encoding::is_valid_utf8(std::get<std::string>(cell))) {
      fail("column '" + c.name + "': not valid UTF-8");
    }
  }
  for (std::size_t i = 0; i < row.size(); ++i) m_pending[i].push_back(std::move(row[i]));
  ++m_pending_rows;
  ++m_total_rows;
  if (m_pending_rows >= m_options.row_group_rows) flush_row_group();
}

void Writer::set_metadata(const std::string& key, std::string value) {
  check_open();
  auto it = std::lower_bound(m_metadata.begin(), m_metadata.end(), key,
                             [](const auto& kv, const std::string& k) { return kv.first < k; });
  if (it != m_metadata.end() && it->first == key) {
    it->second = std::move(value);
  } else {
    m_metadata.emplace(it, key, std::move(value));
  }
}

Writer::ChunkMeta Writer::write_chunk(std::size_t column) {
  const Column& c = m_columns[column];
  const std::vector<Value>& cells = m_pending[column];
  ChunkMeta meta;
  meta.data_page_offset = static_cast<std::int64_t>(m_out.size());
  meta.num_values = static_cast<std::int64_t>(cells.size());

  std::size_t begin = 0;
  while (begin < cells.size()) {
    // One page: rows [begin, end), cut once its values reach page_bytes.
    std::size_t end = begin;
    std::size_t value_bytes = 0;
    while (end < cells.size() && (end == begin || value_bytes < m_options.page_bytes)) {
      if (!std::holds_alternative<std::monostate>(cells[end])) value_bytes += encoding::plain_size(c.type, cells[end]);
      ++end;
    }
    std::string body;
    std::vector<const Value*> present;
    present.reserve(end - begin);
    if (c.nullable) {
      std::vector<std::uint8_t> levels(end - begin);
      for (std::size_t r = begin; r < end; ++r) {
        const bool defined = !std::holds_alternative<std::monostate>(cells[r]);
        levels[r - begin] = defined ? 1 : 0;
        if (defined) present.push_back(&cells[r]);
      }
      const std::string rle = encoding::rle_bit_width_1(levels);
      encoding::put_u32(body, static_cast<std::uint32_t>(rle.size()));
      body += rle;
    } else {
      for (std::size_t r = begin; r < end; ++r) present.push_back(&cells[r]);
    }
    meta.null_count += static_cast<std::int64_t>((end - begin) - present.size());
    body += encoding::plain(c.type, present);

    const std::string stored = m_options.compression == Compression::gzip ? encoding::gzip(body) : body;
    std::string header;
    CompactWriter w(header);
    w.begin_struct();
    w.field_i32(1, DATA_PAGE);
    w.field_i32(2, checked_i32(body.size(), "a page"));
    w.field_i32(3, checked_i32(stored.size(), "a page"));
    w.field_struct_begin(5);  // DataPageHeader
    w.field_i32(1, checked_i32(end - begin, "a page's value count"));
    w.field_i32(2, PLAIN);
    w.field_i32(3, RLE);  // definition levels
    w.field_i32(4, RLE);  // repetition levels (none in a flat schema)
    w.end_struct();
    w.end_struct();

    m_out += header;
    m_out += stored;
    meta.uncompressed_size += static_cast<std::int64_t>(header.size() + body.size());
    meta.compressed_size += static_cast<std::int64_t>(header.size() + stored.size());
    begin = end;
  }
  if (m_options.statistics) meta.min_max = encoding::min_max(c.type, cells);
  return meta;
}

void Writer::flush_row_group() {
  if (m_pending_rows == 0) return;
  RowGroupMeta group;
  group.num_rows = static_cast<std::int64_t>(m_pending_rows);
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    group.chunks.push_back(write_chunk(i));
    m_pending[i].clear();
    m_pending[i].shrink_to_fit();
  }
  m_row_groups.push_back(std::move(group));
  m_pending_rows = 0;
}

std::string Writer::footer() const {
  std::string out;
  CompactWriter w(out);
  w.begin_struct();   // FileMetaData
  w.field_i32(1, 2);  // format version 2: logical types are used

  w.field_list_begin(2, CompactType::struct_, m_columns.size() + 1);
  w.begin_struct();  // root group
  w.field_binary(4, "schema");
  w.field_i32(5, static_cast<std::int32_t>(m_columns.size()));
  w.end_struct();
  for (const Column& c : m_columns) {
    w.begin_struct();
    w.field_i32(1, physical_type(c.type));
    w.field_i32(3, c.nullable ? OPTIONAL : REQUIRED);
    w.field_binary(4, c.name);
    if (c.type == ColumnType::string) {
      w.field_i32(6, UTF8);
      w.field_struct_begin(10);  // LogicalType
      w.field_struct_begin(1);   // STRING
      w.end_struct();
      w.end_struct();
    } else if (c.type == ColumnType::timestamp) {
      w.field_i32(6, TIMESTAMP_MICROS);
      w.field_struct_begin(10);  // LogicalType
      w.field_struct_begin(8);   // TIMESTAMP
      w.field_bool(1, true);     // isAdjustedToUTC: instants, shown in UTC
      w.field_struct_begin(2);   // unit
      w.field_struct_begin(2);   // MICROS
      w.end_struct();
      w.end_struct();
      w.end_struct();
      w.end_struct();
    }
    w.end_struct();
  }

  w.field_i64(3, static_cast<std::int64_t>(m_total_rows));

  w.field_list_begin(4, CompactType::struct_, m_row_groups.size());
  for (const RowGroupMeta& g : m_row_groups) {
    std::int64_t uncompressed = 0;
    std::int64_t compressed = 0;
    w.begin_struct();  // RowGroup
    w.field_list_begin(1, CompactType::struct_, g.chunks.size());
    for (std::size_t i = 0; i < g.chunks.size(); ++i) {
      const ChunkMeta& m = g.chunks[i];
      const Column& c = m_columns[i];
      uncompressed += m.uncompressed_size;
      compressed += m.compressed_size;
      w.begin_struct();  // ColumnChunk
      w.field_i64(2, m.data_page_offset);
      w.field_struct_begin(3);  // ColumnMetaData
      w.field_i32(1, physical_type(c.type));
      w.field_list_begin(2, CompactType::i32, c.nullable ? 2 : 1);
      w.element_i32(PLAIN);
      if (c.nullable) w.element_i32(RLE);
      w.field_list_begin(3, CompactType::binary, 1);
      w.element_binary(c.name);
      w.field_i32(4, m_options.compression == Compression::gzip ? GZIP : UNCOMPRESSED);
      w.field_i64(5, m.num_values);
      w.field_i64(6, m.uncompressed_size);
      w.field_i64(7, m.compressed_size);
      w.field_i64(9, m.data_page_offset);
      if (m_options.statistics) {
        w.field_struct_begin(12);  // Statistics
        w.field_i64(3, m.null_count);
        if (m.min_max) {
          w.field_binary(5, m.min_max->second);  // max_value
          w.field_binary(6, m.min_max->first);   // min_value
        }
        w.end_struct();
      }
      w.end_struct();
      w.end_struct();
    }
    w.field_i64(2, uncompressed);  // total_byte_size: uncompressed column data
    w.field_i64(3, g.num_rows);
    w.field_i64(5, g.chunks.front().data_page_offset);
    w.field_i64(6, compressed);
    w.end_struct();
  }

  if (!m_metadata.empty()) {
    w.field_list_begin(5, CompactType::struct_, m_metadata.size());
    for (const auto& [key, value] : m_metadata) {
      w.begin_struct();
      w.field_binary(1, key);
      w.field_binary(2, value);
      w.end_struct();
    }
  }
  w.field_binary(6, m_options.created_by);

  // TYPE_ORDER for every column, so readers trust min_value/max_value.
  w.field_list_begin(7, CompactType::struct_, m_columns.size());
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    w.begin_struct();
    w.field_struct_begin(1);
    w.end_struct();
    w.end_struct();
  }
  w.end_struct();
  return out;
}

std::string Writer::finish() {
  check_open();
  flush_row_group();
  const std::string meta = footer();
  m_out += meta;
  encoding::put_u32(m_out, static_cast<std::uint32_t>(meta.size()));
  m_out.append(magic, 4);
  m_finished = true;
  return std::move(m_out);
}

void Writer::write_file(const std::filesystem::path& path) {
  const std::string bytes = finish();
  write_file_atomic(path, bytes);
}

}  // namespace shipchips::dataset::parquet
