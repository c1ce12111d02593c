#include "dataset/parquet_encoding.hpp"

#include "core/error.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace shipchips::dataset::parquet::encoding {

void put_u32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void put_f64(std::string& out, double value) {
  put_u64(out, std::bit_cast<std::uint64_t>(value));
}

namespace {

void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Runs at least this long (and group-aligned) are written as RLE runs.
constexpr std::size_t min_rle_run = 8;
constexpr std::size_t max_groups_per_bitpacked_run = 63;

void flush_bitpacked(std::string& out, std::string& groups) {
  std::size_t offset = 0;
  while (offset < groups.size()) {
    const std::size_t n = std::min(max_groups_per_bitpacked_run, groups.size() - offset);
    put_varint(out, (static_cast<std::uint64_t>(n) << 1) | 1U);
    out.append(groups, offset, n);
    offset += n;
  }
  groups.clear();
}

}  // namespace

std::string rle_bit_width_1(const std::vector<std::uint8_t>& levels) {
  std::string out;
  std::string groups;  // pending bit-packed groups, one byte per 8 levels
  const std::size_t n = levels.size();
  std::size_t i = 0;  // always a multiple of 8, so bit-packed groups stay aligned
  while (i < n) {
    std::size_t run = 1;
    while (i + run < n && levels[i + run] == levels[i]) ++run;
    if (run >= min_rle_run) {
      // Keep the next position group-aligned unless the run reaches the end.
      const std::size_t take = (i + run == n) ? run : run - run % 8;
      flush_bitpacked(out, groups);
      put_varint(out, static_cast<std::uint64_t>(take) << 1);
      out.push_back(static_cast<char>(levels[i] ? 1 : 0));
      i += take;
      continue;
    }
    std::uint8_t byte = 0;
    for (std::size_t b = 0; b < 8 && i + b < n; ++b) {
      if (levels[i + b]) byte |= static_cast<std::uint8_t>(1U << b);
    }
    groups.push_back(static_cast<char>(byte));  // a short last group is zero-padded
    i += 8;
  }
  flush_bitpacked(out, groups);
  return out;
}

std::string plain(ColumnType type, const std::vector<const Value*>& cells) {
  std::string out;
  if (type == ColumnType::boolean) {
    out.assign((cells.size() + 7) / 8, '\0');
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (std::get<bool>(*cells[i])) out[i / 8] = static_cast<char>(out[i / 8] | (1 << (i % 8)));
    }
    return out;
  }
  for (const Value* cell : cells) {
    switch (type) {
      case ColumnType::string:
      case ColumnType::binary: {
        const auto& s = std::get<std::string>(*cell);
        put_u32(out, static_cast<std::uint32_t>(s.size()));
        out.append(s);
        break;
      }
      case ColumnType::int32:
        put_u32(out, static_cast<std::uint32_t>(std::get<std::int32_t>(*cell)));
        break;
      case ColumnType::int64:
        put_u64(out, static_cast<std::uint64_t>(std::get<std::int64_t>(*cell)));
        break;
      case ColumnType::float64:
        put_f64(out, std::get<double>(*cell));
        break;
      case ColumnType::timestamp:
        put_u64(out, static_cast<std::uint64_t>(std::get<UtcTime>(*cell).time_since_epoch().count()));
        break;
      case ColumnType::boolean:
        break;  // handled above
    }
  }
  return out;
}

std::size_t plain_size(ColumnType type, const Value& cell) {
  switch (type) {
    case ColumnType::string:
    case ColumnType::binary:
      return 4 + std::get<std::string>(cell).size();
    case ColumnType::int32:
      return 4;
    case ColumnType::int64:
    case ColumnType::float64:
    case ColumnType::timestamp:
      return 8;
    case ColumnType::boolean:
      return 1;  // an upper bound; pages are split approximately
  }
  return 8;
}

namespace {

template <typename T>
std::optional<std::pair<T, T>> bounds(const std::vector<Value>& cells) {
  std::optional<std::pair<T, T>> b;
  for (const Value& cell : cells) {
    const T* v = std::get_if<T>(&cell);
    if (v == nullptr) continue;
    if constexpr (std::is_same_v<T, double>) {
      if (std::isnan(*v)) continue;
    }
    if (!b) {
      b.emplace(*v, *v);
    } else {
      if (*v < b->first) b->first = *v;
      if (b->second < *v) b->second = *v;
    }
  }
  return b;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> min_max(ColumnType type, const std::vector<Value>& cells) {
  std::pair<std::string, std::string> out;
  switch (type) {
    case ColumnType::int32: {
      auto b = bounds<std::int32_t>(cells);
      if (!b) return std::nullopt;
      put_u32(out.first, static_cast<std::uint32_t>(b->first));
      put_u32(out.second, static_cast<std::uint32_t>(b->second));
      return out;
    }
    case ColumnType::int64: {
      auto b = bounds<std::int64_t>(cells);
      if (!b) return std::nullopt;
      put_u64(out.first, static_cast<std::uint64_t>(b->first));
      put_u64(out.second, static_cast<std::uint64_t>(b->second));
      return out;
    }
    case ColumnType::timestamp: {
      auto b = bounds<UtcTime>(cells);
      if (!b) return std::nullopt;
      put_u64(out.first, static_cast<std::uint64_t>(b->first.time_since_epoch().count()));
      put_u64(out.second, static_cast<std::uint64_t>(b->second.time_since_epoch().count()));
      return out;
    }
    case ColumnType::float64: {
      auto b = bounds<double>(cells);
      if (!b) return std::nullopt;
      put_f64(out.first, b->first == 0.0 ? -0.0 : b->first);
      put_f64(out.second, b->second == 0.0 ? 0.0 : b->second);
      return out;
    }
    case ColumnType::string: {
      // std::string compares bytes as unsigned char, which is the UTF8 column order.
      auto b = bounds<std::string>(cells);
      if (!b) return std::nullopt;
      // Long bounds would bloat the footer; the format allows omitting them.
      if (b->first.size() > 64 || b->second.size() > 64) return std::nullopt;
      return std::make_pair(b->first, b->second);
    }
    case ColumnType::binary:
    case ColumnType::boolean:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string gzip(std::string_view bytes) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper; zlib writes mtime 0 and no name.
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw Error(ErrorCode::internal, "parquet: zlib deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(bytes.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const std::size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw Error(ErrorCode::internal, "parquet: zlib deflate did not finish");
  out.resize(written);
  return out;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and code points past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace shipchips::dataset::parquet::encoding
