// Math tests of the PaCo-SAC update: options, batch validation, the loss
// composition, gradient isolation, mask-out, w-reset, α, targets, TF-Adam,
// checkpoints and resume. Small networks keep the suite fast.
#include "learner/paco/learner.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "learner/paco/checkpoint.h"
#include "learner/paco/cpu_kernels.h"
#include "learner/paco/cuda_graph_runner.h"

namespace paco {
namespace {

PacoOptions SmallOptions(Algorithm algorithm = Algorithm::kPaco) {
  PacoOptions o;
  o.algorithm = algorithm;
  o.num_tasks = 4;
  o.num_components = 3;
  o.hidden_sizes = {32, 32};
  o.device = "cpu";
  o.seed = 11;
  return o;
}

std::unique_ptr<Learner> MakeLearner(const PacoOptions& o) {
  auto l = Learner::Create(o);
  EXPECT_TRUE(l.ok()) << l.status().ToString();
  return l.ok() ? std::move(l).value() : nullptr;
}

TransitionBatch MakeBatch(const std::vector<int64_t>& tasks, uint64_t seed,
                          double reward_scale = 10.0) {
  torch::manual_seed(seed);
  const int64_t b = static_cast<int64_t>(tasks.size());
  TransitionBatch batch;
  batch.obs = torch::randn({b, 39});
  batch.action = torch::rand({b, 4}) * 2 - 1;
  batch.reward = torch::rand({b}) * reward_scale;
  batch.next_obs = torch::randn({b, 39});
  batch.terminal = torch::zeros({b}, torch::kBool);
  batch.truncated = torch::zeros({b}, torch::kBool);
  batch.task = torch::tensor(tasks, torch::kInt64);
  return batch;
}

std::vector<torch::Tensor> AllParams(Learner& l) {
  std::vector<torch::Tensor> p = l.actor()->parameters();
  for (auto& t : l.critic()->parameters()) p.push_back(t);
  if (l.task_weights().defined()) p.push_back(l.task_weights());
  p.push_back(l.log_alpha());
  return p;
}

std::vector<torch::Tensor> Snapshot(const std::vector<torch::Tensor>& ts) {
  std::vector<torch::Tensor> out;
  for (const auto& t : ts) out.push_back(t.detach().clone());
  return out;
}

std::vector<torch::Tensor> GradsOf(const std::vector<torch::Tensor>& ts) {
  std::vector<torch::Tensor> out;
  for (const auto& t : ts) {
    out.push_back(t.grad().defined() ? t.grad().clone() : torch::zeros_like(t));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Options

TEST(OptionsTest, DefaultsFollowPaperAndSpec) {
  PacoOptions o;
  EXPECT_EQ(o.algorithm, Algorithm::kPaco);
  EXPECT_EQ(o.num_components, 5);
  EXPECT_EQ(o.hidden_sizes, (std::vector<int64_t>{400, 400, 400}));
  EXPECT_EQ(o.batch_size, 1280);
  EXPECT_DOUBLE_EQ(o.actor_lr, 3e-4);
  EXPECT_DOUBLE_EQ(o.critic_lr, 3e-4);
  EXPECT_DOUBLE_EQ(o.w_lr, 3e-4);
  EXPECT_DOUBLE_EQ(o.alpha_lr, 1e-4);
  EXPECT_DOUBLE_EQ(o.discount, 0.99);
  EXPECT_DOUBLE_EQ(o.target_update_tau, 0.005);
  EXPECT_DOUBLE_EQ(o.loss_threshold, 3e3);
  EXPECT_DOUBLE_EQ(o.adam_epsilon, 1e-7);
  EXPECT_DOUBLE_EQ(o.min_log_alpha, -10.0);
  EXPECT_DOUBLE_EQ(o.max_log_alpha, 0.0);
  EXPECT_NEAR(o.TargetEntropy(), -6.438, 5e-4);
  o.target_entropy = TargetEntropyRule::kActionDim;
  EXPECT_DOUBLE_EQ(o.TargetEntropy(), -4.0);
  EXPECT_EQ(o.compute_path, ComputePath::kComposed);
  EXPECT_EQ(o.w_reset_weights, WResetWeights::kSimplex);
  EXPECT_EQ(o.w_init, WInit::kNormal);
  EXPECT_EQ(o.dqda_clipping, 0.0);  // the official code clips neither
  EXPECT_EQ(o.max_grad_norm, 0.0);
  EXPECT_TRUE(PacoOptions().Validate().ok());
}

TEST(OptionsTest, ValidateNamesTheField) {
  PacoOptions o;
  o.num_components = 0;
  EXPECT_NE(o.Validate().message().find("num_components"), std::string::npos);
  o = PacoOptions();
  o.hidden_sizes = {400, 0};
  EXPECT_NE(o.Validate().message().find("hidden_sizes"), std::string::npos);
  o = PacoOptions();
  o.discount = 1.5;
  EXPECT_NE(o.Validate().message().find("discount"), std::string::npos);
  o = PacoOptions();
  o.initial_log_alpha = 1.0;  // above max_log_alpha
  EXPECT_NE(o.Validate().message().find("initial_log_alpha"), std::string::npos);
  o = PacoOptions();
  o.device = "tpu";
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o = PacoOptions();
  o.loss_threshold = -1;
  EXPECT_FALSE(Learner::Create(o).ok());
  o = PacoOptions();
  o.dqda_clipping = -1;
  EXPECT_NE(o.Validate().message().find("dqda_clipping"), std::string::npos);
  o = PacoOptions();
  o.max_grad_norm = std::numeric_limits<double>::infinity();
  EXPECT_NE(o.Validate().message().find("max_grad_norm"), std::string::npos);
}

TEST(OptionsTest, SerializeRoundTrip) {
  PacoOptions o;
  o.algorithm = Algorithm::kMhSac;
  o.hidden_sizes = {7, 9};
  o.actor_lr = 1.234567890123e-5;
  o.w_reset_weights = WResetWeights::kL1Uniform;
  o.w_init = WInit::kSimplex;
  o.dqda_clipping = 0.25;
  o.max_grad_norm = 1.0;
  o.loss_aggregation = LossAggregation::kMeanOverEntries;
  o.device = "cuda:1";
  o.seed = 123456789012345ull;
  auto parsed = PacoOptions::Parse(o.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Serialize(), o.Serialize());
  EXPECT_EQ(parsed->actor_lr, o.actor_lr);
  EXPECT_EQ(parsed->seed, o.seed);
  EXPECT_EQ(parsed->dqda_clipping, 0.25);
  EXPECT_EQ(parsed->max_grad_norm, 1.0);
  EXPECT_TRUE(o.StructuralMismatch(*parsed).empty());
  EXPECT_FALSE(PacoOptions::Parse("nonsense=1\n").ok());
  EXPECT_FALSE(PacoOptions::Parse("algorithm=ppo\n").ok());
  EXPECT_FALSE(PacoOptions::Parse("w_init=uniform\n").ok());
  EXPECT_FALSE(PacoOptions::Parse("num_tasks=ten\n").ok());
  PacoOptions other = o;
  other.hidden_sizes = {7};
  EXPECT_NE(o.StructuralMismatch(other).find("hidden_sizes"), std::string::npos);
}

// Found by fuzz/paco_checkpoint_fuzzer.cc: the seed was read as int64, so
// "seed=-1" parsed (as 2^64 - 1) while a seed of 2^63 or more, once
// written, could not be read back and its checkpoint could not be loaded.
TEST(OptionsTest, EverySeedRoundTripsAndNegativeSeedsAreRefused) {
  PacoOptions o;
  for (uint64_t seed : {uint64_t{0}, uint64_t{1} << 63, ~uint64_t{0}}) {
    o.seed = seed;
    auto parsed = PacoOptions::Parse(o.Serialize());
    ASSERT_TRUE(parsed.ok()) << seed << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->seed, seed);
  }
  EXPECT_FALSE(PacoOptions::Parse("seed=-1\n").ok());
  EXPECT_FALSE(PacoOptions::Parse("seed=18446744073709551616\n").ok());
  EXPECT_FALSE(PacoOptions::Parse("seed= 1\n").ok());
}

// Found by fuzz/paco_checkpoint_fuzzer.cc: a subnormal value (here from
// "0x1p-1074") was written as "4.9406564584124654e-324", which glibc's strtod
// flags as ERANGE, so the options could not be read back.
TEST(OptionsTest, SubnormalValuesRoundTrip) {
  auto parsed = PacoOptions::Parse("actor_lr=0x1p-1074\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto again = PacoOptions::Parse(parsed->Serialize());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->actor_lr, std::ldexp(1.0, -1074));
  EXPECT_FALSE(PacoOptions::Parse("actor_lr=1e999\n").ok());
  EXPECT_FALSE(PacoOptions::Parse("actor_lr=1e-999\n").ok());
}

// ---------------------------------------------------------------------------
// Batches

TEST(LearnerTest, RejectsBadBatches) {
  auto l = MakeLearner(SmallOptions());
  TransitionBatch good = MakeBatch({0, 1, 2}, 1);
  EXPECT_TRUE(l->ValidateBatch(good).ok());
  auto expect_bad = [&](TransitionBatch b, StatusCode code) {
    Status s = l->Update(b);
    EXPECT_EQ(s.code(), code) << s.ToString();
  };
  TransitionBatch b = good;
  b.obs = torch::randn({3, 38});
  expect_bad(b, StatusCode::kInvalidArgument);
  b = good;
  b.action = torch::randn({2, 4});
  expect_bad(b, StatusCode::kInvalidArgument);
  b = good;
  b.reward = torch::randn({3, 1});
  expect_bad(b, StatusCode::kInvalidArgument);
  b = good;
  b.truncated = torch::Tensor();
  expect_bad(b, StatusCode::kInvalidArgument);
  b = good;
  b.task = torch::tensor({0, 4, 1}, torch::kInt64);
  expect_bad(b, StatusCode::kOutOfRange);
  b = good;
  b.task = torch::tensor({0.0, 1.0, 2.0});
  expect_bad(b, StatusCode::kInvalidArgument);
  b = good;
  b.obs = torch::randn({0, 39});
  expect_bad(b, StatusCode::kInvalidArgument);
  EXPECT_EQ(l->num_updates(), 0);
  // Other dtypes are converted: int terminal flags, double observations, int32 tasks.
  b = good;
  b.terminal = torch::tensor({0, 1, 0}, torch::kInt32);
  b.obs = b.obs.to(torch::kDouble);
  b.task = b.task.to(torch::kInt32);
  EXPECT_TRUE(l->Update(b).ok());
  EXPECT_EQ(l->num_updates(), 1);
}

// ---------------------------------------------------------------------------
// Loss composition and gradients

// A batch with the task layout of the batch before reuses its routings and
// computes what freshly made routings give; another layout makes new ones.
TEST(LearnerTest, InitialWFollowsWInit) {
  PacoOptions o = SmallOptions();
  const torch::Tensor normal = MakeLearner(o)->task_weights().detach();
  // N(0, 1): some entries below zero, and columns that do not sum to 1.
  EXPECT_LT(normal.min().item<double>(), 0.0);
  EXPECT_GT((normal.sum(0) - 1).abs().max().item<double>(), 0.1);

  o.w_init = WInit::kSimplex;
  const torch::Tensor w = MakeLearner(o)->task_weights().detach();
  ASSERT_EQ(w.sizes(), normal.sizes());
  EXPECT_GT(w.min().item<double>(), 0.0);
  EXPECT_TRUE(torch::allclose(w.sum(0), torch::ones({o.num_tasks}), 0, 1e-6)) << w;
  // Distinct tasks get distinct vectors (else their gradients never differ),
  // and the seed repeats them.
  EXPECT_GT((w.select(1, 0) - w.select(1, 1)).abs().max().item<double>(), 1e-3);
  EXPECT_TRUE(torch::equal(w, MakeLearner(o)->task_weights().detach()));
  o.seed += 1;
  EXPECT_FALSE(torch::equal(w, MakeLearner(o)->task_weights().detach()));
}

TEST(LearnerTest, RepeatedTaskLayoutReusesItsRoutings) {
  auto fresh = MakeLearner(SmallOptions());
  auto cached = MakeLearner(SmallOptions());
  const std::vector<int64_t> layout = {0, 1, 1, 2, 3, 3, 3, 0};
  const int64_t rows = 2 * static_cast<int64_t>(layout.size());
  torch::Tensor noise = torch::randn({rows, 4});
  ASSERT_TRUE(fresh->Update(MakeBatch(layout, 1), nullptr, noise).ok());
  ASSERT_TRUE(cached->Update(MakeBatch(layout, 1), nullptr, noise).ok());
  EXPECT_EQ(cached->routing_cache_hits(), 0);

  // Same layout, new data: the loss before the step equals one evaluated
  // with new routings (ComputeLossAndGradients makes its own).
  const TransitionBatch next = MakeBatch(layout, 2);
  noise = torch::randn({rows, 4});
  auto terms = fresh->ComputeLossAndGradients(next, noise);
  ASSERT_TRUE(terms.ok()) << terms.status().ToString();
  UpdateStats stats;
  ASSERT_TRUE(cached->Update(next, &stats, noise).ok());
  EXPECT_EQ(cached->routing_cache_hits(), 1);
  EXPECT_EQ(stats.loss, terms->loss.item<double>());

  // The same counts in another order are another layout.
  const std::vector<int64_t> shuffled = {3, 0, 1, 3, 2, 0, 3, 1};
  noise = torch::randn({rows, 4});
  terms = cached->ComputeLossAndGradients(MakeBatch(shuffled, 3), noise);
  ASSERT_TRUE(terms.ok());
  ASSERT_TRUE(cached->Update(MakeBatch(shuffled, 3), &stats, noise).ok());
  EXPECT_EQ(cached->routing_cache_hits(), 1);
  EXPECT_EQ(stats.loss, terms->loss.item<double>());
}

// The learner's whole loss (actor at 2B states, ∂Q/∂a pass, targets, critics)
// on both compute paths: same values and gradients, float32, atol 1e-5 +
// rtol 1e-4 (gradients: atol 1e-5 relative to their largest entry).
TEST(LearnerTest, ComputePathsGiveSameLossAndGradients) {
  PacoOptions o = SmallOptions();
  o.identical_component_init = false;
  auto composed = MakeLearner(o);
  o.compute_path = ComputePath::kOutputSpace;
  auto output_space = MakeLearner(o);
  TransitionBatch batch = MakeBatch({3, 0, 0, 1, 3, 3, 1, 0, 3, 3, 1}, 2);  // task 2 absent
  auto a = composed->ComputeLossAndGradients(batch);
  auto b = output_space->ComputeLossAndGradients(batch);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NEAR(a->loss.item<double>(), b->loss.item<double>(),
              1e-4 * std::abs(b->loss.item<double>()));
  EXPECT_TRUE(torch::allclose(a->q, b->q, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(a->log_prob, b->log_prob, 1e-4, 1e-4));
  auto ga = GradsOf(AllParams(*composed));
  auto gb = GradsOf(AllParams(*output_space));
  ASSERT_EQ(ga.size(), gb.size());
  for (size_t i = 0; i < ga.size(); ++i) {
    const double scale = gb[i].abs().max().item<double>();
    EXPECT_LE((ga[i] - gb[i]).abs().max().item<double>(), 1e-4 * scale + 1e-6) << "param " << i;
  }
}

// A batch of task 2 alone: W gets gradient in column 2 only, Φ everywhere it
// is used; one update then changes only column 2 of W.
TEST(LearnerTest, GradientIsolation) {
  auto l = MakeLearner(SmallOptions());
  TransitionBatch batch = MakeBatch(std::vector<int64_t>(6, 2), 3);
  ASSERT_TRUE(l->ComputeLossAndGradients(batch).ok());
  torch::Tensor wg = l->task_weights().grad();
  ASSERT_TRUE(wg.defined());
  for (int64_t t = 0; t < 4; ++t) {
    const double g = wg.select(1, t).abs().max().item<double>();
    if (t == 2) {
      EXPECT_GT(g, 0.0);
    } else {
      EXPECT_EQ(g, 0.0) << "column " << t;
    }
  }
  for (const auto& p : l->actor()->parameters()) EXPECT_GT(p.grad().abs().max().item<double>(), 0);
  for (const auto& p : l->critic()->parameters()) EXPECT_GT(p.grad().abs().max().item<double>(), 0);
  EXPECT_EQ(l->log_alpha().grad().abs().sum().item<double>(),
            l->log_alpha().grad()[2].abs().item<double>());

  torch::Tensor before = l->task_weights().detach().clone();
  ASSERT_TRUE(l->Update(batch).ok());
  torch::Tensor diff = (l->task_weights().detach() - before).abs();
  EXPECT_GT(diff.select(1, 2).max().item<double>(), 0.0);
  EXPECT_EQ(diff.sum().item<double>(), diff.select(1, 2).sum().item<double>());
}

// Task 1 carries huge rewards, so its loss exceeds ε and it is masked. Changing
// its rewards to other huge values must leave every gradient bit-identical,
// and W's column 1 and log α_1 must get exactly zero.
TEST(LearnerTest, MaskedTaskContributesZeroGradient) {
  const std::vector<int64_t> tasks = {0, 1, 0, 1, 0, 1, 3, 3};
  TransitionBatch batch = MakeBatch(tasks, 4);
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (tasks[i] == 1) batch.reward[i] = 1e3;
  }
  TransitionBatch batch2 = batch;
  batch2.reward = batch.reward.clone();
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (tasks[i] == 1) batch2.reward[i] = -7e3;
  }
  auto l1 = MakeLearner(SmallOptions());
  auto l2 = MakeLearner(SmallOptions());
  auto t1 = l1->ComputeLossAndGradients(batch);
  auto t2 = l2->ComputeLossAndGradients(batch2);
  ASSERT_TRUE(t1.ok() && t2.ok());
  EXPECT_TRUE(t1->masked[1].item<bool>());
  EXPECT_FALSE(t1->masked[0].item<bool>());
  EXPECT_FALSE(t1->masked[3].item<bool>());
  EXPECT_GT(t1->task_loss[1].item<double>(), 3e3);
  EXPECT_EQ(t1->loss.item<double>(), t2->loss.item<double>());
  auto g1 = GradsOf(AllParams(*l1));
  auto g2 = GradsOf(AllParams(*l2));
  for (size_t i = 0; i < g1.size(); ++i) EXPECT_TRUE(torch::equal(g1[i], g2[i])) << "param " << i;
  EXPECT_EQ(l1->task_weights().grad().select(1, 1).abs().max().item<double>(), 0.0);
  EXPECT_EQ(l1->log_alpha().grad()[1].item<double>(), 0.0);
  EXPECT_GT(l1->task_weights().grad().select(1, 0).abs().max().item<double>(), 0.0);

  // Without mask-out the huge task dominates the gradient.
  PacoOptions no_mask = SmallOptions();
  no_mask.mask_extreme_tasks = false;
  auto l3 = MakeLearner(no_mask);
  ASSERT_TRUE(l3->ComputeLossAndGradients(batch).ok());
  EXPECT_GT(l3->task_weights().grad().select(1, 1).abs().max().item<double>(), 0.0);
}

// ∂ min_r Q_r / ∂a at step 1 of the batch (whose actions a' the loss terms
// expose), recomputed from scratch through the output-space path.
torch::Tensor StepOneDqda(Learner& l, const TransitionBatch& batch,
                          const std::vector<int64_t>& tasks, const LossTerms& terms) {
  torch::Tensor next_action = terms.next_action.clone().requires_grad_(true);
  auto routing = TaskRouting::FromHost(tasks, l.options().num_tasks, torch::kCPU);
  EXPECT_TRUE(routing.ok());
  ForwardContext ctx{&*routing, l.task_weights().detach(), ComputePath::kOutputSpace, true};
  torch::Tensor q_next = l.critic()->Forward(batch.next_obs, next_action, ctx);
  return torch::autograd::grad({std::get<0>(q_next.min(0)).sum()}, {next_action})[0];
}

// The per-task value compared with ε is spec §4.6: the mean over the task's
// samples of ½(c1 + c2) + ½ Σ_t [½‖∂_a min Q‖² + α log π + log α (−log π − H̄)],
// with ∂Q/∂a recomputed here independently; and the optimised scalar is
// Σ_τ L_τ with step 1 dropped where it is LAST.
TEST(LearnerTest, PerTaskLossIsTheSpecQuantity) {
  PacoOptions o = SmallOptions();
  auto l = MakeLearner(o);
  {
    torch::NoGradGuard no_grad;
    l->log_alpha().copy_(torch::tensor({-0.3f, -1.0f, -2.0f, -0.1f}));
  }
  const std::vector<int64_t> tasks = {0, 1, 1, 3, 0, 1};
  TransitionBatch batch = MakeBatch(tasks, 5);
  batch.truncated = torch::tensor({0, 1, 0, 0, 0, 0}, torch::kBool);
  batch.terminal = torch::tensor({0, 0, 0, 1, 0, 0}, torch::kBool);
  auto terms = l->ComputeLossAndGradients(batch);
  ASSERT_TRUE(terms.ok());
  const int64_t b = 6;

  torch::Tensor dqda = StepOneDqda(*l, batch, tasks, *terms);
  torch::Tensor alpha = l->log_alpha().detach().exp().index_select(0, batch.task);
  torch::Tensor lp1 = terms->log_prob.detach().narrow(0, b, b);
  torch::Tensor expected_actor1 = 0.5 * dqda.square().sum(1) + alpha * lp1;
  EXPECT_TRUE(
      torch::allclose(terms->actor_loss.detach().narrow(0, b, b), expected_actor1, 1e-4, 1e-6));

  torch::Tensor lp = terms->log_prob.detach();
  torch::Tensor log_alpha2 =
      l->log_alpha().detach().index_select(0, torch::cat({batch.task, batch.task}));
  torch::Tensor alpha_loss = log_alpha2 * (-lp - o.TargetEntropy());
  EXPECT_TRUE(torch::allclose(terms->alpha_loss.detach(), alpha_loss, 1e-5, 1e-6));
  torch::Tensor actor = terms->actor_loss.detach();
  torch::Tensor critic = (terms->q.detach() - terms->target.unsqueeze(0)).square().sum(0);
  torch::Tensor per_sample =
      0.5 * critic + 0.5 * (actor.narrow(0, 0, b) + actor.narrow(0, b, b) +
                            alpha_loss.narrow(0, 0, b) + alpha_loss.narrow(0, b, b));
  const double counts[] = {2, 3, 0, 1};
  double expected_loss = 0;
  for (int64_t t = 0; t < 4; ++t) {
    double sum = 0, optimised = 0;
    for (int64_t i = 0; i < b; ++i) {
      if (tasks[i] != t) continue;
      sum += per_sample[i].item<double>();
      const bool last = batch.truncated[i].item<bool>() || batch.terminal[i].item<bool>();
      optimised +=
          0.5 *
              (critic[i].item<double>() + actor[i].item<double>() + alpha_loss[i].item<double>()) +
          (last ? 0.0 : 0.5 * (actor[b + i].item<double>() + alpha_loss[b + i].item<double>()));
    }
    if (counts[t] == 0) continue;
    EXPECT_NEAR(terms->task_loss[t].item<double>(), sum / counts[t], 1e-4 * (1 + std::abs(sum)));
    expected_loss += optimised / counts[t];
  }
  EXPECT_NEAR(terms->loss.item<double>(), expected_loss, 1e-4 * (1 + std::abs(expected_loss)));
}

// Solves W_old[:, pool] β = w_new in least squares (K > |pool|, so β is
// unique when it exists) and returns β with the residual.
std::pair<torch::Tensor, double> SolveCombination(const torch::Tensor& w_old,
                                                  const std::vector<int64_t>& pool,
                                                  const torch::Tensor& w_new) {
  torch::Tensor a = w_old.index_select(1, torch::tensor(pool, torch::kInt64)).to(torch::kDouble);
  torch::Tensor y = w_new.to(torch::kDouble).unsqueeze(1);
  torch::Tensor beta = std::get<0>(torch::linalg_lstsq(a, y));
  const double residual = (a.mm(beta) - y).abs().max().item<double>();
  return {beta.squeeze(1), residual};
}

// With dqda_clipping c the actor loss's value is ½‖clamp(∂Q/∂a, −c, c)‖² +
// α log π, ∂Q/∂a recomputed independently; c is chosen so that some
// components are clipped and some are not.
TEST(LearnerTest, DqdaClippingClampsEachComponent) {
  const std::vector<int64_t> tasks = {0, 1, 1, 3, 0, 1};
  const int64_t b = 6;
  TransitionBatch batch = MakeBatch(tasks, 8);
  torch::Tensor noise = torch::randn({2 * b, 4}, torch::kFloat);
  auto plain = MakeLearner(SmallOptions());
  auto plain_terms = plain->ComputeLossAndGradients(batch, noise);
  ASSERT_TRUE(plain_terms.ok());
  torch::Tensor dqda = StepOneDqda(*plain, batch, tasks, *plain_terms);
  const double c = dqda.abs().median().item<double>();
  ASSERT_GT(c, 0.0);
  ASSERT_GT(dqda.abs().gt(c).sum().item<int64_t>(), 0);
  ASSERT_GT(dqda.abs().lt(c).sum().item<int64_t>(), 0);

  PacoOptions o = SmallOptions();
  o.dqda_clipping = c;
  auto clipped = MakeLearner(o);  // same seed: the same networks and W
  auto terms = clipped->ComputeLossAndGradients(batch, noise);
  ASSERT_TRUE(terms.ok());
  torch::Tensor alpha_log_pi =
      plain_terms->actor_loss.detach().narrow(0, b, b) - 0.5 * dqda.square().sum(1);
  torch::Tensor expected = 0.5 * dqda.clamp(-c, c).square().sum(1) + alpha_log_pi;
  EXPECT_TRUE(torch::allclose(terms->actor_loss.detach().narrow(0, b, b), expected, 1e-4, 1e-6));
  EXPECT_FALSE(torch::allclose(terms->actor_loss.detach(), plain_terms->actor_loss.detach()));
  // The critics' loss does not depend on the clip.
  EXPECT_TRUE(torch::allclose(terms->critic_loss.detach(), plain_terms->critic_loss.detach()));
}

// max_grad_norm acts in Update: a tiny cap shrinks every gradient far below
// Adam's ε, so the first step barely moves the parameters, which move by
// about lr without it.
TEST(LearnerTest, MaxGradNormCapsTheUpdate) {
  TransitionBatch batch = MakeBatch({0, 1, 2, 3, 0, 1}, 9);
  auto moved = [&](double max_grad_norm) {
    PacoOptions o = SmallOptions();
    o.max_grad_norm = max_grad_norm;
    auto l = MakeLearner(o);
    std::vector<torch::Tensor> before;
    for (const torch::Tensor& p : l->actor()->parameters()) before.push_back(p.detach().clone());
    EXPECT_TRUE(l->Update(batch).ok());
    double most = 0;
    const std::vector<torch::Tensor> after = l->actor()->parameters();
    for (size_t i = 0; i < after.size(); ++i) {
      most = std::max(most, (after[i].detach() - before[i]).abs().max().item<double>());
    }
    return most;
  };
  const double lr = SmallOptions().actor_lr;
  EXPECT_GT(moved(0.0), 0.5 * lr);
  EXPECT_GT(moved(1e6), 0.5 * lr);  // a cap above the norm changes nothing
  EXPECT_LT(moved(1e-12), 1e-3 * lr);
}

// A masked task's w becomes a convex combination (β ≥ 0, Σβ = 1) of the
// non-masked tasks' w; the other columns do not move (w lr 0 isolates the
// reset from the optimizer step). Both β rules.
TEST(LearnerTest, WResetIsConvexCombination) {
  for (WResetWeights rule : {WResetWeights::kSimplex, WResetWeights::kL1Uniform}) {
    SCOPED_TRACE(WResetWeightsName(rule));
    PacoOptions o = SmallOptions();
    o.num_components = 5;  // K = 5 > 3 = |pool|
    o.w_lr = 0.0;
    o.w_reset_weights = rule;
    auto l = MakeLearner(o);
    const std::vector<int64_t> tasks = {0, 1, 2, 3, 0, 1, 2, 3};
    TransitionBatch batch = MakeBatch(tasks, 6);
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (tasks[i] == 2) batch.reward[i] = 2e3;
    }
    torch::Tensor w_old = l->task_weights().detach().clone();
    UpdateStats stats;
    ASSERT_TRUE(l->Update(batch, &stats).ok());
    EXPECT_EQ(stats.task_masked, (std::vector<bool>{false, false, true, false}));
    EXPECT_EQ(stats.task_reset, (std::vector<bool>{false, false, true, false}));
    EXPECT_EQ(stats.num_masked, 1);
    EXPECT_EQ(stats.mask_count, (std::vector<int64_t>{0, 0, 1, 0}));
    EXPECT_EQ(stats.reset_count, (std::vector<int64_t>{0, 0, 1, 0}));
    torch::Tensor w_new = l->task_weights().detach();
    for (int64_t t : {0, 1, 3}) EXPECT_TRUE(torch::equal(w_new.select(1, t), w_old.select(1, t)));
    auto [beta, residual] = SolveCombination(w_old, {0, 1, 3}, w_new.select(1, 2));
    EXPECT_LT(residual, 1e-5);
    EXPECT_GE(beta.min().item<double>(), -1e-5);
    EXPECT_NEAR(beta.sum().item<double>(), 1.0, 1e-5);
    EXPECT_EQ(l->ResetCounts(), (std::vector<int64_t>{0, 0, 1, 0}));
  }
}

// The paper's literal pool (present, non-masked tasks) versus the official
// one (all non-masked tasks, absent included).
TEST(LearnerTest, WResetPoolOfPresentTasks) {
  PacoOptions o = SmallOptions();
  o.num_components = 5;
  o.w_lr = 0.0;
  o.w_reset_includes_absent_tasks = false;
  auto l = MakeLearner(o);
  const std::vector<int64_t> tasks = {0, 2, 0, 2};  // tasks 1 and 3 absent
  TransitionBatch batch = MakeBatch(tasks, 7);
  batch.reward[1] = 2e3;
  batch.reward[3] = 2e3;
  torch::Tensor w_old = l->task_weights().detach().clone();
  ASSERT_TRUE(l->Update(batch).ok());
  // The only candidate is task 0: the reset copies it.
  EXPECT_TRUE(
      torch::allclose(l->task_weights().detach().select(1, 2), w_old.select(1, 0), 1e-6, 1e-6));
}

TEST(LearnerTest, AllTasksMaskedKeepsW) {
  PacoOptions o = SmallOptions();
  o.w_lr = 0.0;
  auto l = MakeLearner(o);
  TransitionBatch batch = MakeBatch({0, 1, 2, 3}, 8, /*reward_scale=*/0.0);
  batch.reward.fill_(5e3);
  torch::Tensor w_old = l->task_weights().detach().clone();
  UpdateStats stats;
  ASSERT_TRUE(l->Update(batch, &stats).ok());
  EXPECT_EQ(stats.num_masked, 4);
  EXPECT_EQ(stats.num_reset, 0);
  EXPECT_EQ(stats.loss, 0.0);
  EXPECT_TRUE(torch::equal(l->task_weights().detach(), w_old));
}

// With the policy's entropy above H̄ (the initial std is about 1), log α
// falls below its cap for the tasks in the batch; with H̄ out of reach it
// rises. Absent tasks keep α.
TEST(LearnerTest, AlphaMovesTowardTargetEntropy) {
  {
    auto l = MakeLearner(SmallOptions());
    UpdateStats stats;
    ASSERT_TRUE(l->Update(MakeBatch({0, 1, 0, 1}, 9), &stats).ok());
    EXPECT_GT(stats.task_entropy[0], SmallOptions().TargetEntropy());
    EXPECT_LT(l->log_alpha()[0].item<double>(), 0.0);
    EXPECT_LT(l->log_alpha()[1].item<double>(), 0.0);
    EXPECT_EQ(l->log_alpha()[2].item<double>(), 0.0);
    EXPECT_LT(stats.task_alpha[0], 1.0);
    EXPECT_EQ(stats.task_alpha[3], 1.0);
  }
  {
    PacoOptions o = SmallOptions();
    o.target_entropy = TargetEntropyRule::kExplicit;
    o.target_entropy_value = 50.0;
    o.initial_log_alpha = -1.0;
    auto l = MakeLearner(o);
    ASSERT_TRUE(l->Update(MakeBatch({0, 1, 0, 1}, 9)).ok());
    EXPECT_GT(l->log_alpha()[0].item<double>(), -1.0);
    EXPECT_EQ(l->log_alpha()[3].item<double>(), -1.0);
    // The cap holds: many updates never lift log α above max_log_alpha.
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(l->Update(MakeBatch({0, 1}, 10 + i)).ok());
    EXPECT_LE(l->log_alpha().max().item<double>(), 0.0);
  }
}

TEST(LearnerTest, PolyakTargetUpdate) {
  auto l = MakeLearner(SmallOptions());
  // Targets start as exact copies.
  auto online = l->critic()->parameters();
  auto target = l->target_critic()->parameters();
  for (size_t i = 0; i < online.size(); ++i) EXPECT_TRUE(torch::equal(online[i], target[i]));
  auto target_before = Snapshot(target);
  ASSERT_TRUE(l->Update(MakeBatch({0, 1, 2, 3}, 11)).ok());
  for (size_t i = 0; i < online.size(); ++i) {
    torch::Tensor expected = 0.995 * target_before[i] + 0.005 * online[i].detach();
    EXPECT_TRUE(torch::allclose(target[i], expected, 1e-6, 1e-7)) << i;
    EXPECT_FALSE(torch::equal(target[i], online[i]));
  }
}

// y on a hand-made batch: target critics with zero output kernels give
// Q'_r(s', a') = Σ_k w_τk b_rk, known by hand; terminal cuts the bootstrap,
// truncation keeps it.
TEST(LearnerTest, CriticTargetByHand) {
  PacoOptions o = SmallOptions();
  o.num_tasks = 3;
  auto l = MakeLearner(o);
  const float b_out[2][3] = {{0.5f, -1.0f, 2.0f}, {1.5f, 0.25f, -0.75f}};
  {
    torch::NoGradGuard no_grad;
    auto& last = l->target_critic()->net->compositional_layers().back();
    last->weight.zero_();
    for (int r = 0; r < 2; ++r) {
      for (int k = 0; k < 3; ++k) last->bias[r][k][0] = b_out[r][k];
    }
    l->log_alpha().copy_(torch::tensor({-0.5f, -1.0f, -2.0f}));
  }
  TransitionBatch batch = MakeBatch({0, 1, 2}, 12);
  batch.reward = torch::tensor({1.0f, 2.0f, -0.5f});
  batch.terminal = torch::tensor({false, true, false});
  batch.truncated = torch::tensor({false, false, true});
  auto terms = l->ComputeLossAndGradients(batch);
  ASSERT_TRUE(terms.ok());
  torch::Tensor w = l->task_weights().detach();
  const double log_alpha[] = {-0.5, -1.0, -2.0};
  const bool terminal[] = {false, true, false};
  const double reward[] = {1.0, 2.0, -0.5};
  for (int i = 0; i < 3; ++i) {
    double q[2] = {0, 0};
    for (int r = 0; r < 2; ++r) {
      for (int k = 0; k < 3; ++k) q[r] += w[k][i].item<double>() * b_out[r][k];
    }
    const double q_min = std::min(q[0], q[1]);
    const double lp = terms->next_log_prob[i].item<double>();
    const double y = reward[i] + (terminal[i] ? 0.0 : 0.99 * (q_min - std::exp(log_alpha[i]) * lp));
    EXPECT_NEAR(terms->target_q[i].item<double>(), q_min, 1e-5);
    EXPECT_NEAR(terms->target[i].item<double>(), y, 1e-4) << "sample " << i;
  }
  EXPECT_EQ(terms->target[1].item<float>(), 2.0f);  // terminal: y = r exactly
}

// ---------------------------------------------------------------------------
// TF-Adam

// Float64 runs the generic (foreach) path, float32 on the CPU the fused one.
TEST(TfAdamTest, MatchesFormula) {
  for (torch::ScalarType dtype : {torch::kDouble, torch::kFloat}) {
    SCOPED_TRACE(c10::toString(dtype));
    const double tol = dtype == torch::kDouble ? 1e-12 : 1e-5;  // float32: a few ulp of ~1
    torch::Tensor p = torch::tensor({1.0, -2.0, 0.5}, dtype).requires_grad_(true);
    const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-7;
    TfAdam adam({p}, lr, b1, b2, eps);
    double x[3] = {1.0, -2.0, 0.5}, m[3] = {0, 0, 0}, v[3] = {0, 0, 0};
    const double grads[3][3] = {{0.3, -1.0, 0.0}, {2.0, 0.5, -1e-3}, {-0.7, 0.2, 4.0}};
    for (int t = 1; t <= 3; ++t) {
      p.mutable_grad() = torch::tensor({grads[t - 1][0], grads[t - 1][1], grads[t - 1][2]}, dtype);
      adam.Step();
      const double step = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
      for (int i = 0; i < 3; ++i) {
        const double g = grads[t - 1][i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        x[i] -= step * m[i] / (std::sqrt(v[i]) + eps);
        EXPECT_NEAR(p[i].item<double>(), x[i], tol) << "t=" << t << " i=" << i;
      }
    }
    EXPECT_EQ(adam.step_count(), 3);
    // A missing gradient is a zero gradient: momentum still moves the parameter.
    p.mutable_grad().reset();
    const double before = p[0].item<double>();
    adam.Step();
    EXPECT_NE(p[0].item<double>(), before);
  }
}

TEST(TfAdamTest, ClipGradNormScalesToTheGlobalNorm) {
  torch::Tensor a = torch::zeros({2}).requires_grad_(true);
  torch::Tensor b = torch::zeros({1}).requires_grad_(true);
  torch::Tensor none = torch::zeros({3}).requires_grad_(true);  // no gradient: skipped
  TfAdam adam({a, b, none}, 0.1, 0.9, 0.999, 1e-7);
  a.mutable_grad() = torch::tensor({3.0f, 4.0f});
  b.mutable_grad() = torch::tensor({12.0f});  // global norm 13
  adam.ClipGradNorm(26.0);                    // above the norm: unchanged
  EXPECT_TRUE(torch::allclose(a.grad(), torch::tensor({3.0f, 4.0f})));
  adam.ClipGradNorm(1.3);
  EXPECT_TRUE(torch::allclose(a.grad(), torch::tensor({0.3f, 0.4f}), 1e-5));
  EXPECT_TRUE(torch::allclose(b.grad(), torch::tensor({1.2f}), 1e-5));
  EXPECT_FALSE(none.grad().defined());
  a.mutable_grad().zero_();
  b.mutable_grad().zero_();
  adam.ClipGradNorm(1.0);  // a zero gradient stays zero, not NaN
  EXPECT_EQ(a.grad().abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(b.grad().abs().sum().item<float>(), 0.0f);
}

// The step a captured update takes (its step size read from a tensor) is the
// eager step.
TEST(TfAdamTest, StepWithStepSizeMatchesStep) {
  torch::manual_seed(4);
  std::vector<torch::Tensor> a = {torch::randn({3, 5}), torch::randn({7})};
  std::vector<torch::Tensor> b;
  for (torch::Tensor& t : a) {
    t.requires_grad_(true);
    b.push_back(t.detach().clone().requires_grad_(true));
  }
  const std::vector<torch::Tensor> start = {a[0].detach().clone(), a[1].detach().clone()};
  TfAdam eager(a, 3e-4, 0.9, 0.999, 1e-7);
  TfAdam graphed(b, 3e-4, 0.9, 0.999, 1e-7);
  for (int t = 0; t < 3; ++t) {
    for (size_t i = 0; i < a.size(); ++i) {
      a[i].mutable_grad() = torch::randn(a[i].sizes());
      b[i].mutable_grad() = a[i].grad().clone();
    }
    eager.Step();
    graphed.StepWithStepSize(torch::tensor(graphed.NextStepSize(), torch::kFloat));
    graphed.CountStep();
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_TRUE(torch::allclose(a[i], b[i], /*rtol=*/1e-6, /*atol=*/1e-7)) << "t=" << t;
      EXPECT_FALSE(torch::equal(b[i], start[i])) << "t=" << t;
    }
  }
  EXPECT_EQ(graphed.step_count(), 3);
}

// ---------------------------------------------------------------------------
// Checkpoints

std::string TempPath(const std::string& name) {
  return testing::TempDir() + "/paco_" + std::to_string(::getpid()) + "_" + name;
}

TEST(CheckpointTest, Crc32KnownValue) {
  const std::string s = "123456789";
  EXPECT_EQ(Crc32(s.data(), s.size()), 0xCBF43926u);
  const std::string long_text(1000, 'x');
  uint32_t split = Crc32(long_text.data(), 333);
  split = Crc32(long_text.data() + 333, 667, split);
  EXPECT_EQ(split, Crc32(long_text.data(), 1000));
}

// Found by fuzz/paco_checkpoint_fuzzer.cc: a record's size was computed as a
// product that wraps around 2^64, so a float32 record of shape [2^62, 4]
// passed with no data at all, and a reader that trusts shape and data to
// agree (Learner::Load hands both to torch::from_blob) would read past it.
TEST(CheckpointTest, ShapeWhoseSizeWrapsAroundIsDamage) {
  std::string payload;
  auto put = [&payload](auto v) { payload.append(reinterpret_cast<const char*>(&v), sizeof(v)); };
  put(uint32_t{1});  // records
  put(uint32_t{1});  // name length
  payload += "x";
  put(static_cast<uint8_t>(RecordType::kFloat32));
  put(uint8_t{2});  // rank
  put(int64_t{1} << 62);
  put(int64_t{4});
  put(uint64_t{0});  // data bytes
  std::string file = "TACOPACO";
  const uint32_t version = 1;
  const uint64_t payload_bytes = payload.size();
  const uint32_t crc = Crc32(payload.data(), payload.size());
  file.append(reinterpret_cast<const char*>(&version), 4);
  file.append(reinterpret_cast<const char*>(&payload_bytes), 8);
  file += payload;
  file.append(reinterpret_cast<const char*>(&crc), 4);
  file += "END!";
  const std::string path = TempPath("wrapped.ckpt");
  std::ofstream(path, std::ios::binary) << file;
  auto records = ReadCheckpointFile(path);
  std::remove(path.c_str());
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(records.status().message().find("bad shape of record 'x'"), std::string::npos);
}

// On the host: max|x − y| ≤ tol·max|y|, or equality where tol is 0 (learners
// on different devices add up in different orders).
testing::AssertionResult Close(const torch::Tensor& x, const torch::Tensor& y, double tol) {
  torch::Tensor a = x.detach().cpu(), b = y.detach().cpu();
  if (a.sizes() != b.sizes()) return testing::AssertionFailure() << "shapes differ";
  if (tol == 0) {
    return torch::equal(a, b) ? testing::AssertionSuccess()
                              : testing::AssertionFailure() << "not equal";
  }
  const double diff = (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
  const double scale = b.abs().max().item<double>();
  if (diff <= tol * scale) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << "max difference " << diff << " above " << tol << " × " << scale;
}

void ExpectSameState(Learner& a, Learner& b, double tol = 0) {
  auto pa = AllParams(a), pb = AllParams(b);
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(Close(pa[i], pb[i], tol)) << "param " << i;
  auto ta = a.target_critic()->parameters(), tb = b.target_critic()->parameters();
  for (size_t i = 0; i < ta.size(); ++i) EXPECT_TRUE(Close(ta[i], tb[i], tol)) << "target " << i;
  auto same_opt = [tol](TfAdam& x, TfAdam& y) {
    EXPECT_EQ(x.step_count(), y.step_count());
    for (size_t i = 0; i < x.first_moments().size(); ++i) {
      EXPECT_TRUE(Close(x.first_moments()[i], y.first_moments()[i], tol)) << "m " << i;
      EXPECT_TRUE(Close(x.second_moments()[i], y.second_moments()[i], tol)) << "v " << i;
    }
  };
  same_opt(a.actor_optimizer(), b.actor_optimizer());
  same_opt(a.critic_optimizer(), b.critic_optimizer());
  same_opt(a.alpha_optimizer(), b.alpha_optimizer());
  if (a.w_optimizer()) same_opt(*a.w_optimizer(), *b.w_optimizer());
  EXPECT_EQ(a.num_updates(), b.num_updates());
  EXPECT_EQ(a.MaskCounts(), b.MaskCounts());
  EXPECT_EQ(a.ResetCounts(), b.ResetCounts());
}

TEST(CheckpointTest, RoundTrip) {
  PacoOptions o = SmallOptions();
  auto a = MakeLearner(o);
  TransitionBatch masked = MakeBatch({0, 1, 2, 3}, 13);
  masked.reward[1] = 3e3;  // gives task 1 a mask-out and a reset to count
  ASSERT_TRUE(a->Update(masked).ok());
  ASSERT_TRUE(a->Update(MakeBatch({0, 1, 2, 3, 3}, 14)).ok());
  const std::string path = TempPath("roundtrip.ckpt");
  ASSERT_TRUE(a->Save(path).ok());
  std::ifstream tmp(path + ".tmp." + std::to_string(::getpid()));
  EXPECT_FALSE(tmp.good());  // the temporary file was renamed away

  o.seed = 999;  // a different initialisation, fully replaced by Load
  auto b = MakeLearner(o);
  Status s = b->Load(path);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectSameState(*a, *b);
  EXPECT_EQ(b->MaskCounts(), (std::vector<int64_t>{0, 1, 0, 0}));
  auto opts = Learner::ReadCheckpointOptions(path);
  ASSERT_TRUE(opts.ok());
  EXPECT_EQ(opts->seed, 11u);
  std::remove(path.c_str());
}

TEST(CheckpointTest, DamagedOrMismatchedIsRejected) {
  auto a = MakeLearner(SmallOptions());
  ASSERT_TRUE(a->Update(MakeBatch({0, 1}, 15)).ok());
  const std::string path = TempPath("damaged.ckpt");
  ASSERT_TRUE(a->Save(path).ok());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto write = [&path](const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  };
  auto b = MakeLearner(SmallOptions());
  torch::Tensor w_before = b->task_weights().detach().clone();

  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  write(flipped);
  Status s = b->Load(path);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s.message();

  write(bytes.substr(0, bytes.size() - 100));
  s = b->Load(path);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();

  write("not a checkpoint at all, but long enough to have a header");
  EXPECT_EQ(b->Load(path).code(), StatusCode::kDataLoss);
  EXPECT_EQ(b->Load(path + ".missing").code(), StatusCode::kNotFound);
  EXPECT_TRUE(torch::equal(b->task_weights(), w_before));  // untouched by failed loads

  write(bytes);
  PacoOptions other = SmallOptions();
  other.num_components = 2;
  auto c = MakeLearner(other);
  s = c->Load(path);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("num_components"), std::string::npos) << s.message();
  auto d = MakeLearner(SmallOptions(Algorithm::kMtSac));
  s = d->Load(path);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("algorithm"), std::string::npos) << s.message();
  EXPECT_TRUE(b->Load(path).ok());
  std::remove(path.c_str());
}

// Stopping after an update, saving and resuming in a fresh learner gives the
// same next update, bit for bit, as carrying on (same random draws included).
TEST(CheckpointTest, ResumeGivesSameNextUpdate) {
  for (Algorithm algorithm : {Algorithm::kPaco, Algorithm::kMhSac}) {
    SCOPED_TRACE(AlgorithmName(algorithm));
    PacoOptions o = SmallOptions(algorithm);
    auto a = MakeLearner(o);
    ASSERT_TRUE(a->Update(MakeBatch({0, 1, 2, 3, 1}, 16)).ok());
    const std::string path = TempPath("resume.ckpt");
    ASSERT_TRUE(a->Save(path).ok());
    TransitionBatch next = MakeBatch({3, 3, 0, 2, 1, 0}, 17);
    next.reward[0] = 4e3;  // a mask-out and a random reset in the next update
    UpdateStats sa, sb;
    ASSERT_TRUE(a->Update(next, &sa).ok());

    o.seed = 4242;
    auto b = MakeLearner(o);
    ASSERT_TRUE(b->Load(path).ok());
    ASSERT_TRUE(b->Update(next, &sb).ok());
    EXPECT_EQ(sa.loss, sb.loss);
    EXPECT_EQ(sa.task_reset, sb.task_reset);
    ExpectSameState(*a, *b);
    std::remove(path.c_str());
  }
}

// ---------------------------------------------------------------------------
// Baselines and stats

TEST(BaselineLearnerTest, MtSacAndMhSacTrainWithoutW) {
  for (Algorithm algorithm : {Algorithm::kMtSac, Algorithm::kMhSac}) {
    SCOPED_TRACE(AlgorithmName(algorithm));
    auto l = MakeLearner(SmallOptions(algorithm));
    EXPECT_FALSE(l->task_weights().defined());
    EXPECT_EQ(l->w_optimizer(), nullptr);
    TransitionBatch batch = MakeBatch({0, 1, 2, 3}, 18);
    batch.reward[0] = 5e3;  // no mask-out for the baselines
    UpdateStats stats;
    ASSERT_TRUE(l->Update(batch, &stats).ok());
    EXPECT_EQ(stats.num_masked, 0);
    EXPECT_TRUE(std::isfinite(stats.loss));
    NamedTensors exported = l->ExportActorParameters();
    for (const auto& [name, t] : exported) EXPECT_NE(name, "task_weights");
  }
}

TEST(LearnerTest, StatsDescribeTheUpdate) {
  auto l = MakeLearner(SmallOptions());
  UpdateStats stats;
  ASSERT_TRUE(l->Update(MakeBatch({0, 0, 1, 3, 3, 3}, 19), &stats).ok());
  EXPECT_EQ(stats.update, 1);
  EXPECT_EQ(stats.task_samples, (std::vector<int64_t>{2, 1, 0, 3}));
  EXPECT_TRUE(std::isnan(stats.task_loss[2]));
  EXPECT_TRUE(std::isnan(stats.task_entropy[2]));
  EXPECT_TRUE(std::isfinite(stats.task_loss[0]));
  EXPECT_TRUE(std::isfinite(stats.entropy));
  EXPECT_TRUE(std::isfinite(stats.q_mean));
  EXPECT_GT(stats.critic_loss, 0.0);
  EXPECT_EQ(stats.num_masked, 0);
  // The scalar loss is Σ_τ L_τ here (no step is LAST).
  double sum = 0;
  for (int t = 0; t < 4; ++t) {
    if (!std::isnan(stats.task_loss[t])) sum += stats.task_loss[t];
  }
  EXPECT_NEAR(stats.loss, sum, 1e-4 * (1 + std::abs(sum)));
}

// ---------------------------------------------------------------------------
// Devices: one update must mean the same on the CPU and on CUDA. Tests that
// need CUDA skip without it; the noise injection they rely on is tested here
// on the CPU.

// Every loss term of two evaluations of one batch, within `tol` (the masks
// exactly).
void ExpectSameLossTerms(const LossTerms& got, const LossTerms& ref, double tol) {
  EXPECT_TRUE(Close(got.loss, ref.loss, tol));
  EXPECT_TRUE(Close(got.log_prob, ref.log_prob, tol));
  EXPECT_TRUE(Close(got.q, ref.q, tol));
  EXPECT_TRUE(Close(got.target, ref.target, tol));
  EXPECT_TRUE(Close(got.actor_loss, ref.actor_loss, tol));
  EXPECT_TRUE(Close(got.alpha_loss, ref.alpha_loss, tol));
  EXPECT_TRUE(Close(got.critic_loss, ref.critic_loss, tol));
  EXPECT_TRUE(Close(got.task_loss, ref.task_loss, tol));
  EXPECT_TRUE(Close(got.masked, ref.masked, 0));
}

// Every case the loss tells apart: an absent task (2), a terminal and a
// truncated step and, with `with_masked`, a task over ε (3).
TransitionBatch MixedBatch(uint64_t seed, bool with_masked) {
  const std::vector<int64_t> tasks = {0, 3, 1, 0, 3, 3, 1, 0, 0, 3, 1, 0};
  TransitionBatch batch = MakeBatch(tasks, seed);
  batch.terminal[3] = true;
  batch.truncated[6] = true;
  for (size_t i = 0; with_masked && i < tasks.size(); ++i) {
    if (tasks[i] == 3) batch.reward[static_cast<int64_t>(i)] = 2e3;
  }
  return batch;
}

PacoOptions DeviceOptions(Algorithm algorithm, const std::string& device) {
  PacoOptions o = SmallOptions(algorithm);
  o.identical_component_init = false;  // distinct components: W and Φ both matter
  o.device = device;
  return o;
}

TEST(DeviceTest, InjectedPolicyNoiseReplacesTheDraw) {
  const PacoOptions o = DeviceOptions(Algorithm::kPaco, "cpu");
  auto a = MakeLearner(o);
  auto b = MakeLearner(o);
  const TransitionBatch batch = MixedBatch(30, /*with_masked=*/true);
  // b's generator moves on; the injected noise makes it draw nothing.
  ASSERT_TRUE(b->ComputeLossAndGradients(MixedBatch(31, false)).ok());
  auto drawn = a->ComputeLossAndGradients(batch);
  ASSERT_TRUE(drawn.ok());
  auto injected = b->ComputeLossAndGradients(batch, drawn->noise);
  ASSERT_TRUE(injected.ok()) << injected.status().ToString();
  EXPECT_TRUE(torch::equal(injected->noise, drawn->noise));
  EXPECT_TRUE(torch::equal(injected->loss, drawn->loss));
  auto ga = GradsOf(AllParams(*a)), gb = GradsOf(AllParams(*b));
  for (size_t i = 0; i < ga.size(); ++i) EXPECT_TRUE(torch::equal(ga[i], gb[i])) << "grad " << i;
  // The noise is used: zero noise is the mean action, another loss.
  auto zero = b->ComputeLossAndGradients(batch, torch::zeros_like(drawn->noise));
  ASSERT_TRUE(zero.ok());
  EXPECT_NE(zero->loss.item<double>(), drawn->loss.item<double>());
  // One update each from the same noise (no task masked, so no random
  // reset): the same state.
  const TransitionBatch clean = MixedBatch(32, /*with_masked=*/false);
  torch::Tensor noise = torch::randn({2 * clean.obs.size(0), o.action_dim});
  ASSERT_TRUE(a->Update(clean, nullptr, noise).ok());
  ASSERT_TRUE(b->Update(clean, nullptr, noise).ok());
  ExpectSameState(*a, *b);
  // Bad noise is refused by name and changes nothing.
  torch::Tensor before = a->log_alpha().detach().clone();
  for (const torch::Tensor& bad :
       {torch::zeros({clean.obs.size(0), o.action_dim}), torch::zeros({2 * clean.obs.size(0), 3}),
        torch::zeros({2 * clean.obs.size(0), o.action_dim}, torch::kInt64),
        torch::full({2 * clean.obs.size(0), o.action_dim}, NAN)}) {
    Status s = a->Update(clean, nullptr, bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find("policy_noise"), std::string::npos) << s.ToString();
  }
  EXPECT_EQ(a->num_updates(), 1);
  EXPECT_TRUE(torch::equal(a->log_alpha().detach(), before));
}

TEST(DeviceTest, CudaWhenAvailable) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  PacoOptions o = SmallOptions();
  o.device = "auto";
  auto l = MakeLearner(o);
  EXPECT_TRUE(l->device().is_cuda());
  UpdateStats stats;
  ASSERT_TRUE(l->Update(MakeBatch({0, 1, 2, 3}, 20), &stats).ok());
  EXPECT_TRUE(std::isfinite(stats.loss));
}

// Same seed, same networks on both devices (initialised on the CPU); from
// the same noise every loss term and every gradient agree, for each
// algorithm and both PaCo compute paths.
TEST(DeviceTest, CudaLossAndGradientsMatchCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  struct Case {
    Algorithm algorithm;
    ComputePath path;
  };
  for (const Case c : {Case{Algorithm::kPaco, ComputePath::kComposed},
                       Case{Algorithm::kPaco, ComputePath::kOutputSpace},
                       Case{Algorithm::kMtSac, ComputePath::kComposed},
                       Case{Algorithm::kMhSac, ComputePath::kComposed}}) {
    SCOPED_TRACE(std::string(AlgorithmName(c.algorithm)) + " " + ComputePathName(c.path));
    PacoOptions o = DeviceOptions(c.algorithm, "cpu");
    o.compute_path = c.path;
    auto cpu = MakeLearner(o);
    o.device = "cuda";
    auto cuda = MakeLearner(o);
    ASSERT_TRUE(cuda->device().is_cuda());
    const TransitionBatch batch = MixedBatch(33, /*with_masked=*/true);
    auto ref = cpu->ComputeLossAndGradients(batch);
    ASSERT_TRUE(ref.ok());
    auto got = cuda->ComputeLossAndGradients(batch, ref->noise.to(torch::kCUDA));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(got->loss.is_cuda());
    ExpectSameLossTerms(*got, *ref, 1e-4);
    if (c.algorithm == Algorithm::kPaco) {
      EXPECT_EQ(ref->masked.to(torch::kInt64).sum().item<int64_t>(), 1);  // task 3
    }
    auto gc = GradsOf(AllParams(*cpu)), gg = GradsOf(AllParams(*cuda));
    ASSERT_EQ(gc.size(), gg.size());
    for (size_t i = 0; i < gc.size(); ++i) EXPECT_TRUE(Close(gg[i], gc[i], 1e-3)) << "grad " << i;
  }
}

// Several optimizer steps (TF-Adam, Polyak targets, α) from the same noise
// keep the two devices together.
TEST(DeviceTest, CudaUpdatesMatchCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  for (Algorithm algorithm : {Algorithm::kPaco, Algorithm::kMhSac}) {
    SCOPED_TRACE(AlgorithmName(algorithm));
    PacoOptions o = DeviceOptions(algorithm, "cpu");
    auto cpu = MakeLearner(o);
    o.device = "cuda";
    auto cuda = MakeLearner(o);
    for (uint64_t step = 0; step < 3; ++step) {
      const TransitionBatch batch = MixedBatch(40 + step, /*with_masked=*/false);
      torch::Tensor noise = torch::randn({2 * batch.obs.size(0), o.action_dim});
      UpdateStats sc, sg;
      ASSERT_TRUE(cpu->Update(batch, &sc, noise).ok());
      Status s = cuda->Update(batch, &sg, noise);
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_NEAR(sg.loss, sc.loss, 1e-4 * std::abs(sc.loss));
      EXPECT_EQ(sg.task_samples, sc.task_samples);
      EXPECT_EQ(sg.num_masked, 0);
    }
    ExpectSameState(*cuda, *cpu, 1e-3);
  }
}

// TF32 is a CUDA switch: on the CPU a learner with it updates bit for bit as
// one without it.
TEST(DeviceTest, Tf32LeavesCpuUpdatesUnchanged) {
  PacoOptions o = DeviceOptions(Algorithm::kPaco, "cpu");
  auto fp32 = MakeLearner(o);
  o.tf32 = true;
  EXPECT_TRUE(PacoOptions::Parse(o.Serialize())->tf32);
  auto tf32 = MakeLearner(o);
  for (uint64_t step = 0; step < 3; ++step) {
    const TransitionBatch batch = MixedBatch(60 + step, /*with_masked=*/false);
    torch::Tensor noise = torch::randn({2 * batch.obs.size(0), o.action_dim});
    UpdateStats a, b;
    ASSERT_TRUE(fp32->Update(batch, &a, noise).ok());
    ASSERT_TRUE(tf32->Update(batch, &b, noise).ok());
    EXPECT_EQ(a.loss, b.loss);
  }
  ExpectSameState(*tf32, *fp32);
}

// A CPU update through the direct BLAS calls (cpu_kernels.h) equals one through
// ATen's ops: every loss term and gradient, then the whole state after
// updates with a masked task and its w-reset.
TEST(LearnerTest, DirectCpuGemmMatchesAtenOps) {
  if (!DirectCpuGemmAvailable()) GTEST_SKIP() << "no BLAS sgemm in this process";
  const PacoOptions o = DeviceOptions(Algorithm::kPaco, "cpu");
  auto direct = MakeLearner(o);
  auto aten = MakeLearner(o);
  const TransitionBatch batch = MixedBatch(70, /*with_masked=*/true);
  // Injected noise keeps both generators where they are, so the w-reset
  // draws below are the same.
  const torch::Tensor first_noise = torch::randn({2 * batch.obs.size(0), o.action_dim});
  SetDirectCpuGemmEnabled(false);
  auto ref = aten->ComputeLossAndGradients(batch, first_noise);
  SetDirectCpuGemmEnabled(true);
  ASSERT_TRUE(ref.ok());
  auto got = direct->ComputeLossAndGradients(batch, first_noise);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameLossTerms(*got, *ref, 1e-5);
  EXPECT_EQ(ref->masked.to(torch::kInt64).sum().item<int64_t>(), 1);
  auto gd = GradsOf(AllParams(*direct)), ga = GradsOf(AllParams(*aten));
  for (size_t i = 0; i < gd.size(); ++i) EXPECT_TRUE(Close(gd[i], ga[i], 1e-4)) << "grad " << i;
  for (uint64_t step = 0; step < 3; ++step) {
    const TransitionBatch b = MixedBatch(71 + step, /*with_masked=*/step == 1);
    torch::Tensor noise = torch::randn({2 * b.obs.size(0), o.action_dim});
    UpdateStats sd, sa;
    ASSERT_TRUE(direct->Update(b, &sd, noise).ok());
    SetDirectCpuGemmEnabled(false);
    ASSERT_TRUE(aten->Update(b, &sa, noise).ok());
    SetDirectCpuGemmEnabled(true);
    EXPECT_NEAR(sd.loss, sa.loss, 1e-5 * std::abs(sa.loss));
    EXPECT_EQ(sd.task_reset, sa.task_reset);
  }
  EXPECT_EQ(direct->ResetCounts()[3], 1);  // the masked task was reset
  ExpectSameState(*direct, *aten, 1e-4);
}

// On CUDA the learner sets LibTorch's TF32 switches from its options, and
// TF32 updates stay near the FP32 ones (a 10-bit mantissa in the products).
TEST(DeviceTest, Tf32OnCudaFollowsTheOption) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  PacoOptions o = DeviceOptions(Algorithm::kPaco, "cuda");
  auto fp32 = MakeLearner(o);
  EXPECT_FALSE(at::globalContext().allowTF32CuBLAS());
  o.tf32 = true;
  auto tf32 = MakeLearner(o);
  EXPECT_TRUE(at::globalContext().allowTF32CuBLAS());
  for (uint64_t step = 0; step < 3; ++step) {
    const TransitionBatch batch = MixedBatch(64 + step, /*with_masked=*/false);
    torch::Tensor noise = torch::randn({2 * batch.obs.size(0), o.action_dim});
    UpdateStats a, b;
    at::globalContext().setAllowTF32CuBLAS(false);
    ASSERT_TRUE(fp32->Update(batch, &a, noise).ok());
    at::globalContext().setAllowTF32CuBLAS(true);
    ASSERT_TRUE(tf32->Update(batch, &b, noise).ok());
    EXPECT_NEAR(b.loss, a.loss, 1e-2 * (1 + std::abs(a.loss)));
  }
  ExpectSameState(*tf32, *fp32, 1e-2);
  at::globalContext().setAllowTF32CuBLAS(false);
}

