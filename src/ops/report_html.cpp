#include "ops/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace shipchips::ops::html {
namespace {

constexpr double chart_width = 600, chart_height = 300;
constexpr double margin_left = 60, margin_right = 16, margin_top = 34, margin_bottom = 72;

std::string num(double value, int digits = 1) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  std::string text(buffer);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text == "-0" ? "0" : text;
}

// A round step (1, 2 or 5 × 10^k) that cuts `range` into about `parts` pieces.
double nice_step(double range, int parts) {
  if (!(range > 0)) return 1;
  const double raw = range / parts;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (raw <= m * power) return m * power;
  }
  return 10 * power;
}

std::string svg_open(double width, double height, std::string_view title) {
  return "<svg class=\"plot\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\" width=\"" + num(width) +
         "\" height=\"" + num(height) + "\" role=\"img\" aria-label=\"" + escape(title) + "\"><title>" + escape(title) +
         "</title><rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" fill=\"#ffffff\"/><text x=\"" + num(width / 2) +
         "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" + escape(title) + "</text>";
}

std::string text_at(double x, double y, std::string_view text, std::string_view anchor, double size = 11,
                    std::string_view extra = {}) {
  std::string out = "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + std::string(anchor) +
                    "\" font-size=\"" + num(size) + "\"";
  if (!extra.empty()) out.append(" ").append(extra);
  return out + ">" + escape(text) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, std::string_view stroke, double width = 1) {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\" stroke=\"" +
         std::string(stroke) + "\" stroke-width=\"" + num(width) + "\"/>";
}

// The y axis of a chart of counts from 0 to a round top above `max_value`; returns the top.
double y_axis(std::string& svg, double max_value, std::string_view y_label) {
  const double plot_h = chart_height - margin_top - margin_bottom;
  const double step = std::max(1.0, nice_step(max_value, 5));  // every chart counts things
  const double top = std::max(step, std::ceil(max_value / step) * step);
  for (double v = 0; v <= top + step / 2; v += step) {
    const double y = margin_top + plot_h * (1 - v / top);
    svg += line(margin_left, y, chart_width - margin_right, y, "#e3e3e3");
    svg += text_at(margin_left - 6, y + 4, num(v, 0), "end");
  }
  svg += line(margin_left, margin_top, margin_left, chart_height - margin_bottom, "#444444");
  svg += line(margin_left, chart_height - margin_bottom, chart_width - margin_right, chart_height - margin_bottom,
              "#444444");
  if (!y_label.empty()) {
    svg += text_at(14, margin_top + plot_h / 2, y_label, "middle", 11,
                   "transform=\"rotate(-90 14 " + num(margin_top + plot_h / 2) + ")\"");
  }
  return top;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += rest == 2 ? alphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::string bar_chart_svg(std::span<const Bar> bars, std::string_view title, std::string_view y_label) {
  std::string svg = svg_open(chart_width, chart_height, title);
  double max_value = 0;
  for (const Bar& b : bars) max_value = std::max(max_value, b.value);
  const double top = y_axis(svg, max_value, y_label);
  const double plot_w = chart_width - margin_left - margin_right;
  const double plot_h = chart_height - margin_top - margin_bottom;
  const double base = chart_height - margin_bottom;
  if (bars.empty()) {
    svg += text_at(margin_left + plot_w / 2, margin_top + plot_h / 2, "no data", "middle", 13, "fill=\"#777777\"");
  }
  const double slot = bars.empty() ? plot_w : plot_w / static_cast<double>(bars.size());
  const bool turn = bars.size() > 8;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double h = plot_h * bars[i].value / top;
    const double x = margin_left + slot * static_cast<double>(i) + slot * 0.15;
    svg += "<rect class=\"bar\" x=\"" + num(x) + "\" y=\"" + num(base - h) + "\" width=\"" + num(slot * 0.7) +
           "\" height=\"" + num(h) + "\" fill=\"#3572b0\"><title>" + escape(bars[i].label) + ": " +
           num(bars[i].value, 3) + "</title></rect>";
    const double cx = x + slot * 0.35;
    if (bars.size() <= 40) svg += text_at(cx, base - h - 3, num(bars[i].value, 3), "middle", 10);
    if (turn) {
      svg += text_at(cx, base + 12, bars[i].label, "end", 10,
                     "transform=\"rotate(-45 " + num(cx) + " " + num(base + 12) + ")\"");
    } else {
      svg += text_at(cx, base + 16, bars[i].label, "middle", 11);
    }
  }
  return svg + "</svg>";
}

