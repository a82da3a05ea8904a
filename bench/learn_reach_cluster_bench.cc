// scripts/bench learn-reach-cluster: `taco up configs/reach.yaml` as a user
// runs it — replay shard, learner, actor and evaluator as processes — from a
// fresh run folder to the config's trainer.total_env_steps. Prints the
// evaluation curve and, last, one JSON object; exits 1 when the run did not
// end by itself or reach-v2 was not learnt (mean success 0.9 at some
// evaluation), or when `taco eval` of the run's best-policy.ckpt does not
// give back the success the run recorded for it.
//
//   taco_bench_learn_reach_cluster [--set key=value ...]
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path out = fs::absolute("build/bench-runs");
  std::vector<std::string> args = {TACO_BINARY,
                                   "up",
                                   TACO_SOURCE_DIR "/configs/reach.yaml",
                                   "--fresh",
                                   "--progress-every",
                                   "30",
                                   "--set",
                                   "run.name=learn-reach-cluster",
                                   "--set",
                                   "run.output_dir=" + out.string()};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  const fs::path run = out / "learn-reach-cluster";
  std::printf(
      "learn-reach-cluster: taco up configs/reach.yaml to its trainer.total_env_steps (1 shard, "
      "learner, 1 actor, evaluator); success is mean evaluation success 0.9\n");
  std::fflush(stdout);
  fs::create_directories(out);
  const absl::Time start = absl::Now();
  taco::Subprocess up(args, (out / "learn-reach-cluster-up.log").string());
  const int code = up.Wait(4 * 3600);
  const double wall = absl::ToDoubleSeconds(absl::Now() - start);
  const std::string eval = taco::ReadText(run / "eval.csv");
  const std::regex mean_row("(\\d+),mean,([0-9.eE+-]+)");
  double best = -1, final_success = -1;
  int64_t first_learnt = -1;
  for (auto it = std::sregex_iterator(eval.begin(), eval.end(), mean_row);
       it != std::sregex_iterator(); ++it) {
    const int64_t updates = std::stoll((*it)[1].str());
    const double success = std::stod((*it)[2].str());
    std::printf("  %8lld updates  mean success %.2f\n", static_cast<long long>(updates), success);
    best = std::max(best, success);
    final_success = success;
    if (success >= 0.9 && first_learnt < 0) first_learnt = updates;
  }
  const int64_t env_steps = taco::LargestMatch(
      taco::ReadText(run / "checkpoints" / "learner.pacing"), "env_steps (\\d+)");
  const bool completed = code == 0 && fs::exists(run / "checkpoints" / "run-complete");
  if (!completed) std::printf("taco up exited with %d:\n%s\n", code, up.Log().c_str());
  // The best policy re-evaluated offline (`taco eval CHECKPOINT`, the
  // evaluator's goals for its update count) must give back the success the
  // run recorded for it.
  double recorded = -1, reevaluated = -1;
  const fs::path best_policy = run / "checkpoints" / "best-policy.ckpt";
  if (completed && fs::exists(best_policy)) {
    const std::string summary = taco::ReadText(run / "checkpoints" / "best-policy.txt");
    std::smatch m;
    if (std::regex_search(summary, m, std::regex("mean_success ([0-9.eE+-]+)"))) {
      recorded = std::stod(m[1].str());
    }
    const fs::path csv = out / "learn-reach-cluster-reevaluated.csv";
    fs::remove(csv);
    const taco::CommandResult eval_run =
        taco::RunCommand({TACO_BINARY, "eval", best_policy.string(), "--csv", csv.string()}, 600);
    std::printf("%s", eval_run.output.c_str());
    const std::string rows = taco::ReadText(csv);
    if (eval_run.exit_code == 0 && std::regex_search(rows, m, std::regex(",mean,([0-9.eE+-]+)"))) {
      reevaluated = std::stod(m[1].str());
    }
  }
  const bool reproduced = recorded >= 0 && std::abs(reevaluated - recorded) < 1e-6;
  // reach.yaml: one update per env step after the 5000-step warm-up.
  const int64_t first_learnt_steps = first_learnt < 0 ? -1 : 5000 + first_learnt;
  std::printf(
      "{\"completed\": %s, \"wall_s\": %.0f, \"env_steps\": %lld, "
      "\"first_success_env_steps\": %lld, \"best_mean_success\": %.2f, "
      "\"final_mean_success\": %.2f, \"best_policy_recorded\": %.2f, "
      "\"best_policy_reevaluated\": %.2f}\n",
      completed ? "true" : "false", wall, static_cast<long long>(env_steps),
      static_cast<long long>(first_learnt_steps), best, final_success, recorded, reevaluated);
  return completed && best >= 0.9 && reproduced ? 0 : 1;
}