TEST(DeviceTest, CudaGraphRunnerNeedsACudaDevice) {
  auto runner = CudaGraphRunner::Create(c10::Device(c10::kCPU));
  ASSERT_FALSE(runner.ok());
  // INVALID_ARGUMENT with a CUDA LibTorch, UNIMPLEMENTED without one.
  EXPECT_NE(runner.status().message().find("CUDA"), std::string::npos)
      << runner.status().ToString();
  PacoOptions o = SmallOptions();
  o.cuda_graphs = false;
  EXPECT_EQ(PacoOptions::Parse(o.Serialize())->cuda_graphs, false);
}

// Two CUDA learners alike but for cuda_graphs: off, on.
class CudaGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
    PacoOptions options = o;
    options.cuda_graphs = false;
    eager_ = MakeLearner(options);
    options.cuda_graphs = true;
    graphed_ = MakeLearner(options);
  }

  const PacoOptions o = DeviceOptions(Algorithm::kPaco, "cuda");
  std::unique_ptr<Learner> eager_;
  std::unique_ptr<Learner> graphed_;
};

// Updates replayed from a captured CUDA graph (two eager warm-ups, the
// capture, then replays) change the learner as eager updates do, from the
// same noise; a second batch layout gets a graph of its own.
TEST_F(CudaGraphTest, UpdatesMatchEagerUpdates) {
  Learner& eager = *eager_;
  Learner& graphed = *graphed_;
  auto step = [&](const TransitionBatch& batch) {
    torch::Tensor noise = torch::randn({2 * batch.obs.size(0), o.action_dim});
    UpdateStats se, sg;
    ASSERT_TRUE(eager.Update(batch, &se, noise).ok());
    Status s = graphed.Update(batch, &sg, noise);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_NEAR(sg.loss, se.loss, 1e-4 * (1 + std::abs(se.loss)));
    EXPECT_EQ(sg.task_samples, se.task_samples);
    EXPECT_EQ(sg.update, se.update);
    for (int64_t t = 0; t < o.num_tasks; ++t) {
      if (se.task_samples[t] > 0) {
        EXPECT_NEAR(sg.task_loss[t], se.task_loss[t], 1e-4 * (1 + std::abs(se.task_loss[t])));
      }
    }
  };
  for (uint64_t i = 0; i < 6; ++i) step(MixedBatch(70 + i, /*with_masked=*/false));
  ExpectSameState(graphed, eager, 1e-3);
  for (uint64_t i = 0; i < 4; ++i) step(MakeBatch({0, 1, 1, 2, 3, 3, 3, 0}, 80 + i));
  for (uint64_t i = 0; i < 2; ++i) step(MixedBatch(90 + i, /*with_masked=*/false));
  ExpectSameState(graphed, eager, 1e-3);
  EXPECT_EQ(graphed.actor_optimizer().step_count(), 12);
}

