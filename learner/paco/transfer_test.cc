// The transfer phase on the learner side: initialisation from a multi-task
// checkpoint, π_explore's weights, and what each TrainScope leaves alone.
#include "learner/paco/transfer.h"

#include <unistd.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace paco {
namespace {

PacoOptions Small(int64_t tasks, uint64_t seed) {
  PacoOptions o;
  o.num_tasks = tasks;
  o.num_components = 3;
  o.hidden_sizes = {32, 32};
  o.device = "cpu";
  o.seed = seed;
  return o;
}

TransitionBatch Batch(int64_t b, int64_t tasks, uint64_t seed) {
  torch::manual_seed(seed);
  TransitionBatch batch;
  batch.obs = torch::randn({b, 39});
  batch.action = torch::rand({b, 4}) * 2 - 1;
  batch.reward = torch::rand({b});
  batch.next_obs = torch::randn({b, 39});
  batch.terminal = torch::zeros({b}, torch::kBool);
  batch.truncated = torch::zeros({b}, torch::kBool);
  batch.task = torch::arange(b, torch::kInt64).remainder(tasks);
  return batch;
}

std::vector<torch::Tensor> Clone(const std::vector<torch::Tensor>& ts) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& t : ts) out.push_back(t.detach().clone());
  return out;
}

bool AllEqual(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!torch::equal(a[i].detach(), b[i].detach())) return false;
  }
  return true;
}

bool AnyEqual(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (torch::equal(a[i].detach(), b[i].detach())) return true;
  }
  return false;
}

// What LoadTransferSource reads, taken from a learner in memory.
TransferSource SourceOf(const Learner& learner) {
  TransferSource source;
  source.options = learner.options();
  for (auto& [name, t] : learner.ExportActorParameters()) {
    if (name == "task_weights") {
      source.task_weights = t;
    } else {
      source.actor_phi.emplace_back(name, t);
    }
  }
  return source;
}

// A trained-for-a-few-steps 4-task learner saved as the transfer source.
class TransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = std::move(Learner::Create(Small(4, 3))).value();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(source_->Update(Batch(16, 4, i)).ok());
    // One file per process: ctest runs this fixture's tests side by side.
    path_ = testing::TempDir() + "/transfer_source." + std::to_string(getpid()) + ".ckpt";
    ASSERT_TRUE(source_->Save(path_).ok());
  }
  void TearDown() override {
    // The source checkpoint, and the policy checkpoints two tests write beside it.
    for (const char* suffix : {"", ".policy", ".partial"}) {
      std::error_code ignored;
      std::filesystem::remove(path_ + suffix, ignored);
    }
  }

  std::unique_ptr<Learner> source_;
  std::string path_;
};

TEST_F(TransferTest, PolicyPhiIsCopiedCriticsAndNewWStartFresh) {
  auto source = LoadTransferSource(path_);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->task_weights.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_TRUE(torch::equal(source->task_weights, source_->task_weights().detach()));

  auto learner = std::move(Learner::Create(Small(2, 99))).value();
  const auto fresh_critic = Clone(learner->critic()->parameters());
  const torch::Tensor fresh_w = learner->task_weights().detach().clone();
  ASSERT_TRUE(InitializeForTransfer(*source, NewTaskWeights::kRandom, 5, learner.get()).ok());

  EXPECT_TRUE(AllEqual(learner->actor()->parameters(), source_->actor()->parameters()))
      << "the policy's Φ comes from the source";
  EXPECT_TRUE(AllEqual(learner->critic()->parameters(), fresh_critic)) << "critics stay fresh";
  EXPECT_FALSE(AnyEqual(learner->critic()->parameters(), source_->critic()->parameters()));
  EXPECT_TRUE(torch::equal(learner->task_weights().detach(), fresh_w))
      << "random init keeps the fresh learner's own draw";
  EXPECT_EQ(learner->num_updates(), 0);
}

// The best evaluated policy is kept as a policy checkpoint: it reads back
// as the same transfer source as the learner checkpoint it came from.
TEST_F(TransferTest, APolicyCheckpointReadsBackAsTheSameSource) {
  const std::string policy = path_ + ".policy";
  ASSERT_TRUE(SavePolicyCheckpoint(policy, source_->options(), source_->ExportActorParameters(),
                                   source_->num_updates())
                  .ok());
  auto from_policy = LoadTransferSource(policy);
  auto from_learner = LoadTransferSource(path_);
  ASSERT_TRUE(from_policy.ok()) << from_policy.status().ToString();
  ASSERT_TRUE(from_learner.ok());
  EXPECT_TRUE(torch::equal(from_policy->task_weights, from_learner->task_weights));
  ASSERT_EQ(from_policy->actor_phi.size(), from_learner->actor_phi.size());
  for (size_t i = 0; i < from_policy->actor_phi.size(); ++i) {
    EXPECT_EQ(from_policy->actor_phi[i].first, from_learner->actor_phi[i].first);
    EXPECT_TRUE(torch::equal(from_policy->actor_phi[i].second, from_learner->actor_phi[i].second));
  }
  EXPECT_TRUE(Learner::ReadCheckpointOptions(policy).ok());
}

