#include "learner/learner_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

TEST(LearnerConfigTest, DefaultConfigGivesTheLearnersDefaults) {
  auto config = ParseRunConfig("{}", "defaults.yaml", {});
  ASSERT_TRUE(config.ok()) << config.status();
  auto options = PacoOptionsFromConfig(*config);
  ASSERT_TRUE(options.ok()) << options.status();
  // Every field, as the checkpoint format writes them.
  EXPECT_EQ(options->Serialize(), paco::PacoOptions().Serialize());
}

TEST(LearnerConfigTest, ShippedMt10ConfigIsThePapersSettings) {
  auto config = LoadRunConfig("configs/mt10.yaml", {}, {});
  ASSERT_TRUE(config.ok()) << config.status();
  auto options = PacoOptionsFromConfig(*config);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->Serialize(), paco::PacoOptions().Serialize());
}

TEST(LearnerConfigTest, ValuesReachTheLearner) {
  auto config = ParseRunConfig(
      "tasks: [reach-v2, push-v2]\n"
      "algorithm: {name: mhsac, num_components: 3, hidden_sizes: [64], adam_epsilon: 1.0e-8,\n"
      "            target_entropy: explicit, target_entropy_value: -3,\n"
      "            loss_aggregation: mean_over_entries, w_reset_weights: l1_uniform,\n"
      "            w_init: simplex, dqda_clipping: 0.5, max_grad_norm: 2}\n"
      "trainer: {batch_size: 64, device: cpu, cuda_graphs: false, tf32: true}\n",
      "values.yaml", {});
  ASSERT_TRUE(config.ok()) << config.status();
  auto o = PacoOptionsFromConfig(*config);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->algorithm, paco::Algorithm::kMhSac);
  EXPECT_EQ(o->num_tasks, 2);
  EXPECT_EQ(o->num_components, 3);
  EXPECT_EQ(o->hidden_sizes, (std::vector<int64_t>{64}));
  EXPECT_DOUBLE_EQ(o->adam_epsilon, 1e-8);
  EXPECT_DOUBLE_EQ(o->TargetEntropy(), -3.0);
  EXPECT_EQ(o->loss_aggregation, paco::LossAggregation::kMeanOverEntries);
  EXPECT_EQ(o->w_reset_weights, paco::WResetWeights::kL1Uniform);
  EXPECT_EQ(o->w_init, paco::WInit::kSimplex);
  EXPECT_EQ(o->dqda_clipping, 0.5);
  EXPECT_EQ(o->max_grad_norm, 2.0);
  EXPECT_EQ(o->batch_size, 64);
  EXPECT_EQ(o->device, "cpu");
  EXPECT_FALSE(o->cuda_graphs);
  EXPECT_TRUE(o->tf32);
}

TEST(LearnerConfigTest, TaskProbabilitiesFollowTheConfig) {
  auto taco_weights = LoadRunConfig("configs/taco-mt10.yaml", {}, {});
  ASSERT_TRUE(taco_weights.ok()) << taco_weights.status();
  auto p = TaskProbabilities(*taco_weights);
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ((*p)[2], 2.0 / 13);  // pick-place
  EXPECT_DOUBLE_EQ((*p)[0], 1.0 / 13);  // reach
  auto online = ParseRunConfig("task_distribution: {kind: online}\n", "o.yaml", {});
  ASSERT_TRUE(online.ok());
  // No groups before the learner's first regrouping.
  auto uniform = TaskProbabilities(*online);
  ASSERT_TRUE(uniform.ok()) << uniform.status();
  EXPECT_EQ(*uniform, std::vector<double>(online->tasks.size(), 1.0 / online->tasks.size()));
}

}  // namespace
}  // namespace taco