// Without injected noise a replay draws from the learner's generator, as an
// eager update of the same learner would.
TEST_F(CudaGraphTest, ReplaysDrawWhatEagerUpdatesDraw) {
  Learner& eager = *eager_;
  Learner& graphed = *graphed_;
  for (uint64_t i = 0; i < 6; ++i) {
    const TransitionBatch batch = MixedBatch(100 + i, /*with_masked=*/i % 2 == 0);
    UpdateStats se, sg;
    ASSERT_TRUE(eager.Update(batch, &se).ok());
    ASSERT_TRUE(graphed.Update(batch, &sg).ok());
    EXPECT_NEAR(sg.loss, se.loss, 1e-3 * (1 + std::abs(se.loss))) << "update " << i;
    EXPECT_EQ(sg.task_reset, se.task_reset) << "update " << i;
  }
  ExpectSameState(graphed, eager, 1e-3);
}

// Mask-out and w-reset run on the device without host synchronisation, in
// the eager warm-ups and in graph replays alike: the masked task's w becomes
// a convex combination of the others at every update (the CPU test's
// outcome), and the counts go on.
TEST(DeviceTest, CudaGraphMaskOutAndWReset) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  PacoOptions o = SmallOptions();
  o.device = "cuda";
  o.num_components = 5;
  o.w_lr = 0.0;
  auto l = MakeLearner(o);
  for (int64_t i = 0; i < 5; ++i) {  // two warm-ups, the capture, two replays
    SCOPED_TRACE("update " + std::to_string(i));
    torch::Tensor w_old = l->task_weights().detach().cpu().clone();
    UpdateStats stats;
    ASSERT_TRUE(l->Update(MixedBatch(110 + static_cast<uint64_t>(i), true), &stats).ok());
    EXPECT_EQ(stats.task_masked, (std::vector<bool>{false, false, false, true}));
    EXPECT_EQ(stats.task_reset, (std::vector<bool>{false, false, false, true}));
    EXPECT_EQ(l->MaskCounts(), (std::vector<int64_t>{0, 0, 0, i + 1}));
    EXPECT_EQ(l->ResetCounts(), (std::vector<int64_t>{0, 0, 0, i + 1}));
    torch::Tensor w_new = l->task_weights().detach().cpu();
    for (int64_t t : {0, 1, 2}) EXPECT_TRUE(torch::equal(w_new.select(1, t), w_old.select(1, t)));
    auto [beta, residual] = SolveCombination(w_old, {0, 1, 2}, w_new.select(1, 3));
    EXPECT_LT(residual, 1e-5);
    EXPECT_GE(beta.min().item<double>(), -1e-5);
    EXPECT_NEAR(beta.sum().item<double>(), 1.0, 1e-5);
  }
}

