// NMEA AIVDM decoder: sentences, armouring, reassembly, messages, gpsd JSON.
// Expected values come from outside the decoder: gpsd's sample file (decodings checked by
// Kurt Schwehr with the noaadata tools) and its .chk output, the fixture world's encoder
// (src/fixture/world_nmea.cpp, itself checked against gpsdecode), and hand-built bit patterns.
#include "../support/reference.hpp"
#include "ais/nmea_assembler.hpp"
#include "ais/nmea_bits.hpp"
#include "ais/nmea_json.hpp"
#include "ais/nmea_messages.hpp"
#include "ais/nmea_sentence.hpp"
#include "ais/nmea_stream.hpp"
#include "core/time.hpp"
#include "fixture/world_nmea.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

using namespace shipchips;
using namespace shipchips::ais;

namespace {

// Wraps an AIVDM body in '!' and its checksum.
std::string sentence(const std::string& body) {
  return "!" + body + "*" + fixture::nmea_checksum(body);
}

AisMessage decode_one(const std::vector<std::string>& lines) {
  NmeaStreamDecoder decoder;
  DecodedAis out;
  long n = 0;
  int messages = 0;
  for (const auto& l : lines)
    if (decoder.feed(l, ++n, out) == FeedResult::message) ++messages;
  EXPECT_EQ(messages, 1);
  return out.message;
}

std::string chk_line(int index) {
  std::ifstream in(shipchips::testing::reference_dir().string() + "/ais/gpsd/sample.aivdm.js.chk");
  std::string line;
  for (int i = 0; i <= index && std::getline(in, line); ++i) {
  }
  return line + "\n";
}

}  // namespace

TEST(AisNmeaSentence, ChecksumIsTheXorBetweenBangAndStar) {
  // gpsd sample, first sentence: *4A.
  EXPECT_EQ(nmea_xor("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"), 0x4Au);
  NmeaSentence s;
  SentenceError e;
  EXPECT_EQ(parse_sentence("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n", s, &e), LineKind::sentence);
  EXPECT_EQ(parse_sentence("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4a", s, &e), LineKind::sentence);
  EXPECT_EQ(parse_sentence("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B", s, &e), LineKind::invalid);
  EXPECT_EQ(e.field, "checksum");
  EXPECT_NE(e.message.find("*4A"), std::string::npos) << e.message;
  EXPECT_EQ(parse_sentence("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0", s, &e), LineKind::invalid);
  EXPECT_EQ(e.field, "checksum");
}

TEST(AisNmeaSentence, ParsesFieldsAndRejectsMalformedOnes) {
  NmeaSentence s;
  SentenceError e;
  // The parsed views point into the line, which must outlive them.
  const std::string line = sentence("BSVDO,2,1,7,B,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0");
  ASSERT_EQ(parse_sentence(line, s, &e), LineKind::sentence) << e.message;
  EXPECT_EQ(s.talker, "BS");
  EXPECT_EQ(s.formatter, "VDO");
  EXPECT_EQ(s.fragment_count, 2);
  EXPECT_EQ(s.fragment_number, 1);
  EXPECT_EQ(s.sequence_id, 7);
  EXPECT_EQ(s.channel, 'B');
  EXPECT_EQ(s.fill_bits, 0);
  EXPECT_FALSE(s.time.has_value());

  EXPECT_EQ(parse_sentence("", s, &e), LineKind::blank);
  EXPECT_EQ(parse_sentence("# comment", s, &e), LineKind::blank);
  EXPECT_EQ(parse_sentence("   \r", s, &e), LineKind::blank);

  struct Case {
    std::string body;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{{"AIVDM,1,1,,A,15RTgt0PAso,6", "fill bits"},
                                         {"AIVDM,0,1,,A,15RTgt0PAso,0", "fragment count"},
                                         {"AIVDM,2,3,,A,15RTgt0PAso,0", "fragment number"},
                                         {"AIVDM,2,1,12,A,15RTgt0PAso,0", "sequence id"},
                                         {"AIVDM,1,1,,C,15RTgt0PAso,0", "channel"},
                                         {"AIVDM,1,1,,A,,0", "payload"},
                                         {"GPGGA,1,1,,A,15RTgt0PAso,0", "address"},
                                         {"AIVDM,1,1,,A,15RTgt0PAso", "sentence"}}) {
    EXPECT_EQ(parse_sentence(sentence(c.body), s, &e), LineKind::invalid) << c.body;
    EXPECT_EQ(e.field, c.field) << c.body << ": " << e.message;
  }
  EXPECT_EQ(parse_sentence("AIVDM,2,2,1,B,00000000000,2*26", s, &e), LineKind::invalid);
  EXPECT_EQ(e.field, "sentence");
}

