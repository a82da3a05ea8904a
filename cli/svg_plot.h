// A tiny SVG chart writer (line charts and labelled scatter plots) for the
// plots `taco inspect` leaves in a run folder: self-contained files that any
// browser opens, with no plotting library to install.
#ifndef TACO_CLI_SVG_PLOT_H_
#define TACO_CLI_SVG_PLOT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace taco {

// Escapes & < > " ' so that `text` is safe both as XML text and inside a
// quoted attribute value.
std::string XmlEscape(absl::string_view text);

// Round values (1, 2 or 5 × 10^k apart) inside [lo, hi], at most about
// `max_ticks` of them; {lo} when the range is empty or not finite.
std::vector<double> NiceTicks(double lo, double hi, int max_ticks);

// A short tick label: 1500000 → "1.5M", 25000 → "25k", 2500 → "2500",
// 0.25 → "0.25".
std::string FormatTick(double value);

// Colour `index` of a palette that stays distinguishable on white; cycles.
std::string PaletteColor(int index);

struct ChartOptions {
  int width = 800;
  int height = 600;
  std::string title;
  std::string x_label;
  std::string y_label;
  // A range is fixed when min < max; otherwise it follows the data.
  double x_min = 0.0, x_max = 0.0;
  double y_min = 0.0, y_max = 0.0;
};

struct LineSeries {
  std::string label;  // legend text
  std::vector<double> x, y;
  std::string color;  // empty: PaletteColor(index of the series)
  double stroke_width = 1.5;
};

// Lines over shared axes with ticks and grid, the legend right of the plot.
// Points with a NaN or infinite coordinate are left out.
std::string LineChartSvg(const ChartOptions& options, const std::vector<LineSeries>& series);

struct ScatterGroup {
  std::string label;  // legend text
  std::string color;
};

struct ScatterPoint {
  double x = 0.0, y = 0.0;
  std::string label;  // drawn beside the marker
  int group = 0;      // index into the groups; others are drawn grey
};

// Labelled markers coloured by group, with dashed lines through the origin
// when it is in range, and the groups as the legend.
std::string ScatterChartSvg(const ChartOptions& options, const std::vector<ScatterPoint>& points,
                            const std::vector<ScatterGroup>& groups);

}  // namespace taco

#endif  // TACO_CLI_SVG_PLOT_H_
