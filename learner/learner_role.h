// `taco learner CONFIG`: the learner process. It samples batches composed by
// the task distribution from every replay shard (the next batches already in
// flight while the current one trains), keeps the paper's ratio of updates to
// the environment steps the shards actually stored, publishes parameters to
// the actors every N updates, and checkpoints every M minutes and at exit;
// a restart resumes from the checkpoint.
#ifndef TACO_LEARNER_LEARNER_ROLE_H_
#define TACO_LEARNER_LEARNER_ROLE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "common/run_config.h"

namespace taco {

struct LearnerRoleOptions {
  // Stop after this many updates (0: until SIGINT/SIGTERM).
  int64_t max_updates = 0;
};

absl::Status RunLearnerRole(const RunConfig& config, const LearnerRoleOptions& options);

}  // namespace taco

#endif  // TACO_LEARNER_LEARNER_ROLE_H_
