#include "../support/reference.hpp"
#include "ais/aisstream_message.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

using namespace shipchips;
using ais::StreamFrameKind;

namespace {

// The JSON lines of the annotated sample file, in order (comment lines start with '#').
std::vector<std::string> sample_lines() {
  std::ifstream in(shipchips::testing::reference_dir().string() + "/ais/aisstream/sample_messages_annotated.txt");
  EXPECT_TRUE(in.good());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '{') lines.push_back(line);
  }
  return lines;
}

ErrorCode code_of(const std::string& frame) {
  try {
    ais::parse_stream_frame(frame);
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::internal;  // "did not throw"
}

std::string message_of(const std::string& frame) {
  try {
    ais::parse_stream_frame(frame);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const char* kPositionFrame =
    R"({"MessageType":"PositionReport","MetaData":{"MMSI":1,"time_utc":"2024-01-02 03:04:05.5 +0000 UTC"},)"
    R"("Message":{"PositionReport":{"UserID":211000001,"Latitude":54.5,"Longitude":10.25,"Sog":102.3,"Cog":12.5,)"
    R"("TrueHeading":13,"NavigationalStatus":15,"Valid":true}}})";

}  // namespace

TEST(AisStreamMessage, SampleFileHoldsThreeFramesAndOneSubscription) {
  EXPECT_EQ(sample_lines().size(), 4u);
}

// Sample (1): the verbatim capture; expected values read off the annotated file.
TEST(AisStreamMessage, VerbatimPositionReportCapture) {
  const auto frame = ais::parse_stream_frame(sample_lines().at(0));
  ASSERT_EQ(frame.kind, StreamFrameKind::position);
  EXPECT_EQ(frame.message_type, "PositionReport");
  ASSERT_TRUE(frame.position);
  EXPECT_FALSE(frame.static_data);
  const auto& p = *frame.position;
  EXPECT_EQ(p.mmsi, 368171260);
  EXPECT_EQ(p.time, parse_iso8601("2025-05-15T09:27:38.342017Z"));  // .342017448 truncated
  EXPECT_DOUBLE_EQ(p.lat, 33.731168333333336);
  EXPECT_DOUBLE_EQ(p.lon, -118.261105);
  EXPECT_EQ(p.sog_kn, 0.0);
  EXPECT_EQ(p.cog_deg, 333.7);
  EXPECT_EQ(p.heading_deg, 338.0);
  EXPECT_EQ(p.nav_status, 5);
  EXPECT_EQ(p.ais_class, ais::AisClass::a);
  EXPECT_EQ(p.provider, "aisstream");
  EXPECT_EQ(p.source, "aisstream");
}

// Sample (2): heading 511 and COG 360 are "not available"; an 8-digit fraction.
TEST(AisStreamMessage, GoldenEnvelopeWithUnavailableHeadingAndCourse) {
  const auto frame = ais::parse_stream_frame(sample_lines().at(1));
  ASSERT_EQ(frame.kind, StreamFrameKind::position);
  const auto& p = *frame.position;
  EXPECT_EQ(p.mmsi, 250013879);
  EXPECT_EQ(p.time, parse_iso8601("2023-10-22T22:47:36.940343Z"));
  EXPECT_DOUBLE_EQ(p.lat, 55.990715);
  EXPECT_DOUBLE_EQ(p.lon, -3.183045);
  EXPECT_EQ(p.sog_kn, 0.0);
  EXPECT_FALSE(p.cog_deg);
  EXPECT_FALSE(p.heading_deg);
  EXPECT_EQ(p.nav_status, 3);
}

// Sample (3): ShipStaticData with every field, padded text trimmed.
TEST(AisStreamMessage, ShipStaticDataFixture) {
  const auto frame = ais::parse_stream_frame(sample_lines().at(2));
  ASSERT_EQ(frame.kind, StreamFrameKind::static_data);
  ASSERT_TRUE(frame.static_data);
  EXPECT_FALSE(frame.position);
  const auto& s = *frame.static_data;
  EXPECT_EQ(s.mmsi, 273278650);
  EXPECT_EQ(s.time, parse_iso8601("2026-09-17T15:29:53.299471Z"));
  EXPECT_EQ(s.name, "PETR STOLYPIN");
  EXPECT_EQ(s.callsign, "UBXW5");
  EXPECT_EQ(s.destination, "SABETTA");
  EXPECT_EQ(s.imo, 9904675);
  EXPECT_EQ(s.ship_type, 84);
  EXPECT_EQ(s.dim_a, 250);
  EXPECT_EQ(s.dim_b, 49);
  EXPECT_EQ(s.dim_c, 25);
  EXPECT_EQ(s.dim_d, 25);
  EXPECT_EQ(s.draught_m, 11.5);
  EXPECT_EQ(s.provider, "aisstream");
}

// The official example's subscription, rebuilt: the same bytes, and the same structure when
// both are read back with nlohmann.
TEST(AisStreamMessage, SubscriptionMatchesTheOfficialExampleByteForByte) {
  ais::StreamSubscription sub;
  sub.boxes.push_back(ais::BBox{-11, -178, 30, 74});
  sub.mmsi_filter = {"538007480", "636015988", "316003701"};
  sub.message_types = {"PositionReport"};
  const std::string text = ais::subscription_json("<YOUR API KEY>", sub);
  const std::string documented = sample_lines().at(3);
  EXPECT_EQ(text, documented);
  EXPECT_EQ(nlohmann::json::parse(text), nlohmann::json::parse(documented));
}

TEST(AisStreamMessage, SubscriptionStructureAndOptionalKeys) {
  ais::StreamSubscription sub;
  sub.boxes.push_back(ais::BBox{55.5, 10.25, 56.75, 11.0});
  sub.boxes.push_back(ais::BBox{-1, -2, 1, 2});
  sub.message_types = {"PositionReport", "ShipStaticData"};
  const auto doc = nlohmann::json::parse(ais::subscription_json("k\"ey", sub));
  const auto expected =
      nlohmann::json::parse(R"({"APIKey":"k\"ey","BoundingBoxes":[[[55.5,10.25],[56.75,11]],[[-1,-2],[1,2]]],)"
                            R"("FilterMessageTypes":["PositionReport","ShipStaticData"]})");
  EXPECT_EQ(doc, expected);
  EXPECT_FALSE(doc.contains("FiltersShipMMSI"));  // omitted when empty

  sub.message_types.clear();
  const auto bare = nlohmann::json::parse(ais::subscription_json("k", sub));
  EXPECT_FALSE(bare.contains("FilterMessageTypes"));
  // Key order as documented: APIKey, BoundingBoxes, FiltersShipMMSI, FilterMessageTypes.
  sub.mmsi_filter = {"1"};
  sub.message_types = {"PositionReport"};
  const auto text = ais::subscription_json("k", sub);
  EXPECT_LT(text.find("APIKey"), text.find("BoundingBoxes"));
  EXPECT_LT(text.find("BoundingBoxes"), text.find("FiltersShipMMSI"));
  EXPECT_LT(text.find("FiltersShipMMSI"), text.find("FilterMessageTypes"));
}

TEST(AisStreamMessage, AntimeridianBoxIsSplitInTwo) {
  ais::StreamSubscription sub;
  sub.boxes.push_back(ais::BBox{-20, 170, -10, -175});
  const auto doc = nlohmann::json::parse(ais::subscription_json("k", sub));
  EXPECT_EQ(doc["BoundingBoxes"], nlohmann::json::parse("[[[-20,170],[-10,180]],[[-20,-180],[-10,-175]]]"));
  EXPECT_TRUE(ais::box_contains(sub.boxes[0], -15, 179.5));
  EXPECT_TRUE(ais::box_contains(sub.boxes[0], -15, -179.5));
  EXPECT_FALSE(ais::box_contains(sub.boxes[0], -15, 0));
  EXPECT_FALSE(ais::box_contains(sub.boxes[0], -5, 179.5));
}

TEST(AisStreamMessage, SubscriptionReadsBack) {
  ais::StreamSubscription sub;
  sub.boxes.push_back(ais::BBox{1.5, 2.5, 3.5, 4.5});
  sub.mmsi_filter = {"123456789"};
  sub.message_types = {"PositionReport", "StaticDataReport"};
  std::string key;
  EXPECT_EQ(ais::parse_subscription_json(ais::subscription_json("secret", sub), &key), sub);
  EXPECT_EQ(key, "secret");
  EXPECT_THROW(ais::parse_subscription_json(R"({"APIKey":"x","BoundingBoxes":[[1,2]]})", nullptr), Error);
  EXPECT_THROW(ais::parse_subscription_json(R"({"BoundingBoxes":[]})", nullptr), Error);
}

TEST(AisStreamMessage, SubscriptionRejectsBadInput) {
  ais::StreamSubscription sub;
  EXPECT_THROW(ais::subscription_json("k", sub), Error);  // no box
  sub.boxes.push_back(ais::BBox{0, 0, 1, 1});
  EXPECT_THROW(ais::subscription_json("", sub), Error);  // no key
  sub.boxes[0] = ais::BBox{10, 0, 5, 1};                 // min_lat > max_lat
  EXPECT_THROW(ais::subscription_json("k", sub), Error);
  sub.boxes[0] = ais::BBox{0, 0, 91, 1};
  EXPECT_THROW(ais::subscription_json("k", sub), Error);
  sub.boxes[0] = ais::BBox{0, 0, 1, 1};
  sub.mmsi_filter = {"12x"};
  try {
    ais::subscription_json("k", sub);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("12x"), std::string::npos);
  }
}

