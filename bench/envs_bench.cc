// Env throughput: for every task, env steps/s of one env under a random
// policy, against raw mj_step calls/s ÷ 5 replaying the same controls on the
// same loaded model; then an env pool of all tasks on 1 and 2 threads.
// Prints one JSON object as its last line.
#include <mujoco/mujoco.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "actor/envs/env_pool.h"
#include "actor/envs/task_registry.h"

namespace taco::envs {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

constexpr int kEpisodes = 3;
constexpr int kStepsPerEpisode = 400;

struct TaskFigures {
  std::string task;
  double env_steps_per_s = 0;
  double raw_steps_per_s = 0;
};

// One control as the env applied it: mocap target and gripper ctrl.
struct Control {
  double mocap[3];
  double ctrl[2];
};

TaskFigures MeasureTask(const std::string& task) {
  EnvConfig config;
  config.max_episode_steps = kStepsPerEpisode;
  config.variant_mode = VariantMode::kFreshEachReset;
  std::unique_ptr<SawyerEnv> env = MakeEnv(task, config).value();
  const mjModel* m = env->model();
  NumpyRandom rng(1);
  double env_time = 0;
  double raw_time = 0;
  for (int episode = 0; episode < kEpisodes; ++episode) {
    if (!env->Reset().ok()) std::abort();
    mjData* replay = mj_copyData(nullptr, m, env->data());
    std::vector<Action> actions(kStepsPerEpisode);
    for (Action& a : actions) {
      for (double& x : a) x = rng.Uniform(-1, 1);
    }
    std::vector<Control> controls(kStepsPerEpisode);
    const auto env_start = Clock::now();
    for (int t = 0; t < kStepsPerEpisode; ++t) {
      if (!env->Step(actions[t]).ok()) std::abort();
      // Recording is a few copies, negligible next to 5 physics steps.
      std::copy(env->data()->mocap_pos, env->data()->mocap_pos + 3, controls[t].mocap);
      std::copy(env->data()->ctrl, env->data()->ctrl + 2, controls[t].ctrl);
    }
    env_time += Seconds(env_start);
    const auto raw_start = Clock::now();
    for (const Control& c : controls) {
      std::copy(c.mocap, c.mocap + 3, replay->mocap_pos);
      std::copy(c.ctrl, c.ctrl + 2, replay->ctrl);
      for (int k = 0; k < kFrameSkip; ++k) mj_step(m, replay);
    }
    raw_time += Seconds(raw_start);
    mj_deleteData(replay);
  }
  const double steps = kEpisodes * kStepsPerEpisode;
  return {task, steps / env_time, steps / raw_time};
}

double PoolStepsPerSecond(int threads) {
  EnvPoolConfig config;
  for (int copy = 0; copy < 2; ++copy) {
    for (const std::string& task : TaskNames()) config.tasks.push_back(task);
  }
  config.env.max_episode_steps = kDefaultMaxEpisodeSteps;
  config.num_threads = threads;
  std::unique_ptr<EnvPool> pool = EnvPool::Create(config).value();
  std::vector<double> obs;
  if (!pool->Reset(&obs).ok()) std::abort();
  NumpyRandom rng(2);
  std::vector<double> actions(pool->size() * kActionDim);
  PoolStep out;
  constexpr int kBatches = 300;
  const auto start = Clock::now();
  for (int t = 0; t < kBatches; ++t) {
    for (double& a : actions) a = rng.Uniform(-1, 1);
    if (!pool->Step(actions, &out).ok()) std::abort();
  }
  return kBatches * pool->size() / Seconds(start);
}

int Main() {
  std::printf(
      "envs bench: per task %d episodes x %d random-policy env steps, then "
      "raw mj_step x %d replaying the same controls; pool of %zu envs on 1 "
      "and 2 threads\n",
      kEpisodes, kStepsPerEpisode, kFrameSkip, 2 * TaskNames().size());
  std::vector<std::string> per_task;
  double min_ratio = 1e9;
  double sum_rate = 0;
  for (const std::string& task : TaskNames()) {
    const TaskFigures f = MeasureTask(task);
    const double ratio = f.env_steps_per_s / f.raw_steps_per_s;
    std::printf("  %-24s env %8.0f steps/s  raw %8.0f steps/s  ratio %.3f\n", task.c_str(),
                f.env_steps_per_s, f.raw_steps_per_s, ratio);
    min_ratio = std::min(min_ratio, ratio);
    sum_rate += f.env_steps_per_s;
    per_task.push_back(absl::StrCat("\"", task, "\":{\"env_steps_per_s\":", f.env_steps_per_s,
                                    ",\"raw_steps_per_s\":", f.raw_steps_per_s,
                                    ",\"ratio\":", ratio, "}"));
  }
  const double pool1 = PoolStepsPerSecond(1);
  const double pool2 = PoolStepsPerSecond(2);
  std::printf("  pool: 1 thread %.0f steps/s, 2 threads %.0f steps/s\n", pool1, pool2);
  const int tasks = static_cast<int>(TaskNames().size());
  std::printf("%s\n", absl::StrCat("{\"bench\":\"envs\",\"tasks\":", tasks,
                                   ",\"min_ratio_vs_raw_physics\":", min_ratio,
                                   ",\"mean_env_steps_per_s\":", sum_rate / tasks,
                                   ",\"pool_steps_per_s_1_thread\":", pool1,
                                   ",\"pool_steps_per_s_2_threads\":", pool2,
                                   ",\"pool_scaling_2_threads\":", pool2 / pool1, ",\"per_task\":{",
                                   absl::StrJoin(per_task, ","), "}}")
                          .c_str());
  return 0;
}

}  // namespace
}  // namespace taco::envs

int main() { return taco::envs::Main(); }
