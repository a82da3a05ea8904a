// The PaCo-SAC learner (../shared/spec/paco-sac.md) and its MT-SAC / MH-SAC
// baselines: networks, per-task losses, mask-out, w-reset, optimizers,
// targets and checkpoints.
//
// Batch layout. A batch holds B transitions (s, a, r, s', terminal,
// truncated, task). Each is one two-step sequence of the official code
// (mini_batch_length 2, spec §3 and §10): s is step 0 and s' is step 1. As in
// ALF's temporally independent train step, the actor and α losses are taken
// at both steps (2B states), the critic loss at step 0 only, and the per-task
// loss compared with ε is the mean over the task's samples of
// ½(ℓ[0, b] + ℓ[1, b]) with ℓ[0] = actor + α + Σ_critics (Q − y)², ℓ[1] =
// actor + α (§4 items 1, 2 and 6). Step 1 is ALF's LAST step when the episode
// ended there (terminal or truncated): its actor and α terms leave the
// optimised loss, but, as in ALF, not the per-task value compared with ε.
#ifndef TACO_LEARNER_PACO_LEARNER_H_
#define TACO_LEARNER_PACO_LEARNER_H_

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "learner/paco/cuda_graph_runner.h"
#include "learner/paco/networks.h"
#include "learner/paco/options.h"
#include "learner/paco/status.h"

namespace paco {

// TF-style Adam (ALF's AdamTF): ε is added to sqrt(v), v is not
// bias-corrected, and the step size is lr·sqrt(1 − β2^t)/(1 − β1^t). A
// parameter without a gradient counts as a zero gradient.
class TfAdam {
 public:
  TfAdam(std::vector<torch::Tensor> params, double lr, double beta1, double beta2, double eps);
  void Step();
  void ZeroGrad();  // drops the gradients (set to none), so backward writes fresh ones
  // Scales the gradients by min(1, max_norm / ‖g‖), ‖g‖ the L2 norm over all
  // of them; on the device, with no host sync, so it also runs in a graph.
  void ClipGradNorm(double max_norm);

  // The step split for a captured CUDA graph: lr·√(1−β₂ᵗ)/(1−β₁ᵗ) of the
  // next step, computed on the host; the step itself with that factor read
  // from a device tensor (so that every replay uses its own t) and without
  // counting; and the count, done on the host after each replay.
  double NextStepSize() const;
  void StepWithStepSize(const torch::Tensor& step_size);
  void CountStep() { ++step_; }

  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  int64_t step_count() const { return step_; }
  void set_step_count(int64_t step) { step_ = step; }
  const std::vector<torch::Tensor>& params() const { return params_; }
  std::vector<torch::Tensor>& first_moments() { return m_; }
  std::vector<torch::Tensor>& second_moments() { return v_; }
  const std::vector<torch::Tensor>& first_moments() const { return m_; }
  const std::vector<torch::Tensor>& second_moments() const { return v_; }

 private:
  // m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g² for every parameter; returns √v + ε.
  std::vector<torch::Tensor> UpdateMoments();

