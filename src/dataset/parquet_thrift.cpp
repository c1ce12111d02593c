#include "dataset/parquet_thrift.hpp"

#include "core/error.hpp"

namespace shipchips::dataset::thrift {

void CompactWriter::begin_struct() {
  m_last_ids.push_back(0);
}

void CompactWriter::end_struct() {
  if (m_last_ids.empty()) {
    throw Error(ErrorCode::internal, "thrift: end_struct without begin_struct");
  }
  m_out.push_back('\0');
  m_last_ids.pop_back();
}

void CompactWriter::field_header(std::int16_t id, CompactType type) {
  if (m_last_ids.empty()) {
    throw Error(ErrorCode::internal, "thrift: field outside a struct");
  }
  std::int16_t& last = m_last_ids.back();
  if (id <= last) {
    throw Error(ErrorCode::internal, "thrift: field ids must ascend within a struct");
  }
  const int delta = id - last;
  if (delta <= 15) {
    m_out.push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    m_out.push_back(static_cast<char>(type));
    zigzag(id);
  }
  last = id;
}

void CompactWriter::varint(std::uint64_t value) {
  while (value >= 0x80) {
    m_out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  m_out.push_back(static_cast<char>(value));
}

void CompactWriter::zigzag(std::int64_t value) {
  varint((static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63));
}

void CompactWriter::field_bool(std::int16_t id, bool value) {
  // The compact protocol folds a boolean field's value into its type nibble.
  field_header(id, value ? CompactType::bool_true : CompactType::bool_false);
}

void CompactWriter::field_byte(std::int16_t id, std::int8_t value) {
  field_header(id, CompactType::byte);
  m_out.push_back(static_cast<char>(value));
}

void CompactWriter::field_i32(std::int16_t id, std::int32_t value) {
  field_header(id, CompactType::i32);
  zigzag(value);
}

void CompactWriter::field_i64(std::int16_t id, std::int64_t value) {
  field_header(id, CompactType::i64);
  zigzag(value);
}

void CompactWriter::field_binary(std::int16_t id, std::string_view bytes) {
  field_header(id, CompactType::binary);
  element_binary(bytes);
}

void CompactWriter::field_struct_begin(std::int16_t id) {
  field_header(id, CompactType::struct_);
  m_last_ids.push_back(0);
}

void CompactWriter::field_list_begin(std::int16_t id, CompactType element_type, std::size_t size) {
  field_header(id, CompactType::list);
  if (size < 15) {
    m_out.push_back(static_cast<char>((size << 4) | static_cast<std::size_t>(element_type)));
  } else {
    m_out.push_back(static_cast<char>(0xF0 | static_cast<int>(element_type)));
    varint(size);
  }
}

void CompactWriter::element_i32(std::int32_t value) {
  zigzag(value);
}

void CompactWriter::element_binary(std::string_view bytes) {
  varint(bytes.size());
  m_out.append(bytes);
}

}  // namespace shipchips::dataset::thrift