Histogram make_histogram(std::span<const double> values, double lo, double hi, std::size_t bins) {
  Histogram h;
  h.lo = lo;
  h.hi = hi > lo ? hi : lo + 1;
  h.counts.assign(std::max<std::size_t>(bins, 1), 0);
  const double width = (h.hi - h.lo) / static_cast<double>(h.counts.size());
  for (double v : values) {
    if (v < h.lo) {
      ++h.below;
    } else if (v > h.hi) {
      ++h.above;
    } else {
      const auto bin = std::min(h.counts.size() - 1, static_cast<std::size_t>((v - h.lo) / width));
      ++h.counts[bin];
    }
  }
  return h;
}

std::string histogram_svg(const Histogram& histogram, std::string_view title, std::string_view x_label) {
  std::string svg = svg_open(chart_width, chart_height, title);
  std::size_t max_count = 0, total = 0;
  for (std::size_t c : histogram.counts) {
    max_count = std::max(max_count, c);
    total += c;
  }
  const double top = y_axis(svg, static_cast<double>(max_count), "chips");
  const double plot_w = chart_width - margin_left - margin_right;
  const double plot_h = chart_height - margin_top - margin_bottom;
  const double base = chart_height - margin_bottom;
  const double n = static_cast<double>(histogram.counts.size());
  const double bin_w = (histogram.hi - histogram.lo) / n;
  for (std::size_t i = 0; i < histogram.counts.size(); ++i) {
    const double h = plot_h * static_cast<double>(histogram.counts[i]) / top;
    const double x = margin_left + plot_w * static_cast<double>(i) / n;
    const double from = histogram.lo + bin_w * static_cast<double>(i);
    svg += "<rect class=\"bar\" x=\"" + num(x + 1) + "\" y=\"" + num(base - h) + "\" width=\"" + num(plot_w / n - 2) +
           "\" height=\"" + num(h) + "\" fill=\"#2e8b57\"><title>" + num(from, 3) + "–" + num(from + bin_w, 3) + ": " +
           std::to_string(histogram.counts[i]) + "</title></rect>";
  }
  // Axis labels at every bin edge (every other one when there are many).
  const std::size_t every = histogram.counts.size() > 12 ? 2 : 1;
  for (std::size_t i = 0; i <= histogram.counts.size(); i += every) {
    const double x = margin_left + plot_w * static_cast<double>(i) / n;
    svg += line(x, base, x, base + 4, "#444444");
    svg += text_at(x, base + 16, num(histogram.lo + bin_w * static_cast<double>(i), 3), "middle", 10);
  }
  svg += text_at(margin_left + plot_w / 2, base + 36, x_label, "middle", 11);
  if (total == 0) {
    svg += text_at(margin_left + plot_w / 2, margin_top + plot_h / 2, "no data", "middle", 13, "fill=\"#777777\"");
  }
  if (histogram.below + histogram.above > 0) {
    svg += text_at(chart_width - margin_right, base + 54,
                   std::to_string(histogram.below + histogram.above) + " outside the range", "end", 10);
  }
  return svg + "</svg>";
}

