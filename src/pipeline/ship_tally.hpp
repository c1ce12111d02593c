#pragma once
// Gathers, during a chip run, what happened to each input ship's chips and pings, and turns it
// into one ops::ShipOutcome per ship (see ops/ship_outcomes.hpp for the kinds). The order of
// precedence: any chip → chipped; else an error → failed; else a gate reject → gate_rejected;
// else another reject → rejected; else no AIS near any sensing time; else no scene, with the
// pings' most common reason (or "nodata at the ship").

#include "ais/interpolate.hpp"
#include "ais/model.hpp"
#include "ops/ship_outcomes.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shipchips::pipeline {

// The reject reason of a chip whose scene has no data at the ship (its footprint said it had):
// the ping's vote goes to its next candidate scene.
inline constexpr std::string_view kNoDataAtShip = "nodata at the ship's position";

class ShipTally {
 public:
  void chip_exists(std::int64_t mmsi);  // written now or found from an earlier run
  void chip_failed(std::int64_t mmsi, const std::string& message);
  void chip_rejected(std::int64_t mmsi, const std::string& reason);  // now or in an earlier run
  void ping_without_scene(std::int64_t mmsi, const std::string& reason);

  ops::ShipOutcome outcome(std::int64_t mmsi, const std::vector<ais::PositionReport>& track) const;

 private:
  struct Ship {
    std::size_t chips = 0;
    std::string first_error;
    std::string gate_reason;
    std::string other_reason;
    bool no_ais = false;
    bool nodata = false;
    std::map<std::string, std::size_t> no_scene;  // reason → pings
  };
  std::map<std::int64_t, Ship> m_ships;
};

}  // namespace shipchips::pipeline
