// `taco report RUN...`: the paper's tables from run folders (run.json and
// eval.csv). Multi-task runs give Table III-style rows (final evaluation
// success per method, mean ± standard deviation over seeds); transfer runs
// against single-task runs from scratch of the same task give Table IV-style
// rows: n, the env steps needed to reach the success threshold within n_max
// (mean over the runs that reached it), α, the share of runs that reached it,
// and the relative transfer cost (n_transfer/α_transfer)/(n_scratch/α_scratch).
// Transfer runs are only pooled when they share the transfer settings (mode,
// source run, initial-w rule, n_e), and each new task of a run is judged on
// its own evaluation curve, never on the mean over the new tasks.
// SuccessCurvesSvg draws the success curves per task over runs, one line
// (mean over seeds) and band (min–max over seeds) per method and settings.
#ifndef TACO_CLI_RUN_REPORT_H_
#define TACO_CLI_RUN_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
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
  int64_t exploration_env_steps = 0;  // stored before the learner's first update (warm-up)
  double success_threshold = 0.9;
  int64_t max_env_steps = 0;
  // Transfer runs only (kind "transfer"); a run.json without them (written by
  // hand) gets TransferConfig's defaults, what a transfer run without
  // overrides uses.
  std::string transfer_mode = "full";       // "full" or "fixed_phi"
  std::string source_checkpoint;            // as run.json gives it
  std::string source_run;                   // see SourceRunName
  std::string new_task_weights = "random";  // initial w rule: "random" or "convex"
  int64_t exploration_steps = 20'000;       // n_e
  EvalHistory history;                      // x in env steps (converted from updates when needed)
};

// The run a learner checkpoint belongs to: the folder above `checkpoints/`
// (runs/mt10/checkpoints/learner.ckpt → "mt10"); the path itself when it does
// not sit in a run folder's checkpoints/.
std::string SourceRunName(absl::string_view checkpoint);

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
  // The key: transfer runs differing in any of these are kept apart.
  std::string task;
  std::string mode;               // RunRecord::transfer_mode
  std::string source_run;         // RunRecord::source_run
  std::string new_task_weights;   // initial w rule
  int64_t exploration_steps = 0;  // n_e
  int scratch_runs = 0, transfer_runs = 0;
  std::optional<double> scratch_steps, transfer_steps;   // n
  double scratch_success = 0.0, transfer_success = 0.0;  // α
  std::optional<double> relative_cost;
};
// The paper's relative transfer cost (n_transfer/α_transfer)/(n_scratch/α_scratch)
// from each run's env steps to the threshold (none: not reached); n is the
// mean over the runs that reached it, α their share. None when either side
// never reached it.
std::optional<double> RelativeTransferCost(const std::vector<std::optional<double>>& transfer,
                                           const std::vector<std::optional<double>>& scratch);

// How far that cost moves with the seeds: the cost of `resamples` bootstrap
// resamples of the seeds, each resample drawing seeds (a seed's transfer and
// scratch outcome together) with replacement. Percentiles over the
// resamples with a cost; `with_cost` is their share. A fixed `rng_seed`
// repeats the figures.
struct CostSpread {
  double p10 = 0.0, median = 0.0, p90 = 0.0;
  double with_cost = 0.0;
  double below_one = 0.0;  // share of the resamples with a cost where it is < 1
  int resamples = 0;
};
std::optional<CostSpread> BootstrapTransferCost(const std::vector<std::optional<double>>& transfer,
                                                const std::vector<std::optional<double>>& scratch,
                                                int resamples, uint64_t rng_seed);

// One row per task that transfer runs learnt and transfer setting (the key
// above), against the kind-train runs with that task alone, which every
// setting of that task shares. A run's n for a task comes from that task's
// curve: a task without a curve did not reach the threshold in that run.
std::vector<TransferRow> TransferTable(const std::vector<RunRecord>& runs);

// The paper's Fig. 6: for each new task that full transfer runs (Φ and w
// trained, random initial w, the paper's setting) and scratch runs both
// learnt, the scratch runs' n (Fig. 6a) and the relative transfer cost
// (Fig. 6b); ordered by scratch difficulty, hardest last, tasks that no
// scratch run solved after the rest.
std::vector<TransferRow> TransferStudyTable(const std::vector<RunRecord>& runs);

std::string FormatReport(const std::vector<RunRecord>& runs);

// Success over env steps of one group of runs on one task (or "mean"),
// across the group's seeds.
struct SuccessBand {
  std::string task;   // a task or "mean"
  std::string label;  // the group: method and kind, for transfer also the table's key
  int seeds = 0;      // runs in the group with evaluations of this task
  std::vector<double> x, mean, min, max;
};
// One band per group and task with evaluations, tasks in order of first
// appearance and "mean" last. Runs are grouped by MethodName and kind
// (scratch single-task, multi-task or transfer with its settings), never
// pooled across; the "mean" panel only takes multi-task runs, pooled only
// when they share their task list.
std::vector<SuccessBand> SuccessBands(const std::vector<RunRecord>& runs);

// An SVG with one panel per task and one for the mean: per group a line for
// the mean over seeds and a shaded band from the lowest to the highest seed.
// InvalidArgument when `runs` is empty or none of them has an evaluation.
absl::StatusOr<std::string> SuccessCurvesSvg(const std::vector<RunRecord>& runs);

}  // namespace taco

#endif  // TACO_CLI_RUN_REPORT_H_
