#pragma once
// Thrift compact protocol encoder, just enough to write Parquet's footer (FileMetaData) and
// page headers. Parquet has no Debian package, and these structures are small and stable, so
// the writer emits them directly instead of depending on the Thrift compiler and runtime.
//
// Usage mirrors the schema in parquet.thrift: begin_struct/end_struct bracket each struct, and
// each field_* call writes one field by its numeric id. Field ids within one struct must grow
// (the compact protocol stores them as deltas, and readers expect ascending order).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::dataset::thrift {

// Compact protocol type nibbles.
enum class CompactType : std::uint8_t {
  bool_true = 1,
  bool_false = 2,
  byte = 3,
  i16 = 4,
  i32 = 5,
  i64 = 6,
  double_ = 7,
  binary = 8,
  list = 9,
  set = 10,
  map = 11,
  struct_ = 12,
};

class CompactWriter {
 public:
  // Appends to `out`; the writer keeps a reference, so `out` must outlive it.
  explicit CompactWriter(std::string& out) : m_out(out) {}

  void begin_struct();  // as a top-level value or a list element
  void end_struct();    // writes the stop byte

  void field_bool(std::int16_t id, bool value);
  void field_byte(std::int16_t id, std::int8_t value);
  void field_i32(std::int16_t id, std::int32_t value);
  void field_i64(std::int16_t id, std::int64_t value);
  void field_binary(std::int16_t id, std::string_view bytes);  // also Thrift `string`
  void field_struct_begin(std::int16_t id);                    // then fields, then end_struct()
  // A list field header; then `size` elements written with the element functions below.
  void field_list_begin(std::int16_t id, CompactType element_type, std::size_t size);

  // List elements.
  void element_i32(std::int32_t value);
  void element_binary(std::string_view bytes);
  // Struct elements use begin_struct()/end_struct().

 private:
  void field_header(std::int16_t id, CompactType type);
  void varint(std::uint64_t value);
  void zigzag(std::int64_t value);

  std::string& m_out;
  std::vector<std::int16_t> m_last_ids;  // one entry per open struct
};

}  // namespace shipchips::dataset::thrift