// Go drops trailing zeros of the fraction and the whole fraction when it is zero.
TEST(AisStreamMessage, TimeWithEveryFractionLength) {
  EXPECT_EQ(ais::parse_aisstream_time("2023-10-08 18:02:55 +0000 UTC"), parse_iso8601("2023-10-08T18:02:55Z"));
  EXPECT_EQ(ais::parse_aisstream_time("2023-10-08 18:02:55.276 +0000 UTC"), parse_iso8601("2023-10-08T18:02:55.276Z"));
  EXPECT_EQ(ais::parse_aisstream_time("2023-10-08 18:02:55.276016 +0000 UTC"),
            parse_iso8601("2023-10-08T18:02:55.276016Z"));
  EXPECT_EQ(ais::parse_aisstream_time("2023-10-08 18:02:55.276016709 +0000 UTC"),
            parse_iso8601("2023-10-08T18:02:55.276016Z"));  // truncated, not rounded
  EXPECT_EQ(ais::parse_aisstream_time("2023-10-08 18:02:55.9999999 +0000 UTC"),
            parse_iso8601("2023-10-08T18:02:55.999999Z"));
  EXPECT_EQ(ais::parse_aisstream_time("2023-10-08 18:02:55.5 +0000"), parse_iso8601("2023-10-08T18:02:55.5Z"));
  // A non-UTC offset is applied (the service always sends +0000, but Go's format allows it).
  EXPECT_EQ(ais::parse_aisstream_time("2023-10-08 20:32:55 +0230"), parse_iso8601("2023-10-08T18:02:55Z"));
  EXPECT_EQ(ais::parse_aisstream_time("2023-10-08 17:02:55 -0100"), parse_iso8601("2023-10-08T18:02:55Z"));
}