TEST_F(TransferTest, APolicyCheckpointMissingATensorIsRefusedByName) {
  NamedTensors partial = source_->ExportActorParameters();
  const std::string dropped = partial.front().first;
  partial.erase(partial.begin());
  const std::string policy = path_ + ".partial";
  ASSERT_TRUE(SavePolicyCheckpoint(policy, source_->options(), partial, 3).ok());
  auto source = LoadTransferSource(policy);
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find(dropped), std::string::npos)
      << source.status().ToString();
}

TEST(TransferInitTest, ConvexInitIsAConvexCombinationOfTheSourceW) {
  // Two source tasks and K = 3: W_source β = w has one solution β.
  auto two = std::move(Learner::Create(Small(2, 3))).value();
  const TransferSource source = SourceOf(*two);
  auto learner = std::move(Learner::Create(Small(3, 99))).value();
  ASSERT_TRUE(InitializeForTransfer(source, NewTaskWeights::kConvex, 5, learner.get()).ok());
  const torch::Tensor w_new = learner->task_weights().detach();
  const torch::Tensor beta = std::get<0>(torch::linalg_lstsq(source.task_weights, w_new));
  EXPECT_TRUE(torch::allclose(source.task_weights.mm(beta), w_new, 1e-4, 1e-5));
  EXPECT_GE(beta.min().item<float>(), -1e-4f);
  EXPECT_TRUE(torch::allclose(beta.sum(0), torch::ones({3}), 1e-4, 1e-4));
  EXPECT_FALSE(torch::allclose(beta.select(1, 0), beta.select(1, 1)))
      << "each new task draws its own β";
}

TEST_F(TransferTest, NetworkShapeMismatchIsNamed) {
  auto source = LoadTransferSource(path_);
  ASSERT_TRUE(source.ok());
  PacoOptions other = Small(2, 1);
  other.hidden_sizes = {64, 64};
  auto learner = std::move(Learner::Create(other)).value();
  Status s = InitializeForTransfer(*source, NewTaskWeights::kRandom, 5, learner.get());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("hidden_sizes [32, 32]"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("hidden_sizes [64, 64]"), std::string::npos) << s.ToString();
}

TEST_F(TransferTest, MissingOrDamagedSourceIsAnError) {
  EXPECT_FALSE(LoadTransferSource(testing::TempDir() + "/nothing.ckpt").ok());
  const std::string damaged = testing::TempDir() + "/damaged.ckpt";
  std::filesystem::copy_file(path_, damaged, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(damaged, std::filesystem::file_size(damaged) / 2);
  EXPECT_FALSE(LoadTransferSource(damaged).ok());
}

TEST(TransferExplorationTest, BetaColumnsAreOnTheSimplexAndVary) {
  at::Generator gen = at::detail::createCPUGenerator(7);
  const torch::Tensor beta = SimplexColumns(10, 50, gen);
  ASSERT_EQ(beta.sizes(), (std::vector<int64_t>{10, 50}));
  EXPECT_GE(beta.min().item<float>(), 0.0f);
  EXPECT_TRUE(torch::allclose(beta.sum(0), torch::ones({50}), 1e-5, 1e-5));
  EXPECT_FALSE(torch::allclose(beta.select(1, 0), beta.select(1, 1)));
  // Dirichlet(1): each coordinate has mean 1/10.
  const torch::Tensor many = SimplexColumns(10, 20000, gen);
  EXPECT_NEAR(many.mean(1).min().item<float>(), 0.1f, 0.01f);
  EXPECT_NEAR(many.mean(1).max().item<float>(), 0.1f, 0.01f);
}

TEST(TransferExplorationTest, ExplorationPolicyUsesWTildeEqualsWBeta) {
  TransferSource source;
  source.options = Small(3, 1);
  source.task_weights = torch::tensor({{1.f, 0.f, 2.f}, {0.f, 1.f, 2.f}});  // [K=2, T=3]
  source.actor_phi = {{"actor.x", torch::ones({2})}};
  const torch::Tensor beta = torch::tensor({{0.5f, 0.f}, {0.5f, 0.f}, {0.f, 1.f}});  // [3, 2]
  const NamedTensors params = ExplorationParameters(source, beta);
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, "actor.x");
  EXPECT_EQ(params[1].first, "task_weights");
  EXPECT_TRUE(torch::equal(params[1].second, torch::tensor({{0.5f, 2.f}, {0.5f, 2.f}})));
}

