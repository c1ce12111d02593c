#include "ops/ship_outcomes.hpp"

#include "core/error.hpp"

#include <array>

namespace shipchips::ops {
namespace {

constexpr std::array<ShipOutcomeKind, 6> kKinds{ShipOutcomeKind::chipped,  ShipOutcomeKind::gate_rejected,
                                                ShipOutcomeKind::rejected, ShipOutcomeKind::no_ais_near_sensing_time,
                                                ShipOutcomeKind::no_scene, ShipOutcomeKind::failed};

}  // namespace

std::string_view to_string(ShipOutcomeKind kind) {
  switch (kind) {
    case ShipOutcomeKind::chipped:
      return "chipped";
    case ShipOutcomeKind::gate_rejected:
      return "gate_rejected";
    case ShipOutcomeKind::rejected:
      return "rejected";
    case ShipOutcomeKind::no_ais_near_sensing_time:
      return "no_ais_near_sensing_time";
    case ShipOutcomeKind::no_scene:
      return "no_scene";
    case ShipOutcomeKind::failed:
      return "failed";
  }
  return "failed";
}

ShipOutcomeKind parse_ship_outcome_kind(std::string_view text) {
  for (ShipOutcomeKind k : kKinds)
    if (to_string(k) == text) return k;
  throw Error(ErrorCode::input_invalid, "ship outcome: unknown kind '" + std::string(text) + "'");
}

}  // namespace shipchips::ops
