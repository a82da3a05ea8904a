#include "cli/run_report.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

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

}  // namespace

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
        num("success_threshold", &run.success_threshold),
        num("max_env_steps", &run.max_env_steps)}) {
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
  if (!(run.success_threshold > 0.0 && run.success_threshold <= 1.0)) {
    return Bad(file, "'success_threshold' must be in (0, 1]");
  }
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
    // The cluster's evaluator counts learner updates; the paper's ratio
    // turns them into env steps.
    const double ratio = static_cast<double>(run->env_steps_per_update);
    for (EvalCurve& c : run->history.tasks) {
      for (double& x : c.x) x *= ratio;
    }
    for (double& x : run->history.mean.x) x *= ratio;
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

std::vector<TransferRow> TransferTable(const std::vector<RunRecord>& runs) {
  std::map<std::string, std::vector<std::optional<double>>> transfer, scratch;
  for (const RunRecord& run : runs) {
    const double max_x = run.max_env_steps > 0 ? static_cast<double>(run.max_env_steps) : 1e300;
    if (run.kind == "transfer") {
      for (const std::string& task : run.tasks) {
        const EvalCurve* curve = CurveOf(run, task);
        transfer[task].push_back(curve == nullptr
                                     ? std::nullopt
                                     : StepsToThreshold(*curve, run.success_threshold, max_x));
      }
    } else if (run.tasks.size() == 1) {
      const EvalCurve* curve = CurveOf(run, run.tasks[0]);
      scratch[run.tasks[0]].push_back(
          curve == nullptr ? std::nullopt : StepsToThreshold(*curve, run.success_threshold, max_x));
    }
  }
  std::vector<TransferRow> rows;
  for (const auto& [task, steps] : transfer) {
    TransferRow row;
    row.task = task;
    row.transfer_runs = static_cast<int>(steps.size());
    row.transfer_steps = MeanSteps(steps);
    row.transfer_success = Reached(steps);
    auto it = scratch.find(task);
    if (it != scratch.end()) {
      row.scratch_runs = static_cast<int>(it->second.size());
      row.scratch_steps = MeanSteps(it->second);
      row.scratch_success = Reached(it->second);
    }
    if (row.transfer_steps.has_value() && row.scratch_steps.has_value() &&
        *row.scratch_steps > 0.0) {
      row.relative_cost =
          (*row.transfer_steps / row.transfer_success) / (*row.scratch_steps / row.scratch_success);
    }
    rows.push_back(row);
  }
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
    absl::StrAppendFormat(&out, "  %-22s %-16s %-16s %s\n", "task", "scratch n (α)",
                          "transfer n (α)", "relative cost");
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
      absl::StrAppendFormat(&out, "  %-22s %-16s %-16s %s\n", row.task, scratch, moved, cost);
    }
  }
  if (methods.empty() && transfer.empty()) {
    out += "\nno multi-task or transfer runs with evaluations among these\n";
  }
  return out;
}

}  // namespace taco
