// Math tests of the compositional layers and networks: the two compute paths,
// task routing, initialisation, the squashed-Gaussian log-probability, the
// baselines' task conditioning and CPU policy inference.
#include "learner/paco/networks.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "learner/paco/cpu_kernels.h"
#include "learner/paco/learner.h"

namespace paco {
namespace {

at::Generator Gen(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

// Largest |a − b| relative to (atol + rtol·|b|); ≤ 1 means "close".
double CloseRatio(const torch::Tensor& a, const torch::Tensor& b, double atol, double rtol) {
  return ((a - b).abs() / (atol + rtol * b.abs())).max().item<double>();
}

#define EXPECT_TENSOR_NEAR(a, b, atol, rtol)                                               \
  do {                                                                                     \
    ASSERT_EQ((a).sizes(), (b).sizes());                                                   \
    EXPECT_LE(CloseRatio((a).to(torch::kDouble), (b).to(torch::kDouble), atol, rtol), 1.0) \
        << "max |diff| = " << ((a) - (b)).abs().max().item<double>();                      \
  } while (false)

// A task mix with an absent task (2), unequal counts and no ordering.
std::vector<int64_t> MixedTasks() { return {3, 0, 1, 3, 3, 0, 4, 1, 3, 0, 4, 3, 1}; }

TEST(TaskRoutingTest, GroupsArbitraryMixes) {
  auto r = TaskRouting::FromHost(MixedTasks(), 5, torch::kCPU);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->num_samples(), 13);
  EXPECT_EQ(r->num_present(), 4);  // task 2 absent
  EXPECT_EQ(r->group_size(), 5);   // task 3 has five samples
  EXPECT_EQ(r->counts(), (std::vector<int64_t>{3, 3, 0, 5, 2}));
  EXPECT_FALSE(r->is_identity());
  EXPECT_TRUE(torch::equal(r->present(), torch::tensor({0, 1, 3, 4}, torch::kInt64)));

  // Every sample lands in its task's group and comes back unchanged.
  torch::Tensor x = torch::arange(13 * 2, torch::kFloat).view({13, 2});
  torch::Tensor g = r->ToGrouped(x);
  ASSERT_EQ(g.sizes(), (std::vector<int64_t>{4, 5, 2}));
  EXPECT_TRUE(torch::equal(r->FromGrouped(g.unsqueeze(0), 1).squeeze(0), x));
  const std::vector<int64_t> tasks = MixedTasks();
  const std::vector<int64_t> group_of = {0, 1, -1, 2, 3};
  for (int64_t i = 0; i < 13; ++i) {
    torch::Tensor rows = g[group_of[tasks[i]]];
    EXPECT_TRUE((rows == x[i]).all(1).any().item<bool>()) << "sample " << i;
  }
  // Padding rows of group "task 4" (two samples of five) are zero.
  EXPECT_EQ(g[3].slice(0, 2).abs().sum().item<float>(), 0.f);
}

TEST(TaskRoutingTest, GroupedEqualCountsAreAView) {
  auto r = TaskRouting::FromHost({0, 0, 2, 2, 5, 5}, 6, torch::kCPU);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_identity());
  torch::Tensor x = torch::randn({6, 3});
  EXPECT_EQ(r->ToGrouped(x).data_ptr(), x.data_ptr());
}

TEST(TaskRoutingTest, RejectsBadTaskIds) {
  EXPECT_EQ(TaskRouting::FromHost({0, 7}, 5, torch::kCPU).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(TaskRouting::FromHost({-1}, 5, torch::kCPU).status().code(), StatusCode::kOutOfRange);
  EXPECT_FALSE(TaskRouting::FromHost({}, 5, torch::kCPU).ok());
  EXPECT_FALSE(TaskRouting::Create(torch::zeros({3}), 5, torch::kCPU).ok());  // float ids
  EXPECT_FALSE(TaskRouting::Create(torch::zeros({3, 1}, torch::kInt64), 5, torch::kCPU).ok());
}

// Gradients of Σ(out ⊙ probe) w.r.t. the given tensors.
std::vector<torch::Tensor> Grads(const torch::Tensor& out, const torch::Tensor& probe,
                                 const std::vector<torch::Tensor>& wrt) {
  return torch::autograd::grad({(out * probe).sum()}, wrt);
}

// The layer alone: output-space mixing vs compose-then-bmm, outputs and the
// gradients of Φ, the biases and W, with non-identical components and two
// replicas. Float64, tolerance 1e-10 relative.
TEST(CompositionalLinearTest, ComposedEqualsOutputSpace) {
  torch::manual_seed(1);
  const int64_t r = 2, k = 3, in = 7, out = 5, t = 5;
  CompositionalLinear layer(r, k, in, out);
  layer->to(torch::kDouble);
  {
    torch::NoGradGuard no_grad;
    layer->weight.normal_();
    layer->bias.normal_();
  }
  torch::Tensor w = torch::randn({k, t}, torch::kDouble).requires_grad_(true);
  auto routing = TaskRouting::FromHost(MixedTasks(), t, torch::kCPU);
  ASSERT_TRUE(routing.ok());
  const int64_t n = routing->num_samples();
  torch::Tensor x = torch::randn({r, n, in}, torch::kDouble);
  torch::Tensor probe = torch::randn({r, n, out}, torch::kDouble);

  torch::Tensor c = w.t().index_select(0, routing->task());
  torch::Tensor y_ref = layer->ForwardOutputSpace(x, c, false);
  auto g_ref = Grads(y_ref, probe, {layer->weight, layer->bias, w});

  // Composed: group each replica's rows by task, one bmm over R·P groups.
  torch::Tensor xg = torch::stack({routing->ToGrouped(x[0]), routing->ToGrouped(x[1])})
                         .view({r * routing->num_present(), routing->group_size(), in});
  ComposedLinear composed = layer->Compose(w.index_select(1, routing->present()), false);
  torch::Tensor y = routing->FromGrouped(CompositionalLinearImpl::Apply(composed, xg), r);
  auto g = Grads(y, probe, {layer->weight, layer->bias, w});

  EXPECT_TENSOR_NEAR(y, y_ref, 1e-12, 1e-10);
  for (int i = 0; i < 3; ++i) EXPECT_TENSOR_NEAR(g[i], g_ref[i], 1e-12, 1e-10);
  // The absent task's w gets no gradient on either path.
  EXPECT_EQ(g[2].select(1, 2).abs().max().item<double>(), 0.0);
  EXPECT_EQ(g_ref[2].select(1, 2).abs().max().item<double>(), 0.0);
  // Hand check of one output: y = Σ_k w_τk (W_k x + b_k).
  const int64_t i = 4, tau = MixedTasks()[i];
  torch::Tensor hand = torch::zeros({out}, torch::kDouble);
  for (int64_t kk = 0; kk < k; ++kk) {
    hand += w[kk][tau] * (layer->weight[1][kk].mv(x[1][i]) + layer->bias[1][kk]);
  }
  EXPECT_TENSOR_NEAR(y[1][i], hand, 1e-12, 1e-10);
}

// The CPU grouped GEMM (with its fused ReLU) against baddbmm, float64:
// outputs and the gradients of x, θ and b, also with only some inputs
// requiring gradients.
TEST(GroupedLinearTest, MatchesBatchedMatmul) {
  torch::manual_seed(3);
  for (bool relu : {false, true}) {
    for (int mask = 1; mask < 8; ++mask) {
      SCOPED_TRACE(std::to_string(relu) + "/" + std::to_string(mask));
      torch::Tensor x = torch::randn({6, 9, 7}, torch::kDouble).requires_grad_(mask & 1);
      torch::Tensor w = torch::randn({6, 5, 7}, torch::kDouble).requires_grad_(mask & 2);
      torch::Tensor b = torch::randn({6, 1, 5}, torch::kDouble).requires_grad_(mask & 4);
      std::vector<torch::Tensor> wrt;
      for (const auto& t : {x, w, b}) {
        if (t.requires_grad()) wrt.push_back(t);
      }
      torch::Tensor probe = torch::randn({6, 9, 5}, torch::kDouble);
      torch::Tensor ref = torch::baddbmm(b, x, w.transpose(1, 2));
      if (relu) ref = torch::relu(ref);
      torch::Tensor y = GroupedLinear(x, w, b, relu);
      EXPECT_TENSOR_NEAR(y, ref, 1e-12, 1e-10);
      auto g_ref = Grads(ref, probe, wrt);
      auto g = Grads(y, probe, wrt);
      for (size_t i = 0; i < g.size(); ++i) EXPECT_TENSOR_NEAR(g[i], g_ref[i], 1e-12, 1e-10);
    }
  }
}

// The float32 path that calls the BLAS directly (cpu_kernels.h) against ATen's
// ops: outputs and every gradient, with padded groups, NaN passing through
// the ReLU as torch::relu passes it, and inputs that are not contiguous.
TEST(GroupedLinearTest, DirectGemmMatchesAtenOps) {
  if (!DirectCpuGemmAvailable()) GTEST_SKIP() << "no BLAS sgemm in this process";
  torch::manual_seed(4);
  for (bool relu : {false, true}) {
    for (int mask = 1; mask < 8; ++mask) {
      for (bool transposed_x : {false, true}) {
        SCOPED_TRACE(std::to_string(relu) + "/" + std::to_string(mask) + "/" +
                     std::to_string(transposed_x));
        torch::Tensor x0 =
            transposed_x ? torch::randn({6, 33, 20}).transpose(1, 2) : torch::randn({6, 20, 33});
        x0.select(1, 17).fill_(0);  // a padding row
        if (relu) x0[2][3][4] = NAN;
        torch::Tensor w0 = torch::randn({6, 12, 33}), b0 = torch::randn({6, 1, 12});
        torch::Tensor probe = torch::randn({6, 20, 12});
        auto run = [&](bool direct) {
          SetDirectCpuGemmEnabled(direct);
          torch::Tensor x = x0.detach().clone().requires_grad_(mask & 1);
          torch::Tensor w = w0.detach().clone().requires_grad_(mask & 2);
          torch::Tensor b = b0.detach().clone().requires_grad_(mask & 4);
          std::vector<torch::Tensor> wrt;
          for (const auto& t : {x, w, b}) {
            if (t.requires_grad()) wrt.push_back(t);
          }
          torch::Tensor y = GroupedLinear(x, w, b, relu);
          std::vector<torch::Tensor> out = {y.detach()};
          for (const auto& g : Grads(y.nan_to_num(0), probe, wrt)) out.push_back(g);
          SetDirectCpuGemmEnabled(true);
          return out;
        };
        auto direct = run(true), aten = run(false);
        ASSERT_EQ(direct.size(), aten.size());
        for (size_t i = 0; i < direct.size(); ++i) {
          EXPECT_TRUE(torch::equal(direct[i].isnan(), aten[i].isnan())) << "output " << i;
          EXPECT_TRUE(torch::allclose(direct[i].nan_to_num(0), aten[i].nan_to_num(0), 1e-5, 1e-5))
              << "output " << i;
        }
      }
    }
  }
}

TaskMlpImpl::Config SmallPacoConfig(int64_t replicas) {
  TaskMlpImpl::Config c;
  c.algorithm = Algorithm::kPaco;
  c.replicas = replicas;
  c.in = 6;
  c.hidden = {16, 12};
  c.out = 3;
  c.components = 4;
  c.num_tasks = 5;
  c.hidden_init = {LayerInit::Kind::kXavierUniform, 0.0};
  c.output_init = {LayerInit::Kind::kUniform, 0.3};
  c.identical_component_init = false;  // mixing errors show only with distinct components
  return c;
}

// The whole MLP (ReLU between layers) in float32: outputs and gradients of
// every Φ, bias and W agree to atol 1e-5 + rtol 1e-4.
TEST(TaskMlpTest, ComposedEqualsOutputSpaceFloat32) {
  torch::manual_seed(2);
  at::Generator gen = Gen(3);
  TaskMlp net(SmallPacoConfig(2), gen);
  torch::Tensor w = torch::randn({4, 5}).requires_grad_(true);
  auto routing = TaskRouting::FromHost(MixedTasks(), 5, torch::kCPU);
  ASSERT_TRUE(routing.ok());
  torch::Tensor x = torch::randn({routing->num_samples(), 6});
  torch::Tensor probe = torch::randn({2, routing->num_samples(), 3});
  std::vector<torch::Tensor> wrt = net->parameters();
  wrt.push_back(w);

  ForwardContext ctx;
  ctx.routing = &*routing;
  ctx.task_weights = w;
  ctx.path = ComputePath::kOutputSpace;
  torch::Tensor y_ref = net->Forward(x, ctx);
  auto g_ref = Grads(y_ref, probe, wrt);
  ctx.path = ComputePath::kComposed;
  torch::Tensor y = net->Forward(x, ctx);
  auto g = Grads(y, probe, wrt);

  EXPECT_TENSOR_NEAR(y, y_ref, 1e-5, 1e-4);
  ASSERT_EQ(g.size(), g_ref.size());
  for (size_t i = 0; i < g.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TENSOR_NEAR(g[i], g_ref[i], 1e-5, 1e-4);
  }
}

// Detached evaluation: same values, and no gradient reaches Φ or W.
TEST(TaskMlpTest, DetachedParamsGiveInputGradientOnly) {
  at::Generator gen = Gen(4);
  TaskMlp net(SmallPacoConfig(1), gen);
  torch::Tensor w = torch::randn({4, 5}).requires_grad_(true);
  auto routing = TaskRouting::FromHost(MixedTasks(), 5, torch::kCPU);
  ASSERT_TRUE(routing.ok());
  torch::Tensor x = torch::randn({routing->num_samples(), 6}).requires_grad_(true);
  for (ComputePath path : {ComputePath::kComposed, ComputePath::kOutputSpace}) {
    ForwardContext ctx{&*routing, w, path, false};
    torch::Tensor y = net->Forward(x, ctx);
    ctx.detach_params = true;
    torch::Tensor y_detached = net->Forward(x, ctx);
    EXPECT_TRUE(torch::allclose(y, y_detached));
    y_detached.sum().backward();
    EXPECT_TRUE(x.grad().defined());
    EXPECT_FALSE(w.grad().defined());
    for (const auto& p : net->parameters()) EXPECT_FALSE(p.grad().defined());
    x.mutable_grad().reset();
  }
}

TEST(InitTest, OfficialSchemes) {
  PacoOptions o;
  o.num_tasks = 3;
  at::Generator gen = Gen(5);
  Actor actor(o, gen);
  Critic critic(o, gen);
  const auto& al = actor->net->compositional_layers();
  const auto& cl = critic->net->compositional_layers();
  ASSERT_EQ(al.size(), 4u);
  ASSERT_EQ(cl.size(), 4u);
  // Identical components; zero biases.
  for (const auto* layers : {&al, &cl}) {
    for (const auto& layer : *layers) {
      for (int64_t rr = 0; rr < layer->replicas(); ++rr) {
        for (int64_t kk = 1; kk < 5; ++kk) {
          EXPECT_TRUE(torch::equal(layer->weight[rr][kk], layer->weight[rr][0]));
        }
      }
      EXPECT_EQ(layer->bias.abs().max().item<float>(), 0.f);
    }
  }
  // Actor hidden: Xavier uniform, a = sqrt(6/(fan_in + fan_out)).
  EXPECT_LE(al[0]->weight.abs().max().item<double>(), std::sqrt(6.0 / (39 + 400)));
  EXPECT_GT(al[0]->weight.abs().max().item<double>(), 0.99 * std::sqrt(6.0 / (39 + 400)));
  EXPECT_LE(al[1]->weight.abs().max().item<double>(), std::sqrt(6.0 / 800));
  // Actor heads: truncated normal, std 0.3/sqrt(400) = 0.015, cut at ±2 of the raw draw.
  torch::Tensor head = al[3]->weight[0][0];
  EXPECT_NEAR(head.std().item<double>(), 0.015, 0.0015);
  EXPECT_LE(head.abs().max().item<double>(), 2.0 * 0.015 / 0.87962566103423978 + 1e-7);
  // Critic hidden: U(±1/sqrt(fan_in)); output U(±0.003); replicas differ.
  EXPECT_LE(cl[0]->weight.abs().max().item<double>(), 1.0 / std::sqrt(43.0));
  EXPECT_GT(cl[0]->weight.abs().max().item<double>(), 0.99 / std::sqrt(43.0));
  EXPECT_LE(cl[1]->weight.abs().max().item<double>(), 0.05);
  EXPECT_LE(cl[3]->weight.abs().max().item<double>(), 0.003);
  EXPECT_FALSE(torch::equal(cl[0]->weight[0], cl[0]->weight[1]));
}

// log π against log N(u; μ, σ) − Σ log(1 − tanh(u)²) evaluated directly in
// float64 (fine for moderate u).
TEST(ActorTest, SquashedGaussianLogProbByHand) {
  torch::Tensor eps = torch::tensor({{0.3, -1.2, 2.0}, {-0.1, 0.0, 0.7}}, torch::kDouble);
  torch::Tensor mean = torch::tensor({{0.1, 0.5, -0.4}, {1.0, -2.0, 0.2}}, torch::kDouble);
  torch::Tensor log_std = torch::tensor({{-0.5, 0.2, -1.0}, {0.0, -2.0, 0.4}}, torch::kDouble);
  torch::Tensor u = mean + log_std.exp() * eps;
  torch::Tensor got = SquashedGaussianLogProb(eps, log_std, u);
  for (int64_t i = 0; i < 2; ++i) {
    double expected = 0;
    for (int64_t j = 0; j < 3; ++j) {
      const double s = std::exp(log_std[i][j].item<double>());
      const double uu = u[i][j].item<double>();
      const double mu = mean[i][j].item<double>();
      expected += -0.5 * std::pow((uu - mu) / s, 2) - std::log(s) - 0.5 * std::log(2 * M_PI) -
                  std::log(1 - std::pow(std::tanh(uu), 2));
    }
    EXPECT_NEAR(got[i].item<double>(), expected, 1e-10);
  }
}

TEST(ActorTest, SampleUsesClampedStdAndSquash) {
  PacoOptions o;
  o.num_tasks = 2;
  o.hidden_sizes = {8};
  o.num_components = 2;
  at::Generator gen = Gen(6);
  Actor actor(o, gen);
  {
    // Pre-std bias far above the clamp: std must be exp(2).
    torch::NoGradGuard no_grad;
    actor->net->compositional_layers().back()->bias.narrow(2, 4, 4).fill_(50.0);
  }
  torch::Tensor w = torch::ones({2, 2}) * 0.5;
  auto routing = TaskRouting::FromHost({0, 1, 1}, 2, torch::kCPU);
  ASSERT_TRUE(routing.ok());
  ForwardContext ctx{&*routing, w, ComputePath::kComposed, false};
  at::Generator noise = Gen(7);
  PolicySample s = actor->Sample(torch::randn({3, 39}), ctx, noise);
  EXPECT_TRUE(torch::allclose(s.log_std, torch::full({3, 4}, 2.0)));
  EXPECT_TRUE(torch::allclose(s.action, torch::tanh(s.pre_tanh)));
  EXPECT_LE(s.action.abs().max().item<float>(), 1.0f);
  EXPECT_EQ(s.log_prob.sizes(), (std::vector<int64_t>{3}));
}

PacoOptions BaselineOptions(Algorithm a) {
  PacoOptions o;
  o.algorithm = a;
  o.num_tasks = 3;
  o.obs_dim = 5;
  o.action_dim = 2;
  o.hidden_sizes = {8, 8};
  return o;
}

// MT-SAC: a plain MLP of [obs, one-hot(task)]; checked against a manual pass.
TEST(BaselineTest, MtSacAppendsOneHot) {
  PacoOptions o = BaselineOptions(Algorithm::kMtSac);
  at::Generator gen = Gen(8);
  Critic critic(o, gen);
  auto routing = TaskRouting::FromHost({2, 0, 1, 2}, 3, torch::kCPU);
  ASSERT_TRUE(routing.ok());
  torch::Tensor obs = torch::randn({4, 5}), act = torch::randn({4, 2});
  ForwardContext ctx{&*routing, torch::Tensor(), ComputePath::kComposed, false};
  torch::Tensor q = critic->Forward(obs, act, ctx);
  ASSERT_EQ(q.sizes(), (std::vector<int64_t>{2, 4}));
  auto params = critic->named_parameters();
  torch::Tensor h = torch::cat({obs, act, torch::one_hot(routing->task(), 3).to(torch::kFloat)}, 1);
  for (int64_t rr = 0; rr < 2; ++rr) {
    torch::Tensor z = h;
    for (int l = 0; l < 3; ++l) {
      const std::string name = "net.layer" + std::to_string(l);
      z = torch::addmm(params[name + ".bias"][rr], z, params[name + ".weight"][rr].t());
      if (l < 2) z = torch::relu(z);
    }
    EXPECT_TRUE(torch::allclose(q[rr], z.squeeze(1), 1e-5, 1e-6));
  }
}

// MH-SAC: each sample reads its own task's head; other heads get no gradient.
TEST(BaselineTest, MhSacUsesOwnHead) {
  PacoOptions o = BaselineOptions(Algorithm::kMhSac);
  at::Generator gen = Gen(9);
  Actor actor(o, gen);
  auto routing = TaskRouting::FromHost({1, 1, 2}, 3, torch::kCPU);
  ASSERT_TRUE(routing.ok());
  torch::Tensor obs = torch::randn({3, 5});
  ForwardContext ctx{&*routing, torch::Tensor(), ComputePath::kComposed, false};
  torch::Tensor out = actor->net->Forward(obs, ctx).squeeze(0);  // [3, 4]
  auto params = actor->net->named_parameters();
  torch::Tensor h = obs;
  for (int l = 0; l < 2; ++l) {
    const std::string name = "layer" + std::to_string(l);
    h = torch::relu(torch::addmm(params[name + ".bias"][0], h, params[name + ".weight"][0].t()));
  }
  torch::Tensor all = torch::addmm(params["layer2.bias"][0], h, params["layer2.weight"][0].t());
  const int64_t tasks[] = {1, 1, 2};
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(torch::allclose(out[i], all[i].narrow(0, tasks[i] * 4, 4), 1e-5, 1e-6));
  }
  out.sum().backward();
  torch::Tensor head_grad = params["layer2.weight"].grad()[0];          // [T·out, in]
  EXPECT_EQ(head_grad.narrow(0, 0, 4).abs().max().item<float>(), 0.f);  // task 0 absent
  EXPECT_GT(head_grad.narrow(0, 4, 4).abs().max().item<float>(), 0.f);
}

// Inference composes θ_τ once and must act exactly like the learner's actor.
TEST(PolicyInferenceTest, MatchesLearnerActor) {
  for (Algorithm a : {Algorithm::kPaco, Algorithm::kMtSac, Algorithm::kMhSac}) {
    SCOPED_TRACE(AlgorithmName(a));
    PacoOptions o;
    o.algorithm = a;
    o.num_tasks = 4;
    o.hidden_sizes = {16, 16};
    o.num_components = 3;
    o.identical_component_init = false;
    o.device = "cpu";
    auto learner = Learner::Create(o);
    ASSERT_TRUE(learner.ok()) << learner.status().ToString();
    auto inference = PolicyInference::Create(o);
    ASSERT_TRUE(inference.ok());
    EXPECT_FALSE((*inference)
                     ->Act(torch::zeros({1, 39}), torch::zeros({1}, torch::kInt64), true)
                     .ok());  // nothing installed yet
    ASSERT_TRUE((*inference)->SetParameters((*learner)->ExportActorParameters(), 7).ok());
    EXPECT_EQ((*inference)->version(), 7);

    std::vector<int64_t> tasks = {3, 0, 3, 1};
    torch::Tensor obs = torch::randn({4, 39});
    torch::Tensor task = torch::tensor(tasks, torch::kInt64);
    auto act = (*inference)->Act(obs, task, /*deterministic=*/true);
    ASSERT_TRUE(act.ok()) << act.status().ToString();
    auto routing = TaskRouting::FromHost(tasks, 4, torch::kCPU);
    ASSERT_TRUE(routing.ok());
    ForwardContext ctx{&*routing, (*learner)->task_weights(), ComputePath::kOutputSpace, true};
    torch::NoGradGuard no_grad;
    torch::Tensor expected = (*learner)->actor()->Mode(obs, ctx);
    EXPECT_TRUE(torch::allclose(*act, expected, 1e-5, 1e-5));

    auto sampled = (*inference)->Act(obs, task, /*deterministic=*/false);
    ASSERT_TRUE(sampled.ok());
    EXPECT_LE(sampled->abs().max().item<float>(), 1.f);
    EXPECT_FALSE(torch::allclose(*sampled, expected));

    EXPECT_FALSE(
        (*inference)->Act(torch::zeros({2, 38}), torch::zeros({2}, torch::kInt64), true).ok());
    EXPECT_FALSE((*inference)->Act(obs, torch::tensor({0, 1, 2, 9}), true).ok());
  }
}

TEST(PolicyInferenceTest, RejectsWrongParameters) {
  PacoOptions o;
  o.num_tasks = 4;
  o.hidden_sizes = {16};
  o.device = "cpu";
  auto learner = Learner::Create(o);
  ASSERT_TRUE(learner.ok());
  auto inference = PolicyInference::Create(o);
  ASSERT_TRUE(inference.ok());
  NamedTensors params = (*learner)->ExportActorParameters();
  NamedTensors missing(params.begin() + 1, params.end());
  EXPECT_EQ((*inference)->SetParameters(missing, 1).code(), StatusCode::kNotFound);
  NamedTensors wrong = params;
  wrong[0].second = torch::zeros({3});
  EXPECT_EQ((*inference)->SetParameters(wrong, 1).code(), StatusCode::kInvalidArgument);
  NamedTensors extra = params;
  extra.emplace_back("actor.bogus", torch::zeros({1}));
  EXPECT_FALSE((*inference)->SetParameters(extra, 1).ok());
  EXPECT_EQ((*inference)->version(), -1);

  // Policy-only transfer: Φ moves over, W stays.
  o.seed = 77;
  auto other = Learner::Create(o);
  ASSERT_TRUE(other.ok());
  torch::Tensor w_before = (*other)->task_weights().detach().clone();
  ASSERT_TRUE((*other)->ImportActorPhi(params).ok());
  EXPECT_TRUE(torch::equal((*other)->task_weights(), w_before));
  NamedTensors moved = (*other)->ExportActorParameters();
  for (size_t i = 0; i + 1 < params.size(); ++i) {
    EXPECT_EQ(moved[i].first, params[i].first);
    EXPECT_TRUE(torch::equal(moved[i].second, params[i].second));
  }
  EXPECT_FALSE((*other)->ImportActorPhi(wrong).ok());
}

}  // namespace
}  // namespace paco
