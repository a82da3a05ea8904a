#include "learner/paco/learner.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <malloc.h>
#include <torch/version.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "learner/paco/checkpoint.h"
#include "learner/paco/cpu_kernels.h"

namespace paco {
namespace {

std::string ShapeString(at::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

Status CheckTensor(const torch::Tensor& t, const char* name, std::vector<int64_t> shape,
                   bool floating) {
  if (!t.defined()) return InvalidArgumentError(std::string("batch.") + name + " is missing");
  if (t.sizes() != at::IntArrayRef(shape)) {
    return InvalidArgumentError(std::string("batch.") + name + " has shape " +
                                ShapeString(t.sizes()) + ", expected " + ShapeString(shape));
  }
  if (floating && !at::isFloatingType(t.scalar_type())) {
    return InvalidArgumentError(std::string("batch.") + name + " must be floating point");
  }
  if (!floating && at::isComplexType(t.scalar_type())) {
    return InvalidArgumentError(std::string("batch.") + name + " must be bool or real");
  }
  return OkStatus();
}

std::vector<int64_t> ToHostInt64(const torch::Tensor& t) {
  torch::Tensor h = t.to(torch::kCPU, torch::kInt64).contiguous();
  return std::vector<int64_t>(h.data_ptr<int64_t>(), h.data_ptr<int64_t>() + h.numel());
}

RecordType RecordTypeOf(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat:
      return RecordType::kFloat32;
    case torch::kLong:
      return RecordType::kInt64;
    default:
      return RecordType::kUInt8;
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// TfAdam

TfAdam::TfAdam(std::vector<torch::Tensor> params, double lr, double beta1, double beta2, double eps)
    : params_(std::move(params)), lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {
  for (const auto& p : params_) {
    m_.push_back(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
    v_.push_back(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
  }
}

void TfAdam::ZeroGrad() {
  for (auto& p : params_) p.mutable_grad().reset();
}

void TfAdam::ClipGradNorm(double max_norm) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  std::vector<torch::Tensor> squares;
  for (auto& p : params_) {
    if (!p.grad().defined()) continue;
    grads.push_back(p.mutable_grad());
    squares.push_back(p.grad().square().sum());
  }
  if (grads.empty()) return;
  // 1e-6 as in torch.nn.utils.clip_grad_norm_: a zero gradient stays zero.
  const torch::Tensor scale =
      (max_norm / (torch::stack(squares).sum().sqrt() + 1e-6)).clamp_max(1.0);
  for (torch::Tensor& g : grads) g.mul_(scale);
}

namespace {

// One pass over p, m, v and g of a CPU float32 parameter; the foreach form
// makes seven.
void FusedAdamCpu(torch::Tensor& p, torch::Tensor& m, torch::Tensor& v, const torch::Tensor& grad,
                  float beta1, float beta2, float eps, float step_size) {
  float* const pp = p.data_ptr<float>();
  float* const mp = m.data_ptr<float>();
  float* const vp = v.data_ptr<float>();
  const float* const gp = grad.defined() ? grad.data_ptr<float>() : nullptr;
  at::parallel_for(0, p.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
    AdamStep(pp + begin, mp + begin, vp + begin, gp != nullptr ? gp + begin : nullptr, end - begin,
             beta1, beta2, eps, step_size);
  });
}

bool FusableOnCpu(const torch::Tensor& p) {
  const torch::Tensor& g = p.grad();
  return p.device().is_cpu() && p.scalar_type() == torch::kFloat && p.is_contiguous() &&
         (!g.defined() ||
          (g.scalar_type() == torch::kFloat && g.is_contiguous() && g.sizes() == p.sizes()));
}

}  // namespace

double TfAdam::NextStepSize() const {
  const double t = static_cast<double>(step_ + 1);
  return lr_ * std::sqrt(1.0 - std::pow(beta2_, t)) / (1.0 - std::pow(beta1_, t));
}

std::vector<torch::Tensor> TfAdam::UpdateMoments() {
  std::vector<torch::Tensor> grads;
  grads.reserve(params_.size());
  for (const auto& p : params_)
    grads.push_back(p.grad().defined() ? p.grad() : torch::zeros_like(p));
  at::_foreach_mul_(m_, beta1_);
  at::_foreach_add_(m_, grads, 1.0 - beta1_);
  at::_foreach_mul_(v_, beta2_);
  at::_foreach_addcmul_(v_, grads, grads, 1.0 - beta2_);
  std::vector<torch::Tensor> denom = at::_foreach_sqrt(v_);
  at::_foreach_add_(denom, eps_);
  return denom;
}

void TfAdam::StepWithStepSize(const torch::Tensor& step_size) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> delta = at::_foreach_div(m_, UpdateMoments());
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  // One multi-tensor launch; LibTorch < 2.1 has no foreach product with a
  // tensor scalar (and captures no graphs here anyway).
  at::_foreach_mul_(delta, step_size);
#else
  for (torch::Tensor& d : delta) d.mul_(step_size);
#endif
  at::_foreach_sub_(params_, delta);
}

void TfAdam::Step() {
  torch::NoGradGuard no_grad;
  const double step_size = NextStepSize();
  ++step_;
  bool fusable = true;
  for (const auto& p : params_) fusable = fusable && FusableOnCpu(p);
  if (fusable) {
    for (size_t i = 0; i < params_.size(); ++i) {
      FusedAdamCpu(params_[i], m_[i], v_[i], params_[i].grad(), static_cast<float>(beta1_),
                   static_cast<float>(beta2_), static_cast<float>(eps_),
                   static_cast<float>(step_size));
    }
    return;
  }
  at::_foreach_addcdiv_(params_, m_, UpdateMoments(), -step_size);
}

// ---------------------------------------------------------------------------
// Construction

void TuneHostAllocator() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
#endif
}

StatusOr<torch::Device> ResolveDevice(const std::string& name) {
  if (name == "auto")
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0)
                                       : torch::Device(torch::kCPU);
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available()) {
      return FailedPreconditionError("device '" + name +
                                     "' requested but this LibTorch sees no CUDA device");
    }
    torch::Device d(torch::kCUDA, 0);
    try {
      d = torch::Device(name);
    } catch (const std::exception& e) {
      return InvalidArgumentError("bad device '" + name + "': " + e.what());
    }
    if (d.has_index() && d.index() >= static_cast<int>(torch::cuda::device_count())) {
      return InvalidArgumentError("device '" + name + "' does not exist");
    }
    return d;
  }
  return InvalidArgumentError("bad device '" + name + "'");
}

