// The env-step axis of a cluster run, whose evaluator and learner count
// updates: the learner's pacing lets it start updating once the warm-up
// (trainer.exploration_steps) is stored and then keeps to
// trainer.env_steps_per_update env steps per update, so U updates stand for
// warm-up + U × ratio env steps — the axis train-local writes directly.
// Header-only: `taco report` reads the two numbers from run.json and links
// nothing of common/.
#ifndef TACO_COMMON_ENV_STEP_AXIS_H_
#define TACO_COMMON_ENV_STEP_AXIS_H_

#include <cstdint>

namespace taco {

// 0 updates stand for the start of the run (the evaluation of the initial
// policy), whatever the warm-up.
inline int64_t EnvStepsAtUpdates(int64_t updates, int64_t exploration_steps,
                                 int64_t env_steps_per_update) {
  return updates > 0 ? exploration_steps + updates * env_steps_per_update : 0;
}

}  // namespace taco

#endif  // TACO_COMMON_ENV_STEP_AXIS_H_