TEST(AisStreamMessage, TimeRejectsOtherShapes) {
  for (const char* bad : {"2023-10-08T18:02:55Z", "2023-10-08 18:02:55.1234567890 +0000 UTC", "2023-10-08 18:02:55.",
                          "2023-13-08 18:02:55 +0000 UTC", "2023-02-30 18:02:55 +0000 UTC", "",
                          "2023-10-08 18:02:55 UTC", "2023-10-08 18:02:55. +0000 UTC", "2023-10-08 18:02:55 +00 UTC"}) {
    try {
      ais::parse_aisstream_time(bad);
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::contract_violation) << bad;
      EXPECT_NE(std::string(e.what()).find("time_utc"), std::string::npos) << bad;
    }
  }
}

TEST(AisStreamMessage, UnavailableValuesBecomeNullopt) {
  const auto frame = ais::parse_stream_frame(kPositionFrame);
  ASSERT_EQ(frame.kind, StreamFrameKind::position);
  const auto& p = *frame.position;
  EXPECT_EQ(p.mmsi, 211000001);  // UserID wins over MetaData.MMSI
  EXPECT_EQ(p.time, parse_iso8601("2024-01-02T03:04:05.5Z"));
  EXPECT_FALSE(p.sog_kn);      // 102.3
  EXPECT_FALSE(p.nav_status);  // 15
  EXPECT_EQ(p.cog_deg, 12.5);
  EXPECT_EQ(p.heading_deg, 13.0);
}