StatusOr<std::unique_ptr<Learner>> Learner::Create(const PacoOptions& options) {
  PACO_RETURN_IF_ERROR(options.Validate());
  PACO_ASSIGN_OR_RETURN(torch::Device device, ResolveDevice(options.device));
  if (device.is_cuda()) {
    at::globalContext().setAllowTF32CuBLAS(options.tf32);
    at::globalContext().setAllowTF32CuDNN(options.tf32);
  }
  std::unique_ptr<Learner> learner(new Learner(options, device));
  if (device.is_cuda() && options.cuda_graphs) {
    PACO_ASSIGN_OR_RETURN(learner->graph_runner_, CudaGraphRunner::Create(device));
  }
  return StatusOr<std::unique_ptr<Learner>>(std::move(learner));
}

Learner::Learner(const PacoOptions& options, torch::Device device)
    : options_(options),
      device_(device),
      gen_(at::globalContext().defaultGenerator(device).clone()) {
  // A CPU generator for the initial parameters, so that a seed gives the same
  // networks on every device.
  at::Generator init_gen = at::detail::createCPUGenerator(options.seed);
  gen_.set_current_seed(options.seed ^ 0x9E3779B97F4A7C15ull);
  const int64_t t = options.num_tasks;
  actor_ = Actor(options, init_gen);
  critic_ = Critic(options, init_gen);
  target_critic_ = Critic(options, init_gen);
  {
    torch::NoGradGuard no_grad;
    auto src = critic_->parameters();
    auto dst = target_critic_->parameters();
    for (size_t i = 0; i < src.size(); ++i) {
      dst[i].copy_(src[i]);
      dst[i].requires_grad_(false);
    }
  }
  actor_->to(device_);
  critic_->to(device_);
  target_critic_->to(device_);
  if (options.algorithm == Algorithm::kPaco) {
    torch::Tensor w = torch::empty({options.num_components, t});
    if (options.w_init == WInit::kSimplex) {
      w.exponential_(1.0, init_gen);  // normalised Exp(1) draws are Dirichlet(1, …, 1)
      w.div_(w.sum(0, /*keepdim=*/true));
    } else {
      w.normal_(0.0, options.w_init_std, init_gen);
    }
    task_weights_ = w.to(device_).set_requires_grad(true);
  }
  log_alpha_ = torch::full({t}, options.initial_log_alpha, torch::TensorOptions().device(device_))
                   .set_requires_grad(true);
  auto make_opt = [&options](std::vector<torch::Tensor> params, double lr) {
    return std::make_unique<TfAdam>(std::move(params), lr, options.adam_beta1, options.adam_beta2,
                                    options.adam_epsilon);
  };
  actor_opt_ = make_opt(actor_->parameters(), options.actor_lr);
  critic_opt_ = make_opt(critic_->parameters(), options.critic_lr);
  alpha_opt_ = make_opt({log_alpha_}, options.alpha_lr);
  if (task_weights_.defined()) w_opt_ = make_opt({task_weights_}, options.w_lr);
  const auto counts = torch::TensorOptions().dtype(torch::kInt64).device(device_);
  mask_count_ = torch::zeros({t}, counts);
  reset_count_ = torch::zeros({t}, counts);
}

// ---------------------------------------------------------------------------
// Batches

Status Learner::ValidateBatch(const TransitionBatch& batch) const {
  return ValidatedHostTask(batch).status();
}

StatusOr<std::vector<int64_t>> Learner::ValidatedHostTask(const TransitionBatch& batch) const {
  if (!batch.obs.defined()) return InvalidArgumentError("batch.obs is missing");
  if (batch.obs.dim() != 2) {
    return InvalidArgumentError("batch.obs must have shape [B, " +
                                std::to_string(options_.obs_dim) + "], got " +
                                ShapeString(batch.obs.sizes()));
  }
  const int64_t b = batch.obs.size(0);
  if (b < 1) return InvalidArgumentError("batch is empty");
  PACO_RETURN_IF_ERROR(CheckTensor(batch.obs, "obs", {b, options_.obs_dim}, true));
  PACO_RETURN_IF_ERROR(CheckTensor(batch.action, "action", {b, options_.action_dim}, true));
  PACO_RETURN_IF_ERROR(CheckTensor(batch.reward, "reward", {b}, true));
  PACO_RETURN_IF_ERROR(CheckTensor(batch.next_obs, "next_obs", {b, options_.obs_dim}, true));
  PACO_RETURN_IF_ERROR(CheckTensor(batch.terminal, "terminal", {b}, false));
  PACO_RETURN_IF_ERROR(CheckTensor(batch.truncated, "truncated", {b}, false));
  PACO_RETURN_IF_ERROR(CheckTensor(batch.task, "task", {b}, false));
  if (at::isFloatingType(batch.task.scalar_type()) || batch.task.scalar_type() == torch::kBool) {
    return InvalidArgumentError("batch.task must be an integer tensor");
  }
  std::vector<int64_t> task = ToHostInt64(batch.task);
  for (size_t i = 0; i < task.size(); ++i) {
    if (task[i] < 0 || task[i] >= options_.num_tasks) {
      return OutOfRangeError("batch.task[" + std::to_string(i) + "] = " + std::to_string(task[i]) +
                             " is outside [0, " + std::to_string(options_.num_tasks) + ")");
    }
  }
  return task;
}