TEST(AisNmeaSentence, TagBlockGivesReceiverTimeAndStation) {
  const std::string tag = "s:2573135,c:1671620143";
  const std::string line =
      "\\" + tag + "*" + fixture::nmea_checksum(tag) + "\\" + sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0");
  NmeaSentence s;
  SentenceError e;
  ASSERT_EQ(parse_sentence(line, s, &e), LineKind::sentence) << e.message;
  ASSERT_TRUE(s.time.has_value());
  EXPECT_EQ(format_iso8601(*s.time, 0), "2022-12-21T10:55:43Z");
  EXPECT_EQ(s.station, "2573135");

  // Milliseconds (13 digits) are recognised.
  const std::string ms = "c:1671620143250";
  const std::string ms_line =
      "\\" + ms + "*" + fixture::nmea_checksum(ms) + "\\" + sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0");
  ASSERT_EQ(parse_sentence(ms_line, s, &e), LineKind::sentence);
  EXPECT_EQ(format_iso8601(*s.time, 3), "2022-12-21T10:55:43.250Z");

  // The fixture world's own tag blocks.
  fixture::AisPosition p;
  p.mmsi = 244660123;
  p.lat = 36.1251;
  p.lon = -5.4302;
  const auto lines = fixture::encode_class_a_position(p, 1, 1592127109, 'A');
  ASSERT_EQ(parse_sentence(lines.at(0), s, &e), LineKind::sentence) << e.message;
  EXPECT_EQ(to_unix_seconds(*s.time), 1592127109.0);

  // A corrupted tag block checksum makes the line invalid.
  std::string bad = line;
  bad[bad.find('*') + 1] = bad[bad.find('*') + 1] == '0' ? '1' : '0';
  EXPECT_EQ(parse_sentence(bad, s, &e), LineKind::invalid);
  EXPECT_EQ(e.field, "tag block");
}

// Found by fuzz_nmea: a receiver time of 19 digits overflowed the 64-bit microseconds
// (undefined behaviour); a number that long is no time.
TEST(AisNmeaSentence, ReceiverTimeTooLongForMillisecondsIsNoTime) {
  const std::string body = sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0");
  const std::string tag = "c:1671620206671620150";
  NmeaSentence s;
  SentenceError e;
  EXPECT_EQ(parse_sentence("\\" + tag + "*" + fixture::nmea_checksum(tag) + "\\" + body, s, &e), LineKind::invalid);
  EXPECT_EQ(e.field, "tag block");
  EXPECT_NE(e.message.find("out of range"), std::string::npos) << e.message;
  // From 10^14 on: past the year 5000 even as milliseconds; just below, still a time.
  const std::string tag15 = "c:100000000000000";
  EXPECT_EQ(parse_sentence("\\" + tag15 + "*" + fixture::nmea_checksum(tag15) + "\\" + body, s, &e), LineKind::invalid);
  const std::string tag14 = "c:99999999999999";
  ASSERT_EQ(parse_sentence("\\" + tag14 + "*" + fixture::nmea_checksum(tag14) + "\\" + body, s, &e),
            LineKind::sentence);
  EXPECT_EQ(format_iso8601(*s.time, 0).substr(0, 5), "5138-");
  // The USCG form's trailing number only gives a time when it is one.
  const std::string uscg = body + ",rMySSTA1,1671620206671620150";  // s's views point into it
  ASSERT_EQ(parse_sentence(uscg, s, &e), LineKind::sentence) << e.message;
  EXPECT_EQ(s.station, "MySSTA1");
  EXPECT_FALSE(s.time.has_value());
}

