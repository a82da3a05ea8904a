// `taco actor CONFIG --index I`: one actor process. It steps a vector of
// Meta-World envs whose tasks are drawn from the task distribution at every
// reset, acts with the newest parameters the learner broadcast (θ_τ = Φ w_τ
// composed once per version, on the CPU) and streams the transitions to the
// replay shards that own their tasks.
#ifndef TACO_ACTOR_ACTOR_ROLE_H_
#define TACO_ACTOR_ACTOR_ROLE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "actor/envs/sawyer_env.h"
#include "common/run_config.h"

namespace at {
class Tensor;
}  // namespace at
namespace paco {
class PolicyInference;
}  // namespace paco

namespace taco {

// The env settings of a run (assets, time limit, goals and their draw order)
// for an env generator seeded with `env_seed`.
envs::EnvConfig RunEnvConfig(const RunConfig& config, uint32_t env_seed);

struct ActorRoleOptions {
  // 0..topology.actors-1, or kAutoIndex for replicas started alike (compose
  // --scale, a Kubernetes Indexed Job): actor_index.h says where their index
  // comes from; with none, seeds come from the host name and process id.
  static constexpr int kAutoIndex = -1;
  int index = 0;
  // With kAutoIndex: a folder the replicas share to claim indices in.
  std::string index_dir;
  // > 0: the metrics port, instead of one derived from the index.
  int metrics_port = 0;
  // Stop after this many env steps (0: run until SIGINT/SIGTERM).
  int64_t max_env_steps = 0;
};

absl::Status RunActorRole(const RunConfig& config, const ActorRoleOptions& options);

struct EvalRoleOptions {
  // Evaluate the newest parameters once, print the table and exit.
  bool once = false;
};

struct EvalResult {
  double mean_success = 0.0;
  std::map<std::string, double> task_success;
};

// The paper's evaluation of `policy`: eval_episodes_per_task episodes of
// every task at once, deterministic actions, goals from the task variants,
// success if reached at any step. `seed` picks the variants.
// `stop`, when given, is asked at every step: true ends the evaluation with
// Cancelled (an evaluator that is told to stop does not finish first).
absl::StatusOr<EvalResult> EvaluatePolicy(const RunConfig& config, paco::PolicyInference& policy,
                                          uint32_t seed,
                                          const std::function<bool()>& stop = nullptr);

// The actors' and the evaluator's metrics (docs/metrics.md), shared with
// `taco train-local`.
void ExportEpisode(const std::string& task, double episode_return, double length, bool success);
void ExportEvaluation(const EvalResult& result, uint64_t updates, int64_t env_steps);
// An evaluation as TensorBoard scalars: success/mean and success/TASK.
std::vector<std::pair<std::string, double>> SuccessScalars(const EvalResult& result);

// MuJoCo, gRPC and protobuf as linked into this binary (LibTorch's is in
// common/version.h): for `taco version` and run.json.
std::map<std::string, std::string> LibraryVersions();

// Keeps the run's best evaluated policy beside its checkpoint:
// best-policy.ckpt (a policy checkpoint, paco/transfer.h; what `taco
// transfer` reads by default) and best-policy.txt (its mean success and
// update count), replaced when `result` beats them. `actor_parameters`
// holds name/tensor pairs as the learner exports them; others are left out.
absl::Status KeepBestPolicy(const RunConfig& config,
                            const std::vector<std::pair<std::string, at::Tensor>>& actor_parameters,
                            const EvalResult& result, uint64_t updates);

// `taco eval CONFIG`: the paper's evaluation — the deterministic policy,
// eval_episodes_per_task episodes per task on sampled goals, success if
// reached at any step — of the learner's newest parameters, repeated every
// eval interval; success per task and the mean go to metrics and to
// <run>/eval.csv.
absl::Status RunEvalRole(const RunConfig& config, const EvalRoleOptions& options);

}  // namespace taco

#endif  // TACO_ACTOR_ACTOR_ROLE_H_
