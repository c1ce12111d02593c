#pragma once
// aisstream.io's wire format, as pure functions (no I/O): the subscription message a client
// sends after connecting, and the JSON text frames the service sends back.
//
// Subscription (reference/ais/aisstream/SubscriptionMessage.md and the official example):
//   {"APIKey": "...", "BoundingBoxes": [[[lat1, lon1], [lat2, lon2]], ...],
//    "FiltersShipMMSI": ["..."], "FilterMessageTypes": ["PositionReport", ...]}
// Frames: {"MessageType": "PositionReport", "MetaData": {"MMSI", "ShipName", "latitude",
//   "longitude", "time_utc"}, "Message": {"PositionReport": {...}}}, or {"error": "..."}.
//
// A frame's report time is MetaData.time_utc, which aisstream prints with Go's default time
// format: "2023-10-08 18:02:55.276016709 +0000 UTC", the fraction 0..9 digits long (Go drops
// trailing zeros, and the whole fraction when it is zero). It is truncated to microseconds,
// the resolution of UtcTime — the same rule parse_iso8601 applies to long fractions.

#include "ais/model.hpp"
#include "ais/track_store.hpp"
#include "core/time.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::ais {

// What a client asks aisstream for. Boxes use the track store's BBox (min_lon > max_lon means
// the box crosses the antimeridian; subscription_json splits such a box in two, since the
// service takes plain corner pairs). Empty message_types or mmsi_filter mean "no filter".
struct StreamSubscription {
  std::vector<BBox> boxes;
  std::vector<std::string> message_types;
  std::vector<std::string> mmsi_filter;  // 9-digit MMSIs as strings, as aisstream wants them

  bool operator==(const StreamSubscription& other) const;
};

// The subscription text, keys in the documented order, separators as in the official example
// (", " and ": "), numbers in shortest round-trip form (-11 stays "-11", 33.7311 stays
// "33.7311"). FiltersShipMMSI and FilterMessageTypes are left out when empty.
// Throws Error(invalid_argument) for an empty key, no boxes, a latitude outside -90..90 or
// min_lat > max_lat, a longitude outside -180..180, or an MMSI that is not 1-9 digits.
std::string subscription_json(std::string_view api_key, const StreamSubscription& subscription);

// The corner pairs actually sent: each box as [[min_lat, min_lon], [max_lat, max_lon]], an
// antimeridian-crossing box as two (east part first). Shared by subscription_json and the
// test server's filter so both agree on what a box covers.
std::vector<BBox> split_at_antimeridian(const std::vector<BBox>& boxes);
bool box_contains(const BBox& box, double lat, double lon);  // edges inclusive, handles crossing

// The other direction, for the test server: reads a subscription text back. api_key receives
// "APIKey". Throws Error(contract_violation) naming the field when the shape is wrong.
StreamSubscription parse_subscription_json(std::string_view json, std::string* api_key);

// "2023-10-08 18:02:55.276016709 +0000 UTC" (fraction 0..9 digits, offset ±hhmm, the " UTC"
// zone name optional) → UtcTime, truncated to microseconds. Throws Error(contract_violation).
UtcTime parse_aisstream_time(std::string_view text);

enum class StreamFrameKind {
  position,     // `position` is set (ExtendedClassBPositionReport also sets `static_data`)
  static_data,  // `static_data` is set
  error,        // the service's {"error": "..."}; `text` holds the message
  ignored,      // well-formed but not used: another message type, Valid=false, position not
                // available (91/181) or outside the globe, MMSI out of range; `text` says which
};

std::string_view to_string(StreamFrameKind kind);

struct StreamFrame {
  StreamFrameKind kind = StreamFrameKind::ignored;
  std::string message_type;  // "PositionReport", ... ("" for error frames)
  std::optional<PositionReport> position;
  std::optional<StaticData> static_data;
  std::string text;  // error message (error) or the reason (ignored)

  bool operator==(const StreamFrame&) const = default;
};

// Decodes one text frame. Reports get provider = source = "aisstream"; class A for
// PositionReport (types 1-3), class B for Standard/ExtendedClassBPositionReport (18, 19).
// Not-available values become std::nullopt as in model.hpp (SOG 102.3, COG 360, heading 511,
// nav status 15, IMO/type/dimension/draught 0); text fields lose trailing spaces and '@'.
// Position 91/181 (and anything outside the globe) gives kind ignored, matching the file
// readers, which drop such pings rather than fail.
// Throws Error(contract_violation) naming the field for malformed JSON, a missing
// MessageType/MetaData/time_utc/Message body/UserID/Latitude/Longitude, or a wrong JSON type.
StreamFrame parse_stream_frame(std::string_view json);

}  // namespace shipchips::ais
