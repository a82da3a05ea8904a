// `taco report RUN...`: the paper's tables from run folders (run.json and
// eval.csv). Multi-task runs give Table III-style rows (final evaluation
// success per method, mean ± standard deviation over seeds); transfer runs
// against single-task runs from scratch of the same task give Table IV-style
// rows: n, the env steps needed to reach the success threshold within n_max
// (mean over the runs that reached it), α, the share of runs that reached it,
// and the relative transfer cost (n_transfer/α_transfer)/(n_scratch/α_scratch).
#ifndef TACO_CLI_RUN_REPORT_H_
#define TACO_CLI_RUN_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/eval_csv.h"

namespace taco {

struct RunRecord {
  std::string dir;
  std::string name;
  std::string kind;  // "train" or "transfer"
  std::string algorithm;
  std::string task_distribution;
  std::vector<std::string> tasks;
  int64_t seed = 0;
  int64_t env_steps_per_update = 1;
  double success_threshold = 0.9;
  int64_t max_env_steps = 0;
  EvalHistory history;  // x in env steps (converted from updates when needed)
};

// Parses run.json; `file` names it in errors.
absl::StatusOr<RunRecord> ParseRunDescription(absl::string_view json, absl::string_view file);
// Reads dir/run.json and dir/eval.csv.
absl::StatusOr<RunRecord> ReadRun(const std::string& dir);

// The first x at which `curve` reaches `threshold`, if that is within `max_x`.
std::optional<double> StepsToThreshold(const EvalCurve& curve, double threshold, double max_x);

// "PaCo", "TaCo" (groups or weights), "TaCo-online", "MT-SAC", "MH-SAC".
std::string MethodName(const RunRecord& run);

struct MethodRow {
  std::string method;
  int runs = 0;
  double mean = 0.0;                        // of each run's last mean evaluation success
  double stddev = 0.0;                      // population standard deviation over runs
  std::map<std::string, double> task_mean;  // per task, last evaluation, mean over runs
};
// Multi-task training runs (kind train, more than one task), by method.
std::vector<MethodRow> MultiTaskTable(const std::vector<RunRecord>& runs);

struct TransferRow {
  std::string task;
  int scratch_runs = 0, transfer_runs = 0;
  std::optional<double> scratch_steps, transfer_steps;   // n
  double scratch_success = 0.0, transfer_success = 0.0;  // α
  std::optional<double> relative_cost;
};
// One row per task that transfer runs learnt, against the kind-train runs
// with that task alone.
std::vector<TransferRow> TransferTable(const std::vector<RunRecord>& runs);

std::string FormatReport(const std::vector<RunRecord>& runs);

}  // namespace taco

#endif  // TACO_CLI_RUN_REPORT_H_
