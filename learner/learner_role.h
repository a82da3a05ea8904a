// `taco learner CONFIG`: the learner process. It samples batches composed by
// the task distribution from every replay shard (the next batches already in
// flight while the current one trains), keeps the paper's ratio of updates to
// the environment steps the shards actually stored, publishes parameters to
// the actors every N updates, and checkpoints every M minutes and at exit;
// a restart resumes from the checkpoint.
#ifndef TACO_LEARNER_LEARNER_ROLE_H_
#define TACO_LEARNER_LEARNER_ROLE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/run_config.h"

namespace paco {
class Learner;
struct TransferSource;
struct UpdateStats;
}  // namespace paco

namespace taco {

struct LearnerRoleOptions {
  // Stop after this many updates (0: until SIGINT/SIGTERM).
  int64_t max_updates = 0;
};

absl::Status RunLearnerRole(const RunConfig& config, const LearnerRoleOptions& options);

// The learner's metrics (docs/metrics.md), shared with `taco train-local`.
// Cumulative mask-out and w-reset counts per task and the task distribution.
void ExportLearnerCounts(const std::vector<std::string>& tasks, const std::vector<double>& p,
                         const std::vector<int64_t>& mask_counts,
                         const std::vector<int64_t>& reset_counts);
// Everything an update's statistics hold (they are read once per published
// version: reading them costs a device-to-host copy), the above included.
void ExportUpdateMetrics(const std::vector<std::string>& tasks, const std::vector<double>& p,
                         const paco::UpdateStats& stats);
void ExportCheckpointMetrics(absl::Duration took);
// The learner's update count over the whole run, restarts included (the
// updates counter starts at zero in each process, as counters do).
void ExportRunUpdates(int64_t updates);
// The same statistics as TensorBoard scalars (docs/researcher-workflow.md):
// loss/{actor,critic,alpha}, q_mean, entropy, and per task alpha/TASK,
// entropy/TASK, task_loss/TASK (NaN for a task absent from the batch, which
// the event file leaves out), mask_outs/TASK and w_resets/TASK.
std::vector<std::pair<std::string, double>> UpdateScalars(const std::vector<std::string>& tasks,
                                                          const paco::UpdateStats& stats);

// The start of a transfer phase (config.transfer, shared with `taco
// transfer`): reads the source run's Φ* and W and, unless the learner was
// `resumed` from the transfer run's own checkpoint, gives `learner` Φ* and
// the new tasks' w. Errors name transfer.source_checkpoint.
absl::StatusOr<std::unique_ptr<paco::TransferSource>> StartTransfer(const RunConfig& config,
                                                                    bool resumed,
                                                                    paco::Learner* learner);

}  // namespace taco

#endif  // TACO_LEARNER_LEARNER_ROLE_H_
