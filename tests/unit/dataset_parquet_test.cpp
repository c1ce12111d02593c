// The Parquet/GeoParquet writer's own checks: byte-level encodings against values worked out
// by hand from the format specs, input validation, determinism and the file frame. Whether
// the files are real Parquet is proven by independent readers: with
// SHIPCHIPS_PARQUET_SAMPLE_DIR set, DatasetParquet.WritesSamples leaves its files there for
// tests/integration/test_parquet_readers.sh (DuckDB and hyparquet), which knows the same rows.
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "dataset/geoparquet.hpp"
#include "dataset/parquet_encoding.hpp"
#include "dataset/parquet_thrift.hpp"
#include "dataset/parquet_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

using namespace shipchips;
using namespace shipchips::dataset;
namespace pq = shipchips::dataset::parquet;
namespace fs = std::filesystem;

namespace {

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::uint32_t le32(std::string_view bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A square of side 1 degree whose south-west corner moves with the row; row 0 has a hole,
// given unclosed so the writer must close it. The reader test computes the same shapes.
geo::Polygon sample_square(int row) {
  const double lon0 = -170.0 + 50.0 * row;
  const double lat0 = -60.0 + 20.0 * row;
  geo::Polygon p{{{lon0, lat0}, {lon0 + 1, lat0}, {lon0 + 1, lat0 + 1}, {lon0, lat0 + 1}, {lon0, lat0}}};
  if (row == 0) {
    p.push_back({{lon0 + 0.25, lat0 + 0.25},
                 {lon0 + 0.25, lat0 + 0.75},
                 {lon0 + 0.75, lat0 + 0.75},
                 {lon0 + 0.75, lat0 + 0.25}});
  }
  return p;
}

std::vector<pq::Column> types_schema() {
  return {
      {"chip_id", pq::ColumnType::string, false}, {"note", pq::ColumnType::string, true},
      {"mmsi", pq::ColumnType::int64, false},     {"count", pq::ColumnType::int32, true},
      {"lat", pq::ColumnType::float64, false},    {"flag", pq::ColumnType::boolean, true},
      {"time", pq::ColumnType::timestamp, false}, {"geometry", pq::ColumnType::binary, false},
  };
}

// Edge values per type: UTF-8 and empty strings, nulls, integer extremes, -0.0, NaN, the
// largest double, instants before 1970 and far ahead.
std::string write_types_sample(pq::Compression compression, std::size_t row_group_rows) {
  pq::WriterOptions options;
  options.compression = compression;
  options.row_group_rows = row_group_rows;
  pq::Writer w(types_schema(), options);
  GeoColumn geometry("geometry", {"Polygon"});
  const auto i64max = std::numeric_limits<std::int64_t>::max();
  const auto i64min = std::numeric_limits<std::int64_t>::min();
  const auto i32max = std::numeric_limits<std::int32_t>::max();
  const auto i32min = std::numeric_limits<std::int32_t>::min();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const pq::Value null = pq::null_value;
  using S = std::string;
  w.append_row({S("a1b2c3d4e5f60718"), S("Zürich ⚓ 港"), std::int64_t{227006760}, 42, 43.5, true,
                parse_iso8601("2023-10-08T18:02:55.276123Z"), geometry.add_polygon(sample_square(0))});
  w.append_row({S(""), S(""), i64max, i32max, -33.875, false, parse_iso8601("1969-12-31T23:59:59.999999Z"),
                geometry.add_polygon(sample_square(1))});
  w.append_row({S("x"), null, i64min, i32min, -0.0, null, parse_iso8601("1970-01-01T00:00:00Z"),
                geometry.add_polygon(sample_square(2))});
  w.append_row({S("yy"), S("tab\tnewline\n\"quote\""), std::int64_t{-1}, null, 1e-300, true,
                parse_iso8601("2099-12-31T23:59:59.999999Z"), geometry.add_polygon(sample_square(3))});
  w.append_row({S("emoji"), S("🚢"), std::int64_t{0}, 0, -179.999999, null, parse_iso8601("2000-02-29T12:00:00Z"),
                geometry.add_polygon(sample_square(4))});
  w.append_row({S("z"), null, std::int64_t{1}, -1, 1.7976931348623157e308, false, parse_iso8601("1900-01-01T00:00:00Z"),
                geometry.add_polygon(sample_square(5))});
  w.append_row({S("last"), S("end"), std::int64_t{366000000}, 7, nan, true, parse_iso8601("2024-02-29T23:59:59.5Z"),
                geometry.add_polygon(sample_square(6))});
  w.set_metadata("geo", geometry.metadata_json());
  w.set_metadata("shipchips", "types sample");
  return w.finish();
}

std::string write_empty_sample() {
  pq::Writer w(types_schema(), {});
  GeoColumn geometry("geometry", {"Polygon"});
  w.set_metadata("geo", geometry.metadata_json());
  return w.finish();
}

// 10,000 rows in 3 row groups of several pages each; values follow formulas the reader test
// repeats.
std::string write_many_sample() {
  pq::WriterOptions options;
  options.row_group_rows = 4096;
  options.page_bytes = 16 * 1024;
  pq::Writer w({{"id", pq::ColumnType::int64, false},
                {"name", pq::ColumnType::string, false},
                {"speed", pq::ColumnType::float64, true},
                {"moored", pq::ColumnType::boolean, true},
                {"seen", pq::ColumnType::timestamp, false},
                {"geometry", pq::ColumnType::binary, false}},
               options);
  GeoColumn geometry;
  for (int i = 0; i < 10000; ++i) {
    pq::Value speed = i % 7 == 0 ? pq::Value{} : pq::Value{i * 0.25 - 1000.0};
    pq::Value moored = i % 11 == 0 ? pq::Value{} : pq::Value{i % 3 == 0};
    const geo::LonLat p{-180.0 + (i % 3600) * 0.1, -80.0 + (i % 1600) * 0.1};
    w.append_row({std::int64_t{i} * 1000003 - 5000000000, "ship-" + std::to_string(i), speed, moored,
                  UtcTime(std::chrono::microseconds(1700000000000000 + std::int64_t{i} * 1000003)),
                  geometry.add_point(p)});
  }
  w.set_metadata("geo", geometry.metadata_json());
  return w.finish();
}

// Nullable columns whose first row group holds only nulls (no values, no bounds) and whose
// second holds one value among nine nulls.
std::string write_nulls_sample() {
  pq::WriterOptions options;
  options.compression = pq::Compression::uncompressed;
  options.row_group_rows = 10;
  pq::Writer w({{"s", pq::ColumnType::string, true},
                {"i", pq::ColumnType::int64, true},
                {"b", pq::ColumnType::boolean, true},
                {"t", pq::ColumnType::timestamp, true}},
               options);
  for (int r = 0; r < 20; ++r) {
    if (r == 18) {
      w.append_row({std::string("only"), std::int64_t{-5}, true, UtcTime(std::chrono::microseconds(1))});
    } else {
      w.append_row({pq::null_value, pq::null_value, pq::null_value, pq::null_value});
    }
  }
  return w.finish();
}

// 20 columns: the schema list (21 elements) and each row group's column list need the
// compact protocol's long list header.
std::string write_wide_sample() {
  std::vector<pq::Column> columns;
  for (int c = 0; c < 20; ++c) {
    char name[8];
    std::snprintf(name, sizeof name, "c%02d", c);
    columns.push_back({name, pq::ColumnType::int32});
  }
  pq::Writer w(columns, {});
  for (int r = 0; r < 3; ++r) {
    std::vector<pq::Value> row;
    for (int c = 0; c < 20; ++c) row.emplace_back(r * 100 + c);
    w.append_row(std::move(row));
  }
  return w.finish();
}

// Magic at both ends and a footer length that lands inside the file.
void expect_frame(const std::string& bytes) {
  ASSERT_GE(bytes.size(), 12U);
  EXPECT_EQ(bytes.substr(0, 4), "PAR1");
  EXPECT_EQ(bytes.substr(bytes.size() - 4), "PAR1");
  const std::uint32_t footer = le32(bytes, bytes.size() - 8);
  EXPECT_GT(footer, 0U);
  EXPECT_LE(footer + 12U, bytes.size());
}

}  // namespace

TEST(DatasetParquetEncoding, RleHybridMatchesTheSpec) {
  // 100 ones: one RLE run, header varint(100 << 1) = c8 01, value byte 01.
  EXPECT_EQ(hex(pq::encoding::rle_bit_width_1(std::vector<std::uint8_t>(100, 1))), "c80101");
  // 1,0,1 then padding: one bit-packed group, header (1 << 1) | 1 = 03, bits LSB first = 05.
  EXPECT_EQ(hex(pq::encoding::rle_bit_width_1({1, 0, 1})), "0305");
  // 8 mixed (one group 0b01010101 = 55), then 16 zeros as an RLE run (20 00).
  std::vector<std::uint8_t> levels(24, 0);
  for (std::size_t i = 0; i < 8; i += 2) levels[i] = 1;
  EXPECT_EQ(hex(pq::encoding::rle_bit_width_1(levels)),
            "0355"
            "2000");
  // 600 alternating values: 75 groups split into runs of 63 and 12 groups.
  std::vector<std::uint8_t> alt(600);
  for (std::size_t i = 0; i < alt.size(); ++i) alt[i] = i % 2 == 0;
  const std::string enc = pq::encoding::rle_bit_width_1(alt);
  ASSERT_EQ(enc.size(), 1U + 63U + 1U + 12U);
  EXPECT_EQ(static_cast<unsigned char>(enc[0]), 63U * 2 + 1);
  EXPECT_EQ(static_cast<unsigned char>(enc[64]), 12U * 2 + 1);
  EXPECT_EQ(pq::encoding::rle_bit_width_1({}), "");
}

TEST(DatasetParquetEncoding, ThriftCompactFieldsAndLists) {
  std::string out;
  thrift::CompactWriter w(out);
  w.begin_struct();
  w.field_i32(1, 2);                                    // delta 1, type 5: 15; zigzag(2) = 04
  w.field_binary(4, "ab");                              // delta 3, type 8: 38; len 02; 61 62
  w.field_i64(20, -1);                                  // delta 16 > 15: long form 06, zigzag(20) = 28; zigzag(-1) = 01
  w.field_bool(21, true);                               // delta 1, true: 11
  w.field_list_begin(22, thrift::CompactType::i32, 2);  // 19, (2 << 4) | 5 = 25
  w.element_i32(-2);                                    // 03
  w.element_i32(300);                                   // zigzag 600 = d8 04
  w.field_list_begin(23, thrift::CompactType::i32, 15);  // 19; 15 elements: long form f5, size 0f
  for (int i = 0; i < 15; ++i) w.element_i32(i);         // zigzag: 00 02 04 ... 1c
  w.end_struct();                                        // 00
  EXPECT_EQ(hex(out),
            "1504"
            "38026162"
            "062801"
            "11"
            "19"
            "25"
            "03"
            "d804"
            "19"
            "f50f"
            "00020406080a0c0e10121416181a1c"
            "00");
  EXPECT_THROW(w.end_struct(), Error);
}

TEST(DatasetParquetEncoding, Utf8Validation) {
  EXPECT_TRUE(pq::encoding::is_valid_utf8("Zürich ⚓ 港 🚢"));
  EXPECT_TRUE(pq::encoding::is_valid_utf8(""));
  EXPECT_FALSE(pq::encoding::is_valid_utf8("\xff"));
  EXPECT_FALSE(pq::encoding::is_valid_utf8("\xc3"));          // truncated
  EXPECT_FALSE(pq::encoding::is_valid_utf8("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(pq::encoding::is_valid_utf8("\xed\xa0\x80"));  // surrogate
}

TEST(DatasetParquetGeo, WkbBytesMatchTheStandard) {
  // POINT (1 2): the textbook little-endian WKB.
  EXPECT_EQ(hex(wkb_point({1.0, 2.0})), "0101000000000000000000f03f0000000000000040");
  // An unclosed triangle gets its first vertex repeated: 1 ring of 4 points.
  const std::string tri = wkb_polygon({{{0, 0}, {1, 0}, {0, 1}}});
  EXPECT_EQ(hex(tri.substr(0, 13)), "01030000000100000004000000");
  EXPECT_EQ(tri.size(), 13U + 4U * 16U);
  EXPECT_EQ(tri.substr(13, 16), tri.substr(13 + 3 * 16, 16));
  EXPECT_THROW(wkb_polygon({}), Error);
  EXPECT_THROW(wkb_polygon({{{0, 0}, {1, 1}, {0, 0}}}), Error);
  EXPECT_THROW(wkb_point({std::numeric_limits<double>::quiet_NaN(), 0}), Error);
}

TEST(DatasetParquetGeo, MetadataJson) {
  GeoColumn empty("geometry", {"Polygon"});
  EXPECT_EQ(empty.metadata_json(), R"({"columns":{"geometry":{"encoding":"WKB","geometry_types":["Polygon"]}},)"
                                   R"("primary_column":"geometry","version":"1.0.0"})");
  GeoColumn mixed;
  mixed.add_point({10.5, -3});
  mixed.add_polygon({{{-20, 5}, {-19, 5}, {-19, 6}}});
  const auto j = nlohmann::json::parse(mixed.metadata_json());
  EXPECT_EQ(j["columns"]["geometry"]["geometry_types"], nlohmann::json({"Point", "Polygon"}));
  EXPECT_EQ(j["columns"]["geometry"]["bbox"], nlohmann::json({-20.0, -3.0, 10.5, 6.0}));
  EXPECT_FALSE(j["columns"]["geometry"].contains("crs"));  // omitted = OGC:CRS84
  EXPECT_THROW(empty.add_point({0, 0}), Error);            // not a declared type
}

TEST(DatasetParquetWriter, RejectsBadSchemasAndRows) {
  EXPECT_THROW(pq::Writer({}), Error);
  EXPECT_THROW(pq::Writer({{"a", pq::ColumnType::int32}, {"a", pq::ColumnType::int64}}), Error);
  EXPECT_THROW(pq::Writer({{"", pq::ColumnType::int32}}), Error);
  pq::WriterOptions zero;
  zero.row_group_rows = 0;
  EXPECT_THROW(pq::Writer({{"a", pq::ColumnType::int32}}, zero), Error);

  pq::Writer w({{"name", pq::ColumnType::string, false}, {"n", pq::ColumnType::int32, true}});
  auto message = [&](std::vector<pq::Value> row) {
    try {
      w.append_row(std::move(row));
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({std::string("a")}), "parquet: row 0: 1 values for 2 columns");
  EXPECT_EQ(message({pq::null_value, 1}), "parquet: row 0: column 'name': null in a required column");
  EXPECT_EQ(message({std::string("a"), 1.5}), "parquet: row 0: column 'n': a double value in a int32 column");
  EXPECT_EQ(message({std::string("\xff"), 1}), "parquet: row 0: column 'name': not valid UTF-8");
  EXPECT_EQ(message({"literal", pq::null_value}), "no error");  // const char* is a string, not a bool
  EXPECT_EQ(w.rows(), 1U);
  w.finish();
  EXPECT_THROW(w.append_row({std::string("late"), 1}), Error);
}

TEST(DatasetParquetWriter, SameRowsSameBytes) {
  const std::string a = write_types_sample(pq::Compression::gzip, 3);
  const std::string b = write_types_sample(pq::Compression::gzip, 3);
  EXPECT_EQ(a, b);
  expect_frame(a);
  const std::string plain = write_types_sample(pq::Compression::uncompressed, 100);
  expect_frame(plain);
  EXPECT_NE(a, plain);
  // Uncompressed pages keep strings readable in the file.
  EXPECT_NE(plain.find("Zürich ⚓ 港"), std::string::npos);
  expect_frame(write_empty_sample());
  const std::string created = "shipchips version " SHIPCHIPS_VERSION;
  EXPECT_NE(a.find(created), std::string::npos);
}

TEST(DatasetParquetWriter, WritesSamples) {
  const char* env = std::getenv("SHIPCHIPS_PARQUET_SAMPLE_DIR");
  const fs::path dir = env != nullptr && *env != '\0'
                           ? fs::path(env)
                           : fs::temp_directory_path() / ("shipchips_parquet_" + std::to_string(::getpid()));
  const std::vector<std::pair<std::string, std::string>> samples{
      {"types_gzip.parquet", write_types_sample(pq::Compression::gzip, 3)},
      {"types_plain.parquet", write_types_sample(pq::Compression::uncompressed, 100)},
      {"empty.parquet", write_empty_sample()},
      {"many.parquet", write_many_sample()},
      {"nulls.parquet", write_nulls_sample()},
      {"wide.parquet", write_wide_sample()},
  };
  for (const auto& [name, bytes] : samples) {
    expect_frame(bytes);
    write_file_atomic(dir / name, bytes);
    EXPECT_EQ(slurp(dir / name), bytes) << name;
  }
  if (env == nullptr || *env == '\0') fs::remove_all(dir);
}
