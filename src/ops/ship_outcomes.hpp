#pragma once
// One recorded outcome per input ship (and ping group) of a chip run, so `ops-status` can say what became of every
// ship, not only of the chips made:
//
//   chipped                  at least one chip of the ship exists (written now or before)
//   gate_rejected            every chip the ship had was refused by the gate (reason: why)
//   rejected                 refused for another reason (implausible reflectance, the ship
//                            outside the scene at sensing time)
//   no_ais_near_sensing_time the track does not reach any scene's sensing time
//   no_scene                 no usable scene (reason: not covered, outside window, too cloudy,
//                            or nodata at the ship when the footprint said otherwise)
//   failed                   an error (reason: the first one); the chips' jobs hold the rest
//
// Stored as the job store's ais_observations rows (ops/job_store.hpp), keyed by (mmsi,
// first_ping, last_ping), so the same ship in another AIS file or window is another row; a
// rerun of the same input updates its row.

#include "core/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::ops {

enum class ShipOutcomeKind { chipped, gate_rejected, rejected, no_ais_near_sensing_time, no_scene, failed };
std::string_view to_string(ShipOutcomeKind kind);
// Error(input_invalid) on an unknown name.
ShipOutcomeKind parse_ship_outcome_kind(std::string_view text);

struct ShipOutcome {
  std::int64_t mmsi = 0;
  UtcTime first_ping{};
  UtcTime last_ping{};
  std::size_t pings = 0;
  ShipOutcomeKind kind = ShipOutcomeKind::no_scene;
  std::string reason;     // "" for chipped
  std::size_t chips = 0;  // chips of the ship that exist after the run
  bool operator==(const ShipOutcome&) const = default;
};

}  // namespace shipchips::ops