TEST(AisNmeaSentence, UscgFormGivesStationAndUnixTime) {
  // From gpsd's sample file.
  NmeaSentence s;
  SentenceError e;
  ASSERT_EQ(parse_sentence("!AIVDM,1,1,,B,;4R33:1uUK2F`q?mOt@@GoQ00000,0*5D,s28089,d-103,T39.44353985,x147521,"
                           "r08TPHI1,1242958962",
                           s, &e),
            LineKind::sentence)
      << e.message;
  EXPECT_EQ(s.station, "08TPHI1");
  ASSERT_TRUE(s.time.has_value());
  EXPECT_EQ(format_iso8601(*s.time, 0), "2009-05-22T02:22:42Z");

  ASSERT_EQ(parse_sentence("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A,rMySSTA1,1184300012", s, &e),
            LineKind::sentence);
  EXPECT_EQ(s.station, "MySSTA1");
  EXPECT_EQ(to_unix_seconds(*s.time), 1184300012.0);

  // Receiver diagnostics without a time leave the time empty.
  ASSERT_EQ(parse_sentence("!AIVDM,1,1,,B,:6TMCD1GOS60,0*5B,s36310,d-081,T59.01777335", s, &e), LineKind::sentence);
  EXPECT_FALSE(s.time.has_value());
}

TEST(AisNmeaBits, ArmouringAlphabet) {
  EXPECT_EQ(armour_value('0'), 0);
  EXPECT_EQ(armour_value('W'), 39);
  EXPECT_EQ(armour_value('`'), 40);
  EXPECT_EQ(armour_value('w'), 63);
  EXPECT_EQ(armour_value('X'), -1);
  EXPECT_EQ(armour_value('_'), -1);
  EXPECT_EQ(armour_value('x'), -1);
  for (unsigned v = 0; v < 64; ++v) EXPECT_EQ(armour_value(armour_char(v)), static_cast<int>(v));
  EXPECT_EQ(sixbit_ascii(0), '@');
  EXPECT_EQ(sixbit_ascii(1), 'A');
  EXPECT_EQ(sixbit_ascii(32), ' ');
  EXPECT_EQ(sixbit_ascii(48), '0');

  AisBits bits;
  EXPECT_FALSE(bits.assign("15RT X", 0));               // a space is outside the alphabet
  EXPECT_FALSE(bits.assign("15RT", 6));                 // fill 0..5
  EXPECT_FALSE(bits.assign(std::string(200, '0'), 0));  // longer than 5 slots
  ASSERT_TRUE(bits.assign("w0", 2));
  EXPECT_EQ(bits.size(), 10u);
  EXPECT_EQ(bits.u(0, 6), 63u);
  EXPECT_EQ(bits.u(6, 4), 0u);
}

TEST(AisNmeaBits, FieldsRoundTripThroughTheFixtureEncoder) {
  // The fixture's independent bit packer and armourer.
  fixture::AisBits enc;
  enc.put(5, 3);
  enc.put_signed(-1, 8);
  enc.put_signed(-128, 8);
  enc.put_signed(127, 8);
  enc.put_signed(-74037230, 28);  // -123.395383 degrees in 1/10000 minute
  enc.put(0xABCDEu, 20);
  enc.put_text("EVER DIADEM", 20);
  enc.put(0x3FFFFFFFu, 30);
  int fill = 0;
  const std::string payload = enc.armour(fill);
  AisBits bits;
  ASSERT_TRUE(bits.assign(payload, fill));
  EXPECT_EQ(bits.size(), enc.size());
  EXPECT_EQ(bits.u(0, 3), 5u);
  EXPECT_EQ(bits.s(3, 8), -1);
  EXPECT_EQ(bits.u(3, 8), 255u);
  EXPECT_EQ(bits.s(11, 8), -128);
  EXPECT_EQ(bits.s(19, 8), 127);
  EXPECT_EQ(bits.s(27, 28), -74037230);
  EXPECT_EQ(bits.u(55, 20), 0xABCDEu);
  EXPECT_EQ(bits.text(75, 20), "EVER DIADEM");  // trailing space padding trimmed
  EXPECT_EQ(bits.u(195, 30), 0x3FFFFFFFu);
  EXPECT_EQ(bits.u(225, 6), 0u);  // past the end
}

