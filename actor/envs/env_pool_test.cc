#include "actor/envs/env_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>
#include <vector>

#include "actor/envs/task_registry.h"

namespace taco::envs {
namespace {

// The AllTasks() index that the pool reports for a task.
int IndexOf(std::string_view task) {
  const absl::Span<const TaskDef* const> all = AllTasks();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i]->name == task) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no task " << task;
  return -1;
}

EnvPoolConfig MixedConfig(int threads) {
  EnvPoolConfig config;
  config.tasks = {"reach-v2", "door-open-v2", "push-v2", "lever-pull-v2"};
  config.env.max_episode_steps = 30;
  config.env.seed = 5;
  config.num_threads = threads;
  return config;
}

std::vector<double> Actions(int n, int t) {
  std::vector<double> a(n * kActionDim);
  for (size_t k = 0; k < a.size(); ++k) a[k] = std::sin(0.1 * t + k);
  return a;
}

TEST(EnvPoolTest, StepsMixedTasksWithTaskIdsAndAutoReset) {
  auto pool = EnvPool::Create(MixedConfig(2)).value();
  ASSERT_EQ(pool->size(), 4);
  EXPECT_EQ(pool->task_ids(), (std::vector<int>{IndexOf("reach-v2"), IndexOf("door-open-v2"),
                                                IndexOf("push-v2"), IndexOf("lever-pull-v2")}));
  std::vector<double> obs;
  ASSERT_TRUE(pool->Reset(&obs).ok());
  ASSERT_EQ(obs.size(), 4u * kObsDim);
  PoolStep out;
  for (int t = 1; t <= 30; ++t) {
    ASSERT_TRUE(pool->Step(Actions(4, t), &out).ok());
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(out.task_id[i], pool->task_ids()[i]);
      EXPECT_EQ(out.episode_length[i], t);
      EXPECT_EQ(out.done[i], t == 30);
      EXPECT_EQ(out.truncated[i], t == 30);
    }
  }
  // After the time limit each env was reset: obs is a fresh first frame
  // (prev == current) while final_obs is where the episode ended.
  for (int i = 0; i < 4; ++i) {
    const double* o = out.obs.data() + i * kObsDim;
    for (int k = 0; k < 18; ++k) EXPECT_EQ(o[k], o[18 + k]);
    EXPECT_NE(out.final_obs[i * kObsDim], o[0]);
  }
  ASSERT_TRUE(pool->Step(Actions(4, 31), &out).ok());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out.episode_length[i], 1);
}

TEST(EnvPoolTest, DrawsTheTaskOfEachEpisodeFromTheWeights) {
  EnvPoolConfig config;
  config.tasks = {"reach-v2", "reach-v2", "reach-v2"};
  config.task_choices = {"reach-v2", "push-v2", "door-open-v2"};
  config.task_weights = {1.0, 3.0, 0.0};
  config.env.max_episode_steps = 2;
  config.num_threads = 2;
  auto pool = EnvPool::Create(config).value();
  std::vector<double> obs;
  ASSERT_TRUE(pool->Reset(&obs).ok());
  PoolStep out;
  std::map<int, int> episodes;  // task id → episodes started
  for (int t = 0; t < 400; ++t) {
    ASSERT_TRUE(pool->Step(Actions(3, t), &out).ok());
    for (int i = 0; i < 3; ++i) {
      if (!out.done[i]) {
        EXPECT_EQ(out.next_task_id[i], out.task_id[i]);
        continue;
      }
      EXPECT_EQ(out.next_task_id[i], pool->task_ids()[i]);
      ++episodes[out.next_task_id[i]];
      EXPECT_EQ(pool->env(i).name(), AllTasks()[out.next_task_id[i]]->name);
      EXPECT_EQ(pool->env(i).elapsed_steps(), 0);
    }
  }
  const int reach = episodes[IndexOf("reach-v2")], push = episodes[IndexOf("push-v2")],
            door = episodes[IndexOf("door-open-v2")];
  EXPECT_EQ(door, 0) << "weight 0 is never drawn";
  EXPECT_EQ(reach + push, 600);
  EXPECT_NEAR(static_cast<double>(push) / 600.0, 0.75, 0.06);
  ASSERT_TRUE(pool->SetTaskWeights({0.0, 0.0, 1.0}).ok());
  for (int t = 0; t < 4; ++t) ASSERT_TRUE(pool->Step(Actions(3, t), &out).ok());
  const int door_open = IndexOf("door-open-v2");
  EXPECT_EQ(pool->task_ids(), (std::vector<int>{door_open, door_open, door_open}));
  EXPECT_FALSE(pool->SetTaskWeights({1.0}).ok());
  EXPECT_FALSE(pool->SetTaskWeights({0.0, 0.0, 0.0}).ok());
  EXPECT_FALSE(pool->SetTaskWeights({-1.0, 1.0, 1.0}).ok());
}

TEST(EnvPoolTest, TaskDrawsAreReproducible) {
  EnvPoolConfig config;
  config.tasks = {"reach-v2", "push-v2"};
  config.task_choices = {"reach-v2", "push-v2"};
  config.env.max_episode_steps = 3;
  std::vector<std::vector<int>> runs;
  for (int threads : {1, 2}) {
    config.num_threads = threads;
    auto pool = EnvPool::Create(config).value();
    std::vector<double> obs;
    ASSERT_TRUE(pool->Reset(&obs).ok());
    PoolStep out;
    std::vector<int> seen;
    for (int t = 0; t < 60; ++t) {
      ASSERT_TRUE(pool->Step(Actions(2, t), &out).ok());
      seen.insert(seen.end(), out.next_task_id.begin(), out.next_task_id.end());
    }
    runs.push_back(seen);
  }
  EXPECT_EQ(runs[0], runs[1]);
}

