#include "cli/run_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/svg_plot.h"
#include "common/env_step_axis.h"

namespace taco {
namespace {

using nlohmann::json;

absl::Status Bad(absl::string_view file, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(file, ": ", what));
}

const EvalCurve* CurveOf(const RunRecord& run, const std::string& task) {
  for (const EvalCurve& c : run.history.tasks) {
    if (c.task == task) return &c;
  }
  return nullptr;
}

std::string Steps(const std::optional<double>& n) {
  if (!n.has_value()) return "-";
  if (*n >= 1e6) return absl::StrFormat("%.2fM", *n / 1e6);
  if (*n >= 1e3) return absl::StrFormat("%.1fk", *n / 1e3);
  return absl::StrFormat("%.0f", *n);
}

// Mean of the n of the runs that reached the threshold.
std::optional<double> MeanSteps(const std::vector<std::optional<double>>& steps) {
  double sum = 0.0;
  int count = 0;
  for (const auto& n : steps) {
    if (n.has_value()) {
      sum += *n;
      ++count;
    }
  }
  if (count == 0) return std::nullopt;
  return sum / count;
}

double Reached(const std::vector<std::optional<double>>& steps) {
  int count = 0;
  for (const auto& n : steps) count += n.has_value() ? 1 : 0;
  return steps.empty() ? 0.0 : static_cast<double>(count) / static_cast<double>(steps.size());
}

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double q) {
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// What keeps transfer runs apart besides the task (TransferRow's key).
using TransferKey = std::tuple<std::string, std::string, std::string, std::string, int64_t>;

TransferKey KeyOf(const RunRecord& run, const std::string& task) {
  return {task, run.transfer_mode, run.source_run, run.new_task_weights, run.exploration_steps};
}

// The group a run's curves are averaged in: runs of different methods,
// kinds or transfer settings measure different things.
std::string GroupLabel(const RunRecord& run) {
  const std::string method = MethodName(run);
  if (run.kind == "transfer") {
    return absl::StrCat(method, " transfer ", run.transfer_mode, " from ",
                        run.source_run.empty() ? "?" : run.source_run, ", w ", run.new_task_weights,
                        ", n_e ", Steps(static_cast<double>(run.exploration_steps)));
  }
  return absl::StrCat(method, run.tasks.size() == 1 ? " scratch" : " multi-task");
}

// `curve` at `q` by linear interpolation; q must lie within its x. Of equal
// x the last evaluation counts, as it is the latest the file holds.
double ValueAt(const EvalCurve& curve, double q) {
  const size_t n = std::min(curve.x.size(), curve.success.size());
  size_t i = 0;
  while (i < n && curve.x[i] < q) ++i;
  if (i == n) return curve.success[n - 1];
  if (curve.x[i] == q) {
    while (i + 1 < n && curve.x[i + 1] == q) ++i;
    return curve.success[i];
  }
  if (i == 0) return curve.success[0];
  const double t = (q - curve.x[i - 1]) / (curve.x[i] - curve.x[i - 1]);
  return curve.success[i - 1] + t * (curve.success[i] - curve.success[i - 1]);
}

// Seeds are evaluated at different env steps (evaluations land between
// updates, resumed runs repeat some). The band is drawn on the union of all
// seeds' x within the range every seed covers, each seed linearly
// interpolated there: no seed is extrapolated, so the line ends where the
// shortest seed ends instead of averaging fewer seeds past it.
SuccessBand Spread(std::string task, std::string label,
                   const std::vector<const EvalCurve*>& seeds) {
  SuccessBand band;
  band.task = std::move(task);
  band.label = std::move(label);
  band.seeds = static_cast<int>(seeds.size());
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  std::vector<double> xs;
  for (const EvalCurve* c : seeds) {
    const size_t n = std::min(c->x.size(), c->success.size());
    lo = std::max(lo, c->x[0]);
    hi = std::min(hi, c->x[n - 1]);
    xs.insert(xs.end(), c->x.begin(), c->x.begin() + static_cast<std::ptrdiff_t>(n));
  }
  std::sort(xs.begin(), xs.end());
  xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  for (double x : xs) {
    if (x < lo || x > hi) continue;
    double sum = 0.0, min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    for (const EvalCurve* c : seeds) {
      const double v = ValueAt(*c, x);
      sum += v;
      min = std::min(min, v);
      max = std::max(max, v);
    }
    band.x.push_back(x);
    band.mean.push_back(sum / static_cast<double>(seeds.size()));
    band.min.push_back(min);
    band.max.push_back(max);
  }
  return band;
}

bool HasPoints(const EvalCurve& c) { return !c.x.empty() && !c.success.empty(); }

}  // namespace

