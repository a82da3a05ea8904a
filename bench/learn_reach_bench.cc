// scripts/bench learn-reach: `train-local` on reach-v2 alone from
// configs/reach.yaml, evaluated every eval interval (deterministic policy,
// eval_episodes_per_task episodes), until the mean success reaches 0.9 or the
// step budget (200k env steps) is spent. Prints the learning curve and, last,
// one JSON object.
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/train_local.h"
#include "common/run_config.h"

int main(int argc, char** argv) {
  using taco::TrainLocal;
  std::vector<std::string> overrides = {"run.name=learn-reach-bench",
                                        "run.output_dir=build/bench-runs"};
  for (int i = 1; i < argc; ++i) overrides.push_back(argv[i]);
  auto config = taco::LoadRunConfig(TACO_SOURCE_DIR "/configs/reach.yaml", overrides, {});
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  std::printf(
      "learn-reach: train-local on reach-v2, %lld env steps at most, evaluation every %lld "
      "steps (%d episodes), stop at mean success 0.9\n",
      static_cast<long long>(config->trainer.total_env_steps),
      static_cast<long long>(config->trainer.eval_interval_env_steps),
      config->trainer.eval_episodes_per_task);
  // A fresh run folder: the curve in its CSV files is this run's alone.
  std::filesystem::remove_all(config->RunDir());
  taco::TrainLocalOptions options;
  options.stop_at_success = 0.9;
  auto result = TrainLocal(*config, options);
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", std::string(result.status().message()).c_str());
    return 1;
  }
  std::vector<std::string> curve;
  int64_t steps_to_goal = -1;
  for (const taco::EvalPoint& p : result->evaluations) {
    curve.push_back(absl::StrCat("[", p.env_steps, ", ", p.mean_success, "]"));
    if (steps_to_goal < 0 && p.mean_success >= 0.9) steps_to_goal = p.env_steps;
  }
  const double final_success =
      result->evaluations.empty() ? 0.0 : result->evaluations.back().mean_success;
  std::printf(
      "{\"env_steps\": %lld, \"final_success\": %.3f, \"wall_s\": %.1f, \"updates\": %lld, "
      "\"steps_to_0_9\": %lld, \"curve\": [%s]}\n",
      static_cast<long long>(result->env_steps), final_success, result->wall_s,
      static_cast<long long>(result->updates), static_cast<long long>(steps_to_goal),
      absl::StrJoin(curve, ", ").c_str());
  return 0;
}
