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

// A shaded area between `lo` and `hi` (a spread over seeds, say) along x.
struct BandSeries {
  std::string label;  // tooltip; bands get no legend row (the line they surround has one)
  std::vector<double> x, lo, hi;
  std::string color;  // empty: PaletteColor(index of the band)
  double opacity = 0.2;
};

// As above, with the bands drawn first so that every line stays visible on
// top of them. Points with a NaN or infinite value are left out of a band.
std::string LineChartSvg(const ChartOptions& options, const std::vector<LineSeries>& series,
                         const std::vector<BandSeries>& bands);

// Charts as the functions here return them (whole documents, each
// `cell_width` × `cell_height`) in one document, row by row, `columns` to a
// row: several panels in one file.
std::string ChartGridSvg(const std::vector<std::string>& charts, int columns, int cell_width,
                         int cell_height);

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
