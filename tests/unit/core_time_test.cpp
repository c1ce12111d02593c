#include "core/error.hpp"
#include "core/time.hpp"

#include <gtest/gtest.h>

using namespace shipchips;

// Expected Unix times computed independently with Python's datetime.fromisoformat().timestamp().
TEST(CoreTime, ParsesEarthSearchDatetime) {
  UtcTime t = parse_iso8601("2023-10-08T18:02:55.276000Z");
  EXPECT_EQ(t.time_since_epoch().count(), 1696788175276000LL);
  EXPECT_EQ(format_iso8601(t), "2023-10-08T18:02:55.276000Z");
  EXPECT_EQ(format_iso8601(t, 3), "2023-10-08T18:02:55.276Z");
  EXPECT_EQ(format_iso8601(t, 0), "2023-10-08T18:02:55Z");
  EXPECT_EQ(format_yyyymmdd(t), "20231008");
}

TEST(CoreTime, FractionOfAnyLengthIsTruncatedToMicroseconds) {
  // aisstream's time_utc carries nanoseconds.
  EXPECT_EQ(parse_iso8601("2025-05-15 09:27:38.342017448Z").time_since_epoch().count(), 1747301258342017LL);
  EXPECT_EQ(parse_iso8601("2025-05-15T09:27:38.3Z").time_since_epoch().count(), 1747301258300000LL);
}

TEST(CoreTime, OffsetsAndDateOnly) {
  EXPECT_EQ(parse_iso8601("2024-02-29T23:59:59+05:30").time_since_epoch().count(), 1709231399000000LL);
  EXPECT_EQ(parse_iso8601("2024-02-29T23:59:59+0530").time_since_epoch().count(), 1709231399000000LL);
  EXPECT_EQ(parse_iso8601("2019-09-12").time_since_epoch().count(), 1568289600000000LL - 12LL * 3600 * 1000000);
  EXPECT_EQ(parse_iso8601("2019-09-12T12:00:00").time_since_epoch().count(), 1568289600000000LL);
  EXPECT_EQ(parse_iso8601("2019-09-12T12:00Z").time_since_epoch().count(), 1568289600000000LL);
}

TEST(CoreTime, RejectsMalformedText) {
  for (const char* bad : {"", "2019-13-01", "2019-02-30", "2019-09-12T25:00:00Z", "2019-09-12X12:00", "12/09/2019",
                          "2019-09-12T12:00:00Zjunk", "2019-09-12T12:00:00."}) {
    EXPECT_THROW(parse_iso8601(bad), Error) << bad;
  }
  try {
    parse_iso8601("2019-02-30");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    EXPECT_NE(std::string(e.what()).find("2019-02-30"), std::string::npos);
  }
}

TEST(CoreTime, UnixSecondsRoundTrip) {
  UtcTime t = from_unix_seconds(1747301258.342017);
  EXPECT_EQ(format_iso8601(t), "2025-05-15T09:27:38.342017Z");
  EXPECT_DOUBLE_EQ(to_unix_seconds(t), 1747301258.342017);
}
