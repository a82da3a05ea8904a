#include "cli/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace taco {
namespace {

// The XML declaration, the <svg> element of a w × h picture and its white
// background: every file and every grid of charts starts so.
std::string SvgHeader(int w, int h) {
  return absl::StrFormat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\">\n"
      "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
      w, h, w, h, w, h);
}

// Room around the plot area: the title above, tick labels and the axis
// labels left and below, the legend on the right.
constexpr double kLeft = 80.0;
constexpr double kRight = 210.0;
constexpr double kTop = 50.0;
constexpr double kBottom = 60.0;
constexpr char kGrey[] = "#7f7f7f";

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();

  void Add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  // A usable range even for no data or a single value.
  Range Settled(double fixed_lo, double fixed_hi, double pad) const {
    if (fixed_lo < fixed_hi) return Range{fixed_lo, fixed_hi};
    if (!(lo <= hi)) return Range{0.0, 1.0};
    if (lo == hi) {
      const double half = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
      return Range{lo - half, hi + half};
    }
    const double margin = (hi - lo) * pad;
    return Range{lo - margin, hi + margin};
  }
};

std::string Num(double v) { return absl::StrFormat("%.1f", v); }

// The plot area of one chart and the mapping of data onto it.
class Frame {
 public:
  Frame(const ChartOptions& options, Range x, Range y)
      : options_(options),
        x_(x),
        y_(y),
        width_(std::max(100.0, options.width - kLeft - kRight)),
        height_(std::max(100.0, options.height - kTop - kBottom)) {}

  double Px(double x) const { return kLeft + (x - x_.lo) / (x_.hi - x_.lo) * width_; }
  double Py(double y) const { return kTop + height_ - (y - y_.lo) / (y_.hi - y_.lo) * height_; }
  double left() const { return kLeft; }
  double right() const { return kLeft + width_; }
  double top() const { return kTop; }
  double bottom() const { return kTop + height_; }
  bool ContainsX(double x) const { return x >= x_.lo && x <= x_.hi; }
  bool ContainsY(double y) const { return y >= y_.lo && y <= y_.hi; }

  // Header, background, title, grid, ticks and axis labels.
  std::string Open() const {
    const int w = options_.width, h = options_.height;
    std::string s = SvgHeader(w, h);
    if (!options_.title.empty()) {
      absl::StrAppend(&s, "<text x=\"", Num((left() + right()) / 2), "\" y=\"30\" ",
                      "font-size=\"18\" text-anchor=\"middle\">", XmlEscape(options_.title),
                      "</text>\n");
    }
    absl::StrAppend(&s, "<g font-size=\"12\" fill=\"#333333\">\n");
    for (double t : NiceTicks(x_.lo, x_.hi, 8)) {
      const double px = Px(t);
      absl::StrAppend(&s, Line(px, top(), px, bottom(), "#e5e5e5", 1),
                      Line(px, bottom(), px, bottom() + 5, "#333333", 1), "<text x=\"", Num(px),
                      "\" y=\"", Num(bottom() + 19), "\" text-anchor=\"middle\">",
                      XmlEscape(FormatTick(t)), "</text>\n");
    }
    for (double t : NiceTicks(y_.lo, y_.hi, 8)) {
      const double py = Py(t);
      absl::StrAppend(&s, Line(left(), py, right(), py, "#e5e5e5", 1),
                      Line(left() - 5, py, left(), py, "#333333", 1), "<text x=\"", Num(left() - 8),
                      "\" y=\"", Num(py + 4), "\" text-anchor=\"end\">", XmlEscape(FormatTick(t)),
                      "</text>\n");
    }
    absl::StrAppend(&s, "</g>\n");
    absl::StrAppend(&s, "<rect x=\"", Num(left()), "\" y=\"", Num(top()), "\" width=\"",
                    Num(width_), "\" height=\"", Num(height_),
                    "\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n");
    absl::StrAppend(&s, "<text x=\"", Num((left() + right()) / 2), "\" y=\"", Num(bottom() + 45),
                    "\" font-size=\"14\" text-anchor=\"middle\">", XmlEscape(options_.x_label),
                    "</text>\n");
    const double cy = (top() + bottom()) / 2;
    absl::StrAppend(&s, "<text x=\"22\" y=\"", Num(cy), "\" font-size=\"14\" ",
                    "text-anchor=\"middle\" transform=\"rotate(-90 22 ", Num(cy), ")\">",
                    XmlEscape(options_.y_label), "</text>\n");
    return s;
  }

