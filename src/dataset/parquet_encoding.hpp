#pragma once
// Byte-level encodings of the Parquet format used by parquet_writer: PLAIN values, the
// RLE/bit-packed hybrid for definition levels, GZIP page compression, statistics bounds.
// Kept apart from the writer so each piece can be tested on its own.

#include "dataset/parquet_writer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shipchips::dataset::parquet::encoding {

// Appends little-endian bytes.
void put_u32(std::string& out, std::uint32_t value);
void put_u64(std::string& out, std::uint64_t value);
void put_f64(std::string& out, double value);

// RLE/bit-packed hybrid of 0/1 levels (bit width 1), without the 4-byte length prefix that
// data page v1 puts before it. Long runs become RLE runs; the rest is bit-packed in groups of
// 8 (at most 63 groups per run, the limit some readers assume).
std::string rle_bit_width_1(const std::vector<std::uint8_t>& levels);

// PLAIN encoding of the non-null cells of `cells` (all of one column type). Booleans are
// bit-packed LSB first; BYTE_ARRAY values carry a 4-byte length.
std::string plain(ColumnType type, const std::vector<const Value*>& cells);

// Encoded size of one non-null cell in PLAIN (for page splitting).
std::size_t plain_size(ColumnType type, const Value& cell);

// PLAIN-encoded (min, max) of the non-null cells, or nullopt when the column type has no
// useful order here (binary, boolean) or there is no non-NaN value. Doubles follow the
// format's rules: NaN is skipped, a zero minimum is written -0.0 and a zero maximum +0.0.
std::optional<std::pair<std::string, std::string>> min_max(ColumnType type, const std::vector<Value>& cells);

// GZIP member (RFC 1952) of `bytes`, deterministic (no time stamp, no file name).
std::string gzip(std::string_view bytes);

bool is_valid_utf8(std::string_view text);

}  // namespace shipchips::dataset::parquet::encoding
