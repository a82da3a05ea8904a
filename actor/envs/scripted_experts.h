// Scripted expert policies, one per task (spec §4 "Policy", §5). Each is a
// stateless function of the observation, as in Meta-World; the position part
// is left unclipped (the env clips), so action noise added on top behaves as
// in Meta-World's harness.
#ifndef TACO_ACTOR_ENVS_SCRIPTED_EXPERTS_H_
#define TACO_ACTOR_ENVS_SCRIPTED_EXPERTS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "actor/envs/sawyer_env.h"

namespace taco::envs {

using ExpertPolicy = Action (*)(const Observation& obs);

// NotFound for a task without an expert.
absl::StatusOr<ExpertPolicy> FindExpert(std::string_view task);

struct ExpertRunOptions {
  // Gaussian action noise with std = noise_pct × 2 (the action range), as
  // Meta-World's test_scripted_policies.py adds it.
  double noise_pct = 0;
  int max_steps = kLongMaxEpisodeSteps;
};

struct ExpertEpisode {
  bool success = false;
  // Steps until the first success, or the steps run.
  int steps = 0;
  double episode_return = 0;
};

// Runs the task's expert for one episode from the env's current state (after a
// Reset), stopping at the first success (the success-at-any-step protocol).
// The env must have been built with max_episode_steps >= options.max_steps.
absl::StatusOr<ExpertEpisode> RunExpertEpisode(SawyerEnv& env, ExpertPolicy policy,
                                               const Observation& first_obs, NumpyRandom& noise,
                                               const ExpertRunOptions& options);

// Meta-World v2.0.0's expected scripted-policy success rates (spec §5).
struct ExpectedSuccess {
  double noise_0;
  double noise_0_1;
};
absl::StatusOr<ExpectedSuccess> ExpectedExpertSuccess(std::string_view task);

struct ExpertEvalOptions {
  // Action noise as in ExpertRunOptions.
  double noise_pct = 0;
  // With noise_pct == 0: one episode on each of the task's 50 fixed variants.
  // Otherwise `episodes` episodes, each on a freshly drawn variant, as in
  // Meta-World's harness.
  int episodes = 100;
  uint32_t seed = 0;
  std::string assets_dir;
};

// The spec's harness: episodes of up to 500 steps, success at any step.
absl::StatusOr<double> ExpertSuccessRate(std::string_view task, const ExpertEvalOptions& options);

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_SCRIPTED_EXPERTS_H_