  // One legend row per entry right of the plot; rows shrink to fit.
  struct LegendEntry {
    std::string label, color;
    double stroke_width;
    bool marker;
  };
  std::string Legend(const std::vector<LegendEntry>& entries) const {
    if (entries.empty()) return "";
    const double row = std::min(20.0, height_ / static_cast<double>(entries.size()));
    const double font = std::max(6.0, std::min(12.0, row * 0.8));
    const double x = right() + 15;
    std::string s = absl::StrCat("<g font-size=\"", Num(font), "\">\n");
    for (size_t i = 0; i < entries.size(); ++i) {
      const LegendEntry& e = entries[i];
      const double y = top() + row * (static_cast<double>(i) + 0.5);
      if (e.marker) {
        absl::StrAppend(&s, "<circle cx=\"", Num(x + 10), "\" cy=\"", Num(y), "\" r=\"5\" fill=\"",
                        XmlEscape(e.color), "\"/>\n");
      } else {
        absl::StrAppend(&s, Line(x, y, x + 22, y, e.color, std::min(e.stroke_width, 5.0)));
      }
      absl::StrAppend(&s, "<text x=\"", Num(x + 28), "\" y=\"", Num(y + font * 0.35), "\">",
                      XmlEscape(e.label), "</text>\n");
    }
    absl::StrAppend(&s, "</g>\n");
    return s;
  }

  static std::string Line(double x1, double y1, double x2, double y2, const std::string& color,
                          double width, const char* extra = "") {
    return absl::StrCat("<line x1=\"", Num(x1), "\" y1=\"", Num(y1), "\" x2=\"", Num(x2),
                        "\" y2=\"", Num(y2), "\" stroke=\"", XmlEscape(color), "\" stroke-width=\"",
                        Num(width), "\"", extra, "/>\n");
  }

 private:
  const ChartOptions& options_;
  Range x_, y_;
  double width_, height_;
};

}  // namespace

std::string XmlEscape(absl::string_view text) {
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
        out += "&apos;";
        break;
      default:
        // Control characters other than tab and newline are not allowed in
        // XML 1.0 at all, even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::vector<double> NiceTicks(double lo, double hi, int max_ticks) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || max_ticks < 2) return {lo};
  const double raw = (hi - lo) / (max_ticks - 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10.0 * magnitude;
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  }
  std::vector<double> ticks;
  const double slack = step * 1e-9;
  for (double k = std::ceil((lo - slack) / step); k * step <= hi + slack; k += 1.0) {
    double t = k * step;
    // k·step carries rounding (0.30000000000000004); snap what is zero.
    if (std::abs(t) < slack) t = 0.0;
    ticks.push_back(t);
  }
  return ticks;
}

std::string FormatTick(double value) {
  const double a = std::abs(value);
  if (a >= 1e6) return absl::StrFormat("%gM", value / 1e6);
  if (a >= 1e4) return absl::StrFormat("%gk", value / 1e3);
  return absl::StrFormat("%g", value);
}

std::string PaletteColor(int index) {
  // Tableau 10 without its grey (which marks noise), then three darker hues
  // so that MT10's ten tasks get ten colours.
  static const char* const kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                         "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
                                         "#17becf", "#393b79", "#ad494a", "#637939"};
  constexpr int kSize = sizeof(kPalette) / sizeof(kPalette[0]);
  return kPalette[((index % kSize) + kSize) % kSize];
}

std::string LineChartSvg(const ChartOptions& options, const std::vector<LineSeries>& series) {
  return LineChartSvg(options, series, {});
}

std::string LineChartSvg(const ChartOptions& options, const std::vector<LineSeries>& series,
                         const std::vector<BandSeries>& bands) {
  Range x, y;
  for (const LineSeries& s : series) {
    const size_t n = std::min(s.x.size(), s.y.size());
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      x.Add(s.x[i]);
      y.Add(s.y[i]);
    }
  }
  auto band_point = [](const BandSeries& b, size_t i) {
    return std::isfinite(b.x[i]) && std::isfinite(b.lo[i]) && std::isfinite(b.hi[i]);
  };
  for (const BandSeries& b : bands) {
    const size_t n = std::min({b.x.size(), b.lo.size(), b.hi.size()});
    for (size_t i = 0; i < n; ++i) {
      if (!band_point(b, i)) continue;
      x.Add(b.x[i]);
      y.Add(b.lo[i]);
      y.Add(b.hi[i]);
    }
  }
  Frame frame(options, x.Settled(options.x_min, options.x_max, 0.0),
              y.Settled(options.y_min, options.y_max, 0.05));
  std::string svg = frame.Open();
  for (size_t k = 0; k < bands.size(); ++k) {
    const BandSeries& b = bands[k];
    const std::string color = b.color.empty() ? PaletteColor(static_cast<int>(k)) : b.color;
    const size_t n = std::min({b.x.size(), b.lo.size(), b.hi.size()});
    // Along the upper edge, then back along the lower one: one closed shape.
    std::string upper, lower;
    int count = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!band_point(b, i)) continue;
      absl::StrAppend(&upper, count ? " " : "", Num(frame.Px(b.x[i])), ",", Num(frame.Py(b.hi[i])));
      ++count;
    }
    for (size_t i = n; i-- > 0;) {
      if (!band_point(b, i)) continue;
      absl::StrAppend(&lower, " ", Num(frame.Px(b.x[i])), ",", Num(frame.Py(b.lo[i])));
    }
    if (count == 0) continue;
    absl::StrAppend(&svg, "<polygon fill=\"", XmlEscape(color), "\" fill-opacity=\"",
                    absl::StrFormat("%.2f", b.opacity), "\" stroke=\"none\" points=\"", upper,
                    lower, "\"><title>", XmlEscape(b.label), "</title></polygon>\n");
  }
  std::vector<Frame::LegendEntry> legend;
  for (size_t k = 0; k < series.size(); ++k) {
    const LineSeries& s = series[k];
    const std::string color = s.color.empty() ? PaletteColor(static_cast<int>(k)) : s.color;
    legend.push_back({s.label, color, s.stroke_width, false});
    std::string points;
    int count = 0;
    const size_t n = std::min(s.x.size(), s.y.size());
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      absl::StrAppend(&points, count++ ? " " : "", Num(frame.Px(s.x[i])), ",",
                      Num(frame.Py(s.y[i])));
    }
    if (count == 0) continue;
    absl::StrAppend(&svg, "<polyline fill=\"none\" stroke=\"", XmlEscape(color),
                    "\" stroke-width=\"", Num(s.stroke_width),
                    "\" stroke-linejoin=\"round\" stroke-linecap=\"round\" points=\"", points,
                    "\"><title>", XmlEscape(s.label), "</title></polyline>\n");
    // A single evaluation is a zero-length line, which draws nothing.
    if (count == 1) {
      for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
        absl::StrAppend(&svg, "<circle cx=\"", Num(frame.Px(s.x[i])), "\" cy=\"",
                        Num(frame.Py(s.y[i])), "\" r=\"", Num(s.stroke_width + 2), "\" fill=\"",
                        XmlEscape(color), "\"/>\n");
      }
    }
  }
  absl::StrAppend(&svg, frame.Legend(legend), "</svg>\n");
  return svg;
}