  std::vector<torch::Tensor> params_, m_, v_;
  double lr_, beta1_, beta2_, eps_;
  int64_t step_ = 0;
};

// One batch of B transitions; tensors on any device, moved to the learner's.
struct TransitionBatch {
  torch::Tensor obs;        // [B, obs_dim], floating
  torch::Tensor action;     // [B, action_dim], floating, in [−1, 1]
  torch::Tensor reward;     // [B], floating
  torch::Tensor next_obs;   // [B, obs_dim]: the true next observation, also at an episode end
  torch::Tensor terminal;   // [B], bool or numeric 0/1: the task ended, no bootstrap
  torch::Tensor truncated;  // [B], bool or numeric 0/1: time limit, bootstraps
  torch::Tensor task;       // [B], integer in [0, num_tasks)
};

struct UpdateStats {
  int64_t update = 0;      // updates done, this one included
  double loss = 0;         // the optimised scalar
  double actor_loss = 0;   // mean over the 2B entries, before mask-out
  double critic_loss = 0;  // mean over B of Σ_critics (Q − y)²
  double alpha_loss = 0;   // mean over the 2B entries
  double q_mean = 0;       // mean Q(s, a) over critics and samples
  double entropy = 0;      // −mean log π over the 2B states
  int64_t num_masked = 0;  // tasks masked in this update
  int64_t num_reset = 0;   // tasks whose w was reset in this update
  // Per task, [num_tasks] each.
  std::vector<int64_t> task_samples;  // transitions of the task in the batch
  std::vector<double> task_loss;      // L_τ compared with ε (NaN if absent)
  std::vector<double> task_entropy;   // −mean log π (NaN if absent)
  std::vector<double> task_alpha;     // α_τ after the update
  std::vector<bool> task_masked;      // masked out in this update
  std::vector<bool> task_reset;       // w reset in this update
  std::vector<int64_t> mask_count;    // cumulative mask-outs
  std::vector<int64_t> reset_count;   // cumulative w-resets
};

// Every intermediate of one loss evaluation, on the learner's device. Index b
// runs over the B transitions; rows [0, B) of the 2B tensors are step 0.
struct LossTerms {
  torch::Tensor loss;                 // scalar that is back-propagated
  torch::Tensor log_prob;             // [2B] log π of the policy's own sample
  torch::Tensor noise;                // [2B, A] the ε of that sample
  torch::Tensor actor_loss;           // [2B] ½‖∂Q/∂a‖² + α log π
  torch::Tensor alpha_loss;           // [2B] log α_τ (−log π − H̄)
  torch::Tensor q;                    // [R, B] Q_r(s, a)
  torch::Tensor next_action;          // [B, A] policy sample at s'
  torch::Tensor next_log_prob;        // [B]
  torch::Tensor target_q;             // [B] min_r Q'_r(s', a')
  torch::Tensor target;               // [B] y
  torch::Tensor critic_loss;          // [B] Σ_r (Q_r − y)²
  torch::Tensor sample_loss;          // [B] ½(ℓ[0, b] + ℓ[1, b])
  torch::Tensor task_loss;            // [T] L_τ (0 for absent tasks)
  torch::Tensor masked;               // [T] bool
  torch::Tensor task;                 // [B] int64
  std::vector<int64_t> task_samples;  // [T] on the host
};

// What an update changes. MTRL trains everything; the TaCo transfer phase
// (paper Algorithm 2) first trains the value functions alone while the
// policy explores, and its fixed-Φ variant (Sec. V-C) never changes the
// policy's Φ.
enum class TrainScope {
  kAll,        // Φ, W, critics and α
  kValueOnly,  // the critics: the policy (Φ, W) and α stay as they are, no w-reset
  kFixedPhi,   // W, critics and α: the actor's Φ stays as it is
};
const char* TrainScopeName(TrainScope scope);

// Not thread-safe: call it from one thread at a time (e.g. take parameter
// snapshots for broadcast between updates). Every fallible call returns a
// Status; a LibTorch failure inside an update (such as running out of device
// memory) becomes INTERNAL and may leave that update half applied.
class Learner {
 public:
  // UNIMPLEMENTED on a CUDA device with cuda_graphs set where this LibTorch
  // cannot capture updates (see cuda_graph_runner.h).
  static StatusOr<std::unique_ptr<Learner>> Create(const PacoOptions& options);
  ~Learner();

  // Checks shapes, dtypes and task ids without touching any state.
  Status ValidateBatch(const TransitionBatch& batch) const;

  // Updates whose batch had the task layout (task ids in order) of the
  // update before and reused its routings.
  int64_t routing_cache_hits() const { return routing_cache_hits_; }

  // One gradient step on `batch`. With `stats` null nothing is read back to
  // the host, so on a GPU the update runs without a synchronisation. On CUDA
  // with cuda_graphs, the first two updates of a batch layout (samples per
  // task, grouping, train scope, Polyak step) run eagerly, the third is captured as a
  // CUDA graph and every later one of that layout replays it (an injected
  // `policy_noise` is part of the layout and is copied in like the batch).
  // `policy_noise` [2B, action_dim], where defined, replaces the ε the update
  // would draw for the policy's samples (LossTerms::noise), so that learners
  // on different devices or in another implementation can be compared on
  // one update; training leaves it undefined. w-reset draws stay random.
  Status Update(const TransitionBatch& batch, UpdateStats* stats = nullptr,
                const torch::Tensor& policy_noise = {});

  // Evaluates the losses and leaves their gradients in the parameters (set
  // to none first), without any step, target update or w-reset. For tests
  // and diagnostics; `policy_noise` as for Update.
  StatusOr<LossTerms> ComputeLossAndGradients(const TransitionBatch& batch,
                                              const torch::Tensor& policy_noise = {});

  // The whole learner state: parameters, targets, W, log α, optimizer
  // states, counters, random generator state and the options.
  Status Save(const std::string& path) const;
  // Restores a checkpoint written by Save with structurally equal options
  // (algorithm, sizes); other options stay as this learner was created with.
  Status Load(const std::string& path);
  static StatusOr<PacoOptions> ReadCheckpointOptions(const std::string& path);

  // Actor parameters for broadcast: "actor.<name>" and, for PaCo,
  // "task_weights" (W [K, T]); CPU float32 copies.
  NamedTensors ExportActorParameters() const;
  // Loads the actor's Φ ("actor.*" names, same shapes) and leaves W, the
  // critics and the optimizer states alone: the policy-only initialisation of
  // the TaCo transfer phase (paper Algorithm 2). "task_weights" is ignored.
  Status ImportActorPhi(const NamedTensors& params);

  // Applies to the following updates; not part of checkpoints (the trainer
  // decides it from its own progress).
  void set_train_scope(TrainScope scope) { train_scope_ = scope; }
  TrainScope train_scope() const { return train_scope_; }

  // Cumulative mask-out and w-reset counts per task (reads the device).
  std::vector<int64_t> MaskCounts() const;
  std::vector<int64_t> ResetCounts() const;

  int64_t num_updates() const { return num_updates_; }
  const PacoOptions& options() const { return options_; }
  torch::Device device() const { return device_; }