TEST(AisNmeaBits, TextStopsAtTheFirstAtSign) {
  fixture::AisBits enc;
  enc.put(1, 6);   // 'A'
  enc.put(0, 6);   // '@': no more text
  enc.put(2, 6);   // 'B' after it is ignored
  enc.put(32, 6);  // ' '
  int fill = 0;
  AisBits bits;
  ASSERT_TRUE(bits.assign(enc.armour(fill), fill));
  EXPECT_EQ(bits.text(0, 4), "A");
}

TEST(AisNmeaMessages, ClassAPositionMatchesTheReferenceDecoding) {
  // gpsd sample type 1, checked with the noaadata tools and the Maritec decoder.
  const auto m = decode_one({"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"});
  const auto& p = std::get<PositionReportA>(m);
  EXPECT_EQ(p.type, 1);
  EXPECT_EQ(p.mmsi, 371798000u);
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.turn, -127);
  EXPECT_DOUBLE_EQ(*speed_knots(p.speed), 12.3);
  EXPECT_TRUE(p.accuracy);
  EXPECT_NEAR(*longitude_deg(p.lon), -123.395383333, 1e-9);
  EXPECT_NEAR(*latitude_deg(p.lat), 48.38163333333, 1e-9);
  EXPECT_DOUBLE_EQ(*course_deg(p.course), 224.0);
  EXPECT_EQ(*heading_deg(p.heading), 215);
  EXPECT_EQ(p.second, 33);
  EXPECT_FALSE(p.raim);
  EXPECT_FALSE(rate_of_turn_deg_min(p.turn).has_value());  // -127: fast left, no rate

  const auto fix = position_fix(m);
  ASSERT_TRUE(fix.has_value());
  EXPECT_EQ(fix->ais_class, 'A');
  EXPECT_EQ(*fix->nav_status, 0);
  EXPECT_EQ(*fix->second, 33);
}

TEST(AisNmeaMessages, NotAvailableValuesBecomeNullopt) {
  // gpsd sample type 1 with ROT -128, heading 511.
  const auto m = decode_one({"!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42"});
  const auto& p = std::get<PositionReportA>(m);
  EXPECT_EQ(p.turn, -128);
  EXPECT_FALSE(rate_of_turn_deg_min(p.turn).has_value());
  EXPECT_EQ(p.heading, 511);
  EXPECT_FALSE(heading_deg(p.heading).has_value());

  // A report with every field "not available", from the fixture encoder's defaults.
  fixture::AisPosition na;
  na.mmsi = 211000001;
  na.sog_kn = 102.3;
  const auto m2 = decode_one(fixture::encode_class_a_position(na, 3, 1700000000, 'B'));
  const auto fix = position_fix(m2);
  ASSERT_TRUE(fix.has_value());
  EXPECT_FALSE(fix->lat.has_value());
  EXPECT_FALSE(fix->lon.has_value());
  EXPECT_FALSE(fix->sog_kn.has_value());
  EXPECT_FALSE(fix->cog_deg.has_value());
  EXPECT_FALSE(fix->heading_deg.has_value());
  EXPECT_FALSE(fix->nav_status.has_value());
  EXPECT_FALSE(fix->second.has_value());

  EXPECT_DOUBLE_EQ(*speed_knots(1022), 102.2);  // "102.2 knots or more"
  EXPECT_FALSE(speed_knots(1023).has_value());
  EXPECT_FALSE(course_deg(3600).has_value());
  EXPECT_DOUBLE_EQ(*course_deg(3599), 359.9);
  EXPECT_FALSE(latitude_deg(91 * 600000).has_value());
  EXPECT_FALSE(latitude_deg(-90 * 600000 - 1).has_value());
  EXPECT_FALSE(longitude_deg(181 * 600000).has_value());
  EXPECT_DOUBLE_EQ(*longitude_deg(-180 * 600000), -180.0);
  EXPECT_NEAR(*rate_of_turn_deg_min(-50), -(50 / 4.733) * (50 / 4.733), 1e-9);
  EXPECT_FALSE(draught_m(0).has_value());
  EXPECT_FALSE(latitude_deg_long_range(91 * 600).has_value());
  EXPECT_FALSE(longitude_deg_long_range(181 * 600).has_value());
}