std::string ChartGridSvg(const std::vector<std::string>& charts, int columns, int cell_width,
                         int cell_height) {
  columns = std::max(1, columns);
  const int count = static_cast<int>(charts.size());
  const int rows = std::max(1, (count + columns - 1) / columns);
  const int width = std::min(count == 0 ? 1 : count, columns) * cell_width;
  const int height = rows * cell_height;
  std::string svg = SvgHeader(width, height);
  for (int i = 0; i < count; ++i) {
    absl::string_view chart = charts[i];
    // An XML declaration may only open a document, so the nested charts
    // lose theirs; a nested <svg> with x and y is placed like a group.
    if (absl::StartsWith(chart, "<?xml")) {
      const size_t end = chart.find("?>");
      chart.remove_prefix(end == absl::string_view::npos ? chart.size() : end + 2);
    }
    const size_t open = chart.find("<svg ");
    if (open == absl::string_view::npos) continue;
    absl::StrAppend(&svg, "<svg x=\"", (i % columns) * cell_width, "\" y=\"",
                    (i / columns) * cell_height, "\" ", chart.substr(open + 5));
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

std::string ScatterChartSvg(const ChartOptions& options, const std::vector<ScatterPoint>& points,
                            const std::vector<ScatterGroup>& groups) {
  Range x, y;
  for (const ScatterPoint& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    x.Add(p.x);
    y.Add(p.y);
  }
  Frame frame(options, x.Settled(options.x_min, options.x_max, 0.15),
              y.Settled(options.y_min, options.y_max, 0.15));
  std::string svg = frame.Open();
  if (frame.ContainsX(0.0)) {
    svg += Frame::Line(frame.Px(0.0), frame.top(), frame.Px(0.0), frame.bottom(), "#aaaaaa", 1,
                       " stroke-dasharray=\"4 4\"");
  }
  if (frame.ContainsY(0.0)) {
    svg += Frame::Line(frame.left(), frame.Py(0.0), frame.right(), frame.Py(0.0), "#aaaaaa", 1,
                       " stroke-dasharray=\"4 4\"");
  }
  absl::StrAppend(&svg, "<g font-size=\"12\">\n");
  const double middle = (frame.left() + frame.right()) / 2;
  for (const ScatterPoint& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    const bool known = p.group >= 0 && p.group < static_cast<int>(groups.size());
    const std::string color = known ? groups[p.group].color : kGrey;
    const double px = frame.Px(p.x), py = frame.Py(p.y);
    absl::StrAppend(&svg, "<circle cx=\"", Num(px), "\" cy=\"", Num(py),
                    "\" r=\"6\" stroke=\"white\" stroke-width=\"1\" fill=\"", XmlEscape(color),
                    "\"><title>", XmlEscape(p.label), "</title></circle>\n");
    // Labels point towards the middle so that they stay inside the frame.
    const bool right_half = px > middle;
    absl::StrAppend(&svg, "<text x=\"", Num(right_half ? px - 9 : px + 9), "\" y=\"", Num(py - 7),
                    "\" text-anchor=\"", right_half ? "end" : "start", "\">", XmlEscape(p.label),
                    "</text>\n");
  }
  absl::StrAppend(&svg, "</g>\n");
  std::vector<Frame::LegendEntry> legend;
  for (const ScatterGroup& g : groups) legend.push_back({g.label, g.color, 1.0, true});
  absl::StrAppend(&svg, frame.Legend(legend), "</svg>\n");
  return svg;
}

}  // namespace taco
