#include "learner/paco/networks.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>

#include "learner/paco/cpu_kernels.h"

namespace paco {
namespace {

// The standard deviation of N(0, 1) truncated to [−2, 2].
constexpr double kTruncatedNormalStd = 0.87962566103423978;

torch::Tensor MaybeDetach(const torch::Tensor& t, bool detach) { return detach ? t.detach() : t; }

std::string ShapeString(at::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

// ---------------------------------------------------------------------------
// TaskRouting

StatusOr<TaskRouting> TaskRouting::Create(const torch::Tensor& task, int64_t num_tasks,
                                          torch::Device device) {
  if (!task.defined()) return InvalidArgumentError("task ids are missing");
  if (task.dim() != 1) {
    return InvalidArgumentError("task ids must have shape [N], got " + ShapeString(task.sizes()));
  }
  if (at::isFloatingType(task.scalar_type()) || task.scalar_type() == torch::kBool) {
    return InvalidArgumentError("task ids must be an integer tensor");
  }
  torch::Tensor host = task.to(torch::kCPU, torch::kInt64).contiguous();
  const int64_t* p = host.data_ptr<int64_t>();
  return FromHost(std::vector<int64_t>(p, p + host.numel()), num_tasks, device);
}

StatusOr<TaskRouting> TaskRouting::FromHost(const std::vector<int64_t>& task, int64_t num_tasks,
                                            torch::Device device) {
  if (task.empty()) return InvalidArgumentError("a batch needs at least one sample");
  if (num_tasks < 1) return InvalidArgumentError("num_tasks must be ≥ 1");
  TaskRouting r;
  r.num_samples_ = static_cast<int64_t>(task.size());
  r.counts_.assign(num_tasks, 0);
  for (size_t i = 0; i < task.size(); ++i) {
    if (task[i] < 0 || task[i] >= num_tasks) {
      return OutOfRangeError("task id " + std::to_string(task[i]) + " of sample " +
                             std::to_string(i) + " is outside [0, " + std::to_string(num_tasks) +
                             ")");
    }
    ++r.counts_[task[i]];
  }
  std::vector<int64_t> present, group_of(num_tasks, -1);
  for (int64_t t = 0; t < num_tasks; ++t) {
    if (r.counts_[t] > 0) {
      group_of[t] = static_cast<int64_t>(present.size());
      present.push_back(t);
      r.group_size_ = std::max(r.group_size_, r.counts_[t]);
    }
  }
  r.num_present_ = static_cast<int64_t>(present.size());
  std::vector<int64_t> slot(task.size()), filled(num_tasks, 0);
  r.identity_ = r.num_present_ * r.group_size_ == r.num_samples_;
  for (size_t i = 0; i < task.size(); ++i) {
    const int64_t t = task[i];
    slot[i] = group_of[t] * r.group_size_ + filled[t]++;
    if (slot[i] != static_cast<int64_t>(i)) r.identity_ = false;
  }
  std::vector<float> counts_f(r.counts_.begin(), r.counts_.end());
  // From page-locked memory a copy does not wait for the device.
  auto to_device = [&device](torch::Tensor t) {
    return device.is_cuda() ? t.pin_memory().to(device, /*non_blocking=*/true) : t.to(device);
  };
  const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  r.task_ = to_device(torch::tensor(task, i64));
  r.present_ = to_device(torch::tensor(present, i64));
  r.slot_ = to_device(torch::tensor(slot, i64));
  r.counts_tensor_ =
      to_device(torch::tensor(counts_f, torch::TensorOptions().dtype(torch::kFloat)));
  return r;
}

torch::Tensor TaskRouting::ToGrouped(const torch::Tensor& x) const {
  const int64_t f = x.size(-1);
  if (identity_) return x.reshape({num_present_, group_size_, f});
  return torch::zeros({num_present_ * group_size_, f}, x.options())
      .index_copy(0, slot_, x)
      .view({num_present_, group_size_, f});
}

TaskRouting TaskRouting::Clone() const {
  TaskRouting r = *this;
  r.task_ = task_.clone();
  r.present_ = present_.clone();
  r.counts_tensor_ = counts_tensor_.clone();
  r.slot_ = slot_.clone();
  return r;
}

void TaskRouting::CopyOrderFrom(const TaskRouting& other) {
  // The counts, hence present_ and counts_tensor_, are the same.
  task_.copy_(other.task_);
  slot_.copy_(other.slot_);
}

torch::Tensor TaskRouting::FromGrouped(const torch::Tensor& y, int64_t replicas) const {
  const int64_t f = y.size(-1);
  torch::Tensor flat = y.reshape({replicas, num_present_ * group_size_, f});
  if (identity_) return flat;
  return flat.index_select(1, slot_);
}

// ---------------------------------------------------------------------------
// Initialisation

void InitKernel(torch::Tensor kernel, const LayerInit& init, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  const double fan_out = static_cast<double>(kernel.size(0));
  const double fan_in = static_cast<double>(kernel.size(1));
  switch (init.kind) {
    case LayerInit::Kind::kXavierUniform: {
      const double a = std::sqrt(6.0 / (fan_in + fan_out));
      kernel.uniform_(-a, a, gen);
      break;
    }
    case LayerInit::Kind::kUniformFanIn: {
      const double a = 1.0 / std::sqrt(fan_in);
      kernel.uniform_(-a, a, gen);
      break;
    }
    case LayerInit::Kind::kUniform:
      kernel.uniform_(-init.value, init.value, gen);
      break;
    case LayerInit::Kind::kTruncatedNormal: {
      torch::Tensor z = torch::empty(kernel.sizes(), kernel.options()).normal_(0.0, 1.0, gen);
      // Redraw the tails until every entry lies in [−2, 2].
      while (true) {
        torch::Tensor bad = z.abs() > 2.0;
        const int64_t n = bad.sum().item<int64_t>();
        if (n == 0) break;
        z.masked_scatter_(bad, torch::empty({n}, z.options()).normal_(0.0, 1.0, gen));
      }
      kernel.copy_(z * (init.value / std::sqrt(fan_in) / kTruncatedNormalStd));
      break;
    }
  }
}

// ---------------------------------------------------------------------------
// GroupedLinear

namespace {

// float32, contiguous CPU tensors with a BLAS to call: the per-group GEMMs go
// straight to it (cpu_kernels.h), the bias, ReLU and their gradients as plain
// loops over the group's block while it is in cache.
bool UsesDirectGemm(std::initializer_list<torch::Tensor> tensors) {
  if (!DirectCpuGemmEnabled()) return false;
  for (const torch::Tensor& t : tensors) {
    if (t.scalar_type() != torch::kFloat || !t.is_contiguous()) return false;
  }
  return true;
}

// out [G, M, n] = x [G, M, k] · w[g]ᵀ (w [G, n, k]) + b [G, 1, n], then ReLU.
void DirectForward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                   bool relu, torch::Tensor& out) {
  const int64_t rows = x.size(1), k = x.size(2), n = w.size(1);
  const float* xp = x.data_ptr<float>();
  const float* wp = w.data_ptr<float>();
  const float* bp = b.data_ptr<float>();
  float* op = out.data_ptr<float>();
  at::parallel_for(0, x.size(0), 1, [&](int64_t begin, int64_t end) {
    for (int64_t g = begin; g < end; ++g) {
      float* y = op + g * rows * n;
      for (int64_t r = 0; r < rows; ++r) std::copy(bp + g * n, bp + (g + 1) * n, y + r * n);
      RowMajorSgemm(false, true, rows, n, k, 1.f, xp + g * rows * k, k, wp + g * n * k, k, 1.f, y,
                    n);
      if (relu) ReluInPlace(y, rows * n);
    }
  });
}

// The gradients of DirectForward from `incoming` [G, M, n]; `relu_out` (the
// forward's output) when it applied a ReLU. `dy` receives the masked
// incoming gradient; dx, dw, db are filled where defined.
void DirectBackward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& relu_out,
                    const torch::Tensor& incoming, torch::Tensor& dy, torch::Tensor& dx,
                    torch::Tensor& dw, torch::Tensor& db) {
  const int64_t rows = x.size(1), k = x.size(2), n = w.size(1);
  const float* xp = x.data_ptr<float>();
  const float* wp = w.data_ptr<float>();
  const float* inp = incoming.data_ptr<float>();
  const float* yp = relu_out.defined() ? relu_out.data_ptr<float>() : nullptr;
  float* dyp = dy.data_ptr<float>();
  float* dxp = dx.defined() ? dx.data_ptr<float>() : nullptr;
  float* dwp = dw.defined() ? dw.data_ptr<float>() : nullptr;
  float* dbp = db.defined() ? db.data_ptr<float>() : nullptr;
  at::parallel_for(0, x.size(0), 1, [&](int64_t begin, int64_t end) {
    for (int64_t g = begin; g < end; ++g) {
      const int64_t block = g * rows * n;
      const float* d = inp + block;
      if (yp != nullptr) {
        ReluGrad(yp + block, inp + block, dyp + block, rows * n);
        d = dyp + block;
      }
      if (dxp != nullptr) {
        RowMajorSgemm(false, false, rows, k, n, 1.f, d, n, wp + g * n * k, k, 0.f,
                      dxp + g * rows * k, k);
      }
      if (dwp != nullptr) {
        RowMajorSgemm(true, false, n, k, rows, 1.f, d, n, xp + g * rows * k, k, 0.f,
                      dwp + g * n * k, k);
      }
      if (dbp != nullptr) ColumnSums(d, rows, n, dbp + g * n);
    }
  });
}

class GroupedLinearCpu : public torch::autograd::Function<GroupedLinearCpu> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias, bool relu) {
    torch::Tensor xc = x.contiguous();
    torch::Tensor wc = weight.contiguous();
    const int64_t groups = xc.size(0);
    torch::Tensor out = torch::empty({groups, xc.size(1), wc.size(1)}, xc.options());
    torch::Tensor bc = bias.contiguous();
    // The direct path reads one bias row per group (b [G, 1, out]).
    if (bc.numel() == groups * wc.size(1) && UsesDirectGemm({xc, wc, bc})) {
      DirectForward(xc, wc, bc, relu, out);
    } else {
      at::parallel_for(0, groups, 1, [&](int64_t begin, int64_t end) {
        for (int64_t g = begin; g < end; ++g) {
          torch::Tensor out_g = out[g];
          at::addmm_out(out_g, bias[g], xc[g], wc[g].t());
          if (relu) out_g.relu_();
        }
      });
    }
    // The ReLU's mask comes from its output, so no pre-activation is kept.
    ctx->save_for_backward({xc, wc, relu ? out : torch::Tensor()});
    ctx->saved_data["relu"] = relu;
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& w = saved[1];
    const bool relu = ctx->saved_data["relu"].toBool();
    const torch::Tensor incoming = grads[0].contiguous();
    torch::Tensor dy = relu ? torch::empty_like(incoming) : incoming;  // masked per group below
    const bool need_x = ctx->needs_input_grad(0);
    const bool need_w = ctx->needs_input_grad(1);
    const bool need_b = ctx->needs_input_grad(2);
    torch::Tensor dx = need_x ? torch::empty_like(x) : torch::Tensor();
    torch::Tensor dw = need_w ? torch::empty_like(w) : torch::Tensor();
    if (UsesDirectGemm({x, w, incoming})) {
      torch::Tensor db =
          need_b ? torch::empty({x.size(0), 1, w.size(1)}, x.options()) : torch::Tensor();
      DirectBackward(x, w, relu ? saved[2] : torch::Tensor(), incoming, dy, dx, dw, db);
      return {dx, dw, db, torch::Tensor()};
    }
    at::parallel_for(0, x.size(0), 1, [&](int64_t begin, int64_t end) {
      for (int64_t g = begin; g < end; ++g) {
        torch::Tensor dy_g = dy[g];
        if (relu) at::threshold_backward_out(dy_g, incoming[g], saved[2][g], 0);
        if (need_x) {
          torch::Tensor dx_g = dx[g];
          at::mm_out(dx_g, dy_g, w[g]);
        }
        if (need_w) {
          torch::Tensor dw_g = dw[g];
          at::mm_out(dw_g, dy_g.t(), x[g]);
        }
      }
    });
    torch::Tensor db = need_b ? dy.sum(1, /*keepdim=*/true) : torch::Tensor();
    return {dx, dw, db, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor GroupedLinear(const torch::Tensor& x, const torch::Tensor& weight,
                            const torch::Tensor& bias, bool relu) {
  if (x.device().is_cpu()) return GroupedLinearCpu::apply(x, weight, bias, relu);
  torch::Tensor y = torch::baddbmm(bias, x, weight.transpose(1, 2));
  return relu ? torch::relu(y) : y;
}

// ---------------------------------------------------------------------------
// CompositionalLinear

CompositionalLinearImpl::CompositionalLinearImpl(int64_t replicas, int64_t components, int64_t in,
                                                 int64_t out)
    : replicas_(replicas), components_(components), in_(in), out_(out) {
  weight = register_parameter("weight", torch::zeros({replicas, components, out, in}));
  bias = register_parameter("bias", torch::zeros({replicas, components, out}));
}

void CompositionalLinearImpl::Initialize(const LayerInit& init, bool identical,
                                         at::Generator& gen) {
  torch::NoGradGuard no_grad;
  torch::Tensor w = torch::empty({replicas_, components_, out_, in_});
  for (int64_t r = 0; r < replicas_; ++r) {
    for (int64_t k = 0; k < components_; ++k) {
      if (identical && k > 0) {
        w[r][k].copy_(w[r][0]);
      } else {
        InitKernel(w[r][k], init, gen);
      }
    }
  }
  weight.copy_(w);
  bias.zero_();
}

ComposedLinear CompositionalLinearImpl::Compose(const torch::Tensor& w_present, bool detach) const {
  const int64_t p = w_present.size(1);
  // [P, K] × [K, out·in] per replica. Spelled as mm/bmm: matmul's broadcast
  // of a matrix against a batch transposes and copies both large operands.
  torch::Tensor wt = MaybeDetach(w_present, detach).t();
  torch::Tensor phi = MaybeDetach(weight, detach).reshape({replicas_, components_, out_ * in_});
  torch::Tensor b = MaybeDetach(bias, detach);
  torch::Tensor theta;
  if (replicas_ == 1) {
    theta = torch::mm(wt, phi[0]);
    b = torch::mm(wt, b[0]);
  } else {
    torch::Tensor wt_r = wt.unsqueeze(0).expand({replicas_, p, components_});
    theta = torch::bmm(wt_r, phi);
    b = torch::bmm(wt_r, b);
  }
  return {theta.view({replicas_ * p, out_, in_}), b.view({replicas_ * p, 1, out_})};
}

torch::Tensor CompositionalLinearImpl::Apply(const ComposedLinear& layer, const torch::Tensor& x,
                                             bool relu) {
  return GroupedLinear(x, layer.weight, layer.bias, relu);
}

torch::Tensor CompositionalLinearImpl::ForwardOutputSpace(const torch::Tensor& x,
                                                          const torch::Tensor& c,
                                                          bool detach) const {
  const int64_t n = x.size(1);
  // Y[r, k] = x[r] W[r, k]ᵀ + b[r, k]: [R, K, N, out].
  torch::Tensor y = torch::matmul(x.unsqueeze(1), MaybeDetach(weight, detach).transpose(-1, -2)) +
                    MaybeDetach(bias, detach).unsqueeze(2);
  // Mix per sample: Σ_k c[n, k] Y[r, k, n].
  return (y * c.t().reshape({1, components_, n, 1})).sum(1);
}

// ---------------------------------------------------------------------------
// ReplicatedLinear

ReplicatedLinearImpl::ReplicatedLinearImpl(int64_t replicas, int64_t in, int64_t out)
    : replicas_(replicas), in_(in), out_(out) {
  weight = register_parameter("weight", torch::zeros({replicas, out, in}));
  bias = register_parameter("bias", torch::zeros({replicas, out}));
}

void ReplicatedLinearImpl::Initialize(const LayerInit& init, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  torch::Tensor w = torch::empty({replicas_, out_, in_});
  for (int64_t r = 0; r < replicas_; ++r) InitKernel(w[r], init, gen);
  weight.copy_(w);
  bias.zero_();
}

torch::Tensor ReplicatedLinearImpl::Forward(const torch::Tensor& x, bool detach) const {
  return torch::baddbmm(MaybeDetach(bias, detach).unsqueeze(1), x,
                        MaybeDetach(weight, detach).transpose(1, 2));
}

// ---------------------------------------------------------------------------
// TaskMlp

TaskMlpImpl::TaskMlpImpl(const Config& config, at::Generator& init_gen) : config_(config) {
  std::vector<int64_t> sizes = {config.in};
  if (config.algorithm == Algorithm::kMtSac) sizes[0] += config.num_tasks;
  sizes.insert(sizes.end(), config.hidden.begin(), config.hidden.end());
  const size_t num_hidden = config.hidden.size();
  for (size_t i = 0; i <= num_hidden; ++i) {
    const bool is_output = i == num_hidden;
    const LayerInit& init = is_output ? config.output_init : config.hidden_init;
    const int64_t in = sizes[i];
    const std::string name = "layer" + std::to_string(i);
    if (config.algorithm == Algorithm::kPaco) {
      const int64_t out = is_output ? config.out : sizes[i + 1];
      auto layer =
          register_module(name, CompositionalLinear(config.replicas, config.components, in, out));
      layer->Initialize(init, config.identical_component_init, init_gen);
      comp_layers_.push_back(layer);
    } else {
      // MH-SAC computes all T heads as one layer and keeps each sample's own.
      const int64_t out = !is_output                              ? sizes[i + 1]
                          : config.algorithm == Algorithm::kMhSac ? config.out * config.num_tasks
                                                                  : config.out;
      auto layer = register_module(name, ReplicatedLinear(config.replicas, in, out));
      layer->Initialize(init, init_gen);
      plain_layers_.push_back(layer);
    }
  }
}

std::vector<ComposedLinear> TaskMlpImpl::Compose(const ForwardContext& ctx) const {
  std::vector<ComposedLinear> out;
  if (config_.algorithm != Algorithm::kPaco || ctx.path != ComputePath::kComposed) return out;
  torch::Tensor w_present = ctx.task_weights.index_select(1, ctx.routing->present());
  for (const auto& layer : comp_layers_)
    out.push_back(layer->Compose(w_present, ctx.detach_params));
  return out;
}

torch::Tensor TaskMlpImpl::Forward(const torch::Tensor& x, const ForwardContext& ctx,
                                   const std::vector<ComposedLinear>* composed) const {
  if (config_.algorithm != Algorithm::kPaco) return ForwardBaseline(x, ctx);
  if (ctx.path == ComputePath::kOutputSpace) return ForwardOutputSpace(x, ctx);
  if (composed != nullptr && !composed->empty()) return ForwardComposed(x, ctx, *composed);
  return ForwardComposed(x, ctx, Compose(ctx));
}

torch::Tensor TaskMlpImpl::ForwardComposed(const torch::Tensor& x, const ForwardContext& ctx,
                                           const std::vector<ComposedLinear>& composed) const {
  const TaskRouting& routing = *ctx.routing;
  const int64_t r = config_.replicas;
  const int64_t p = routing.num_present();
  const int64_t m = routing.group_size();
  torch::Tensor h = routing.ToGrouped(x);  // [P, M, in]
  if (r > 1) h = h.unsqueeze(0).expand({r, p, m, h.size(-1)}).reshape({r * p, m, h.size(-1)});
  const size_t n = composed.size();
  for (size_t i = 0; i < n; ++i) {
    h = CompositionalLinearImpl::Apply(composed[i], h, /*relu=*/i + 1 < n);
  }
  return routing.FromGrouped(h, r);
}

torch::Tensor TaskMlpImpl::ForwardOutputSpace(const torch::Tensor& x,
                                              const ForwardContext& ctx) const {
  torch::Tensor w = ctx.detach_params ? ctx.task_weights.detach() : ctx.task_weights;
  torch::Tensor c = w.t().index_select(0, ctx.routing->task());  // [N, K]
  torch::Tensor h = x.unsqueeze(0).expand({config_.replicas, x.size(0), x.size(1)});
  const size_t n = comp_layers_.size();
  for (size_t i = 0; i < n; ++i) {
    h = comp_layers_[i]->ForwardOutputSpace(h, c, ctx.detach_params);
    if (i + 1 < n) h = torch::relu(h);
  }
  return h;
}

torch::Tensor TaskMlpImpl::ForwardBaseline(const torch::Tensor& x,
                                           const ForwardContext& ctx) const {
  const torch::Tensor& task = ctx.routing->task();
  const int64_t r = config_.replicas;
  const int64_t n_samples = x.size(0);
  torch::Tensor in = x;
  if (config_.algorithm == Algorithm::kMtSac) {
    in = torch::cat({x, torch::one_hot(task, config_.num_tasks).to(x.scalar_type())}, 1);
  }
  torch::Tensor h = in.unsqueeze(0).expand({r, n_samples, in.size(1)});
  const size_t n = plain_layers_.size();
  for (size_t i = 0; i < n; ++i) {
    h = plain_layers_[i]->Forward(h, ctx.detach_params);
    if (i + 1 < n) h = torch::relu(h);
  }
  if (config_.algorithm == Algorithm::kMhSac) {
    // [R, N, T·out] → the head of each sample's task, [R, N, out].
    h = h.view({r, n_samples, config_.num_tasks, config_.out});
    torch::Tensor index = task.view({1, n_samples, 1, 1}).expand({r, n_samples, 1, config_.out});
    h = h.gather(2, index).squeeze(2);
  }
  return h;
}

// ---------------------------------------------------------------------------
// Actor and critic

torch::Tensor SquashedGaussianLogProb(const torch::Tensor& eps, const torch::Tensor& log_std,
                                      const torch::Tensor& pre_tanh) {
  static const double kHalfLog2Pi = 0.5 * std::log(2.0 * M_PI);
  static const double kLog2 = std::log(2.0);
  torch::Tensor gaussian = -0.5 * eps.square() - log_std - kHalfLog2Pi;
  // log(1 − tanh(u)²) = 2(log 2 − u − softplus(−2u)), stable for large |u|.
  torch::Tensor log_det = 2.0 * (kLog2 - pre_tanh - torch::softplus(-2.0 * pre_tanh));
  return (gaussian - log_det).sum(-1);
}

namespace {

TaskMlpImpl::Config ActorNetConfig(const PacoOptions& o) {
  TaskMlpImpl::Config c;
  c.algorithm = o.algorithm;
  c.replicas = 1;
  c.in = o.obs_dim;
  c.hidden = o.hidden_sizes;
  c.out = 2 * o.action_dim;
  c.components = o.num_components;
  c.num_tasks = o.num_tasks;
  c.hidden_init = {LayerInit::Kind::kXavierUniform, 0.0};
  c.output_init = {LayerInit::Kind::kTruncatedNormal, o.projection_init_gain};
  c.identical_component_init = o.identical_component_init;
  return c;
}

TaskMlpImpl::Config CriticNetConfig(const PacoOptions& o) {
  TaskMlpImpl::Config c;
  c.algorithm = o.algorithm;
  c.replicas = o.num_critic_replicas;
  c.in = o.obs_dim + o.action_dim;
  c.hidden = o.hidden_sizes;
  c.out = 1;
  c.components = o.num_components;
  c.num_tasks = o.num_tasks;
  c.hidden_init = {LayerInit::Kind::kUniformFanIn, 0.0};
  c.output_init = {LayerInit::Kind::kUniform, o.critic_output_init};
  c.identical_component_init = o.identical_component_init;
  return c;
}

}  // namespace

ActorImpl::ActorImpl(const PacoOptions& options, at::Generator& init_gen)
    : action_dim_(options.action_dim),
      log_std_min_(options.log_std_min),
      log_std_max_(options.log_std_max) {
  net = register_module("net", TaskMlp(ActorNetConfig(options), init_gen));
}

std::pair<torch::Tensor, torch::Tensor> ActorImpl::SplitHeads(const torch::Tensor& out) const {
  torch::Tensor mean = out.narrow(1, 0, action_dim_);
  torch::Tensor log_std = out.narrow(1, action_dim_, action_dim_).clamp(log_std_min_, log_std_max_);
  return {mean, log_std};
}

PolicySample ActorImpl::Sample(const torch::Tensor& obs, const ForwardContext& ctx,
                               at::Generator& noise_gen, const torch::Tensor& noise) const {
  auto [mean, log_std] = SplitHeads(net->Forward(obs, ctx).squeeze(0));
  torch::Tensor eps = noise.defined() ? noise.to(mean.options())
                                      : torch::randn(mean.sizes(), noise_gen, mean.options());
  PolicySample s;
  s.mean = mean;
  s.log_std = log_std;
  s.noise = eps;
  s.pre_tanh = mean + log_std.exp() * eps;
  s.action = torch::tanh(s.pre_tanh);
  s.log_prob = SquashedGaussianLogProb(eps, log_std, s.pre_tanh);
  return s;
}

torch::Tensor ActorImpl::Mode(const torch::Tensor& obs, const ForwardContext& ctx) const {
  return torch::tanh(net->Forward(obs, ctx).squeeze(0).narrow(1, 0, action_dim_));
}

CriticImpl::CriticImpl(const PacoOptions& options, at::Generator& init_gen) {
  net = register_module("net", TaskMlp(CriticNetConfig(options), init_gen));
}

torch::Tensor CriticImpl::Forward(const torch::Tensor& obs, const torch::Tensor& action,
                                  const ForwardContext& ctx,
                                  const std::vector<ComposedLinear>* composed) const {
  return net->Forward(torch::cat({obs, action}, 1), ctx, composed).squeeze(-1);
}

// ---------------------------------------------------------------------------
// Parameter export / import

NamedTensors ExportParameters(const torch::nn::Module& module, const std::string& prefix) {
  NamedTensors out;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    out.emplace_back(prefix + item.key(),
                     item.value().detach().to(torch::kCPU, torch::kFloat).contiguous().clone());
  }
  return out;
}

Status ImportParameters(torch::nn::Module& module, const std::string& prefix,
                        const NamedTensors& tensors, bool allow_extra) {
  std::map<std::string, const torch::Tensor*> by_name;
  for (const auto& [name, t] : tensors) by_name[name] = &t;
  auto params = module.named_parameters(/*recurse=*/true);
  // Check everything first so a bad set leaves the module untouched.
  for (const auto& item : params) {
    auto it = by_name.find(prefix + item.key());
    if (it == by_name.end())
      return NotFoundError("parameter '" + prefix + item.key() + "' missing");
    if (!it->second->defined() || it->second->sizes() != item.value().sizes()) {
      return InvalidArgumentError("parameter '" + prefix + item.key() + "' has shape " +
                                  (it->second->defined() ? ShapeString(it->second->sizes()) : "?") +
                                  ", expected " + ShapeString(item.value().sizes()));
    }
  }
  if (!allow_extra) {
    for (const auto& [name, t] : tensors) {
      if (name.rfind(prefix, 0) == 0 && !params.contains(name.substr(prefix.size()))) {
        return InvalidArgumentError("unexpected parameter '" + name + "'");
      }
    }
  }
  torch::NoGradGuard no_grad;
  for (auto& item : params) item.value().copy_(*by_name.at(prefix + item.key()));
  return OkStatus();
}

// ---------------------------------------------------------------------------
// PolicyInference

PolicyInference::PolicyInference(const PacoOptions& options)
    : options_(options), gen_(at::detail::createCPUGenerator(options.seed)) {
  at::Generator init_gen = at::detail::createCPUGenerator(options.seed);
  actor_ = Actor(options, init_gen);
  actor_->eval();
  for (auto& p : actor_->parameters()) p.requires_grad_(false);
  task_weights_ = torch::zeros({options.num_components, options.num_tasks});
}

StatusOr<std::unique_ptr<PolicyInference>> PolicyInference::Create(const PacoOptions& options) {
  PACO_RETURN_IF_ERROR(options.Validate());
  return std::unique_ptr<PolicyInference>(new PolicyInference(options));
}

void PolicyInference::Reseed(uint64_t seed) { gen_.set_current_seed(seed); }

Status PolicyInference::SetParameters(const NamedTensors& params, int64_t version) {
  // LibTorch reports failures (e.g. out of device memory) as exceptions.
  try {
    const bool paco = options_.algorithm == Algorithm::kPaco;
    const torch::Tensor* w = nullptr;
    for (const auto& [name, t] : params) {
      if (name == "task_weights") w = &t;
    }
    if (paco) {
      if (w == nullptr) return NotFoundError("parameter 'task_weights' missing");
      if (w->sizes() != task_weights_.sizes()) {
        return InvalidArgumentError("parameter 'task_weights' has shape " +
                                    ShapeString(w->sizes()) + ", expected " +
                                    ShapeString(task_weights_.sizes()));
      }
    }
    PACO_RETURN_IF_ERROR(ImportParameters(*actor_, "actor.", params, /*allow_extra=*/false));
    torch::NoGradGuard no_grad;
    composed_.clear();
    if (paco) {
      task_weights_.copy_(*w);
      // θ_τ and b_τ for every task.
      for (const CompositionalLinear& layer : actor_->net->compositional_layers()) {
        ComposedLinear c = layer->Compose(task_weights_, /*detach=*/true);
        composed_.emplace_back(c.weight.contiguous(), c.bias.squeeze(1).contiguous());
      }
    }
    version_ = version;
    return OkStatus();
  } catch (const std::exception& e) {
    return InternalError(std::string("installing parameters failed: ") + e.what());
  }
}

StatusOr<torch::Tensor> PolicyInference::Act(const torch::Tensor& obs, const torch::Tensor& task,
                                             bool deterministic) {
  // LibTorch reports failures (e.g. out of device memory) as exceptions.
  try {
    if (version_ < 0) return FailedPreconditionError("no parameters installed (SetParameters)");
    if (!obs.defined() || obs.dim() != 2 || obs.size(1) != options_.obs_dim) {
      return InvalidArgumentError("obs must have shape [N, " + std::to_string(options_.obs_dim) +
                                  "]");
    }
    PACO_ASSIGN_OR_RETURN(TaskRouting routing,
                          TaskRouting::Create(task, options_.num_tasks, torch::kCPU));
    if (routing.num_samples() != obs.size(0)) {
      return InvalidArgumentError("obs has " + std::to_string(obs.size(0)) + " rows but task has " +
                                  std::to_string(routing.num_samples()));
    }
    torch::NoGradGuard no_grad;
    torch::Tensor x = obs.to(torch::kCPU, torch::kFloat);
    if (options_.algorithm == Algorithm::kPaco) {
      torch::Tensor host_task = task.to(torch::kCPU, torch::kInt64).contiguous();
      const int64_t* p = host_task.data_ptr<int64_t>();
      return ActComposed(x, std::vector<int64_t>(p, p + host_task.numel()), deterministic);
    }
    ForwardContext ctx;
    ctx.routing = &routing;
    if (deterministic) return actor_->Mode(x, ctx);
    return actor_->Sample(x, ctx, gen_).action;
  } catch (const std::exception& e) {
    return InternalError(std::string("inference failed: ") + e.what());
  }
}

torch::Tensor PolicyInference::ActComposed(const torch::Tensor& obs,
                                           const std::vector<int64_t>& task, bool deterministic) {
  const int64_t n = obs.size(0);
  const int64_t a = options_.action_dim;
  torch::Tensor out = torch::empty({n, 2 * a});
  std::vector<std::vector<int64_t>> rows(options_.num_tasks);
  for (int64_t i = 0; i < n; ++i) rows[task[i]].push_back(i);
  for (int64_t t = 0; t < options_.num_tasks; ++t) {
    if (rows[t].empty()) continue;
    torch::Tensor index = torch::tensor(rows[t], torch::TensorOptions().dtype(torch::kInt64));
    torch::Tensor h = obs.index_select(0, index);
    for (size_t l = 0; l < composed_.size(); ++l) {
      h = torch::addmm(composed_[l].second[t], h, composed_[l].first[t].t());
      if (l + 1 < composed_.size()) h.relu_();
    }
    out.index_copy_(0, index, h);
  }
  auto [mean, log_std] = actor_->SplitHeads(out);
  if (deterministic) return torch::tanh(mean);
  return torch::tanh(mean + log_std.exp() * torch::randn(mean.sizes(), gen_, mean.options()));
}

}  // namespace paco