std::string SourceRunName(absl::string_view checkpoint) {
  const std::filesystem::path path{std::string(checkpoint)};
  const std::filesystem::path dir = path.parent_path();
  if (dir.filename() == "checkpoints" && !dir.parent_path().filename().empty()) {
    return dir.parent_path().filename().string();
  }
  return std::string(checkpoint);
}

absl::StatusOr<RunRecord> ParseRunDescription(absl::string_view text, absl::string_view file) {
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Bad(file, "is not a JSON object");
  RunRecord run;
  auto str = [&](const char* key, std::string* out, bool required) -> absl::Status {
    if (!j.contains(key)) {
      return required ? Bad(file, absl::StrCat("has no '", key, "'")) : absl::OkStatus();
    }
    if (!j[key].is_string()) return Bad(file, absl::StrCat("'", key, "' must be a string"));
    *out = j[key].get<std::string>();
    return absl::OkStatus();
  };
  auto num = [&](const char* key, auto* out) -> absl::Status {
    if (!j.contains(key)) return absl::OkStatus();
    if (!j[key].is_number()) return Bad(file, absl::StrCat("'", key, "' must be a number"));
    *out = j[key].get<std::remove_pointer_t<decltype(out)>>();
    return absl::OkStatus();
  };
  for (absl::Status s :
       {str("kind", &run.kind, true), str("name", &run.name, false),
        str("algorithm", &run.algorithm, false),
        str("task_distribution", &run.task_distribution, false), num("seed", &run.seed),
        num("env_steps_per_update", &run.env_steps_per_update),
        num("exploration_env_steps", &run.exploration_env_steps),
        num("success_threshold", &run.success_threshold), num("max_env_steps", &run.max_env_steps),
        str("mode", &run.transfer_mode, false),
        str("source_checkpoint", &run.source_checkpoint, false),
        str("new_task_weights", &run.new_task_weights, false),
        num("exploration_steps", &run.exploration_steps)}) {
    if (!s.ok()) return s;
  }
  if (run.kind != "train" && run.kind != "transfer") {
    return Bad(file, absl::StrCat("'kind' is '", run.kind, "', expected train or transfer"));
  }
  if (!j.contains("tasks") || !j["tasks"].is_array() || j["tasks"].empty()) {
    return Bad(file, "'tasks' must be a non-empty list of task names");
  }
  for (const json& task : j["tasks"]) {
    if (!task.is_string()) return Bad(file, "'tasks' must be a list of strings");
    run.tasks.push_back(task.get<std::string>());
  }
  if (run.env_steps_per_update < 1) return Bad(file, "'env_steps_per_update' must be ≥ 1");
  if (run.exploration_env_steps < 0) return Bad(file, "'exploration_env_steps' must be ≥ 0");
  if (!(run.success_threshold > 0.0 && run.success_threshold <= 1.0)) {
    return Bad(file, "'success_threshold' must be in (0, 1]");
  }
  if (run.exploration_steps < 0) return Bad(file, "'exploration_steps' must be ≥ 0");
  run.source_run = SourceRunName(run.source_checkpoint);
  return run;
}