// A checkpoint written on one device loads on the other with every tensor
// intact, and training goes on alike from there.
TEST(DeviceTest, CheckpointsMoveBetweenCpuAndCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  PacoOptions o = DeviceOptions(Algorithm::kPaco, "cuda");
  auto cuda = MakeLearner(o);
  ASSERT_TRUE(cuda->Update(MixedBatch(60, /*with_masked=*/true)).ok());
  ASSERT_TRUE(cuda->Update(MixedBatch(61, /*with_masked=*/false)).ok());
  const std::string from_cuda = TempPath("from_cuda.ckpt");
  ASSERT_TRUE(cuda->Save(from_cuda).ok());

  o.device = "cpu";
  o.seed = 777;  // other initial networks: everything must come from the file
  auto cpu = MakeLearner(o);
  Status s = cpu->Load(from_cuda);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectSameState(*cuda, *cpu);

  const std::string from_cpu = TempPath("from_cpu.ckpt");
  ASSERT_TRUE(cpu->Save(from_cpu).ok());
  o.device = "cuda";
  auto back = MakeLearner(o);
  s = back->Load(from_cpu);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectSameState(*back, *cpu);
  // What actors receive: CPU float32 copies, the same from either device.
  const NamedTensors from_gpu = back->ExportActorParameters();
  const NamedTensors from_host = cpu->ExportActorParameters();
  ASSERT_EQ(from_gpu.size(), from_host.size());
  for (size_t i = 0; i < from_gpu.size(); ++i) {
    EXPECT_EQ(from_gpu[i].first, from_host[i].first);
    EXPECT_TRUE(from_gpu[i].second.device().is_cpu()) << from_gpu[i].first;
    EXPECT_EQ(from_gpu[i].second.scalar_type(), torch::kFloat) << from_gpu[i].first;
    EXPECT_TRUE(torch::equal(from_gpu[i].second, from_host[i].second)) << from_gpu[i].first;
  }

  const TransitionBatch next = MixedBatch(62, /*with_masked=*/false);
  torch::Tensor noise = torch::randn({2 * next.obs.size(0), o.action_dim});
  ASSERT_TRUE(cpu->Update(next, nullptr, noise).ok());
  ASSERT_TRUE(back->Update(next, nullptr, noise).ok());
  ExpectSameState(*back, *cpu, 1e-3);
  std::remove(from_cuda.c_str());
  std::remove(from_cpu.c_str());
}

}  // namespace
}  // namespace paco
