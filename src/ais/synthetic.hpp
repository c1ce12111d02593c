#pragma once
// Synthetic AIS traffic for `collect-ais --dry-run`: ships sailing great-circle legs inside
// given boxes, reporting at the rates of ITU-R M.1371, so the whole chain (track store,
// snapshots, interpolation, chips) can be exercised without a live feed. Every report says
// provider = source = "synthetic": synthetic data is never mistaken for (or mixed silently
// into) real data.
//
// Per ship (deterministic for a seed): a class (A about 70 %, else B), an MMSI with a real
// maritime identification digit, a speed (class A 6–22 kn, class B 3–12 kn) held within a few
// tenths of a knot, and legs of 15–60 km along geodesics (GeographicLib) joined by turns of
// 10–60°, steering back towards the box when a leg would leave it. COG is the geodesic's
// azimuth where the ship is; class A reports a true heading within ±2° of it, class B mostly
// does not (511). Report intervals: class A 10 s below 14 kn, 6 s up to 23 kn, 2 s above (3 min
// at anchor), with up to ±0.5 s of slot jitter; class B (CS) every 30 s. Static data: class A
// a type 5 report, class B 24 A+B, every 6 minutes, with plausible dimensions and ship type.

#include "ais/model.hpp"
#include "ais/track_store.hpp"
#include "core/time.hpp"

#include <cstdint>
#include <vector>

namespace shipchips::ais {

struct SyntheticArea {
  BBox box;         // ships start inside and are steered to stay inside
  UtcTime start{};  // reports in [start, end)
  UtcTime end{};
};

struct SyntheticOptions {
  std::vector<SyntheticArea> areas;
  int ships_per_area = 12;
  std::uint64_t seed = 1;
};

struct SyntheticTraffic {
  std::vector<PositionReport> positions;  // per ship in time order, ships one after another
  std::vector<StaticData> statics;
};

// Throws Error(invalid_argument) for an area with end <= start, a box of zero size or out of
// range, or ships_per_area < 1.
SyntheticTraffic synthesize_ais(const SyntheticOptions& options);

}  // namespace shipchips::ais