absl::StatusOr<RunRecord> ReadRun(const std::string& dir) {
  const std::string path = dir + "/run.json";
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(dir,
                     " holds no run.json: not a taco run folder (train-local, transfer and the "
                     "evaluator write one)"));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto run = ParseRunDescription(text.str(), path);
  if (!run.ok()) return run.status();
  run->dir = dir;
  auto history = ReadEvalCsv(dir + "/eval.csv");
  if (!history.ok()) return history.status();
  run->history = std::move(*history);
  if (run->history.x_column == "updates") {
    // The cluster's evaluator counts learner updates; the warm-up and the
    // paper's ratio turn them into env steps. (A run.json from before
    // exploration_env_steps was written gives no warm-up.)
    auto to_env_steps = [&run](double& x) {
      x = static_cast<double>(EnvStepsAtUpdates(static_cast<int64_t>(x), run->exploration_env_steps,
                                                run->env_steps_per_update));
    };
    for (EvalCurve& c : run->history.tasks) {
      for (double& x : c.x) to_env_steps(x);
    }
    for (double& x : run->history.mean.x) to_env_steps(x);
    run->history.x_column = "env_steps";
  }
  return run;
}

std::optional<double> StepsToThreshold(const EvalCurve& curve, double threshold, double max_x) {
  for (size_t i = 0; i < curve.x.size() && i < curve.success.size(); ++i) {
    if (curve.x[i] > max_x) break;
    if (curve.success[i] >= threshold) return curve.x[i];
  }
  return std::nullopt;
}

std::string MethodName(const RunRecord& run) {
  if (run.algorithm == "mtsac") return "MT-SAC";
  if (run.algorithm == "mhsac") return "MH-SAC";
  if (run.task_distribution == "online") return "TaCo-online";
  if (run.task_distribution == "groups" || run.task_distribution == "weights") return "TaCo";
  return "PaCo";
}