TEST(AisNmeaMessages, FixtureEncodedPositionsRoundTrip) {
  fixture::AisPosition p;
  p.mmsi = 244660123;
  p.nav_status = 7;
  p.sog_kn = 11.7;
  p.lat = 36.1251;
  p.lon = -5.4302;
  p.cog_deg = 271.4;
  p.heading = 270;
  p.second = 42;
  p.rot_raw = 20;
  auto fix = position_fix(decode_one(fixture::encode_class_a_position(p, 1, 1700000000, 'A')));
  ASSERT_TRUE(fix.has_value());
  EXPECT_EQ(fix->mmsi, 244660123u);
  EXPECT_NEAR(*fix->lat, 36.1251, 1e-6);
  EXPECT_NEAR(*fix->lon, -5.4302, 1e-6);
  EXPECT_DOUBLE_EQ(*fix->sog_kn, 11.7);
  EXPECT_DOUBLE_EQ(*fix->cog_deg, 271.4);
  EXPECT_EQ(*fix->heading_deg, 270);
  EXPECT_EQ(*fix->nav_status, 7);

  p.mmsi = 338087471;
  const auto m = decode_one(fixture::encode_class_b_position(p, 1700000000, 'B'));
  fix = position_fix(m);
  ASSERT_TRUE(fix.has_value());
  EXPECT_EQ(fix->ais_class, 'B');
  EXPECT_EQ(fix->type, 18);
  EXPECT_NEAR(*fix->lat, 36.1251, 1e-6);
  EXPECT_FALSE(fix->nav_status.has_value());
  EXPECT_TRUE(std::get<PositionReportB>(m).cs);
}

TEST(AisNmeaMessages, StaticDataFromTypes5And24) {
  fixture::AisStaticData s;
  s.mmsi = 244660123;
  s.imo = 9134270;
  s.callsign = "PDAB";
  s.name = "NORD STAR";
  s.ship_type = 70;
  s.dim_a = 120;
  s.dim_b = 30;
  s.dim_c = 10;
  s.dim_d = 12;
  s.draught_m = 7.4;
  s.destination = "ROTTERDAM";
  const auto lines5 = fixture::encode_static_voyage(s, 1700000000, 'A', 3);
  ASSERT_EQ(lines5.size(), 2u);  // multi-sentence
  const auto st = ship_static(decode_one(lines5));
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->type, 5);
  EXPECT_EQ(*st->imo, 9134270u);
  EXPECT_EQ(st->name, "NORD STAR");
  EXPECT_EQ(st->callsign, "PDAB");
  EXPECT_EQ(st->destination, "ROTTERDAM");
  EXPECT_EQ(*st->ship_type, 70);
  EXPECT_EQ(*st->dim_a, 120);
  EXPECT_EQ(*st->dim_d, 12);
  EXPECT_DOUBLE_EQ(*st->draught_m, 7.4);

  // Type 24: part A then part B on the same channel merge into one report.
  NmeaStreamDecoder decoder;
  DecodedAis out;
  long n = 0;
  std::vector<AisMessage> got;
  for (const auto& l : fixture::encode_class_b_static(s, 1700000000, 'B'))
    if (decoder.feed(l, ++n, out) == FeedResult::message) got.push_back(out.message);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(std::get<StaticDataReportB>(got[0]).part, Type24Part::a);
  EXPECT_FALSE(ship_static(got[0]).has_value());
  const auto& b = std::get<StaticDataReportB>(got[1]);
  EXPECT_EQ(b.part, Type24Part::both);
  EXPECT_EQ(b.shipname, "NORD STAR");
  EXPECT_EQ(b.vendorid.substr(0, 3), "SHC");
  const auto st24 = ship_static(got[1]);
  ASSERT_TRUE(st24.has_value());
  EXPECT_EQ(st24->ais_class, 'B');
  EXPECT_EQ(st24->name, "NORD STAR");
  EXPECT_EQ(*st24->dim_b, 30);
}

