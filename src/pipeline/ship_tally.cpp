#include "pipeline/ship_tally.hpp"

#include <algorithm>

namespace shipchips::pipeline {

void ShipTally::chip_exists(std::int64_t mmsi) {
  ++m_ships[mmsi].chips;
}

void ShipTally::chip_failed(std::int64_t mmsi, const std::string& message) {
  Ship& s = m_ships[mmsi];
  if (s.first_error.empty()) s.first_error = message;
}

void ShipTally::chip_rejected(std::int64_t mmsi, const std::string& reason) {
  Ship& s = m_ships[mmsi];
  if (reason.rfind("gate:", 0) == 0) {
    if (s.gate_reason.empty()) s.gate_reason = reason;
  } else if (reason == ais::kNoAisNearSensingTime) {
    s.no_ais = true;
  } else if (reason == kNoDataAtShip) {
    s.nodata = true;
  } else if (s.other_reason.empty()) {
    s.other_reason = reason;
  }
}

void ShipTally::ping_without_scene(std::int64_t mmsi, const std::string& reason) {
  ++m_ships[mmsi].no_scene[reason];
}

ops::ShipOutcome ShipTally::outcome(std::int64_t mmsi, const std::vector<ais::PositionReport>& track) const {
  ops::ShipOutcome o;
  o.mmsi = mmsi;
  o.pings = track.size();
  if (!track.empty()) {
    o.first_ping = track.front().time;
    o.last_ping = track.back().time;
  }
  const auto found = m_ships.find(mmsi);
  const Ship empty;
  const Ship& s = found == m_ships.end() ? empty : found->second;
  o.chips = s.chips;
  using K = ops::ShipOutcomeKind;
  if (s.chips > 0) {
    o.kind = K::chipped;
  } else if (!s.first_error.empty()) {
    o.kind = K::failed;
    o.reason = s.first_error;
  } else if (!s.gate_reason.empty()) {
    o.kind = K::gate_rejected;
    o.reason = s.gate_reason;
  } else if (!s.other_reason.empty()) {
    o.kind = K::rejected;
    o.reason = s.other_reason;
  } else if (s.no_ais) {
    o.kind = K::no_ais_near_sensing_time;
    o.reason = std::string(ais::kNoAisNearSensingTime);
  } else if (s.nodata) {
    o.kind = K::no_scene;
    o.reason = "nodata at the ship";
  } else {
    o.kind = K::no_scene;
    const auto most = std::max_element(s.no_scene.begin(), s.no_scene.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    o.reason = most == s.no_scene.end() ? "no pings" : most->first;
  }
  return o;
}

}  // namespace shipchips::pipeline