StatusOr<Learner::DeviceBatch> Learner::ToDevice(const TransitionBatch& batch) const {
  DeviceBatch d;
  PACO_ASSIGN_OR_RETURN(d.host_task, ValidatedHostTask(batch));
  const std::array<torch::Tensor, 6> fields = {batch.obs,
                                               batch.action,
                                               batch.reward.reshape({-1, 1}),
                                               batch.next_obs,
                                               batch.terminal.ne(0).reshape({-1, 1}),
                                               batch.truncated.ne(0).reshape({-1, 1})};
  std::array<torch::Tensor*, 6> out = {&d.obs,      &d.action,   &d.reward,
                                       &d.next_obs, &d.terminal, &d.truncated};
  const bool host_batch = std::all_of(fields.begin(), fields.end(),
                                      [](const torch::Tensor& t) { return t.device().is_cpu(); });
  if (device_.is_cuda() && host_batch) {
    // One copy from page-locked memory that does not wait for the device:
    // the host goes on (sampling the next batch) while the update runs.
    // The caching host allocator keeps the staging block until the copy is done.
    std::vector<torch::Tensor> columns;
    for (const torch::Tensor& t : fields) columns.push_back(t.to(torch::kFloat));
    torch::Tensor staging =
        torch::empty({fields[0].size(0), 2 * options_.obs_dim + options_.action_dim + 3},
                     torch::TensorOptions().dtype(torch::kFloat).pinned_memory(true));
    torch::cat_out(staging, columns, 1);
    torch::Tensor on_device = staging.to(device_, /*non_blocking=*/true);
    int64_t at = 0;
    for (size_t i = 0; i < fields.size(); ++i) {
      const int64_t width = fields[i].size(1);
      *out[i] = on_device.narrow(1, at, width).contiguous();
      at += width;
    }
  } else {
    for (size_t i = 0; i < fields.size(); ++i) *out[i] = fields[i].to(device_, torch::kFloat);
  }
  for (torch::Tensor* t : {&d.reward, &d.terminal, &d.truncated}) *t = t->view({-1});
  return d;
}

ForwardContext Learner::Context(const TaskRouting& routing, bool detach) const {
  ForwardContext ctx;
  ctx.routing = &routing;
  ctx.task_weights = task_weights_;
  ctx.path = options_.compute_path;
  ctx.detach_params = detach;
  return ctx;
}

// ---------------------------------------------------------------------------
// Losses

