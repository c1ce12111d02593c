#include "core/csv.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace shipchips;

TEST(CoreCsv, QuotedFieldsCrlfAndLineNumbers) {
  std::istringstream in(
      "mmsi,name,lat\r\n244660123,\"BIG \"\"ONE\"\", LTD\",36.1\r\n\r\n244660124,\"two\nlines\",36.2\n");
  CsvReader csv(in, "ships.csv");
  ASSERT_EQ(csv.header().size(), 3u);
  ASSERT_TRUE(csv.next());
  EXPECT_EQ(csv.line(), 2);
  EXPECT_EQ(csv.field(1), "BIG \"ONE\", LTD");
  ASSERT_TRUE(csv.next());
  EXPECT_EQ(csv.line(), 4);  // the blank line 3 is skipped
  EXPECT_EQ(csv.field(1), "two\nlines");
  EXPECT_EQ(csv.field(*csv.column("LAT")), "36.2");
  EXPECT_FALSE(csv.next());
}

TEST(CoreCsv, DmaHeaderWithHashAndBom) {
  std::istringstream in("\xEF\xBB\xBF# Timestamp,Type of mobile,MMSI\n01/01/2023 00:00:00,Class A,219000000\n");
  CsvReader csv(in, "dma.csv");
  EXPECT_EQ(csv.header()[0], "Timestamp");
  EXPECT_EQ(csv.require_column("mmsi"), 2u);
  ASSERT_TRUE(csv.next());
  EXPECT_EQ(csv.field(2), "219000000");
}

TEST(CoreCsv, ErrorsNameFileLineAndColumn) {
  std::istringstream in("mmsi,lat\n1,2\n3,abc\n");
  CsvReader csv(in, "up.csv");
  EXPECT_THROW(csv.require_column("lon"), Error);
  ASSERT_TRUE(csv.next());
  ASSERT_TRUE(csv.next());
  try {
    csv.fail("lat", "not a number");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "up.csv:3: lat: not a number");
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
  }
  std::istringstream unterminated("a,b\n\"open,1\n");
  CsvReader bad(unterminated, "u.csv");
  EXPECT_THROW(bad.next(), Error);
}

TEST(CoreCsv, StrictNumberFields) {
  EXPECT_DOUBLE_EQ(*parse_double_field(" -5.4302 "), -5.4302);
  EXPECT_FALSE(parse_double_field("").has_value());
  EXPECT_THROW(parse_double_field("36.1x"), Error);
  EXPECT_EQ(*parse_int_field("244660123"), 244660123);
  EXPECT_THROW(parse_int_field("12.5"), Error);
}