TEST(AisNmeaAssembler, ReassemblesInterleavedChannelsAndSequences) {
  // Two type 5 messages split in two, their fragments interleaved across channels A and B.
  fixture::AisStaticData s1;
  s1.mmsi = 111111111;
  s1.name = "FIRST";
  fixture::AisStaticData s2;
  s2.mmsi = 222222222;
  s2.name = "SECOND";
  const auto a = fixture::encode_static_voyage(s1, 1700000000, 'A', 1);
  const auto b = fixture::encode_static_voyage(s2, 1700000001, 'B', 1);  // same sequence id
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  NmeaStreamDecoder decoder;
  DecodedAis out;
  std::vector<std::string> names;
  std::vector<long> first_lines;
  long n = 0;
  for (const auto& l : {a[0], b[0], a[1], b[1]}) {
    if (decoder.feed(l, ++n, out) == FeedResult::message) {
      names.push_back(std::get<StaticVoyageData>(out.message).shipname);
      first_lines.push_back(out.first_line);
      ASSERT_TRUE(out.time.has_value());
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"FIRST", "SECOND"}));
  EXPECT_EQ(first_lines, (std::vector<long>{1, 2}));
  EXPECT_EQ(decoder.assembler_stats().dropped_groups, 0);
}

TEST(AisNmeaAssembler, DropsIncompleteGroupsWithinBoundedMemory) {
  AssemblerOptions options;
  options.max_pending = 4;
  options.max_line_gap = 10;
  NmeaAssembler assembler(options);
  NmeaMessage out;
  NmeaSentence s;
  auto feed = [&](const std::string& body, long line) {
    const std::string text = sentence(body);  // outlives the views in `s` until add() copies
    EXPECT_EQ(parse_sentence(text, s), LineKind::sentence) << body;
    return assembler.add(s, line, out);
  };
  // Fragment 2 without its first: orphan.
  EXPECT_FALSE(feed("AIVDM,2,2,3,A,0000,2", 1));
  EXPECT_EQ(assembler.stats().orphan_fragments, 1);
  // A new fragment 1 with the same key replaces an unfinished group.
  EXPECT_FALSE(feed("AIVDM,2,1,3,A,1111,0", 2));
  EXPECT_FALSE(feed("AIVDM,2,1,3,A,2222,0", 3));
  EXPECT_EQ(assembler.stats().dropped_groups, 1);
  EXPECT_TRUE(feed("AIVDM,2,2,3,A,33,2", 4));
  EXPECT_EQ(out.payload, "222233");
  EXPECT_EQ(out.fill_bits, 2);
  EXPECT_EQ(out.first_line, 3);
  EXPECT_EQ(out.last_line, 4);
  // Out-of-order fragment: group dropped.
  EXPECT_FALSE(feed("AIVDM,3,1,4,B,1111,0", 5));
  EXPECT_FALSE(feed("AIVDM,3,3,4,B,1111,0", 6));
  EXPECT_EQ(assembler.pending(), 0u);
  // No more than max_pending open groups: the oldest goes first.
  for (int seq = 0; seq < 6; ++seq) EXPECT_FALSE(feed("AIVDM,2,1," + std::to_string(seq) + ",A,1111,0", 7));
  EXPECT_EQ(assembler.pending(), 4u);
  EXPECT_FALSE(feed("AIVDM,2,2,0,A,11,0", 8));  // seq 0 was evicted
  EXPECT_TRUE(feed("AIVDM,2,2,5,A,11,0", 8));
  // Groups not finished within max_line_gap lines are dropped.
  EXPECT_FALSE(feed("AIVDM,2,1,7,B,1111,0", 20));
  EXPECT_EQ(assembler.pending(), 1u);  // the three left from line 7 expired
  EXPECT_FALSE(feed("AIVDM,2,2,7,B,11,0", 40));
  EXPECT_EQ(assembler.pending(), 0u);
  EXPECT_EQ(assembler.flush(), 0u);
}

