// The learner side of the TaCo transfer phase (paper Algorithm 2): a new
// learner for unseen tasks starts from the policy's Φ* of a multi-task
// checkpoint (the value functions start fresh, because reusing them usually
// fails), and π_explore — the policy with w̃ = W β, β on the simplex over the
// source tasks — collects the first n_e steps while only the value functions
// train (TrainScope::kValueOnly in learner.h).
#ifndef TACO_LEARNER_PACO_TRANSFER_H_
#define TACO_LEARNER_PACO_TRANSFER_H_

#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "learner/paco/learner.h"
#include "learner/paco/networks.h"
#include "learner/paco/options.h"
#include "learner/paco/policy_checkpoint.h"
#include "learner/paco/status.h"

namespace paco {

// The name under which a transfer learner broadcasts the source tasks' W
// while it explores; actors that see it act with π_explore.
inline constexpr char kTransferSourceWeights[] = "transfer.source_task_weights";

struct TransferSource {
  PacoOptions options;         // of the multi-task run
  NamedTensors actor_phi;      // "actor.*": Φ* of the policy
  torch::Tensor task_weights;  // W of the source tasks [K, T_source], CPU float32
};

// Reads a PaCo learner checkpoint written by the multi-task run, or a policy
// checkpoint (SavePolicyCheckpoint).
StatusOr<TransferSource> LoadTransferSource(const std::string& checkpoint);

enum class NewTaskWeights {
  kRandom,  // W ~ N(0, w_init_std²) as a fresh learner draws it (the paper: learned from scratch)
  kConvex,  // W_source β, β ~ Dirichlet(1) per new task (the official transfer code's idea)
};
const char* NewTaskWeightsName(NewTaskWeights w);
StatusOr<NewTaskWeights> ParseNewTaskWeights(const std::string& name);

// Prepares `learner`, freshly created for the new tasks, for transfer: the
// policy's Φ ← Φ* (shapes must match: same K and hidden sizes), the critics,
// α and every optimizer state stay fresh, and W follows `init`.
Status InitializeForTransfer(const TransferSource& source, NewTaskWeights init, uint64_t seed,
                             Learner* learner);

// `n` columns β ~ Dirichlet(1, …, 1) over the `num_source_tasks` source
// tasks: [num_source_tasks, n], entries ≥ 0, each column summing to 1.
torch::Tensor SimplexColumns(int64_t num_source_tasks, int64_t n, at::Generator& gen);

// Actor parameters of π_explore for n environments (one "task" per env):
// Φ* and W̃ = W_source β [K, n], for a PolicyInference created with
// num_tasks = n and the source's network shape.
NamedTensors ExplorationParameters(const TransferSource& source, const torch::Tensor& beta);

// π_explore for a vector of environments: env i acts with w̃_i = W_source β_i,
// and a new β_i is drawn for each of its episodes (the paper does not say how
// often β changes; per episode keeps one policy per trajectory).
class ExplorationPolicy {
 public:
  // `network`: the policy's shape (K, hidden sizes); draws every β.
  static StatusOr<std::unique_ptr<ExplorationPolicy>> Create(const PacoOptions& network,
                                                             TransferSource source,
                                                             int64_t num_envs, uint64_t seed);
  // New β for the envs listed (their episodes ended).
  Status Redraw(const std::vector<int>& envs);
  // obs [num_envs, obs_dim]: one stochastic action per env.
  StatusOr<torch::Tensor> Act(const torch::Tensor& obs);
  const torch::Tensor& beta() const { return beta_; }  // [T_source, num_envs]

 private:
  ExplorationPolicy() = default;
  TransferSource source_;
  std::unique_ptr<PolicyInference> policy_;
  at::Generator gen_;
  torch::Tensor beta_;
  torch::Tensor env_ids_;
  int64_t version_ = 0;
};

}  // namespace paco

#endif  // TACO_LEARNER_PACO_TRANSFER_H_