LossTerms Learner::ComputeLosses(const DeviceBatch& batch, const TaskRouting& routing,
                                 const TaskRouting& routing2, const torch::Tensor& policy_noise) {
  const int64_t b = batch.obs.size(0);
  const bool paco = options_.algorithm == Algorithm::kPaco;
  LossTerms terms;
  terms.task_samples = routing.counts();
  terms.task = routing.task();

  // Policy at both steps of every sequence: rows [0, B) are s, [B, 2B) are s'.
  torch::Tensor states = torch::cat({batch.obs, batch.next_obs}, 0);
  PolicySample pi = actor_->Sample(states, Context(routing2, false), gen_, policy_noise);
  torch::Tensor log_alpha = log_alpha_.index_select(0, routing2.task());
  torch::Tensor alpha = log_alpha.detach().clamp_min(options_.min_log_alpha).exp();

  // Both batches of critic inputs cover the same tasks, so the critics'
  // per-task layers are composed once: with gradient for the critic loss,
  // detached for ∂Q/∂a.
  std::vector<ComposedLinear> critic_layers = critic_->net->Compose(Context(routing, false));
  std::vector<ComposedLinear> critic_layers_detached;
  for (const ComposedLinear& l : critic_layers) {
    critic_layers_detached.push_back({l.weight.detach(), l.bias.detach()});
  }

  // ALF's actor loss ½‖sg(a + ∂Q/∂a) − a‖² + α log π: its gradient is that of
  // α log π − min Q, but it reaches neither the critics nor W through them,
  // and its value (compared with ε) is ½‖∂Q/∂a‖² + α log π.
  torch::Tensor action_leaf = pi.action.detach().requires_grad_(true);
  torch::Tensor q_pi =
      critic_->Forward(states, action_leaf, Context(routing2, true), &critic_layers_detached);
  torch::Tensor dqda = torch::autograd::grad({std::get<0>(q_pi.min(0)).sum()}, {action_leaf})[0];
  if (options_.dqda_clipping > 0) {
    dqda = dqda.clamp(-options_.dqda_clipping, options_.dqda_clipping);
  }
  terms.actor_loss =
      0.5 * ((pi.action + dqda).detach() - pi.action).square().sum(1) + alpha * pi.log_prob;
  terms.alpha_loss = log_alpha * (-pi.log_prob.detach() - options_.TargetEntropy());
  terms.log_prob = pi.log_prob;
  terms.noise = pi.noise;

  {
    // y = r + γ(1 − terminal)(min_r Q'_r(s', a') − α log π(a'|s')), a' ~ π(s').
    // Truncation bootstraps. At a true terminal there is no next action whose
    // entropy could be rewarded, so the entropy bonus is cut with the
    // bootstrap; Meta-World never terminates, where this is spec §3's y. The
    // targets use the live W (one shared W, §2.2).
    torch::NoGradGuard no_grad;
    terms.next_action = pi.action.narrow(0, b, b).detach();
    terms.next_log_prob = pi.log_prob.narrow(0, b, b).detach();
    terms.target_q = std::get<0>(
        target_critic_->Forward(batch.next_obs, terms.next_action, Context(routing, true)).min(0));
    terms.target =
        batch.reward + options_.discount * (1.0 - batch.terminal) *
                           (terms.target_q - alpha.narrow(0, b, b) * terms.next_log_prob);
  }
  terms.q = critic_->Forward(batch.obs, batch.action, Context(routing, false), &critic_layers);
  terms.critic_loss = (terms.q - terms.target.unsqueeze(0)).square().sum(0);

  torch::Tensor l0 =
      terms.actor_loss.narrow(0, 0, b) + terms.alpha_loss.narrow(0, 0, b) + terms.critic_loss;
  torch::Tensor l1 = terms.actor_loss.narrow(0, b, b) + terms.alpha_loss.narrow(0, b, b);
  terms.sample_loss = 0.5 * (l0 + l1);

  const torch::Tensor& task = routing.task();
  const torch::Tensor& counts = routing.counts_tensor();
  terms.task_loss = torch::zeros({options_.num_tasks}, counts.options())
                        .index_add_(0, task, terms.sample_loss.detach()) /
                    counts.clamp_min(1.0);
  if (paco && options_.mask_extreme_tasks) {
    // "Not ≤ ε" also catches a NaN loss.
    terms.masked =
        terms.task_loss.le(options_.loss_threshold).logical_not().logical_and(counts.gt(0));
  } else {
    terms.masked = torch::zeros({options_.num_tasks}, counts.options().dtype(torch::kBool));
  }
  torch::Tensor keep = terms.masked.index_select(0, task).logical_not();
  // Step 1 is LAST when the episode ended there; ALF drops it from the loss.
  torch::Tensor step1_valid = (batch.terminal + batch.truncated).eq(0);
  torch::Tensor entry = l0 + torch::where(step1_valid, l1, torch::zeros_like(l1));
  torch::Tensor weight;
  if (options_.loss_aggregation == LossAggregation::kSumOfTaskMeans) {
    // Σ_τ L_τ: each task's entries averaged over its 2·n_τ step entries.
    weight = 0.5 / counts.index_select(0, task);
  } else {
    weight = torch::full({b}, 0.5 / static_cast<double>(b), counts.options());
  }
  // where() rather than a product, so an infinite or NaN masked loss stays out.
  terms.loss = torch::where(keep, weight * entry, torch::zeros_like(entry)).sum();
  return terms;
}

StatusOr<torch::Tensor> Learner::ValidatePolicyNoise(const torch::Tensor& noise,
                                                     int64_t batch) const {
  if (!noise.defined()) return torch::Tensor();
  const int64_t rows = 2 * batch;
  if (noise.dim() != 2 || noise.size(0) != rows || noise.size(1) != options_.action_dim ||
      !noise.is_floating_point()) {
    return InvalidArgumentError("policy_noise must be a floating tensor of shape [" +
                                std::to_string(rows) + ", " + std::to_string(options_.action_dim) +
                                "], got " + ShapeString(noise.sizes()));
  }
  torch::Tensor on_device = noise.to(device_, torch::kFloat);
  if (!torch::isfinite(on_device).all().item<bool>()) {
    return InvalidArgumentError("policy_noise has a non-finite entry");
  }
  return on_device;
}

namespace {

// The routing of the B transitions and of the 2B states (s, then s').
StatusOr<std::pair<TaskRouting, TaskRouting>> RoutingsOf(const std::vector<int64_t>& host_task,
                                                         int64_t num_tasks, torch::Device device) {
  PACO_ASSIGN_OR_RETURN(TaskRouting routing, TaskRouting::FromHost(host_task, num_tasks, device));
  std::vector<int64_t> task2 = host_task;
  task2.insert(task2.end(), host_task.begin(), host_task.end());
  PACO_ASSIGN_OR_RETURN(TaskRouting routing2, TaskRouting::FromHost(task2, num_tasks, device));
  return std::make_pair(std::move(routing), std::move(routing2));
}

}  // namespace

StatusOr<const Learner::Routings*> Learner::CachedRoutings(const std::vector<int64_t>& host_task) {
  // Trainers draw the same task layout batch after batch: its routings (and
  // their host-to-device copies) are made once.
  if (routings_.has_value() && routings_task_ == host_task) {
    ++routing_cache_hits_;
    return &*routings_;
  }
  PACO_ASSIGN_OR_RETURN(auto routings, RoutingsOf(host_task, options_.num_tasks, device_));
  routings_.emplace(std::move(routings));
  routings_task_ = host_task;
  return &*routings_;
}

LossTerms Learner::LossAndGradients(const DeviceBatch& batch, const TaskRouting& routing,
                                    const TaskRouting& routing2, const torch::Tensor& noise) {
  actor_opt_->ZeroGrad();
  critic_opt_->ZeroGrad();
  alpha_opt_->ZeroGrad();
  if (w_opt_) w_opt_->ZeroGrad();
  LossTerms terms = ComputeLosses(batch, routing, routing2, noise);
  terms.loss.backward();
  return terms;
}