TEST(AisStreamMessage, ClassBReportsAndExtendedStaticPart) {
  const auto std_b = ais::parse_stream_frame(
      R"({"MessageType":"StandardClassBPositionReport","MetaData":{"MMSI":338087471,"time_utc":"2024-05-23 10:00:00 +0000 UTC"},)"
      R"("Message":{"StandardClassBPositionReport":{"UserID":338087471,"Latitude":40.5,"Longitude":-73.25,"Sog":5.5,"Cog":90,)"
      R"("TrueHeading":511,"Valid":true}}})");
  ASSERT_EQ(std_b.kind, StreamFrameKind::position);
  EXPECT_EQ(std_b.position->ais_class, ais::AisClass::b);
  EXPECT_EQ(std_b.position->sog_kn, 5.5);
  EXPECT_FALSE(std_b.position->heading_deg);
  EXPECT_FALSE(std_b.position->nav_status);
  EXPECT_FALSE(std_b.static_data);

  const auto ext_b = ais::parse_stream_frame(
      R"({"MessageType":"ExtendedClassBPositionReport","MetaData":{"MMSI":338087472,"time_utc":"2024-05-23 10:00:01.25 +0000 UTC"},)"
      R"("Message":{"ExtendedClassBPositionReport":{"UserID":338087472,"Latitude":40.5,"Longitude":-73.25,"Sog":1,"Cog":45,)"
      R"("TrueHeading":44,"Name":"SEA BREEZE@@@@","Type":37,"Dimension":{"A":8,"B":4,"C":0,"D":2},"Valid":true}}})");
  ASSERT_EQ(ext_b.kind, StreamFrameKind::position);
  EXPECT_EQ(ext_b.position->ais_class, ais::AisClass::b);
  ASSERT_TRUE(ext_b.static_data);
  EXPECT_EQ(ext_b.static_data->name, "SEA BREEZE");
  EXPECT_EQ(ext_b.static_data->ship_type, 37);
  EXPECT_EQ(ext_b.static_data->dim_a, 8);
  EXPECT_FALSE(ext_b.static_data->dim_c);  // 0 = not available
  EXPECT_EQ(ext_b.static_data->time, parse_iso8601("2024-05-23T10:00:01.25Z"));
}

TEST(AisStreamMessage, StaticDataReportPartsAAndB) {
  const std::string head =
      R"({"MessageType":"StaticDataReport","MetaData":{"MMSI":338087471,"time_utc":"2024-05-23 10:00:00 +0000 UTC"},)"
      R"("Message":{"StaticDataReport":{"UserID":338087471,"Valid":true,"MessageID":24,)";
  const std::string reports =
      R"("ReportA":{"Valid":true,"Name":"PLEASURE ONE        "},)"
      R"("ReportB":{"Valid":true,"ShipType":37,"CallSign":"WDF1234","Dimension":{"A":8,"B":4,"C":2,"D":2},"FixType":1}}}})";
  const auto a = ais::parse_stream_frame(head + R"("PartNumber":false,)" + reports);
  ASSERT_EQ(a.kind, StreamFrameKind::static_data);
  EXPECT_EQ(a.static_data->name, "PLEASURE ONE");
  EXPECT_FALSE(a.static_data->ship_type);  // part A carries the name only
  EXPECT_EQ(a.static_data->callsign, "");

  const auto b = ais::parse_stream_frame(head + R"("PartNumber":true,)" + reports);
  ASSERT_EQ(b.kind, StreamFrameKind::static_data);
  EXPECT_EQ(b.static_data->name, "");
  EXPECT_EQ(b.static_data->ship_type, 37);
  EXPECT_EQ(b.static_data->callsign, "WDF1234");
  EXPECT_EQ(b.static_data->dim_d, 2);

  const std::string invalid_a = R"("ReportA":{"Valid":false,"Name":""},"ReportB":{"Valid":true}}}})";
  const auto ia = ais::parse_stream_frame(head + R"("PartNumber":false,)" + invalid_a);
  EXPECT_EQ(ia.kind, StreamFrameKind::ignored);
  EXPECT_EQ(ia.text, "ReportA.Valid is false");
}

