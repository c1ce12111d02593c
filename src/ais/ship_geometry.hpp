#pragma once
// The ship's hull as an oriented rectangle, from its AIS static dimensions and heading, in the
// chip's map coordinates (UTM), chip pixels and WGS-84.
//
// ITU-R M.1371 reference point: the AIS position is the GNSS antenna; A is the distance from it
// to the bow, B to the stern, C to port, D to starboard (metres). So the hull is
// length = A + B by beam = C + D, and its centre lies (A − B)/2 ahead of the antenna and
// (D − C)/2 to starboard. A dimension of 0 means "not available": no rectangle.
//
// Heading: the true heading when the ship reports one, else its course over ground (a ship
// crabbing in a cross-current points elsewhere than it moves, so COG is only the fallback);
// neither → no rectangle. Both are true bearings (clockwise from true north), but a UTM grid's
// north is rotated from true north by the meridian convergence γ (GeographicLib's gamma:
// clockwise from true north to grid north, up to ±3° at a zone's edge and more in the 31V/32V/
// 31X exceptions, 2° of which would turn a 300 m ship's bow 10 m sideways). The rectangle is
// drawn on the grid, so its axis points at grid bearing = true heading − γ, with γ taken at the
// antenna. Lengths are laid out in grid metres: the UTM scale factor (0.9996..1.001) would change
// a 400 m hull by at most 0.4 m and is ignored, exactly as the fixture world draws its ships
// (fixture/world_ships.cpp hull_at), so the box and the world agree to rounding.
//
// Corners are in the fixture world's order: bow-port, bow-starboard, stern-starboard,
// stern-port.

#include "ais/interpolate.hpp"
#include "ais/model.hpp"
#include "geo/polygon.hpp"

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace shipchips::ais {

// The antenna offsets A, B, C, D (metres).
struct HullDimensions {
  double to_bow = 0, to_stern = 0, to_port = 0, to_starboard = 0;
  double length() const { return to_bow + to_stern; }
  double beam() const { return to_port + to_starboard; }
};

// Dimensions from static data: nullopt when any of A, B, C, D is missing or not positive.
std::optional<HullDimensions> hull_dimensions(const StaticData& data);

enum class HeadingSource { heading, cog };
std::string_view to_string(HeadingSource source);

struct ShipHeading {
  double true_deg = 0;  // [0, 360)
  HeadingSource source = HeadingSource::heading;
};

// True heading if valid, else COG if valid, else nullopt.
std::optional<ShipHeading> choose_heading(std::optional<double> heading_deg, std::optional<double> cog_deg);

// The heading at the sensing time from an interpolated position: the bracketing pings' true
// headings interpolated along the shorter arc at the position's time fraction when both have one,
// else the nearest ping's heading, else the course at t (course_deg), else the nearest ping's COG.
std::optional<ShipHeading> heading_at(const InterpolatedPosition& position, UtcTime t);

// The chip the rectangle is drawn into: its CRS (a UTM EPSG code, 326zz/327zz), GDAL-ordered
// transform, size, and the antenna's projected position (ChipGrid::target_x / target_y).
struct ChipFrame {
  int epsg = 0;
  std::array<double, 6> transform{};
  int width = 0, height = 0;
  double antenna_x = 0, antenna_y = 0;
};

using PixelXY = std::pair<double, double>;  // (col, row), fractional; pixel i spans [i, i+1)

struct ShipOutline {
  double length_m = 0, beam_m = 0;
  ShipHeading heading;                             // the true heading used
  double convergence_deg = 0;                      // γ at the antenna
  double grid_heading_deg = 0;                     // heading − γ, [0, 360)
  std::array<geo::LonLat, 4> lonlat{};             // corners, WGS-84
  std::array<std::pair<double, double>, 4> map{};  // corners, projected (x, y) in the chip CRS
  std::array<PixelXY, 4> pixel{};                  // corners, chip pixels
  PixelXY centre_pixel{};                          // hull centre, chip pixels
  geo::LonLat centre_lonlat{};
  // Axis-aligned box of the corners in pixels, clipped to [0, width] × [0, height].
  double col_min = 0, row_min = 0, col_max = 0, row_max = 0;
  bool clipped = false;  // part of the hull lies outside the chip

  // The corners as a list (for raster::draw_outline).
  std::vector<std::pair<double, double>> pixel_polygon() const { return {pixel.begin(), pixel.end()}; }
  // Closed WGS-84 ring (first corner repeated), for GeoJSON.
  geo::Ring lonlat_ring() const;
};

struct NoOutline {
  std::string reason;  // "dimensions unavailable", "heading and COG unavailable", ...
};

using ShipOutlineResult = std::variant<ShipOutline, NoOutline>;

// The rectangle, or the reason there is none (missing dimensions or heading, a CRS that is not
// UTM, a hull entirely outside the chip).
ShipOutlineResult ship_outline(const std::optional<HullDimensions>& dimensions,
                               const std::optional<ShipHeading>& heading, const ChipFrame& chip);

}  // namespace shipchips::ais