StatusOr<LossTerms> Learner::ComputeLossAndGradients(const TransitionBatch& batch,
                                                     const torch::Tensor& policy_noise) {
  // LibTorch reports failures (e.g. out of device memory) as exceptions.
  try {
    PACO_ASSIGN_OR_RETURN(DeviceBatch db, ToDevice(batch));
    PACO_ASSIGN_OR_RETURN(torch::Tensor noise, ValidatePolicyNoise(policy_noise, db.obs.size(0)));
    PACO_ASSIGN_OR_RETURN(auto routings, RoutingsOf(db.host_task, options_.num_tasks, device_));
    return LossAndGradients(db, routings.first, routings.second, noise);
  } catch (const std::exception& e) {
    return InternalError(std::string("loss evaluation failed: ") + e.what());
  }
}

// ---------------------------------------------------------------------------
// Update

const char* TrainScopeName(TrainScope scope) {
  switch (scope) {
    case TrainScope::kAll:
      return "all";
    case TrainScope::kValueOnly:
      return "value_only";
    case TrainScope::kFixedPhi:
      return "fixed_phi";
  }
  return "?";
}

std::vector<TfAdam*> Learner::SteppedOptimizers() const {
  // A skipped optimizer leaves its parameters and its moments untouched.
  std::vector<TfAdam*> opts = {critic_opt_.get()};
  if (train_scope_ != TrainScope::kValueOnly) {
    if (train_scope_ == TrainScope::kAll) opts.push_back(actor_opt_.get());
    opts.push_back(alpha_opt_.get());
    if (w_opt_) opts.push_back(w_opt_.get());
  }
  return opts;
}

Learner::DeviceUpdate Learner::RunUpdate(const DeviceBatch& batch, const TaskRouting& routing,
                                         const TaskRouting& routing2,
                                         const torch::Tensor& policy_noise, bool polyak,
                                         const std::vector<torch::Tensor>* step_sizes) {
  DeviceUpdate out;
  out.terms = LossAndGradients(batch, routing, routing2, policy_noise);
  const std::vector<TfAdam*> opts = SteppedOptimizers();
  for (size_t i = 0; i < opts.size(); ++i) {
    if (options_.max_grad_norm > 0) opts[i]->ClipGradNorm(options_.max_grad_norm);
    if (step_sizes != nullptr) {
      opts[i]->StepWithStepSize((*step_sizes)[i]);
    } else {
      opts[i]->Step();
    }
  }
  torch::NoGradGuard no_grad;
  if (polyak) {
    // Polyak: θ' ← (1 − τ)θ' + τθ.
    std::vector<torch::Tensor> target = target_critic_->parameters();
    std::vector<torch::Tensor> online = critic_->parameters();
    at::_foreach_mul_(target, 1.0 - options_.target_update_tau);
    at::_foreach_add_(target, online, options_.target_update_tau);
  }
  log_alpha_.clamp_max_(options_.max_log_alpha);
  if (train_scope_ == TrainScope::kValueOnly) {
    // The policy is held fixed: a mask-out still counts, W is not reset.
    mask_count_.add_(out.terms.masked.to(torch::kInt64));
    out.reset = torch::zeros_like(out.terms.masked);
  } else {
    ApplyResets(out.terms, routing, &out.reset);
  }
  return out;
}

Status Learner::Update(const TransitionBatch& batch, UpdateStats* stats,
                       const torch::Tensor& policy_noise) {
  // LibTorch reports failures (e.g. out of device memory) as exceptions.
  try {
    PACO_ASSIGN_OR_RETURN(DeviceBatch db, ToDevice(batch));
    PACO_ASSIGN_OR_RETURN(torch::Tensor noise, ValidatePolicyNoise(policy_noise, db.obs.size(0)));
    PACO_ASSIGN_OR_RETURN(const Routings* routings, CachedRoutings(db.host_task));
    const bool polyak = (num_updates_ + 1) % options_.target_update_period == 0;
    if (graph_runner_ != nullptr) {
      bool used = false;
      PACO_RETURN_IF_ERROR(
          UpdateWithGraph(db, routings->first, routings->second, noise, polyak, stats, &used));
      if (used) return OkStatus();
    }
    DeviceUpdate u = RunUpdate(db, routings->first, routings->second, noise, polyak, nullptr);
    ++num_updates_;
    if (stats != nullptr) FillStats(u.terms, u.reset, stats);
    return OkStatus();
  } catch (const std::exception& e) {
    return InternalError(std::string("update failed: ") + e.what());
  }
}

// ---------------------------------------------------------------------------
// CUDA graphs

// One batch layout's captured update: the fixed tensors it reads (refilled
// before each replay) and writes.
struct Learner::GraphedUpdate {
  // The layout (with the routings' SameLayout): what the captured shapes and
  // branches depend on.
  TrainScope scope = TrainScope::kAll;
  bool polyak = true;
  bool injected_noise = false;

  DeviceBatch batch;
  torch::Tensor noise;  // the injected policy noise, if any
  TaskRouting routing, routing2;
  std::vector<torch::Tensor> step_sizes;  // one per stepped optimizer
  DeviceUpdate out;
  int eager_runs = 0;
  int handle = -1;  // -1 until captured
};

