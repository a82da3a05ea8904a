// Multi-task networks of PaCo-SAC and its baselines (../shared/spec/paco-sac.md §2).
//
// Every network carries a leading replica dimension R so the twin critics run
// as one batched network (one kernel per layer instead of two); the actor has
// R = 1. Outputs are [R, N, out].
//
// PaCo layers mix K parameter components with the task's compositional vector
// w_τ (a column of the shared W [K, T]). Two compute paths give one answer:
//  - ComputePath::kOutputSpace, the official form: every component's output
//    W_k x + b_k is computed for every sample, then mixed per sample with w;
//  - ComputePath::kComposed (default): θ_τ = Σ_k w_τ,k φ_k is composed for the
//    tasks present in the batch, the samples are grouped by task (padded to
//    the largest group) and each layer is one batched matmul over task groups.
//    About K times fewer multiply-adds (§11).
#ifndef TACO_LEARNER_PACO_NETWORKS_H_
#define TACO_LEARNER_PACO_NETWORKS_H_

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "learner/paco/options.h"
#include "learner/paco/status.h"

namespace paco {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Where each sample of a forward pass goes in the task-grouped layout
// [P, M, ·]: P = tasks present (ascending id), M = largest task count. Rows of
// a group beyond its task's count are padding; they never reach an output.
class TaskRouting {
 public:
  // `task`: integer tensor [N] (any device; read on the host). Errors on a
  // wrong shape or dtype, N = 0, or ids outside [0, num_tasks).
  static StatusOr<TaskRouting> Create(const torch::Tensor& task, int64_t num_tasks,
                                      torch::Device device);
  static StatusOr<TaskRouting> FromHost(const std::vector<int64_t>& task, int64_t num_tasks,
                                        torch::Device device);

  int64_t num_samples() const { return num_samples_; }
  int64_t num_tasks() const { return static_cast<int64_t>(counts_.size()); }
  int64_t num_present() const { return num_present_; }
  int64_t group_size() const { return group_size_; }
  // Samples per task, on the host.
  const std::vector<int64_t>& counts() const { return counts_; }
  // True when the samples already sit grouped by task in equal-size groups,
  // so grouping is a free view.
  bool is_identity() const { return identity_; }

  const torch::Tensor& task() const { return task_; }                    // [N] int64
  const torch::Tensor& present() const { return present_; }              // [P] int64
  const torch::Tensor& counts_tensor() const { return counts_tensor_; }  // [T] float32

  // Same counts per task and the same grouping, so that `other`'s samples
  // fit tensors shaped for this routing.
  bool SameLayout(const TaskRouting& other) const {
    return counts_ == other.counts_ && identity_ == other.identity_;
  }
  // A copy with device tensors of its own (the fixed inputs of a captured
  // CUDA graph).
  TaskRouting Clone() const;
  // Writes the sample order of `other`, which must have the same layout,
  // into this routing's tensors in place.
  void CopyOrderFrom(const TaskRouting& other);

  // [N, F] → [P, M, F], padding rows zero.
  torch::Tensor ToGrouped(const torch::Tensor& x) const;
  // [R, P, M, F] (or [R·P, M, F]) → [R, N, F].
  torch::Tensor FromGrouped(const torch::Tensor& y, int64_t replicas) const;

 private:
  int64_t num_samples_ = 0;
  int64_t num_present_ = 0;
  int64_t group_size_ = 0;
  bool identity_ = false;
  std::vector<int64_t> counts_;
  torch::Tensor task_;
  torch::Tensor present_;
  torch::Tensor counts_tensor_;
  torch::Tensor slot_;  // [N] row of each sample in the flattened [P·M] layout
};

// How one forward pass treats tasks.
struct ForwardContext {
  const TaskRouting* routing = nullptr;
  torch::Tensor task_weights;  // W [K, T]; PaCo only
  ComputePath path = ComputePath::kComposed;
  // Build no graph into the network parameters or W (the actor loss needs
  // ∂Q/∂a only).
  bool detach_params = false;
};

// Kernel initialisation schemes of the official networks (§2.3, §2.4).
struct LayerInit {
  enum class Kind {
    kXavierUniform,    // U(±sqrt(6/(fan_in + fan_out)))
    kUniformFanIn,     // U(±1/sqrt(fan_in))
    kUniform,          // U(±value)
    kTruncatedNormal,  // N(0,1) truncated to ±2, rescaled to std value/sqrt(fan_in)
  };
  Kind kind = Kind::kXavierUniform;
  double value = 0.0;
};

// Fills `kernel` [out, in] in place with the scheme, drawing from `gen` (CPU).
void InitKernel(torch::Tensor kernel, const LayerInit& init, at::Generator& gen);

// The composed parameters of one layer for the tasks present in a batch.
struct ComposedLinear {
  torch::Tensor weight;  // [R·P, out, in]
  torch::Tensor bias;    // [R·P, 1, out]
};

// y[g] = b[g] + x[g] θ[g]ᵀ for every group g, then ReLU if `relu`:
// x [G, M, in], θ [G, out, in], b [G, 1, out] → [G, M, out]. On CUDA one
// baddbmm. On the CPU the groups are spread over the intra-op threads with one
// single-threaded GEMM each, the ReLU applied while the block is in cache
// (also in the backward pass): a batched matmul would run its groups one
// after the other, each GEMM forking and joining every thread, which wastes
// most of the time on a loaded machine.
torch::Tensor GroupedLinear(const torch::Tensor& x, const torch::Tensor& weight,
                            const torch::Tensor& bias, bool relu);

// CompositionalFC with R replicas: weight [R, K, out, in], bias [R, K, out].
class CompositionalLinearImpl : public torch::nn::Module {
 public:
  CompositionalLinearImpl(int64_t replicas, int64_t components, int64_t in, int64_t out);

