// scripts/bench main-job: the README's first command, `./scripts/run`, as a
// newcomer runs it — no config, so the machine's MT10 config (configs/mt10.yaml
// with a CUDA GPU, configs/mt10-small.yaml otherwise) under `taco up`: replay
// shard, learner, actor and evaluator processes — to the config's
// trainer.total_env_steps, and then its report. Only the run folder
// (build/bench-runs/main-job) and the ports (free ones) are moved aside, so
// that a user's own runs/ is neither resumed nor disturbed.
// Prints the run's per-task success curves and, last, one JSON object: the
// config it chose, env steps and updates reached, wall time and the rates
// over the whole run, and the evaluation figures (bench/eval_figures.h).
// Exits 1 when the run failed, stopped short of its budget, recorded no
// evaluation or printed no report.
//
//   taco_bench_main_job [key=value ...]   (--set overrides, e.g. trainer.total_env_steps=200000)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/eval_figures.h"
#include "cli/run_report.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace {

namespace fs = std::filesystem;

// The run folder `taco up` made under `out` (run.name's), or "" when none.
fs::path RunFolder(const fs::path& out) {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(out, ignored)) {
    if (entry.is_directory()) return entry.path();
  }
  return {};
}

std::string FirstMatch(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : "";
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path out = fs::absolute("build/bench-runs/main-job");
  const fs::path log_path = fs::absolute("build/bench-runs/main-job.log");
  fs::remove_all(out);
  fs::create_directories(out);
  fs::remove(log_path);  // the Subprocess appends
  std::printf(
      "main-job: ./scripts/run as the README gives it (no config: the machine's MT10 config, "
      "under taco up) to the config's env-step budget, then its report; run folder %s, free "
      "ports, log %s\n",
      out.c_str(), log_path.c_str());
  std::fflush(stdout);

  // Room for configs/mt10.yaml's two shards and two actors.
  const int metrics = taco::FreePortBlock({0, 1, 10, 11, 12, 100, 101, 102});
  const int port = taco::FreePortBlock({0, 1, 2, 3, 4});
  std::vector<std::string> args = {TACO_SOURCE_DIR "/scripts/run",
                                   "--set",
                                   "run.output_dir=" + out.string(),
                                   "--set",
                                   "metrics.base_port=" + std::to_string(metrics),
                                   "--set",
                                   "topology.replay_base_port=" + std::to_string(port),
                                   "--set",
                                   "topology.learner_port=" + std::to_string(port + 4)};
  for (int i = 1; i < argc; ++i) {
    args.push_back("--set");
    args.push_back(argv[i]);
  }
  const auto start = std::chrono::steady_clock::now();
  taco::Subprocess run(args, log_path.string());
  const int exit_code = run.Wait(6 * 3600);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string log = run.Log();

  const std::string config = FirstMatch(log, "\\[run\\] (configs/[^ :]+\\.yaml)");
  // The budget, from the progress view's "[up] env steps N / TOTAL (…)".
  const int64_t total = taco::LargestMatch(log, "env steps \\d+ / (\\d+)");
  const bool complete = log.find("[up] run complete") != std::string::npos;
  const bool report = log.find("[run] the run's report") != std::string::npos;
  const fs::path run_dir = RunFolder(out);
  // What the learner reached, from the marker it writes when the run is
  // complete ("updates U\nenv_steps N").
  const std::string marker = taco::ReadText(run_dir / "checkpoints" / "run-complete");
  const int64_t env_steps = taco::LargestMatch(marker, "env_steps (\\d+)");
  const int64_t updates = taco::LargestMatch(marker, "updates (\\d+)");
  auto record = taco::ReadRun(run_dir.string());

  std::vector<std::string> failures;
  if (exit_code != 0) failures.push_back(absl::StrCat("scripts/run exited with ", exit_code));
  if (config.empty()) failures.push_back("scripts/run did not say which config it chose");
  if (!complete) failures.push_back("taco up did not report the run complete");
  if (total <= 0 || env_steps < total) {
    failures.push_back(absl::StrCat("the learner's run-complete marker says ", env_steps, " of ",
                                    total, " env steps"));
  }
  if (!record.ok()) {
    failures.push_back(absl::StrCat("the run folder: ", record.status().message()));
  } else if (record->history.mean.x.empty()) {
    failures.push_back("no evaluation recorded");
  }
  if (!report) failures.push_back("no report printed");
  if (!failures.empty()) {
    std::printf("%s\n", log.c_str());
    for (const std::string& f : failures) std::printf("main-job failed: %s\n", f.c_str());
    return 1;
  }
  const taco::EvalFigures figures = taco::PrintEvalFigures(config, record->history);
  std::printf(
      "{\"config\": \"%s\", \"env_steps\": %lld, \"total_env_steps\": %lld, \"updates\": %lld, "
      "\"wall_s\": %.0f, \"env_steps_per_s\": %.1f, \"updates_per_s\": %.2f, %s}\n",
      config.c_str(), static_cast<long long>(env_steps), static_cast<long long>(total),
      static_cast<long long>(updates), wall_s, env_steps / wall_s, updates / wall_s,
      figures.json_members.c_str());
  return 0;
}
