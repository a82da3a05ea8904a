// `taco actor CONFIG --index I`: one actor process. It steps a vector of
// Meta-World envs whose tasks are drawn from the task distribution at every
// reset, acts with the newest parameters the learner broadcast (θ_τ = Φ w_τ
// composed once per version, on the CPU) and streams the transitions to the
// replay shards that own their tasks.
#ifndef TACO_ACTOR_ACTOR_ROLE_H_
#define TACO_ACTOR_ACTOR_ROLE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "common/run_config.h"

namespace taco {

struct ActorRoleOptions {
  int index = 0;
  // Stop after this many env steps (0: run until SIGINT/SIGTERM).
  int64_t max_env_steps = 0;
  // Greedy policy and no replay: the evaluator's mode.
  bool evaluate = false;
};

absl::Status RunActorRole(const RunConfig& config, const ActorRoleOptions& options);

}  // namespace taco

#endif  // TACO_ACTOR_ACTOR_ROLE_H_