  // θ_τ and b_τ for the columns `w_present` [K, P] of W.
  ComposedLinear Compose(const torch::Tensor& w_present, bool detach) const;
  // x [R·P, M, in] → [R·P, M, out] (GroupedLinear), with an optional ReLU.
  static torch::Tensor Apply(const ComposedLinear& layer, const torch::Tensor& x,
                             bool relu = false);
  // The official output-space form: x [R, N, in], per-sample mixing weights
  // c [N, K] → Σ_k c_nk (W_k x_n + b_k), [R, N, out].
  torch::Tensor ForwardOutputSpace(const torch::Tensor& x, const torch::Tensor& c,
                                   bool detach) const;

  // Component 0 of each replica drawn with `init`, copied to the other
  // components when `identical`, else drawn independently. Biases zero.
  void Initialize(const LayerInit& init, bool identical, at::Generator& gen);

  int64_t replicas() const { return replicas_; }
  int64_t components() const { return components_; }
  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }

  torch::Tensor weight;
  torch::Tensor bias;

 private:
  int64_t replicas_, components_, in_, out_;
};
TORCH_MODULE(CompositionalLinear);

// An ordinary linear layer with R replicas: weight [R, out, in], bias [R, out].
class ReplicatedLinearImpl : public torch::nn::Module {
 public:
  ReplicatedLinearImpl(int64_t replicas, int64_t in, int64_t out);
  // x [R, N, in] → [R, N, out].
  torch::Tensor Forward(const torch::Tensor& x, bool detach) const;
  void Initialize(const LayerInit& init, at::Generator& gen);

  torch::Tensor weight;
  torch::Tensor bias;

 private:
  int64_t replicas_, in_, out_;
};
TORCH_MODULE(ReplicatedLinear);

// An MLP conditioned on the task by the algorithm's rule:
//  - kPaco: every layer compositional, mixed by the shared W;
//  - kMtSac: plain layers, task one-hot appended to the input;
//  - kMhSac: plain trunk, one output head per task.
// ReLU between layers, identity output.
class TaskMlpImpl : public torch::nn::Module {
 public:
  struct Config {
    Algorithm algorithm = Algorithm::kPaco;
    int64_t replicas = 1;
    int64_t in = 0;
    std::vector<int64_t> hidden;
    int64_t out = 0;
    int64_t components = 1;  // K (PaCo)
    int64_t num_tasks = 1;   // T
    LayerInit hidden_init;
    LayerInit output_init;
    bool identical_component_init = true;
  };
  TaskMlpImpl(const Config& config, at::Generator& init_gen);

  // The per-task layers θ_τ, b_τ for the tasks present in ctx.routing
  // (PaCo on the composed path; empty otherwise). Composition depends on the
  // task set only, so one result serves every batch over those tasks.
  std::vector<ComposedLinear> Compose(const ForwardContext& ctx) const;

  // x [N, in] → [R, N, out]. `composed`, when given, must come from Compose
  // for the same task set; it saves composing again.
  torch::Tensor Forward(const torch::Tensor& x, const ForwardContext& ctx,
                        const std::vector<ComposedLinear>* composed = nullptr) const;

  const Config& config() const { return config_; }
  // PaCo layers in order (empty for the baselines); used to compose the
  // per-task parameters once for inference.
  const std::vector<CompositionalLinear>& compositional_layers() const { return comp_layers_; }

 private:
  torch::Tensor ForwardComposed(const torch::Tensor& x, const ForwardContext& ctx,
                                const std::vector<ComposedLinear>& composed) const;
  torch::Tensor ForwardOutputSpace(const torch::Tensor& x, const ForwardContext& ctx) const;
  torch::Tensor ForwardBaseline(const torch::Tensor& x, const ForwardContext& ctx) const;

  Config config_;
  std::vector<CompositionalLinear> comp_layers_;
  std::vector<ReplicatedLinear> plain_layers_;  // MT-SAC: all layers; MH-SAC: trunk, then heads
};
TORCH_MODULE(TaskMlp);