std::string footprint_map_svg(std::span<const MapShape> shapes, std::string_view title) {
  constexpr double width = 760, height = 480, left = 64, right = 16, top_m = 34, bottom = 44;
  double lon_min = std::numeric_limits<double>::infinity(), lon_max = -lon_min;
  double lat_min = lon_min, lat_max = -lon_min;
  for (const MapShape& s : shapes) {
    for (const geo::LonLat& p : s.ring) {
      lon_min = std::min(lon_min, p.lon);
      lon_max = std::max(lon_max, p.lon);
      lat_min = std::min(lat_min, p.lat);
      lat_max = std::max(lat_max, p.lat);
    }
  }
  if (!std::isfinite(lon_min)) {  // nothing to draw: the whole world
    lon_min = -180, lon_max = 180, lat_min = -80, lat_max = 80;
  }
  // Pad by 10 % and to at least 0.1° so one chip does not fill the map.
  const double pad_lon = std::max(0.1 * (lon_max - lon_min), (0.1 - (lon_max - lon_min)) / 2);
  const double pad_lat = std::max(0.1 * (lat_max - lat_min), (0.1 - (lat_max - lat_min)) / 2);
  lon_min = std::max(-180.0, lon_min - std::max(pad_lon, 0.0));
  lon_max = std::min(180.0, lon_max + std::max(pad_lon, 0.0));
  lat_min = std::max(-90.0, lat_min - std::max(pad_lat, 0.0));
  lat_max = std::min(90.0, lat_max + std::max(pad_lat, 0.0));
  const double stretch = std::max(0.05, std::cos((lat_min + lat_max) / 2 * M_PI / 180));
  // One scale for both axes (in x-stretched degrees), the box centred in the plot area.
  const double plot_w = width - left - right, plot_h = height - top_m - bottom;
  const double scale = std::min(plot_w / ((lon_max - lon_min) * stretch), plot_h / (lat_max - lat_min));
  const double used_w = (lon_max - lon_min) * stretch * scale, used_h = (lat_max - lat_min) * scale;
  const double x0 = left + (plot_w - used_w) / 2, y0 = top_m + (plot_h - used_h) / 2;
  auto px = [&](double lon) { return x0 + (lon - lon_min) * stretch * scale; };
  auto py = [&](double lat) { return y0 + (lat_max - lat) * scale; };

  std::string svg = svg_open(width, height, title);
  svg += "<rect x=\"" + num(x0) + "\" y=\"" + num(y0) + "\" width=\"" + num(used_w) + "\" height=\"" + num(used_h) +
         "\" fill=\"#eef4fa\" stroke=\"#444444\"/>";
  const double step = nice_step(std::max(lon_max - lon_min, lat_max - lat_min), 6);
  const int digits = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
  for (double lon = std::ceil(lon_min / step) * step; lon <= lon_max + 1e-9; lon += step) {
    svg += line(px(lon), y0, px(lon), y0 + used_h, "#c5d3e0");
    svg += text_at(px(lon), y0 + used_h + 14, num(lon, digits) + "°", "middle", 10);
  }
  for (double lat = std::ceil(lat_min / step) * step; lat <= lat_max + 1e-9; lat += step) {
    svg += line(x0, py(lat), x0 + used_w, py(lat), "#c5d3e0");
    svg += text_at(x0 - 4, py(lat) + 3, num(lat, digits) + "°", "end", 10);
  }
  svg += text_at(x0 + used_w / 2, height - 8, "longitude (°E)", "middle", 11);
  svg += text_at(14, y0 + used_h / 2, "latitude (°N)", "middle", 11,
                 "transform=\"rotate(-90 14 " + num(y0 + used_h / 2) + ")\"");
  for (const MapShape& s : shapes) {
    if (s.ring.empty()) continue;
    std::string points;
    double cx = 0, cy = 0;
    for (const geo::LonLat& p : s.ring) {
      points += num(px(p.lon), 2) + "," + num(py(p.lat), 2) + " ";
      cx += px(p.lon);
      cy += py(p.lat);
    }
    cx /= static_cast<double>(s.ring.size());
    cy /= static_cast<double>(s.ring.size());
    svg += "<g class=\"footprint\"><title>" + escape(s.title) + "</title><polygon points=\"" + points +
           "\" fill=\"#d9534f\" fill-opacity=\"0.35\" stroke=\"#b52b27\" stroke-width=\"1\"/><circle cx=\"" +
           num(cx, 2) + "\" cy=\"" + num(cy, 2) + "\" r=\"3\" fill=\"#b52b27\"/></g>";
  }
  if (shapes.empty()) svg += text_at(width / 2, height / 2, "no chips", "middle", 13, "fill=\"#777777\"");
  return svg + "</svg>";
}

}  // namespace shipchips::ops::html
