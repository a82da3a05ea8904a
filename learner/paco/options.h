// Every hyper-parameter of the PaCo-SAC learner and of its MT-SAC / MH-SAC
// baselines, with defaults from the TaCo paper (Tables VI and VII) and, where
// the paper is silent, from the official PaCo code (../shared/spec/paco-sac.md
// §3, §10). A plain struct: the trainer maps its YAML config onto it.
#ifndef TACO_LEARNER_PACO_OPTIONS_H_
#define TACO_LEARNER_PACO_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "learner/paco/status.h"

namespace paco {

enum class Algorithm {
  kPaco,   // compositional networks, shared W, mask-out and w-reset
  kMtSac,  // one shared network, task one-hot appended to its input
  kMhSac,  // shared trunk, one output head per task
};

enum class ComputePath {
  kComposed,     // θ_τ = Σ_k w_τ,k φ_k first, then one batched matmul per task group (§11)
  kOutputSpace,  // the official form: K matmuls, then mix the outputs per sample (§2.1)
};

enum class WResetWeights {
  kSimplex,    // β ~ Dirichlet(1), uniform on the simplex (paper Eq. 3; project default)
  kL1Uniform,  // β = u/‖u‖₁ with u ~ U(0,1)^|N| (official code)
};

enum class WInit {
  kNormal,   // W ~ N(0, w_init_std²) (official code; project default)
  kSimplex,  // w_τ ~ Dirichlet(1): Σ_k w_τ,k = 1, so with identical components every task starts
             // as the shared network itself (see learner/paco/README.md)
};

enum class TargetEntropyRule {
  kAlf,        // ALF's default: dim(A)·log(0.1·(high − low)) = −6.438 for 4 dims in [−1, 1]
  kActionDim,  // −dim(A)
  kExplicit,   // PacoOptions::target_entropy_value
};

enum class LossAggregation {
  kSumOfTaskMeans,   // L_Θ = Σ_τ L_τ (paper Algorithm 1; project default)
  kMeanOverEntries,  // mean over all 2·B loss entries (official code)
};

const char* AlgorithmName(Algorithm a);
const char* ComputePathName(ComputePath p);
const char* WResetWeightsName(WResetWeights w);
const char* WInitName(WInit w);
const char* TargetEntropyRuleName(TargetEntropyRule r);
const char* LossAggregationName(LossAggregation a);
// Parse the names above ("paco", "mtsac", "mhsac"; "composed", "output_space";
// "simplex", "l1_uniform"; "normal", "simplex"; "alf", "action_dim", "explicit";
// "sum_of_task_means", "mean_over_entries").
StatusOr<Algorithm> ParseAlgorithm(const std::string& name);
StatusOr<ComputePath> ParseComputePath(const std::string& name);
StatusOr<WResetWeights> ParseWResetWeights(const std::string& name);
StatusOr<WInit> ParseWInit(const std::string& name);
StatusOr<TargetEntropyRule> ParseTargetEntropyRule(const std::string& name);
StatusOr<LossAggregation> ParseLossAggregation(const std::string& name);

struct PacoOptions {
  Algorithm algorithm = Algorithm::kPaco;

  // Problem shape (Meta-World MT10).
  int64_t num_tasks = 10;  // T
  int64_t obs_dim = 39;
  int64_t action_dim = 4;  // actions live in [−1, 1]

  // Networks.
  int64_t num_components = 5;  // K
  std::vector<int64_t> hidden_sizes = {400, 400, 400};
  int64_t num_critic_replicas = 2;
  // Components of a layer start identical (the official kernel_identical_init).
  bool identical_component_init = true;
  WInit w_init = WInit::kNormal;
  double w_init_std = 1.0;            // W ~ N(0, w_init_std²) with WInit::kNormal
  double projection_init_gain = 0.3;  // actor heads: truncated normal, std gain/sqrt(fan_in)
  double critic_output_init = 0.003;  // critic output layer: U(±critic_output_init)
  double log_std_min = -10.0;         // std = exp(clamp(pre_std, min, max))
  double log_std_max = 2.0;
  ComputePath compute_path = ComputePath::kComposed;

  // Optimisation (TF-style Adam for all four optimizers).
  double actor_lr = 3e-4;
  double critic_lr = 3e-4;
  double w_lr = 3e-4;
  double alpha_lr = 1e-4;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-7;  // added to sqrt(v), as in TF
  // Stabilisers, both off (0) as in the official code. dqda_clipping clamps
  // every component of ∂Q/∂a in the actor loss to [−c, c] (ALF's option of
  // that name); max_grad_norm scales each optimizer's gradients down to that
  // global L2 norm before its step (the clip some PaCo ports use, 1.0).
  double dqda_clipping = 0.0;
  double max_grad_norm = 0.0;

  // SAC.
  double discount = 0.99;
  double target_update_tau = 0.005;
  int64_t target_update_period = 1;
  TargetEntropyRule target_entropy = TargetEntropyRule::kAlf;
  double target_entropy_value = -6.438;  // used only with kExplicit
  double initial_log_alpha = 0.0;
  double min_log_alpha = -10.0;  // floor applied where α is used
  double max_log_alpha = 0.0;    // cap applied after every update
  LossAggregation loss_aggregation = LossAggregation::kSumOfTaskMeans;

  // Loss mask-out and w-reset (PaCo only; the baselines train without them).
  double loss_threshold = 3e3;  // ε
  bool mask_extreme_tasks = true;
  bool reset_extreme_w = true;
  WResetWeights w_reset_weights = WResetWeights::kSimplex;
  // The official code draws the convex combination over every non-extreme
  // task, also those absent from the batch; false restricts it to tasks
  // present in the batch with L_τ ≤ ε (the paper's V read literally).
  bool w_reset_includes_absent_tasks = true;

  // The trainer's batch size (the learner accepts any B ≥ 1).
  int64_t batch_size = 1280;

  // "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N".
  std::string device = "auto";
  // On CUDA, capture each update once per batch layout as a CUDA graph and
  // replay it: one launch instead of ~1800 operator dispatches per update.
  // Needs a LibTorch built with CUDA, version 2.4 or newer.
  bool cuda_graphs = true;
  // On CUDA, let matrix products run on TF32 tensor cores (10-bit mantissa
  // inputs, FP32 accumulation). Process-wide: LibTorch keeps the switch in
  // its global context. No effect on the CPU. Off by default: FP32 is what
  // the paper's results were measured with.
  bool tf32 = false;
  uint64_t seed = 1;

  // The target entropy H̄ the rule above gives.
  double TargetEntropy() const;

  // An error naming the first invalid field, or OK.
  Status Validate() const;

  // One "key=value" line per field, stable across versions (checkpoints
  // store it); Parse accepts exactly what Serialize writes, in any order,
  // and leaves absent keys at their defaults.
  std::string Serialize() const;
  static StatusOr<PacoOptions> Parse(const std::string& text);

  // Empty when `other` can load a checkpoint written with these options
  // (same algorithm and tensor shapes); otherwise what differs.
  std::string StructuralMismatch(const PacoOptions& other) const;
};

}  // namespace paco

#endif  // TACO_LEARNER_PACO_OPTIONS_H_