namespace {

// The tensors of a batch, in one order, to clone or refill them together.
template <typename Batch>
auto BatchTensors(Batch* b) {
  return std::array{&b->obs, &b->action, &b->reward, &b->next_obs, &b->terminal, &b->truncated};
}

// Eager updates of a layout before its capture: they initialise what the
// capture must not (library handles and workspaces of the side stream).
constexpr int kWarmUpdates = 2;
// Each graph keeps its activations; layouts beyond these run eagerly.
constexpr size_t kMaxGraphs = 4;

}  // namespace

Learner::~Learner() = default;

void Learner::DropGraphs() {
  graphed_.clear();
  if (graph_runner_ != nullptr) graph_runner_->Clear();
}

Status Learner::UpdateWithGraph(const DeviceBatch& batch, const TaskRouting& routing,
                                const TaskRouting& routing2, const torch::Tensor& noise,
                                bool polyak, UpdateStats* stats, bool* used) {
  GraphedUpdate* g = nullptr;
  for (const auto& entry : graphed_) {
    if (entry->scope == train_scope_ && entry->polyak == polyak &&
        entry->injected_noise == noise.defined() && entry->routing.SameLayout(routing) &&
        entry->routing2.SameLayout(routing2)) {
      g = entry.get();
      break;
    }
  }
  if (g == nullptr) {
    if (graphed_.size() >= kMaxGraphs) return OkStatus();  // *used stays false
    auto entry = std::make_unique<GraphedUpdate>();
    entry->scope = train_scope_;
    entry->polyak = polyak;
    entry->injected_noise = noise.defined();
    if (noise.defined()) entry->noise = noise.clone();
    entry->batch = batch;
    for (torch::Tensor* t : BatchTensors(&entry->batch)) *t = t->clone();
    entry->routing = routing.Clone();
    entry->routing2 = routing2.Clone();
    const auto scalar = torch::TensorOptions().dtype(torch::kFloat).device(device_);
    entry->step_sizes.resize(SteppedOptimizers().size());
    for (torch::Tensor& step_size : entry->step_sizes) step_size = torch::zeros({}, scalar);
    g = entry.get();
    graphed_.push_back(std::move(entry));
  } else {
    const auto fixed = BatchTensors(&g->batch);
    const auto fresh = BatchTensors(&batch);
    for (size_t i = 0; i < fixed.size(); ++i) fixed[i]->copy_(*fresh[i]);
    g->batch.host_task = batch.host_task;
    if (noise.defined()) g->noise.copy_(noise);
    g->routing.CopyOrderFrom(routing);
    g->routing2.CopyOrderFrom(routing2);
  }
  const std::vector<TfAdam*> opts = SteppedOptimizers();
  for (size_t i = 0; i < opts.size(); ++i) g->step_sizes[i].fill_(opts[i]->NextStepSize());
  auto run = [this, g] {
    g->out = RunUpdate(g->batch, g->routing, g->routing2, g->noise, g->polyak, &g->step_sizes);
  };
  if (g->handle < 0 && g->eager_runs < kWarmUpdates) {
    PACO_RETURN_IF_ERROR(graph_runner_->RunOnSideStream(run));
    ++g->eager_runs;
  } else {
    if (g->handle < 0) {
      StatusOr<int> handle = graph_runner_->Capture(run, gen_);
      if (!handle.ok()) {
        // Nothing ran; later updates go eager rather than fail again.
        DropGraphs();
        graph_runner_.reset();
        return Annotate(handle.status(), "set cuda_graphs to false to run updates eagerly");
      }
      g->handle = *handle;
    }
    graph_runner_->Replay(g->handle);
  }
  for (TfAdam* opt : opts) opt->CountStep();
  ++num_updates_;
  if (stats != nullptr) FillStats(g->out.terms, g->out.reset, stats);
  *used = true;
  return OkStatus();
}

void Learner::ApplyResets(const LossTerms& terms, const TaskRouting& routing,
                          torch::Tensor* reset_mask) {
  const int64_t t = options_.num_tasks;
  mask_count_.add_(terms.masked.to(torch::kInt64));
  if (options_.algorithm != Algorithm::kPaco || !options_.mask_extreme_tasks ||
      !options_.reset_extreme_w) {
    *reset_mask = torch::zeros_like(terms.masked);
    return;
  }
  // Everything stays on the device, so an update needs no host round trip:
  // a random convex combination is drawn for every task and applied only to
  // the masked ones.
  torch::Tensor pool = terms.masked.logical_not();
  if (!options_.w_reset_includes_absent_tasks) {
    pool = pool.logical_and(routing.counts_tensor().gt(0));
  }
  torch::Tensor draws = torch::empty({t, t}, task_weights_.options().requires_grad(false));
  if (options_.w_reset_weights == WResetWeights::kSimplex) {
    draws.exponential_(1.0, gen_);  // normalised Exp(1) draws are Dirichlet(1, …, 1)
  } else {
    draws.uniform_(0.0, 1.0, gen_);
  }
  draws.mul_(pool.to(draws.scalar_type()).unsqueeze(0));
  torch::Tensor beta = draws / draws.sum(1, /*keepdim=*/true).clamp_min(1e-30);
  // With every task masked there is nothing to combine; such tasks keep w.
  torch::Tensor do_reset = terms.masked.logical_and(pool.any());
  torch::Tensor combined = task_weights_.detach().mm(beta.t());  // column e: Σ_j β_ej w_j
  task_weights_.copy_(torch::where(do_reset.unsqueeze(0), combined, task_weights_.detach()));
  reset_count_.add_(do_reset.to(torch::kInt64));
  *reset_mask = do_reset;
}