TEST(AisStreamMessage, UnavailablePositionIsIgnoredLikeTheFileReaders) {
  std::string frame = kPositionFrame;
  frame.replace(frame.find("54.5"), 4, "91");
  auto f = ais::parse_stream_frame(frame);
  EXPECT_EQ(f.kind, StreamFrameKind::ignored);
  EXPECT_EQ(f.text, "position not available (91/181)");
  EXPECT_FALSE(f.position);

  frame = kPositionFrame;
  frame.replace(frame.find("10.25"), 5, "181");
  EXPECT_EQ(ais::parse_stream_frame(frame).kind, StreamFrameKind::ignored);

  frame = kPositionFrame;
  frame.replace(frame.find("10.25"), 5, "-200");
  f = ais::parse_stream_frame(frame);
  EXPECT_EQ(f.kind, StreamFrameKind::ignored);
  EXPECT_EQ(f.text, "position outside the globe");
}

TEST(AisStreamMessage, OtherTypesAndInvalidMessagesAreIgnored) {
  const auto other = ais::parse_stream_frame(
      R"({"MessageType":"BaseStationReport","MetaData":{},"Message":{"BaseStationReport":{}}})");
  EXPECT_EQ(other.kind, StreamFrameKind::ignored);
  EXPECT_EQ(other.message_type, "BaseStationReport");

  std::string frame = kPositionFrame;
  frame.replace(frame.find("\"Valid\":true"), 12, "\"Valid\":false");
  const auto invalid = ais::parse_stream_frame(frame);
  EXPECT_EQ(invalid.kind, StreamFrameKind::ignored);
  EXPECT_EQ(invalid.text, "Valid is false");
}

TEST(AisStreamMessage, ErrorFrames) {
  const auto e = ais::parse_stream_frame(R"({"error": "Api Key Is Not Valid"})");
  EXPECT_EQ(e.kind, StreamFrameKind::error);
  EXPECT_EQ(e.text, "Api Key Is Not Valid");
  EXPECT_FALSE(e.position);
  const auto e2 = ais::parse_stream_frame(R"({"error": {"code": 3}})");
  EXPECT_EQ(e2.kind, StreamFrameKind::error);
  EXPECT_EQ(e2.text, R"({"code":3})");
}

TEST(AisStreamMessage, MalformedFramesNameTheField) {
  struct Case {
    std::string frame;
    std::string field;
  };
  std::string no_time = kPositionFrame;
  no_time.replace(no_time.find("\"time_utc\""), 10, "\"time_xxx\"");
  std::string no_lat = kPositionFrame;
  no_lat.replace(no_lat.find("\"Latitude\""), 10, "\"Latitudx\"");
  std::string text_sog = kPositionFrame;
  text_sog.replace(text_sog.find("102.3"), 5, "\"fast\"");
  std::string no_body = kPositionFrame;
  no_body.replace(no_body.find("{\"PositionReport\":{"), 19, "{\"Other\":{");
  const std::vector<Case> cases{
      {"{not json", "(frame)"},
      {"[1,2]", "(frame)"},
      {R"({"MetaData":{}})", "MessageType"},
      {R"({"MessageType":7})", "MessageType"},
      {R"({"MessageType":"PositionReport","Message":{}})", "MetaData"},
      {no_time, "MetaData.time_utc"},
      {no_lat, "Message.PositionReport.Latitude"},
      {text_sog, "Message.PositionReport.Sog"},
      {no_body, "Message.PositionReport"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(code_of(c.frame), ErrorCode::contract_violation) << c.frame;
    EXPECT_NE(message_of(c.frame).find(c.field), std::string::npos) << message_of(c.frame) << " | wanted " << c.field;
  }
}
