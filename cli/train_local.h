// `taco train-local CONFIG`: the whole training loop in one process — the
// vector env pool, an in-process replay and the PaCo-SAC learner — for
// development and CI smoke runs. The distributed system (`taco up`) runs the
// same learner on the same data layout.
#ifndef TACO_CLI_TRAIN_LOCAL_H_
#define TACO_CLI_TRAIN_LOCAL_H_

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/run_config.h"

namespace taco {

struct TrainLocalOptions {
  // Continue from <checkpoint dir>/learner.ckpt when it exists.
  bool resume = false;
  // Print the progress line to stdout.
  bool progress = true;
  // Stop once an evaluation's success reaches this on every task (0: never).
  double stop_at_success = 0.0;
};

struct EvalPoint {
  int64_t env_steps = 0;
  double mean_success = 0.0;
  std::map<std::string, double> task_success;
  // The lowest task success: a transfer run's criterion.
  double LowestSuccess() const {
    double lowest = task_success.empty() ? mean_success : 1.0;
    for (const auto& [task, rate] : task_success) lowest = std::min(lowest, rate);
    return lowest;
  }
};

struct TrainLocalResult {
  int64_t env_steps = 0;
  int64_t updates = 0;
  double wall_s = 0.0;
  std::vector<EvalPoint> evaluations;  // the learning curve
  // How often the acting policy took the learner's parameters, and the
  // interval it followed (trainer.policy_sync_every_updates, resolved).
  int64_t policy_syncs = 0;
  int64_t policy_sync_every_updates = 1;
};

absl::StatusOr<TrainLocalResult> TrainLocal(const RunConfig& config,
                                            const TrainLocalOptions& options);

}  // namespace taco

#endif  // TACO_CLI_TRAIN_LOCAL_H_