void Learner::FillStats(const LossTerms& terms, const torch::Tensor& reset,
                        UpdateStats* stats) const {
  const int64_t t = options_.num_tasks;
  const int64_t b = terms.critic_loss.size(0);
  torch::NoGradGuard no_grad;
  // Everything travels to the host in three transfers.
  torch::Tensor log_prob = terms.log_prob.detach();
  torch::Tensor scalars =
      torch::stack({terms.loss.detach(), terms.actor_loss.detach().mean(),
                    terms.critic_loss.detach().mean(), terms.alpha_loss.detach().mean(),
                    terms.q.detach().mean(), -log_prob.mean()})
          .to(torch::kCPU, torch::kDouble);
  torch::Tensor log_prob_sum =
      torch::zeros({t}, log_prob.options())
          .index_add_(0, terms.task, log_prob.narrow(0, 0, b) + log_prob.narrow(0, b, b));
  torch::Tensor per_task =
      torch::stack({terms.task_loss.detach(), log_prob_sum,
                    log_alpha_.detach().clamp_min(options_.min_log_alpha).exp(),
                    terms.masked.to(torch::kFloat), reset.to(torch::kFloat)})
          .to(torch::kCPU, torch::kDouble)
          .contiguous();
  torch::Tensor counts = torch::stack({mask_count_, reset_count_}).to(torch::kCPU).contiguous();
  const double* s = scalars.data_ptr<double>();
  const double* p = per_task.data_ptr<double>();
  const int64_t* c = counts.data_ptr<int64_t>();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  stats->update = num_updates_;
  stats->loss = s[0];
  stats->actor_loss = s[1];
  stats->critic_loss = s[2];
  stats->alpha_loss = s[3];
  stats->q_mean = s[4];
  stats->entropy = s[5];
  stats->task_samples = terms.task_samples;
  stats->task_loss.assign(t, nan);
  stats->task_entropy.assign(t, nan);
  stats->task_alpha.resize(t);
  stats->task_masked.resize(t);
  stats->task_reset.resize(t);
  stats->mask_count.assign(c, c + t);
  stats->reset_count.assign(c + t, c + 2 * t);
  stats->num_masked = 0;
  stats->num_reset = 0;
  for (int64_t i = 0; i < t; ++i) {
    const int64_t n = terms.task_samples[i];
    if (n > 0) {
      stats->task_loss[i] = p[i];
      stats->task_entropy[i] = -p[t + i] / (2.0 * static_cast<double>(n));
    }
    stats->task_alpha[i] = p[2 * t + i];
    stats->task_masked[i] = p[3 * t + i] > 0.5;
    stats->task_reset[i] = p[4 * t + i] > 0.5;
    stats->num_masked += stats->task_masked[i] ? 1 : 0;
    stats->num_reset += stats->task_reset[i] ? 1 : 0;
  }
}

// ---------------------------------------------------------------------------
// Checkpoints

std::vector<std::pair<std::string, torch::Tensor>> Learner::StateTensors() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  auto add_module = [&out](const torch::nn::Module& m, const std::string& prefix) {
    for (const auto& item : m.named_parameters(/*recurse=*/true)) {
      out.emplace_back(prefix + item.key(), item.value());
    }
  };
  add_module(*actor_, "actor/");
  add_module(*critic_, "critic/");
  add_module(*target_critic_, "target_critic/");
  if (task_weights_.defined()) out.emplace_back("task_weights", task_weights_);
  out.emplace_back("log_alpha", log_alpha_);
  auto add_opt = [&out](const TfAdam* opt, const std::string& name) {
    if (opt == nullptr) return;
    for (size_t i = 0; i < opt->params().size(); ++i) {
      out.emplace_back("opt/" + name + "/m/" + std::to_string(i), opt->first_moments()[i]);
      out.emplace_back("opt/" + name + "/v/" + std::to_string(i), opt->second_moments()[i]);
    }
  };
  add_opt(actor_opt_.get(), "actor");
  add_opt(critic_opt_.get(), "critic");
  add_opt(alpha_opt_.get(), "alpha");
  add_opt(w_opt_.get(), "w");
  out.emplace_back("counters/mask", mask_count_);
  out.emplace_back("counters/reset", reset_count_);
  return out;
}

namespace {
constexpr char kStepsRecord[] = "counters/steps";  // updates, then the 4 optimizers' steps
constexpr char kOptionsRecord[] = "options";
constexpr char kRngStateRecord[] = "rng/state";
constexpr char kRngDeviceRecord[] = "rng/device";
}  // namespace

Status Learner::Save(const std::string& path) const {
  // LibTorch reports failures (e.g. out of device memory) as exceptions.
  try {
    torch::NoGradGuard no_grad;
    CheckpointWriter writer;
    writer.AddString(kOptionsRecord, options_.Serialize());
    std::vector<torch::Tensor> host;  // keeps the copies alive until Commit
    auto add = [&writer, &host](const std::string& name, const torch::Tensor& t) {
      host.push_back(t.detach().to(torch::kCPU).contiguous());
      const torch::Tensor& h = host.back();
      writer.Add(name, RecordTypeOf(h.scalar_type()), h.sizes().vec(), h.data_ptr(), h.nbytes());
    };
    for (const auto& [name, t] : StateTensors()) add(name, t);
    add(kStepsRecord,
        torch::tensor({num_updates_, actor_opt_->step_count(), critic_opt_->step_count(),
                       alpha_opt_->step_count(), w_opt_ ? w_opt_->step_count() : int64_t{0}},
                      torch::kInt64));
    add(kRngStateRecord, gen_.get_state().to(torch::kUInt8));
    writer.AddString(kRngDeviceRecord, c10::DeviceTypeName(device_.type(), /*lower_case=*/true));
    return Annotate(writer.Commit(path), "saving checkpoint");
  } catch (const std::exception& e) {
    return InternalError(std::string("saving checkpoint failed: ") + e.what());
  }
}

