// A trained policy on its own: what evaluation, rendering, transfer and export
// need of a run — the options, the actor's parameters and the update count —
// without value functions or optimizer state. Runs keep their best evaluated
// policy this way (best-policy.ckpt beside learner.ckpt); a full learner
// checkpoint (Learner::Save) is read as a policy too.
#ifndef TACO_LEARNER_PACO_POLICY_CHECKPOINT_H_
#define TACO_LEARNER_PACO_POLICY_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "learner/paco/networks.h"
#include "learner/paco/options.h"
#include "learner/paco/status.h"

namespace paco {

struct SavedPolicy {
  PacoOptions options;  // device "cpu" whatever device trained it
  // Learner::ExportActorParameters' names: "actor.*" and, for PaCo,
  // "task_weights" (W [K, T]); CPU float32, finite.
  NamedTensors actor_parameters;
  int64_t updates = 0;
};

// `actor_parameters`: Learner::ExportActorParameters' names and shapes.
Status SavePolicyCheckpoint(const std::string& path, const PacoOptions& options,
                            const NamedTensors& actor_parameters, int64_t updates);

// Reads a policy checkpoint or a learner checkpoint of any algorithm. Every
// parameter is checked against the shapes its options give, and for NaN/Inf,
// before it is returned: DataLoss names the first that is wrong, NotFound a
// missing file.
StatusOr<SavedPolicy> LoadSavedPolicy(const std::string& path);

// The deterministic policy of the saved parameters, ready to act.
StatusOr<std::unique_ptr<PolicyInference>> MakeInference(const SavedPolicy& policy);

// `policy` as bytes that Python reads with PyTorch alone:
// `dict(torch.load(path, weights_only=True))` of a file holding them gives
//   "format": "taco-policy-v1", "algorithm", "tasks" (names, W's column
//   order), "obs_dim", "action_dim", "updates", "log_std_min", "log_std_max"
//   (0-d tensors),
//   "weights" / "biases": per layer, every task's composed θ_τ = Φ w_τ as
//   [T, out, in] / [T, out] (the last layer gives the mean, then the log std),
//   "phi": (name, tensor) pairs of the actor's Φ, "task_weights": W [K, T].
// PaCo policies only (Unimplemented for the baselines); `tasks` must match W.
StatusOr<std::string> ExportForPyTorch(const SavedPolicy& policy,
                                       const std::vector<std::string>& tasks);

}  // namespace paco

#endif  // TACO_LEARNER_PACO_POLICY_CHECKPOINT_H_