std::vector<MethodRow> MultiTaskTable(const std::vector<RunRecord>& runs) {
  std::map<std::string, std::vector<const RunRecord*>> by_method;
  for (const RunRecord& run : runs) {
    if (run.kind == "train" && run.tasks.size() > 1 && !run.history.mean.success.empty()) {
      by_method[MethodName(run)].push_back(&run);
    }
  }
  std::vector<MethodRow> rows;
  for (const auto& [method, members] : by_method) {
    MethodRow row;
    row.method = method;
    row.runs = static_cast<int>(members.size());
    std::map<std::string, int> task_runs;
    for (const RunRecord* run : members) {
      row.mean += run->history.mean.success.back();
      for (const EvalCurve& c : run->history.tasks) {
        if (c.success.empty()) continue;
        row.task_mean[c.task] += c.success.back();
        ++task_runs[c.task];
      }
    }
    row.mean /= row.runs;
    for (const RunRecord* run : members) {
      const double d = run->history.mean.success.back() - row.mean;
      row.stddev += d * d;
    }
    row.stddev = std::sqrt(row.stddev / row.runs);
    for (auto& [task, sum] : row.task_mean) sum /= task_runs[task];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::optional<double> RelativeTransferCost(const std::vector<std::optional<double>>& transfer,
                                           const std::vector<std::optional<double>>& scratch) {
  const std::optional<double> n_transfer = MeanSteps(transfer);
  const std::optional<double> n_scratch = MeanSteps(scratch);
  if (!n_transfer.has_value() || !n_scratch.has_value() || *n_scratch <= 0.0) return std::nullopt;
  return (*n_transfer / Reached(transfer)) / (*n_scratch / Reached(scratch));
}

std::optional<CostSpread> BootstrapTransferCost(const std::vector<std::optional<double>>& transfer,
                                                const std::vector<std::optional<double>>& scratch,
                                                int resamples, uint64_t rng_seed) {
  if (transfer.empty() || transfer.size() != scratch.size() || resamples < 1) return std::nullopt;
  std::mt19937_64 rng(rng_seed);
  std::uniform_int_distribution<size_t> pick(0, transfer.size() - 1);
  std::vector<double> costs;
  std::vector<std::optional<double>> t(transfer.size()), s(scratch.size());
  for (int r = 0; r < resamples; ++r) {
    for (size_t i = 0; i < t.size(); ++i) {
      const size_t seed = pick(rng);
      t[i] = transfer[seed];
      s[i] = scratch[seed];
    }
    if (auto cost = RelativeTransferCost(t, s); cost.has_value()) costs.push_back(*cost);
  }
  if (costs.empty()) return std::nullopt;
  std::sort(costs.begin(), costs.end());
  CostSpread spread;
  spread.p10 = Percentile(costs, 0.1);
  spread.median = Percentile(costs, 0.5);
  spread.p90 = Percentile(costs, 0.9);
  spread.with_cost = static_cast<double>(costs.size()) / resamples;
  spread.below_one =
      static_cast<double>(std::lower_bound(costs.begin(), costs.end(), 1.0) - costs.begin()) /
      static_cast<double>(costs.size());
  spread.resamples = resamples;
  return spread;
}

std::vector<TransferRow> TransferTable(const std::vector<RunRecord>& runs) {
  std::map<TransferKey, std::vector<std::optional<double>>> transfer;
  std::map<std::string, std::vector<std::optional<double>>> scratch;
  for (const RunRecord& run : runs) {
    const double max_x = run.max_env_steps > 0 ? static_cast<double>(run.max_env_steps) : 1e300;
    // Each task on its own curve: a run that learnt one new task and not the
    // other must count as reached for the first only, which the mean curve
    // over both could not tell.
    auto steps = [&](const std::string& task) -> std::optional<double> {
      const EvalCurve* curve = CurveOf(run, task);
      if (curve == nullptr) return std::nullopt;
      return StepsToThreshold(*curve, run.success_threshold, max_x);
    };
    if (run.kind == "transfer") {
      for (const std::string& task : run.tasks) transfer[KeyOf(run, task)].push_back(steps(task));
    } else if (run.tasks.size() == 1) {
      scratch[run.tasks[0]].push_back(steps(run.tasks[0]));
    }
  }
  std::vector<TransferRow> rows;
  for (const auto& [key, steps] : transfer) {
    TransferRow row;
    std::tie(row.task, row.mode, row.source_run, row.new_task_weights, row.exploration_steps) = key;
    row.transfer_runs = static_cast<int>(steps.size());
    row.transfer_steps = MeanSteps(steps);
    row.transfer_success = Reached(steps);
    auto it = scratch.find(row.task);
    if (it != scratch.end()) {
      row.scratch_runs = static_cast<int>(it->second.size());
      row.scratch_steps = MeanSteps(it->second);
      row.scratch_success = Reached(it->second);
    }
    if (it != scratch.end()) row.relative_cost = RelativeTransferCost(steps, it->second);
    rows.push_back(row);
  }
  return rows;
}

std::vector<TransferRow> TransferStudyTable(const std::vector<RunRecord>& runs) {
  std::vector<TransferRow> rows;
  for (TransferRow& row : TransferTable(runs)) {
    if (row.mode == "full" && row.new_task_weights == "random" && row.scratch_runs > 0) {
      rows.push_back(std::move(row));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const TransferRow& a, const TransferRow& b) {
    const double inf = std::numeric_limits<double>::infinity();
    return a.scratch_steps.value_or(inf) < b.scratch_steps.value_or(inf);
  });
  return rows;
}

std::string FormatReport(const std::vector<RunRecord>& runs) {
  std::string out = absl::StrFormat("%d runs\n", runs.size());
  for (const RunRecord& run : runs) {
    absl::StrAppendFormat(&out, "  %-28s %-8s %-12s seed %-4d %d tasks, %d evaluations\n", run.dir,
                          run.kind, MethodName(run), run.seed, run.tasks.size(),
                          run.history.mean.x.size());
  }
  const std::vector<MethodRow> methods = MultiTaskTable(runs);
  if (!methods.empty()) {
    out += "\nMulti-task success (last evaluation; mean ± std over runs)\n";
    absl::StrAppendFormat(&out, "  %-12s %5s  %s\n", "method", "runs", "success");
    for (const MethodRow& row : methods) {
      absl::StrAppendFormat(&out, "  %-12s %5d  %.1f ± %.1f %%\n", row.method, row.runs,
                            100.0 * row.mean, 100.0 * row.stddev);
    }
    out += "\n  per task (%):\n";
    for (const MethodRow& row : methods) {
      for (const auto& [task, mean] : row.task_mean) {
        absl::StrAppendFormat(&out, "  %-12s %-26s %5.1f\n", row.method, task, 100.0 * mean);
      }
    }
  }
  const std::vector<TransferRow> transfer = TransferTable(runs);
  if (!transfer.empty()) {
    out +=
        "\nTransfer (n: env steps to the success threshold within n_max, mean over runs that "
        "reached it; α: share of runs that reached it)\n";
    out +=
        "  (mode: full trains Φ and the new w, fixed_phi only the new w; w init: the new tasks' "
        "initial w; n_e: exploration steps)\n";
    absl::StrAppendFormat(&out, "  %-22s %-9s %-16s %-7s %-7s %-16s %-16s %s\n", "task", "mode",
                          "source run", "w init", "n_e", "scratch n (α)", "transfer n (α)",
                          "relative cost");
    for (const TransferRow& row : transfer) {
      const std::string scratch =
          row.scratch_runs == 0
              ? std::string("no runs")
              : absl::StrFormat("%s (%.2f)", Steps(row.scratch_steps), row.scratch_success);
      const std::string moved =
          absl::StrFormat("%s (%.2f)", Steps(row.transfer_steps), row.transfer_success);
      const std::string cost = row.relative_cost.has_value()
                                   ? absl::StrFormat("%.3f", *row.relative_cost)
                                   : std::string("-");
      absl::StrAppendFormat(&out, "  %-22s %-9s %-16s %-7s %-7s %-16s %-16s %s\n", row.task,
                            row.mode, row.source_run.empty() ? "-" : row.source_run,
                            row.new_task_weights, Steps(static_cast<double>(row.exploration_steps)),
                            scratch, moved, cost);
    }
  }
  const std::vector<TransferRow> study = TransferStudyTable(runs);
  if (!study.empty()) {
    out +=
        "\nTransfer study (paper Fig. 6): (a) SAC-scratch env steps n to the threshold, easiest "
        "first; (b) relative transfer cost of TaCo over SAC-scratch, < 1 is cheaper\n";
    absl::StrAppendFormat(&out, "  %-26s %-16s %-18s %-18s %s\n", "new task", "source run",
                          "(a) scratch n (α)", "transfer n (α)", "(b) relative cost");
    int cheaper = 0;
    int costed = 0;
    for (const TransferRow& row : study) {
      const std::string cost = row.relative_cost.has_value()
                                   ? absl::StrFormat("%.3f", *row.relative_cost)
                                   : std::string("-");
      if (row.relative_cost.has_value()) {
        ++costed;
        if (*row.relative_cost < 1.0) ++cheaper;
      }
      absl::StrAppendFormat(
          &out, "  %-26s %-16s %-18s %-18s %s\n", row.task,
          row.source_run.empty() ? "-" : row.source_run,
          absl::StrFormat("%s (%.2f)", Steps(row.scratch_steps), row.scratch_success),
          absl::StrFormat("%s (%.2f)", Steps(row.transfer_steps), row.transfer_success), cost);
    }
    absl::StrAppendFormat(&out,
                          "  transfer was cheaper than scratch on %d of %d tasks with a cost\n",
                          cheaper, costed);
  }
  if (methods.empty() && transfer.empty()) {
    out += "\nno multi-task or transfer runs with evaluations among these\n";
  }
  return out;
}

std::vector<SuccessBand> SuccessBands(const std::vector<RunRecord>& runs) {
  std::vector<std::string> task_order;
  // task → group label → that group's curves of the task, one per run.
  std::map<std::string, std::map<std::string, std::vector<const EvalCurve*>>> curves;
  for (const RunRecord& run : runs) {
    for (const EvalCurve& c : run.history.tasks) {
      if (!HasPoints(c)) continue;
      if (curves.find(c.task) == curves.end()) task_order.push_back(c.task);
      curves[c.task][GroupLabel(run)].push_back(&c);
    }
  }
  std::vector<SuccessBand> bands;
  for (const std::string& task : task_order) {
    for (const auto& [label, seeds] : curves[task]) bands.push_back(Spread(task, label, seeds));
  }
  // The mean over a single task repeats that task's panel, and means over
  // different task lists are different quantities.
  std::map<std::pair<std::string, std::vector<std::string>>, std::vector<const EvalCurve*>> means;
  std::map<std::string, int> task_lists;
  for (const RunRecord& run : runs) {
    if (run.tasks.size() < 2 || !HasPoints(run.history.mean)) continue;
    auto& seeds = means[{GroupLabel(run), run.tasks}];
    if (seeds.empty()) ++task_lists[GroupLabel(run)];
    seeds.push_back(&run.history.mean);
  }
  for (const auto& [key, seeds] : means) {
    std::string label = key.first;
    if (task_lists[key.first] > 1)
      absl::StrAppend(&label, " [", absl::StrJoin(key.second, ", "), "]");
    bands.push_back(Spread("mean", std::move(label), seeds));
  }
  return bands;
}

absl::StatusOr<std::string> SuccessCurvesSvg(const std::vector<RunRecord>& runs) {
  if (runs.empty()) return absl::InvalidArgumentError("no runs to plot success curves of");
  const std::vector<SuccessBand> bands = SuccessBands(runs);
  if (bands.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "none of the ", runs.size(), " runs has an evaluation yet: no success curves to plot"));
  }
  // One colour per group in every panel, so that a method is found by colour.
  std::map<std::string, int> colors;
  for (const SuccessBand& b : bands) colors.emplace(b.label, 0);
  int next = 0;
  for (auto& [label, index] : colors) index = next++;

  constexpr int kWidth = 760, kHeight = 420;
  std::vector<std::string> panels;
  for (size_t first = 0; first < bands.size();) {
    size_t end = first;
    while (end < bands.size() && bands[end].task == bands[first].task) ++end;
    ChartOptions options;
    options.width = kWidth;
    options.height = kHeight;
    options.title = bands[first].task == "mean" ? "mean over tasks" : bands[first].task;
    options.x_label = "env steps";
    options.y_label = "success rate";
    options.y_min = 0.0;
    options.y_max = 1.0;
    std::vector<LineSeries> lines;
    std::vector<BandSeries> spreads;
    for (size_t i = first; i < end; ++i) {
      const SuccessBand& b = bands[i];
      const std::string color = PaletteColor(colors[b.label]);
      // A single seed has no spread to shade.
      std::string legend =
          b.seeds == 1 ? absl::StrCat(b.label, " (1 seed)")
                       : absl::StrCat(b.label, " (mean of ", b.seeds, " seeds, band min–max)");
      if (b.x.empty()) absl::StrAppend(&legend, ": the seeds share no evaluated range");
      lines.push_back({legend, b.x, b.mean, color, 2.0});
      if (b.seeds > 1) {
        spreads.push_back({absl::StrCat(b.label, ": min–max over ", b.seeds, " seeds"), b.x, b.min,
                           b.max, color, 0.2});
      }
    }
    panels.push_back(LineChartSvg(options, lines, spreads));
    first = end;
  }
  return ChartGridSvg(panels, 2, kWidth, kHeight);
}

}  // namespace taco