StatusOr<PacoOptions> Learner::ReadCheckpointOptions(const std::string& path) {
  PACO_ASSIGN_OR_RETURN(auto records, ReadCheckpointFile(path));
  auto it = records.find(kOptionsRecord);
  if (it == records.end()) return DataLossError("checkpoint " + path + " holds no options");
  StatusOr<PacoOptions> parsed = PacoOptions::Parse(it->second.data);
  if (!parsed.ok()) return Annotate(parsed.status(), "checkpoint " + path + " options");
  return parsed;
}

Status Learner::Load(const std::string& path) {
  // LibTorch reports failures (e.g. out of device memory) as exceptions.
  try {
    PACO_ASSIGN_OR_RETURN(auto records, ReadCheckpointFile(path));
    // Captured graphs hold on to the generator's state object, which a load
    // replaces; they are captured again.
    DropGraphs();
    auto find = [&records](const std::string& name) -> CheckpointRecord* {
      auto it = records.find(name);
      return it == records.end() ? nullptr : &it->second;
    };
    const CheckpointRecord* opts = find(kOptionsRecord);
    if (opts == nullptr) return DataLossError("checkpoint " + path + " holds no options");
    StatusOr<PacoOptions> saved = PacoOptions::Parse(opts->data);
    if (!saved.ok()) return Annotate(saved.status(), "checkpoint " + path + " options");
    const std::string mismatch = options_.StructuralMismatch(*saved);
    if (!mismatch.empty()) {
      return FailedPreconditionError("checkpoint " + path +
                                     " was written for a different model: " + mismatch);
    }

    // Verify every record before changing anything, so a bad file leaves the
    // learner as it was.
    const auto state = StateTensors();
    auto check = [&](const std::string& name, torch::ScalarType type,
                     at::IntArrayRef shape) -> Status {
      const CheckpointRecord* r = find(name);
      if (r == nullptr) return DataLossError("checkpoint " + path + " lacks '" + name + "'");
      if (r->type != RecordTypeOf(type) || at::IntArrayRef(r->shape) != shape) {
        return FailedPreconditionError("checkpoint " + path + ": '" + name + "' has shape " +
                                       ShapeString(r->shape) + ", expected " + ShapeString(shape));
      }
      return OkStatus();
    };
    for (const auto& [name, t] : state)
      PACO_RETURN_IF_ERROR(check(name, t.scalar_type(), t.sizes()));
    PACO_RETURN_IF_ERROR(check(kStepsRecord, torch::kInt64, {5}));
    CheckpointRecord* rng_state = find(kRngStateRecord);
    const CheckpointRecord* rng_device = find(kRngDeviceRecord);
    if (rng_state == nullptr || rng_device == nullptr) {
      return DataLossError("checkpoint " + path + " lacks the generator state");
    }
    const bool same_device_type =
        rng_device->data == c10::DeviceTypeName(device_.type(), /*lower_case=*/true);
    if (same_device_type &&
        static_cast<int64_t>(rng_state->data.size()) != gen_.get_state().numel()) {
      return DataLossError("checkpoint " + path + ": generator state has the wrong size");
    }

    auto as_tensor = [](CheckpointRecord& r, torch::ScalarType type) {
      return torch::from_blob(r.data.data(), r.shape, torch::TensorOptions().dtype(type));
    };
    torch::NoGradGuard no_grad;
    for (const auto& [name, t] : state) t.copy_(as_tensor(*find(name), t.scalar_type()));
    torch::Tensor steps = as_tensor(*find(kStepsRecord), torch::kInt64);
    const int64_t* st = steps.data_ptr<int64_t>();
    num_updates_ = st[0];
    actor_opt_->set_step_count(st[1]);
    critic_opt_->set_step_count(st[2]);
    alpha_opt_->set_step_count(st[3]);
    if (w_opt_) w_opt_->set_step_count(st[4]);
    if (same_device_type) {
      try {
        gen_.set_state(as_tensor(*rng_state, torch::kUInt8).clone());
      } catch (const std::exception& e) {
        return DataLossError("checkpoint " + path + ": bad generator state: " + e.what());
      }
    } else {
      // A generator state does not carry across device types; continue with a
      // fresh stream that still depends only on the seed and the step.
      gen_.set_current_seed(options_.seed ^
                            (0x9E3779B97F4A7C15ull * static_cast<uint64_t>(num_updates_ + 1)));
    }
    return OkStatus();
  } catch (const std::exception& e) {
    return InternalError(std::string("loading checkpoint failed: ") + e.what());
  }
}

// ---------------------------------------------------------------------------

Status Learner::ImportActorPhi(const NamedTensors& params) {
  NamedTensors actor_only;
  for (const auto& [name, t] : params) {
    if (name != "task_weights") actor_only.emplace_back(name, t);
  }
  return ImportParameters(*actor_, "actor.", actor_only, /*allow_extra=*/false);
}

std::vector<int64_t> Learner::MaskCounts() const { return ToHostInt64(mask_count_); }
std::vector<int64_t> Learner::ResetCounts() const { return ToHostInt64(reset_count_); }

NamedTensors Learner::ExportActorParameters() const {
  NamedTensors out = ExportParameters(*actor_, "actor.");
  if (task_weights_.defined()) {
    out.emplace_back("task_weights", task_weights_.detach().to(torch::kCPU).contiguous().clone());
  }
  return out;
}

}  // namespace paco
