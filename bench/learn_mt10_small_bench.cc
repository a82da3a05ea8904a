// scripts/bench learn-mt10-small: the CPU multi-task proxy. `taco train-local
// configs/mt10-small.yaml` (MT10 at the paper's update ratio, networks and
// batch sized for 2 cores) for PaCo-SAC and for MT-SAC side by side, one core
// each, from fresh run folders to the config's env-step budget. Prints each
// run's per-task success curve and, last, one JSON object: the PaCo run's
// figures at its last evaluation and the same for MT-SAC under "mtsac".
// tasks_at_0_8 counts the tasks whose last evaluation reached 0.8 (target: 4);
// the other figures: bench/eval_figures.h.
// Exits 1 when a run failed or recorded no evaluation.
//
//   taco_bench_learn_mt10_small [key=value ...]   (--set overrides for both runs)
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/eval_figures.h"
#include "cli/run_report.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace {

namespace fs = std::filesystem;

constexpr int kTargetTasks = 4;

struct Outcome {
  std::string json;  // the figures of one run, as a JSON object
  bool ok = false;
};

Outcome Summarize(const std::string& name, const fs::path& dir, int exit_code,
                  const std::string& log) {
  Outcome outcome;
  auto run = taco::ReadRun(dir.string());
  if (exit_code != 0 || !run.ok() || run->history.mean.x.empty()) {
    std::printf("%s: train-local exited with %d; %s\n", name.c_str(), exit_code,
                run.ok() ? "no evaluation recorded" : std::string(run.status().message()).c_str());
    return outcome;
  }
  const taco::EvalFigures figures = taco::PrintEvalFigures(name, run->history);
  // train-local's last line: "done: N env steps, U updates in S s; ...".
  const int64_t env_steps = taco::LargestMatch(log, "done: (\\d+) env steps");
  const int64_t updates = taco::LargestMatch(log, "env steps, (\\d+) updates");
  const int64_t wall_s = taco::LargestMatch(log, "updates in (\\d+) s");
  outcome.json = absl::StrCat("{\"env_steps\": ", env_steps, ", ", figures.json_members,
                              ", \"updates\": ", updates, ", \"wall_s\": ", wall_s, "}");
  outcome.ok = true;
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path out = fs::absolute("build/bench-runs");
  fs::create_directories(out);
  std::printf(
      "learn-mt10-small: train-local configs/mt10-small.yaml (MT10, one update per 10 env "
      "steps, 128x128 networks, batch 320) for PaCo-SAC and MT-SAC side by side, one core "
      "each, to the config's env-step budget; figures at the last evaluation, a task counts "
      "as learnt at success >= %.1f (target: %d tasks)\n",
      taco::kLearntSuccess, kTargetTasks);
  std::fflush(stdout);
  const std::vector<std::string> algorithms = {"paco", "mtsac"};
  std::vector<std::unique_ptr<taco::Subprocess>> runs;
  for (const std::string& algorithm : algorithms) {
    const std::string name = "learn-mt10-small-" + algorithm;
    std::vector<std::string> args = {TACO_BINARY,
                                     "train-local",
                                     TACO_SOURCE_DIR "/configs/mt10-small.yaml",
                                     "--fresh",
                                     "--set",
                                     "run.name=" + name,
                                     "--set",
                                     "run.output_dir=" + out.string(),
                                     "--set",
                                     "algorithm.name=" + algorithm,
                                     "--set",
                                     "trainer.threads=1",
                                     "--set",
                                     "metrics.enabled=false"};
    for (int i = 1; i < argc; ++i) {
      args.push_back("--set");
      args.push_back(argv[i]);
    }
    const fs::path log = out / (name + ".log");
    fs::remove(log);  // the Subprocess appends
    runs.push_back(std::make_unique<taco::Subprocess>(args, log.string()));
  }
  std::vector<Outcome> outcomes;
  for (size_t i = 0; i < runs.size(); ++i) {
    const int code = runs[i]->Wait(3 * 3600);
    const std::string log = runs[i]->Log();
    if (code != 0) std::printf("%s\n", log.c_str());
    outcomes.push_back(
        Summarize(algorithms[i], out / ("learn-mt10-small-" + algorithms[i]), code, log));
  }
  if (!outcomes[0].ok || !outcomes[1].ok) return 1;
  // The PaCo run's figures at the top level, MT-SAC's beside them.
  std::string json = outcomes[0].json;
  json.pop_back();
  std::printf("%s, \"target_tasks_at_0_8\": %d, \"mtsac\": %s}\n", json.c_str(), kTargetTasks,
              outcomes[1].json.c_str());
  return 0;
}