  Actor& actor() { return actor_; }
  Critic& critic() { return critic_; }
  Critic& target_critic() { return target_critic_; }
  torch::Tensor& task_weights() { return task_weights_; }  // [K, T]; undefined for baselines
  torch::Tensor& log_alpha() { return log_alpha_; }        // [T]
  TfAdam& actor_optimizer() { return *actor_opt_; }
  TfAdam& critic_optimizer() { return *critic_opt_; }
  TfAdam& alpha_optimizer() { return *alpha_opt_; }
  TfAdam* w_optimizer() { return w_opt_.get(); }  // null for baselines

 private:
  Learner(const PacoOptions& options, torch::Device device);

  struct DeviceBatch {
    torch::Tensor obs, action, reward, next_obs, terminal, truncated, task;
    std::vector<int64_t> host_task;
  };
  // The device half of an update.
  struct DeviceUpdate {
    LossTerms terms;
    torch::Tensor reset;  // [T] bool: w reset in this update
  };
  struct GraphedUpdate;  // one captured layout (learner.cc)

  using Routings = std::pair<TaskRouting, TaskRouting>;  // of the B transitions, of the 2B states

  // ValidateBatch's checks; the batch's task ids, read to the host once.
  StatusOr<std::vector<int64_t>> ValidatedHostTask(const TransitionBatch& batch) const;
  StatusOr<DeviceBatch> ToDevice(const TransitionBatch& batch) const;
  StatusOr<const Routings*> CachedRoutings(const std::vector<int64_t>& host_task);
  StatusOr<torch::Tensor> ValidatePolicyNoise(const torch::Tensor& noise, int64_t batch) const;
  LossTerms ComputeLosses(const DeviceBatch& batch, const TaskRouting& routing,
                          const TaskRouting& routing2, const torch::Tensor& policy_noise);
  LossTerms LossAndGradients(const DeviceBatch& batch, const TaskRouting& routing,
                             const TaskRouting& routing2, const torch::Tensor& policy_noise);
  // The optimizers the current train scope steps, in stepping order.
  std::vector<TfAdam*> SteppedOptimizers() const;
  // Losses, gradients, optimizer steps, Polyak targets, the α cap, mask-out
  // and w-reset: device work only, no host read and no synchronisation, so
  // that a CUDA graph can capture it. With `step_sizes` (one per stepped
  // optimizer, on the device) the optimizers take their factor from there
  // and leave counting to the caller.
  DeviceUpdate RunUpdate(const DeviceBatch& batch, const TaskRouting& routing,
                         const TaskRouting& routing2, const torch::Tensor& policy_noise,
                         bool polyak, const std::vector<torch::Tensor>* step_sizes);
  // Update through a captured graph of the batch's layout; false in `*used`
  // when no graph slot is left (the caller then runs the update eagerly).
  Status UpdateWithGraph(const DeviceBatch& batch, const TaskRouting& routing,
                         const TaskRouting& routing2, const torch::Tensor& policy_noise,
                         bool polyak, UpdateStats* stats, bool* used);
  void DropGraphs();
  void ApplyResets(const LossTerms& terms, const TaskRouting& routing, torch::Tensor* reset_mask);
  void FillStats(const LossTerms& terms, const torch::Tensor& reset, UpdateStats* stats) const;
  ForwardContext Context(const TaskRouting& routing, bool detach) const;
  std::vector<std::pair<std::string, torch::Tensor>> StateTensors() const;

  PacoOptions options_;
  torch::Device device_;
  at::Generator gen_;  // policy noise and w-reset draws, on device_

  Actor actor_{nullptr};
  Critic critic_{nullptr};
  Critic target_critic_{nullptr};
  torch::Tensor task_weights_;
  torch::Tensor log_alpha_;
  std::unique_ptr<TfAdam> actor_opt_, critic_opt_, alpha_opt_, w_opt_;

  int64_t num_updates_ = 0;
  TrainScope train_scope_ = TrainScope::kAll;
  std::unique_ptr<CudaGraphRunner> graph_runner_;  // CUDA with cuda_graphs only
  std::vector<std::unique_ptr<GraphedUpdate>> graphed_;
  torch::Tensor mask_count_;   // [T] int64 on device
  torch::Tensor reset_count_;  // [T] int64 on device
  // The routings of the last batch layout (its task ids in order).
  std::vector<int64_t> routings_task_;
  std::optional<Routings> routings_;
  int64_t routing_cache_hits_ = 0;
};

// Optional, process-wide, for a training process on the CPU: LibTorch's CPU
// allocator has no cache, and glibc hands large freed blocks back to the OS,
// so every update would fault in fresh zeroed pages for its activations
// (about a fifth of a CPU update at the paper's shape). This keeps freed
// memory in the heap instead. Call once at start-up; no effect outside glibc.
void TuneHostAllocator();

// Resolves PacoOptions::device ("auto" → CUDA when available).
StatusOr<torch::Device> ResolveDevice(const std::string& name);

}  // namespace paco

#endif  // TACO_LEARNER_PACO_LEARNER_H_
