// Reads a run's eval.csv: one row per task and evaluation, in either of the
// two forms taco writes. `taco train-local` counts time in env steps
// ("env_steps,task,success_rate"), the cluster's evaluator in learner updates
// ("updates,task,success_rate"); both add a row for the task "mean".
#ifndef TACO_CLI_EVAL_CSV_H_
#define TACO_CLI_EVAL_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace taco {

struct EvalCurve {
  std::string task;
  std::vector<double> x;        // ascending (equal x keep the file's order)
  std::vector<double> success;  // in [0, 1]
};

struct EvalHistory {
  std::string x_column;          // "env_steps" or "updates"
  std::vector<EvalCurve> tasks;  // in order of first appearance; "mean" is not one
  // The file's "mean" rows or, for a file without them, the mean over the
  // tasks evaluated at each x.
  EvalCurve mean;
};

// `file` names the source in errors, which read "FILE:LINE: what is wrong".
// InvalidArgument for a bad header, a row without three fields, a time that
// is not a non-negative number, an empty task or a success rate outside
// [0, 1]; FailedPrecondition for a file with no rows yet.
absl::StatusOr<EvalHistory> ParseEvalCsv(absl::string_view text, absl::string_view file);

// NotFound when `path` does not exist, otherwise as ParseEvalCsv.
absl::StatusOr<EvalHistory> ReadEvalCsv(const std::string& path);

}  // namespace taco

#endif  // TACO_CLI_EVAL_CSV_H_
