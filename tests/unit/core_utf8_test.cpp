// UTF-8 validity as RFC 3629 defines it, which is also what nlohmann::json accepts when it
// dumps text: the cases follow Markus Kuhn's UTF-8 decoder stress test (boundaries, overlong
// forms, surrogates, values past U+10FFFF, truncated sequences).
#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

using namespace shipchips;

namespace {

// nlohmann::json as an independent judge: dump() throws type_error 316 on invalid UTF-8.
bool json_accepts(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace

TEST(CoreUtf8, ValidSequencesAtTheBoundaries) {
  for (const std::string& s :
       {std::string(""), std::string("ascii"), std::string("\x00", 1), std::string("\x7f"), std::string("\xc2\x80"),
        std::string("\xdf\xbf"), std::string("\xe0\xa0\x80"), std::string("\xed\x9f\xbf"), std::string("\xee\x80\x80"),
        std::string("\xef\xbf\xbf"), std::string("\xf0\x90\x80\x80"), std::string("\xf4\x8f\xbf\xbf"),
        std::string("Matera \xc3\xa9t\xc3\xa9")}) {
    EXPECT_TRUE(is_valid_utf8(s)) << s;
    EXPECT_TRUE(json_accepts(s)) << s;
  }
}

TEST(CoreUtf8, InvalidSequencesNameTheirOffset) {
  struct Case {
    std::string text;
    std::size_t offset;
  };
  const Case cases[] = {
      {"ab\x80", 2},                 // continuation byte first
      {"\xc0\xaf", 0},               // overlong '/'
      {"\xc1\xbf", 0},               // overlong
      {"\xe0\x9f\xbf", 0},           // overlong 3-byte
      {"\xf0\x8f\xbf\xbf", 0},       // overlong 4-byte
      {"x\xed\xa0\x80", 1},          // UTF-16 surrogate U+D800
      {"\xed\xbf\xbf", 0},           // surrogate U+DFFF
      {"\xf4\x90\x80\x80", 0},       // U+110000
      {"\xf5\x80\x80\x80", 0},       // past the last lead byte
      {"\xff", 0},                   // never in UTF-8
      {"ok\xe2\x82", 2},             // cut short at the end
      {"\xe2\x28\xa1", 0},           // bad second byte
      {"\xf0\x90\x28\xbc", 0},       // bad third byte
      {"\xc3\xa9\xe9t\xc3\xa9", 2},  // a Latin-1 byte between UTF-8 ones
  };
  for (const Case& c : cases) {
    EXPECT_EQ(invalid_utf8_at(c.text), c.offset) << ::testing::PrintToString(c.text);
    EXPECT_FALSE(json_accepts(c.text)) << ::testing::PrintToString(c.text);
  }
}