// A tanh-squashed diagonal Gaussian sample and its log-probability.
struct PolicySample {
  torch::Tensor action;    // [N, A] = tanh(pre_tanh)
  torch::Tensor log_prob;  // [N], includes the tanh Jacobian
  torch::Tensor pre_tanh;  // [N, A] = mean + std·ε
  torch::Tensor mean;      // [N, A]
  torch::Tensor log_std;   // [N, A] = clamp(pre_std, log_std_min, log_std_max)
  torch::Tensor noise;     // [N, A] ε ~ N(0, 1)
};

// log π(a|s) of a tanh-squashed Gaussian at pre-tanh value u = mean + std·ε:
// Σ_dims [−ε²/2 − log std − log(2π)/2 − 2(log 2 − u − softplus(−2u))].
torch::Tensor SquashedGaussianLogProb(const torch::Tensor& eps, const torch::Tensor& log_std,
                                      const torch::Tensor& pre_tanh);

// The actor: obs [N, obs_dim] → mean and pre-std heads (one output layer of
// 2·A units: mean in the first A, pre-std in the last A; both heads share
// the official init, so one layer is the same distribution of networks).
class ActorImpl : public torch::nn::Module {
 public:
  ActorImpl(const PacoOptions& options, at::Generator& init_gen);

  // Reparameterised sample with noise from `noise_gen`, or with the given
  // standard-normal `noise` [N, A] where it is defined.
  PolicySample Sample(const torch::Tensor& obs, const ForwardContext& ctx, at::Generator& noise_gen,
                      const torch::Tensor& noise = {}) const;
  // The evaluation action tanh(mean).
  torch::Tensor Mode(const torch::Tensor& obs, const ForwardContext& ctx) const;
  // mean and clamped log std from the network output [N, 2A].
  std::pair<torch::Tensor, torch::Tensor> SplitHeads(const torch::Tensor& out) const;

  TaskMlp net{nullptr};

 private:
  int64_t action_dim_;
  double log_std_min_, log_std_max_;
};
TORCH_MODULE(Actor);

// R critics Q_r(s, a) evaluated together: [R, N].
class CriticImpl : public torch::nn::Module {
 public:
  CriticImpl(const PacoOptions& options, at::Generator& init_gen);
  torch::Tensor Forward(const torch::Tensor& obs, const torch::Tensor& action,
                        const ForwardContext& ctx,
                        const std::vector<ComposedLinear>* composed = nullptr) const;

  TaskMlp net{nullptr};
};
TORCH_MODULE(Critic);

// Named copies (CPU, float32, contiguous) of a module's parameters, with
// `prefix` + the module's own names.
NamedTensors ExportParameters(const torch::nn::Module& module, const std::string& prefix);

// Copies named tensors into a module's parameters: every parameter must be
// present with its exact shape; extra names are an error.
Status ImportParameters(torch::nn::Module& module, const std::string& prefix,
                        const NamedTensors& tensors, bool allow_extra);

// CPU policy inference for actor processes. The per-task parameters
// θ_τ = Φ w_τ of every task are composed once per parameter version, so each
// call costs one small matmul chain per task present.
class PolicyInference {
 public:
  static StatusOr<std::unique_ptr<PolicyInference>> Create(const PacoOptions& options);

  // Installs actor parameters exported by Learner::ExportActorParameters
  // (names "actor.*" and, for PaCo, "task_weights").
  Status SetParameters(const NamedTensors& params, int64_t version);
  int64_t version() const { return version_; }

  // obs [N, obs_dim] (float), task [N] (integer). Deterministic: tanh(mean);
  // otherwise a sample drawn with the inference generator (see Reseed).
  StatusOr<torch::Tensor> Act(const torch::Tensor& obs, const torch::Tensor& task,
                              bool deterministic);
  void Reseed(uint64_t seed);
  // PaCo, once parameters are installed: per layer, every task's composed
  // weight [T, out, in] and bias [T, out]; the last layer's output is the
  // mean (first action_dim) and the pre-clamp log std. Empty otherwise.
  const std::vector<std::pair<torch::Tensor, torch::Tensor>>& composed_layers() const {
    return composed_;
  }

 private:
  explicit PolicyInference(const PacoOptions& options);
  torch::Tensor ActComposed(const torch::Tensor& obs, const std::vector<int64_t>& task,
                            bool deterministic);

  PacoOptions options_;
  at::Generator gen_;
  Actor actor_{nullptr};
  torch::Tensor task_weights_;  // [K, T]
  // Per layer: weight [T, out, in] and bias [T, out] for every task.
  std::vector<std::pair<torch::Tensor, torch::Tensor>> composed_;
  int64_t version_ = -1;
};

}  // namespace paco

#endif  // TACO_LEARNER_PACO_NETWORKS_H_
