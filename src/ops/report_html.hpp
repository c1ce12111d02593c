#pragma once
// The pieces of a self-contained HTML report (the QA report, ops/qa_report.hpp): text escaping,
// base64 for data: URIs, and plots drawn as inline SVG by our own code — bar charts, histograms
// and a lon/lat footprint map (equirectangular, with a graticule and axis labels). Nothing here
// refers to anything outside the document: no external stylesheets, fonts, scripts or tiles,
// and no XML namespace URLs (inline <svg> in HTML needs none).

#include "geo/polygon.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::ops::html {

// & < > " ' as entities: safe in element text and in quoted attribute values.
std::string escape(std::string_view text);

// RFC 4648 base64 with padding (for data: URIs).
std::string base64(std::string_view bytes);

// One bar: its label under the axis and its height.
struct Bar {
  std::string label;
  double value = 0;
};

// A vertical bar chart with a y axis and the value over each bar; labels are turned 45° when
// there are many bars. An empty `bars` draws the axes and "no data".
std::string bar_chart_svg(std::span<const Bar> bars, std::string_view title, std::string_view y_label);

// Equal-width bins over [lo, hi]; a value equal to hi falls in the last bin, values outside are
// counted in below/above (not drawn as bars).
struct Histogram {
  double lo = 0, hi = 1;
  std::vector<std::size_t> counts;
  std::size_t below = 0, above = 0;
};
Histogram make_histogram(std::span<const double> values, double lo, double hi, std::size_t bins);
std::string histogram_svg(const Histogram& histogram, std::string_view title, std::string_view x_label);

// A chip on the map: its footprint ring (WGS-84 lon/lat) and a tooltip.
struct MapShape {
  geo::Ring ring;
  std::string title;
};

// Plate carrée around the shapes' bounding box (padded; at least 0.1° across), x stretched by
// cos(middle latitude) so shapes keep their proportions, graticule lines at a round step with
// their degree labels on the axes. Each footprint is outlined and its centre marked so a chip of
// a few kilometres stays visible on a map of hundreds.
std::string footprint_map_svg(std::span<const MapShape> shapes, std::string_view title);

}  // namespace shipchips::ops::html