TEST(AisNmeaStream, CountsBadAndUnsupportedMessages) {
  NmeaStreamDecoder decoder;
  DecodedAis out;
  SentenceError e;
  // Type 7 (binary acknowledge), from gpsd's sample: valid, not decoded here.
  EXPECT_EQ(decoder.feed("!AIVDM,1,1,,A,702R5`hwCjq8,0*6B", 1, out, &e), FeedResult::nothing);
  // Type 1 cut to 60 bits: undecodable.
  EXPECT_EQ(decoder.feed(sentence("AIVDM,1,1,,A,15RTgt0PAs,0"), 2, out, &e), FeedResult::invalid);
  EXPECT_EQ(e.field, "payload");
  // A character outside the six-bit alphabet.
  EXPECT_EQ(decoder.feed(sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CX,0"), 3, out, &e), FeedResult::invalid);
  EXPECT_EQ(decoder.feed("# comment", 4, out, &e), FeedResult::nothing);
  EXPECT_EQ(decoder.feed("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", 5, out, &e), FeedResult::message);
  const auto& s = decoder.stats();
  EXPECT_EQ(s.lines, 5);
  EXPECT_EQ(s.blank, 1);
  EXPECT_EQ(s.sentences, 4);
  EXPECT_EQ(s.unsupported, 1);
  EXPECT_EQ(s.undecodable, 2);
  EXPECT_EQ(s.decoded, 1);
}

TEST(AisNmeaJson, MatchesGpsdecodeOutputByteForByte) {
  // First lines of gpsd's sample.aivdm and the .chk lines gpsdecode -j prints for them.
  const std::vector<std::string> sentences = {
      "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", "!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42",
      "!AIVDM,1,1,,B,25Cjtd0Oj;Jp7ilG7=UkKBoB0<06,0*60", "!AIVDM,1,1,,A,38Id705000rRVJhE7cl9n;160000,0*40",
      "!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D",
  };
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    std::string json;
    ASSERT_TRUE(append_gpsd_json(decode_one({sentences[i]}), json, "stdin"));
    std::string expected = chk_line(static_cast<int>(i));
    expected.pop_back();  // "\n" from getline's line; gpsd's own "\r" is kept
    expected += "\n";
    EXPECT_EQ(json, expected) << sentences[i];
  }
  // Type 5 over two sentences (chk line 6).
  std::string json;
  ASSERT_TRUE(
      append_gpsd_json(decode_one({"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
                                   "!AIVDM,2,2,1,A,88888888880,2*25"}),
                       json, "stdin"));
  EXPECT_EQ(json, chk_line(5));
  // A part A alone is not printed (gpsdecode -j without --split24).
  json.clear();
  EXPECT_FALSE(append_gpsd_json(decode_one({"!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D"}), json));
  EXPECT_TRUE(json.empty());
}

TEST(AisNmeaJson, LegendsFollowGpsd) {
  EXPECT_EQ(nav_status_text(5), "Moored");
  EXPECT_EQ(nav_status_text(15), "Not defined");
  EXPECT_EQ(epfd_text(7), "Surveyed");
  EXPECT_EQ(epfd_text(14), "INVALID EPFD");
  EXPECT_EQ(ship_type_text(70), "Cargo - all ships of this type");
  EXPECT_EQ(ship_type_text(37), "Pleasure Craft");
  EXPECT_EQ(ship_type_text(55), "Law Enforcement");
  EXPECT_EQ(ship_type_text(29), "Wing in ground (WIG) - Reserved for future use");
  EXPECT_EQ(ship_type_text(99), "Other Type - no additional information");
  EXPECT_EQ(ship_type_text(100), "INVALID SHIP TYPE");
}
