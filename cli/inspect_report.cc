#include "cli/inspect_report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/svg_plot.h"

namespace taco {
namespace {

std::string Plural(size_t n, const char* one, const char* many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

}  // namespace

std::vector<std::vector<double>> TaskVectorsFromW(const std::vector<double>& w, size_t k,
                                                  size_t t) {
  std::vector<std::vector<double>> columns(t, std::vector<double>(k, 0.0));
  for (size_t c = 0; c < k; ++c) {
    for (size_t task = 0; task < t && c * t + task < w.size(); ++task) {
      columns[task][c] = w[c * t + task];
    }
  }
  return columns;
}

std::string FormatTaskVectors(const std::vector<std::string>& tasks,
                              const std::vector<std::vector<double>>& w) {
  size_t label_width = 4;
  for (const std::string& t : tasks) label_width = std::max(label_width, t.size());
  const size_t k = w.empty() ? 0 : w[0].size();
  std::string out = absl::StrFormat("%-*s", static_cast<int>(label_width), "task");
  for (size_t c = 0; c < k; ++c) {
    absl::StrAppend(&out, absl::StrFormat("  %6s", absl::StrCat("w", c + 1)));
  }
  absl::StrAppend(&out, "     sum    norm\n");
  // "-0.00" reads as a sign that is not there.
  auto cell = [](double v) { return absl::StrFormat("  %6.2f", std::abs(v) < 0.005 ? 0.0 : v); };
  for (size_t i = 0; i < tasks.size(); ++i) {
    absl::StrAppend(&out, absl::StrFormat("%-*s", static_cast<int>(label_width), tasks[i]));
    double sum = 0.0;
    double squares = 0.0;
    for (size_t c = 0; c < k; ++c) {
      const double v = i < w.size() && c < w[i].size() ? w[i][c] : NAN;
      sum += v;
      squares += v * v;
      out += cell(v);
    }
    out += cell(sum) + cell(std::sqrt(squares)) + "\n";
  }
  return out;
}

std::string FormatSimilarityTable(const std::vector<std::string>& tasks,
                                  const std::vector<std::vector<double>>& similarity) {
  size_t label_width = 0;
  for (const std::string& t : tasks) label_width = std::max(label_width, t.size());
  std::vector<size_t> widths;
  std::string out = std::string(label_width, ' ');
  for (const std::string& t : tasks) {
    widths.push_back(std::max<size_t>(t.size(), 5));
    absl::StrAppend(&out, "  ", absl::StrFormat("%*s", static_cast<int>(widths.back()), t));
  }
  out += "\n";
  for (size_t i = 0; i < tasks.size(); ++i) {
    absl::StrAppend(&out, absl::StrFormat("%-*s", static_cast<int>(label_width), tasks[i]));
    for (size_t j = 0; j < tasks.size(); ++j) {
      double v = i < similarity.size() && j < similarity[i].size() ? similarity[i][j] : NAN;
      // "-0.00" reads as a sign that is not there.
      if (std::abs(v) < 0.005) v = 0.0;
      absl::StrAppend(&out, "  ", absl::StrFormat("%*.2f", static_cast<int>(widths[j]), v));
    }
    out += "\n";
  }
  return out;
}

std::string FormatTaskGroups(const std::vector<std::string>& tasks,
                             const std::vector<int>& labels) {
  std::map<int, std::vector<std::string>> members;
  for (size_t i = 0; i < tasks.size() && i < labels.size(); ++i) {
    members[labels[i]].push_back(tasks[i]);
  }
  std::string out;
  for (const auto& [label, names] : members) {
    if (label < 0) continue;
    absl::StrAppend(&out, "  group ", label, ": ", absl::StrJoin(names, ", "), "\n");
  }
  auto noise = members.find(-1);
  if (noise != members.end()) {
    absl::StrAppend(&out, "  noise: ", absl::StrJoin(noise->second, ", "), "\n");
  }
  return out;
}

std::string WPcaSvg(const std::vector<std::string>& tasks, const PcaResult& pca,
                    const std::vector<int>& labels, const std::string& title) {
  ChartOptions options;
  options.title = title;
  auto axis_label = [&pca](size_t c) {
    const double share = c < pca.explained.size() ? pca.explained[c] : 0.0;
    return absl::StrFormat("PC%d (%.1f%% variance)", c + 1, 100.0 * share);
  };
  options.x_label = axis_label(0);
  options.y_label = axis_label(1);

  // DBSCAN labels map onto legend groups in label order; noise comes last
  // and grey, since it is "no group" rather than a group of its own.
  std::map<int, size_t> counts;
  for (size_t i = 0; i < tasks.size() && i < labels.size(); ++i) ++counts[labels[i]];
  std::vector<ScatterGroup> groups;
  std::map<int, int> group_of_label;
  for (const auto& [label, n] : counts) {
    if (label < 0) continue;
    group_of_label[label] = static_cast<int>(groups.size());
    groups.push_back({absl::StrCat("group ", label, " (", Plural(n, "task", "tasks"), ")"),
                      PaletteColor(static_cast<int>(groups.size()))});
  }
  if (counts.count(-1) != 0) {
    group_of_label[-1] = static_cast<int>(groups.size());
    groups.push_back(
        {absl::StrCat("noise (", Plural(counts[-1], "task", "tasks"), ")"), "#7f7f7f"});
  }

  std::vector<ScatterPoint> points;
  for (size_t i = 0; i < tasks.size() && i < pca.projected.size(); ++i) {
    const std::vector<double>& p = pca.projected[i];
    ScatterPoint point;
    point.x = p.empty() ? 0.0 : p[0];
    point.y = p.size() < 2 ? 0.0 : p[1];
    point.label = tasks[i];
    point.group = i < labels.size() ? group_of_label[labels[i]] : -1;
    points.push_back(point);
  }
  return ScatterChartSvg(options, points, groups);
}

std::string LearningCurvesSvg(const EvalHistory& history, const std::string& title) {
  ChartOptions options;
  options.title = title;
  options.x_label = history.x_column == "updates" ? "learner updates" : "env steps";
  options.y_label = "success rate";
  options.y_min = 0.0;
  options.y_max = 1.0;
  std::vector<LineSeries> series;
  for (size_t i = 0; i < history.tasks.size(); ++i) {
    const EvalCurve& c = history.tasks[i];
    series.push_back({c.task, c.x, c.success, PaletteColor(static_cast<int>(i)), 1.5});
  }
  series.push_back({"mean", history.mean.x, history.mean.success, "#000000", 4.0});
  return LineChartSvg(options, series);
}

}  // namespace taco