// An env that closes the instances of the tasks it is not running and makes
// them again runs the same episodes as one that keeps every instance: the
// goal generator carries over and every reset places the scene anew. Only
// the last bits may differ: a reset settles the hand before it moves the
// fixtures, so the settle sees where the previous episode of that instance
// left them (as in Meta-World), where a new instance has the scene's own
// places. Tasks with fixtures (drawer, window, door) and objects (push).
TEST(EnvPoolTest, ClosedInstancesComeBackWithTheSameEpisodes) {
  auto make = [](int max_parked) {
    EnvPoolConfig config;
    config.tasks = {"reach-v2", "drawer-close-v2"};
    config.task_choices = {"reach-v2", "push-v2", "drawer-close-v2", "window-open-v2",
                           "door-open-v2"};
    config.env.max_episode_steps = 6;
    config.env.seed = 3;
    config.num_threads = 2;
    config.max_parked_per_env = max_parked;
    return EnvPool::Create(config).value();
  };
  auto keep_all = make(4), keep_one = make(1), keep_none = make(0);
  std::vector<double> obs_all, obs_one, obs_none;
  ASSERT_TRUE(keep_all->Reset(&obs_all).ok());
  ASSERT_TRUE(keep_one->Reset(&obs_one).ok());
  ASSERT_TRUE(keep_none->Reset(&obs_none).ok());
  PoolStep all, one, none;
  int switches = 0;
  double largest = 0;
  auto compare = [&largest](const std::vector<double>& a, const std::vector<double>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) largest = std::max(largest, std::abs(a[k] - b[k]));
  };
  for (int t = 0; t < 240; ++t) {
    ASSERT_TRUE(keep_all->Step(Actions(2, t), &all).ok());
    ASSERT_TRUE(keep_one->Step(Actions(2, t), &one).ok());
    ASSERT_TRUE(keep_none->Step(Actions(2, t), &none).ok());
    ASSERT_EQ(all.next_task_id, one.next_task_id) << "step " << t;
    ASSERT_EQ(all.next_task_id, none.next_task_id) << "step " << t;
    ASSERT_EQ(all.success, one.success) << "step " << t;
    ASSERT_EQ(all.success, none.success) << "step " << t;
    for (const auto* other : {&one, &none}) {
      compare(all.obs, other->obs);
      compare(all.reward, other->reward);
    }
    for (int i = 0; i < 2; ++i) switches += all.done[i] && all.next_task_id[i] != all.task_id[i];
  }
  EXPECT_LT(largest, 1e-9);
  // 80 episodes: every task came back to each env after others ran.
  EXPECT_GT(switches, 40);
  EnvPoolConfig bad;
  bad.tasks = {"reach-v2"};
  bad.max_parked_per_env = -1;
  EXPECT_FALSE(EnvPool::Create(bad).ok());
}

TEST(EnvPoolTest, EpisodeStatsAccumulate) {
  auto pool = EnvPool::Create(MixedConfig(1)).value();
  std::vector<double> obs;
  ASSERT_TRUE(pool->Reset(&obs).ok());
  PoolStep out;
  std::vector<double> sum(4, 0);
  for (int t = 1; t <= 30; ++t) {
    ASSERT_TRUE(pool->Step(Actions(4, t), &out).ok());
    for (int i = 0; i < 4; ++i) sum[i] += out.reward[i];
  }
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(out.episode_return[i], sum[i], 1e-9);
}

TEST(EnvPoolTest, ThreadCountDoesNotChangeResults) {
  auto one = EnvPool::Create(MixedConfig(1)).value();
  auto two = EnvPool::Create(MixedConfig(2)).value();
  std::vector<double> obs1, obs2;
  ASSERT_TRUE(one->Reset(&obs1).ok());
  ASSERT_TRUE(two->Reset(&obs2).ok());
  EXPECT_EQ(obs1, obs2);
  PoolStep a, b;
  for (int t = 0; t < 45; ++t) {
    ASSERT_TRUE(one->Step(Actions(4, t), &a).ok());
    ASSERT_TRUE(two->Step(Actions(4, t), &b).ok());
    ASSERT_EQ(a.obs, b.obs);
    ASSERT_EQ(a.reward, b.reward);
  }
}

TEST(EnvPoolTest, BadBatchesAreRejectedBeforeAnyEnvMoves) {
  auto pool = EnvPool::Create(MixedConfig(2)).value();
  std::vector<double> obs;
  ASSERT_TRUE(pool->Reset(&obs).ok());
  PoolStep out;
  EXPECT_EQ(pool->Step(std::vector<double>(15, 0), &out).code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<double> actions(16, 0);
  actions[13] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(pool->Step(actions, &out).code(), absl::StatusCode::kInvalidArgument);
  for (int i = 0; i < pool->size(); ++i) {
    EXPECT_EQ(pool->env(i).elapsed_steps(), 0);
  }
}

TEST(EnvPoolTest, UnknownTaskFailsCreation) {
  EnvPoolConfig config = MixedConfig(2);
  config.tasks.push_back("fly-v2");
  const auto pool = EnvPool::Create(config);
  EXPECT_EQ(pool.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(pool.status().message(), ::testing::HasSubstr("fly-v2"));
}

}  // namespace
}  // namespace taco::envs
