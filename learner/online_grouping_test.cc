#include "learner/online_grouping.h"

#include <torch/torch.h>

#include <numeric>

#include "common/metrics.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learner/learner_config.h"
#include "learner/paco/learner.h"
#include "learner/paco/networks.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

RunConfig OnlineConfig(const std::string& features) {
  auto config = ParseRunConfig(
      "tasks: [reach-v2, push-v2, pick-place-v2, door-open-v2]\n"
      "algorithm: {num_components: 3, hidden_sizes: [8, 8], identical_component_init: false}\n"
      "trainer: {batch_size: 64, device: cpu}\n"
      "task_distribution:\n"
      "  kind: online\n"
      "  online: {features: " +
          features + ", eps: 0.0, min_samples: 2, regroup_every_updates: 5}\n",
      "online.yaml", {});
  EXPECT_TRUE(config.ok()) << config.status();
  return *config;
}

double GaugeValue(const std::string& name, const std::string& task) {
  return Metrics::Process().Gauge(name, "", {{"task", task}}).Value();
}

TEST(OnlineGroupingTest, RegroupDueEveryIntervalForKindOnlineOnly) {
  RunConfig config = OnlineConfig("theta");
  EXPECT_FALSE(RegroupDue(config, 0));
  EXPECT_FALSE(RegroupDue(config, 4));
  EXPECT_TRUE(RegroupDue(config, 5));
  EXPECT_TRUE(RegroupDue(config, 10));
  config.task_distribution.kind = "uniform";
  EXPECT_FALSE(RegroupDue(config, 5));
}

// The learner processes' path: a learner's exported parameters in, p, the
// log line and the metrics out. Tasks 0 and 2 share w, so they share θ.
TEST(OnlineGroupingTest, RegroupsALearnersTasksAndChangesP) {
  for (const char* features : {"theta", "w"}) {
    SCOPED_TRACE(features);
    const RunConfig config = OnlineConfig(features);
    auto options = PacoOptionsFromConfig(config);
    ASSERT_TRUE(options.ok()) << options.status();
    auto learner = paco::Learner::Create(*options);
    ASSERT_TRUE(learner.ok()) << learner.status().ToString();
    {
      torch::NoGradGuard no_grad;
      torch::Tensor& w = (*learner)->task_weights();
      w.select(1, 2).copy_(w.select(1, 0));
    }
    auto before = TaskProbabilities(config);
    ASSERT_TRUE(before.ok());
    EXPECT_EQ(*before, std::vector<double>(4, 0.25));

    testing::internal::CaptureStderr();
    auto grouping = RegroupTasks(config, (*learner)->ExportActorParameters(), 5);
    const std::string log = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(grouping.ok()) << grouping.status();
    EXPECT_EQ(grouping->p, (std::vector<double>{1.0 / 6, 1.0 / 3, 1.0 / 6, 1.0 / 3}));
    EXPECT_NE(grouping->p, *before);
    EXPECT_NEAR(std::accumulate(grouping->p.begin(), grouping->p.end(), 0.0), 1.0, 1e-12);
    EXPECT_EQ(grouping->group_of_task, (std::vector<int>{0, 1, 0, 2}));
    EXPECT_THAT(log, HasSubstr("task groups at 5 updates"));
    EXPECT_THAT(log, HasSubstr("3 groups: {reach-v2, pick-place-v2} p=0.1667 each; {push-v2} "
                               "p=0.3333; {door-open-v2} p=0.3333"));
    EXPECT_EQ(GaugeValue("taco_task_group", "pick-place-v2"), 0.0);
    EXPECT_EQ(GaugeValue("taco_task_group", "door-open-v2"), 2.0);
    EXPECT_DOUBLE_EQ(GaugeValue("taco_task_probability", "push-v2"), 1.0 / 3);
  }
}

TEST(OnlineGroupingTest, RefusesParametersOfAnotherRun) {
  RunConfig config = OnlineConfig("w");
  auto options = PacoOptionsFromConfig(config);
  ASSERT_TRUE(options.ok());
  options->num_tasks = 3;
  auto learner = paco::Learner::Create(*options);
  ASSERT_TRUE(learner.ok());
  EXPECT_FALSE(RegroupTasks(config, (*learner)->ExportActorParameters(), 5).ok());
  EXPECT_FALSE(RegroupTasks(config, {}, 5).ok());
}

TEST(OnlineGroupingTest, OnlineNeedsPaco) {
  auto config =
      ParseRunConfig("algorithm: {name: mtsac}\ntask_distribution: {kind: online}\n", "m.yaml", {});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("online needs algorithm paco"));
  auto eps =
      ParseRunConfig("task_distribution: {kind: online, online: {eps: 2.5}}\n", "e.yaml", {});
  EXPECT_FALSE(eps.ok());
}

TEST(OnlineGroupingTest, TaskProbabilitiesTravelInTheParameterSet) {
  ParameterSet set;
  set.tasks = {"reach-v2", "push-v2", "pick-place-v2"};
  set.arrays.push_back({"task_weights", {1, 3}, {1, 2, 3}});
  auto none = FindTaskProbabilities(set);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  set.arrays.push_back(TaskProbabilitiesArray({0.25, 0.25, 0.5}));
  auto p = FindTaskProbabilities(set);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ(**p, (std::vector<double>{0.25, 0.25, 0.5}));
  set.tasks.pop_back();
  EXPECT_FALSE(FindTaskProbabilities(set).ok());
  set.tasks.push_back("pick-place-v2");
  set.arrays.back().values[0] = -1.0f;
  EXPECT_FALSE(FindTaskProbabilities(set).ok());
}

// Actors hand the whole broadcast set to PolicyInference: the extra array
// must not stop it installing.
TEST(OnlineGroupingTest, PolicyInferenceIgnoresTheTaskProbabilities) {
  const RunConfig config = OnlineConfig("theta");
  auto options = PacoOptionsFromConfig(config);
  ASSERT_TRUE(options.ok());
  auto learner = paco::Learner::Create(*options);
  ASSERT_TRUE(learner.ok());
  auto inference = paco::PolicyInference::Create(*options);
  ASSERT_TRUE(inference.ok());
  paco::NamedTensors params = (*learner)->ExportActorParameters();
  params.emplace_back(kTaskProbabilitiesArray, torch::full({4}, 0.25f));
  const paco::Status installed = (*inference)->SetParameters(params, 3);
  EXPECT_TRUE(installed.ok()) << installed.ToString();
}

}  // namespace
}  // namespace taco
