// scripts/bench cluster: `taco up` on MT10 with the paper's network sizes for
// two minutes (after a warm-up), against what each side does alone on this
// machine: the same envs stepping random actions, and the learner updating
// on random batches. Names the bottleneck. The last line is one JSON object.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "actor/envs/env_pool.h"
#include "common/metrics_scrape.h"
#include "common/run_config.h"
#include "learner/learner_config.h"
#include "learner/paco/learner.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Steps/s of topology.actors × envs_per_actor MT10 envs under random actions,
// one thread per actor as the actors run.
double EnvOnly(const RunConfig& config, double seconds) {
  envs::EnvPoolConfig pool_config;
  for (int i = 0; i < config.topology.actors * config.topology.envs_per_actor; ++i) {
    pool_config.tasks.push_back(config.tasks[i % config.tasks.size()]);
  }
  pool_config.env.max_episode_steps = config.env.max_episode_steps;
  pool_config.num_threads = config.topology.actors;
  auto pool = envs::EnvPool::Create(pool_config);
  if (!pool.ok()) return 0;
  std::vector<double> obs;
  (void)(*pool)->Reset(&obs);
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> actions((*pool)->size() * envs::kActionDim);
  envs::PoolStep step;
  int64_t steps = 0;
  const auto start = Clock::now();
  while (Seconds(Clock::now() - start) < seconds) {
    for (double& a : actions) a = u(rng);
    (void)(*pool)->Step(actions, &step);
    steps += (*pool)->size();
  }
  return static_cast<double>(steps) / Seconds(Clock::now() - start);
}

double LearnerOnly(const RunConfig& config, double seconds) {
  auto options = PacoOptionsFromConfig(config);
  if (!options.ok()) return 0;
  auto learner = paco::Learner::Create(*options);
  if (!learner.ok()) return 0;
  const int64_t b = config.trainer.batch_size;
  paco::TransitionBatch batch;
  batch.obs = torch::randn({b, 39});
  batch.action = torch::rand({b, 4}) * 2 - 1;
  batch.reward = torch::rand({b}) * 10;
  batch.next_obs = torch::randn({b, 39});
  batch.terminal = torch::zeros({b});
  batch.truncated = torch::zeros({b});
  batch.task = torch::arange(b) % static_cast<int64_t>(config.tasks.size());
  (void)(*learner)->Update(batch);  // warm-up
  int64_t updates = 0;
  const auto start = Clock::now();
  while (Seconds(Clock::now() - start) < seconds) {
    (void)(*learner)->Update(batch);
    ++updates;
  }
  return static_cast<double>(updates) / Seconds(Clock::now() - start);
}

double Sum(const std::string& text, const std::string& name) {
  double total = 0;
  for (const auto& [key, value] : MetricValues(text, name)) total += value;
  return total;
}

struct Snapshot {
  double env_steps = 0, updates = 0, staleness = 0;
};

Snapshot Read(const RunConfig& config) {
  Snapshot s;
  const int base = config.metrics.base_port;
  const std::string learner = ScrapeMetrics(base);
  s.updates = Sum(learner, "taco_learner_updates_total");
  s.staleness = Sum(learner, "taco_learner_staleness_updates");
  for (int i = 0; i < config.topology.actors; ++i) {
    s.env_steps += Sum(ScrapeMetrics(base + 100 + i), "taco_env_steps_total");
  }
  return s;
}

int Main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 120.0;
  const std::string dir = "build/bench-runs/cluster";
  std::filesystem::remove_all(dir);
  const std::vector<std::string> overrides = {"run.name=cluster-bench",
                                              "run.output_dir=" + std::string("build/bench-runs"),
                                              "trainer.eval_episodes_per_task=0"};
  auto config = LoadRunConfig(TACO_SOURCE_DIR "/configs/mt10.yaml", overrides, {});
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  std::printf(
      "cluster bench: taco up on MT10 (paper sizes: hidden [400,400,400], batch %d, K %d), "
      "%d shards, %d actors x %d envs, %.0f s measured after a warm-up; then env-only and "
      "learner-only on this machine\n",
      config->trainer.batch_size, config->algorithm.num_components, config->topology.replay_shards,
      config->topology.actors, config->topology.envs_per_actor, seconds);
  std::fflush(stdout);
  std::vector<std::string> args = {TACO_BINARY, "up", TACO_SOURCE_DIR "/configs/mt10.yaml"};
  for (const std::string& o : overrides) {
    args.push_back("--set");
    args.push_back(o);
  }
  // Warm-up: exploration steps, first batches, first parameter versions.
  const double warmup = 30.0;
  args.push_back("--duration");
  args.push_back(std::to_string(static_cast<int>(warmup + seconds + 5)));
  std::filesystem::create_directories("build/bench-runs");
  Subprocess up(args, "build/bench-runs/cluster-bench-up.log");
  std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  const Snapshot a = Read(*config);
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const Snapshot b = Read(*config);
  const double dt = Seconds(Clock::now() - t0);
  up.Wait(180);
  const double env_rate = (b.env_steps - a.env_steps) / dt;
  const double update_rate = (b.updates - a.updates) / dt;
  std::printf("cluster: %.1f env steps/s, %.2f updates/s, staleness %.1f updates\n", env_rate,
              update_rate, b.staleness);
  std::fflush(stdout);
  const double env_only = EnvOnly(*config, 10.0);
  std::printf("env only: %.1f env steps/s\n", env_only);
  const double learner_only = LearnerOnly(*config, 20.0);
  std::printf("learner only: %.2f updates/s\n", learner_only);
  // At the paper's ratio the learner must do one update per
  // env_steps_per_update env steps: whichever side cannot keep up limits both.
  const double ratio = static_cast<double>(config->trainer.env_steps_per_update);
  const std::string bottleneck = learner_only * ratio < env_only ? "learner" : "envs";
  std::printf(
      "{\"env_steps_per_s\": %.1f, \"updates_per_s\": %.3f, \"mean_staleness_updates\": %.2f, "
      "\"env_fraction_of_env_only\": %.4f, \"env_only_steps_per_s\": %.1f, "
      "\"learner_only_updates_per_s\": %.3f, \"bottleneck\": \"%s\"}\n",
      env_rate, update_rate, b.staleness, env_only > 0 ? env_rate / env_only : 0.0, env_only,
      learner_only, bottleneck.c_str());
  return 0;
}

}  // namespace
}  // namespace taco

int main(int argc, char** argv) { return taco::Main(argc, argv); }