TEST(TransferExplorationTest, ExplorationPolicyRedrawsOnlyTheEndedEpisodes) {
  auto learner = std::move(Learner::Create(Small(3, 2))).value();
  const TransferSource source = SourceOf(*learner);
  auto explore = ExplorationPolicy::Create(source.options, source, 4, 11);
  ASSERT_TRUE(explore.ok()) << explore.status().ToString();
  const torch::Tensor before = (*explore)->beta().clone();
  ASSERT_EQ(before.sizes(), (std::vector<int64_t>{3, 4}));
  ASSERT_TRUE((*explore)->Redraw({1, 3}).ok());
  const torch::Tensor after = (*explore)->beta();
  EXPECT_TRUE(torch::equal(after.select(1, 0), before.select(1, 0)));
  EXPECT_TRUE(torch::equal(after.select(1, 2), before.select(1, 2)));
  EXPECT_FALSE(torch::equal(after.select(1, 1), before.select(1, 1)));
  EXPECT_FALSE(torch::equal(after.select(1, 3), before.select(1, 3)));
  auto action = (*explore)->Act(torch::randn({4, 39}));
  ASSERT_TRUE(action.ok()) << action.status().ToString();
  EXPECT_EQ(action->sizes(), (std::vector<int64_t>{4, 4}));
  EXPECT_LE(action->abs().max().item<float>(), 1.0f);
  EXPECT_FALSE((*explore)->Act(torch::randn({3, 39})).ok());
  EXPECT_FALSE((*explore)->Redraw({4}).ok());
}

std::vector<torch::Tensor> OnHost(const std::vector<torch::Tensor>& ts) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& t : ts) out.push_back(t.detach().cpu().clone());
  return out;
}

// A learner on CUDA starts its transfer from a checkpoint written on the CPU,
// and the train scopes hold there too.
TEST_F(TransferTest, CudaLearnerTransfersFromACpuCheckpoint) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto source = LoadTransferSource(path_);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  PacoOptions o = Small(2, 99);
  o.device = "cuda";
  auto learner = std::move(Learner::Create(o)).value();
  ASSERT_TRUE(learner->device().is_cuda());
  Status s = InitializeForTransfer(*source, NewTaskWeights::kConvex, 5, learner.get());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(learner->task_weights().is_cuda());
  EXPECT_TRUE(AllEqual(OnHost(learner->actor()->parameters()), source_->actor()->parameters()));

  learner->set_train_scope(TrainScope::kValueOnly);
  const auto phi = OnHost(learner->actor()->parameters());
  const torch::Tensor w = learner->task_weights().detach().cpu().clone();
  const auto critic = OnHost(learner->critic()->parameters());
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(learner->Update(Batch(16, 2, i)).ok());
  EXPECT_TRUE(AllEqual(OnHost(learner->actor()->parameters()), phi));
  EXPECT_TRUE(torch::equal(learner->task_weights().detach().cpu(), w));
  EXPECT_FALSE(AllEqual(OnHost(learner->critic()->parameters()), critic));

  learner->set_train_scope(TrainScope::kFixedPhi);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(learner->Update(Batch(16, 2, 10 + i)).ok());
  EXPECT_TRUE(AllEqual(OnHost(learner->actor()->parameters()), phi)) << "Φ must not move";
  EXPECT_FALSE(torch::equal(learner->task_weights().detach().cpu(), w)) << "w must train";
}

TEST(TrainScopeTest, ValueOnlyTrainsTheCriticsAlone) {
  auto learner = std::move(Learner::Create(Small(2, 4))).value();
  learner->set_train_scope(TrainScope::kValueOnly);
  const auto actor = Clone(learner->actor()->parameters());
  const auto critic = Clone(learner->critic()->parameters());
  const torch::Tensor w = learner->task_weights().detach().clone();
  const torch::Tensor alpha = learner->log_alpha().detach().clone();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(learner->Update(Batch(16, 2, i)).ok());
  EXPECT_TRUE(AllEqual(learner->actor()->parameters(), actor));
  EXPECT_TRUE(torch::equal(learner->task_weights().detach(), w));
  EXPECT_TRUE(torch::equal(learner->log_alpha().detach(), alpha));
  EXPECT_FALSE(AllEqual(learner->critic()->parameters(), critic));
}

TEST(TrainScopeTest, FixedPhiLeavesPhiUnchangedAndTrainsW) {
  auto learner = std::move(Learner::Create(Small(2, 4))).value();
  learner->set_train_scope(TrainScope::kFixedPhi);
  const auto actor = Clone(learner->actor()->parameters());
  const torch::Tensor w = learner->task_weights().detach().clone();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(learner->Update(Batch(16, 2, i)).ok());
  EXPECT_TRUE(AllEqual(learner->actor()->parameters(), actor)) << "Φ must not move";
  EXPECT_FALSE(torch::equal(learner->task_weights().detach(), w)) << "w must train";

  learner->set_train_scope(TrainScope::kAll);
  ASSERT_TRUE(learner->Update(Batch(16, 2, 9)).ok());
  EXPECT_FALSE(AllEqual(learner->actor()->parameters(), actor)) << "released: Φ trains";
}

}  // namespace
}  // namespace paco
