#include "ais/ship_geometry.hpp"

#include "geo/s2_grid.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

namespace shipchips::ais {

namespace {

constexpr double deg = std::numbers::pi / 180.0;

double wrap360(double angle) {
  double a = std::fmod(angle, 360.0);
  if (a < 0.0) a += 360.0;
  return a >= 360.0 ? 0.0 : a;
}

// Signed shortest turn from a to b, (-180, 180].
double turn(double a, double b) {
  double d = std::fmod(b - a, 360.0);
  if (d <= -180.0) d += 360.0;
  if (d > 180.0) d -= 360.0;
  return d;
}

}  // namespace

std::optional<HullDimensions> hull_dimensions(const StaticData& data) {
  const auto ok = [](const std::optional<int>& v) { return v && *v > 0; };
  if (!ok(data.dim_a) || !ok(data.dim_b) || !ok(data.dim_c) || !ok(data.dim_d)) return std::nullopt;
  return HullDimensions{double(*data.dim_a), double(*data.dim_b), double(*data.dim_c), double(*data.dim_d)};
}

std::string_view to_string(HeadingSource source) {
  return source == HeadingSource::heading ? "heading" : "cog";
}

std::optional<ShipHeading> choose_heading(std::optional<double> heading_deg, std::optional<double> cog_deg) {
  if (auto h = valid_heading(heading_deg)) return ShipHeading{*h, HeadingSource::heading};
  if (auto c = valid_cog(cog_deg)) return ShipHeading{*c, HeadingSource::cog};
  return std::nullopt;
}

std::optional<ShipHeading> heading_at(const InterpolatedPosition& pos, UtcTime t) {
  if (pos.before && pos.after) {
    const auto hb = valid_heading(pos.before->heading_deg);
    const auto ha = valid_heading(pos.after->heading_deg);
    if (hb && ha) {
      const double span = std::chrono::duration<double>(pos.after->time - pos.before->time).count();
      const double f =
          span > 0.0 ? std::clamp(std::chrono::duration<double>(t - pos.before->time).count() / span, 0.0, 1.0) : 0.0;
      return ShipHeading{wrap360(*hb + f * turn(*hb, *ha)), HeadingSource::heading};
    }
  }
  if (auto h = valid_heading(pos.nearest.heading_deg)) return ShipHeading{*h, HeadingSource::heading};
  if (auto c = valid_cog(pos.course_deg)) return ShipHeading{*c, HeadingSource::cog};
  if (auto c = valid_cog(pos.nearest.cog_deg)) return ShipHeading{*c, HeadingSource::cog};
  return std::nullopt;
}

geo::Ring ShipOutline::lonlat_ring() const {
  geo::Ring ring(lonlat.begin(), lonlat.end());
  ring.push_back(lonlat.front());
  return ring;
}

ShipOutlineResult ship_outline(const std::optional<HullDimensions>& dims, const std::optional<ShipHeading>& heading,
                               const ChipFrame& chip) {
  if (!dims || !(dims->to_bow > 0) || !(dims->to_stern > 0) || !(dims->to_port > 0) || !(dims->to_starboard > 0))
    return NoOutline{"dimensions unavailable"};
  if (!heading || !std::isfinite(heading->true_deg)) return NoOutline{"heading and COG unavailable"};
  const bool north = chip.epsg >= 32601 && chip.epsg <= 32660;
  const bool south = chip.epsg >= 32701 && chip.epsg <= 32760;
  if (!north && !south) return NoOutline{"chip CRS EPSG:" + std::to_string(chip.epsg) + " is not UTM"};
  const auto& gt = chip.transform;
  const double det = gt[1] * gt[5] - gt[2] * gt[4];
  if (det == 0.0 || !std::isfinite(det) || chip.width <= 0 || chip.height <= 0)
    return NoOutline{"chip transform or size invalid"};
  const int zone = chip.epsg % 100;

  ShipOutline out;
  out.length_m = dims->length();
  out.beam_m = dims->beam();
  out.heading = {wrap360(heading->true_deg), heading->source};
  out.convergence_deg = geo::utm_convergence_deg(zone, north, chip.antenna_x, chip.antenna_y);
  out.grid_heading_deg = wrap360(out.heading.true_deg - out.convergence_deg);

  // Forward and starboard unit vectors on the grid (x east, y north).
  const double g = out.grid_heading_deg * deg;
  const double fx = std::sin(g), fy = std::cos(g);
  const double rx = std::cos(g), ry = -std::sin(g);
  const double along[4] = {dims->to_bow, dims->to_bow, -dims->to_stern, -dims->to_stern};
  const double across[4] = {-dims->to_port, dims->to_starboard, dims->to_starboard, -dims->to_port};

  const auto to_pixel = [&](double x, double y) -> PixelXY {
    const double dx = x - gt[0], dy = y - gt[3];
    return {(gt[5] * dx - gt[2] * dy) / det, (-gt[4] * dx + gt[1] * dy) / det};
  };
  double cmin = 1e300, cmax = -1e300, rmin = 1e300, rmax = -1e300;
  for (int k = 0; k < 4; ++k) {
    const double x = chip.antenna_x + fx * along[k] + rx * across[k];
    const double y = chip.antenna_y + fy * along[k] + ry * across[k];
    out.map[k] = {x, y};
    out.pixel[k] = to_pixel(x, y);
    out.lonlat[k] = geo::utm_to_lonlat(zone, north, x, y);
    cmin = std::min(cmin, out.pixel[k].first);
    cmax = std::max(cmax, out.pixel[k].first);
    rmin = std::min(rmin, out.pixel[k].second);
    rmax = std::max(rmax, out.pixel[k].second);
  }
  const double cx =
      chip.antenna_x + fx * (dims->to_bow - dims->to_stern) / 2.0 + rx * (dims->to_starboard - dims->to_port) / 2.0;
  const double cy =
      chip.antenna_y + fy * (dims->to_bow - dims->to_stern) / 2.0 + ry * (dims->to_starboard - dims->to_port) / 2.0;
  out.centre_pixel = to_pixel(cx, cy);
  out.centre_lonlat = geo::utm_to_lonlat(zone, north, cx, cy);

  const double w = chip.width, h = chip.height;
  if (cmax <= 0.0 || rmax <= 0.0 || cmin >= w || rmin >= h) return NoOutline{"hull outside the chip"};
  out.clipped = cmin < 0.0 || rmin < 0.0 || cmax > w || rmax > h;
  out.col_min = std::clamp(cmin, 0.0, w);
  out.col_max = std::clamp(cmax, 0.0, w);
  out.row_min = std::clamp(rmin, 0.0, h);
  out.row_max = std::clamp(rmax, 0.0, h);
  return out;
}

}  // namespace shipchips::ais
