// scripts/bench transfer-small: over several seeds, multi-task training on
// configs/transfer-small.yaml (drawer-close-v2, window-close-v2), then
// `taco transfer` to the held-out door-close-v2 and SAC from scratch on it with
// the same budget. For each seed n, the env steps until evaluation success
// 0.9, and α (1 when reached, else 0) of both, and its relative transfer cost
// (n_transfer/α_transfer)/(n_scratch/α_scratch); over the seeds the paper's
// cost (n and α averaged over seeds first), its spread over bootstrap
// resamples of the seeds, and the mean and spread of the seeds' own costs. The seeds run side by
// side, one process and one core each.
//
//   taco_bench_transfer_small [--seeds N] [--source-steps N] [key=value ...]
//
// Seeds 1..N (default 3); --source-steps sets the multi-task source run's
// budget alone (default: the config's 60000; it stops earlier once both
// source tasks reach 0.9); key=value pairs are --set overrides for every run
// ("trainer.total_env_steps=30000"). Exits 1 when a run failed.
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "cli/run_report.h"
#include "cli/train_local.h"
#include "common/run_config.h"

namespace {

namespace fs = std::filesystem;

constexpr char kHeldOut[] = "door-close-v2";
// Transfer and scratch are evaluated twice as often as the source run: the
// two differ by a few evaluation intervals.
constexpr char kFineEval[] = "trainer.eval_interval_env_steps=2500";

std::string Json(const std::optional<double>& v) {
  return v.has_value() ? absl::StrCat(*v) : "null";
}

fs::path SeedDir(int seed) {
  return fs::absolute("build/bench-runs/transfer-small") / absl::StrCat("seed-", seed);
}

absl::Status Run(const fs::path& dir, std::vector<std::string> overrides,
                 const std::vector<std::string>& extra, bool transfer) {
  overrides.push_back("run.output_dir=" + dir.string());
  overrides.push_back("metrics.enabled=false");
  overrides.push_back("trainer.threads=1");
  if (transfer) overrides.push_back("transfer.enabled=true");
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  auto config = taco::LoadRunConfig(TACO_SOURCE_DIR "/configs/transfer-small.yaml", overrides, {});
  if (!config.ok()) return config.status();
  std::filesystem::remove_all(config->RunDir());
  std::printf("== %s, %lld env steps at most\n", config->RunDir().c_str(),
              static_cast<long long>(config->trainer.total_env_steps));
  std::fflush(stdout);
  taco::TrainLocalOptions options;
  options.stop_at_success = 0.9;
  options.progress = false;
  return taco::TrainLocal(*config, options).status();
}

// One seed's three runs, in a child process: its own torch threads and stdout.
int RunSeed(int seed, const std::vector<std::string>& extra, int64_t source_steps) {
  const fs::path dir = SeedDir(seed);
  fs::create_directories(dir);
  if (std::freopen((dir / "bench.log").c_str(), "w", stdout) == nullptr) return 1;
  const std::string seed_set = absl::StrCat("run.seed=", seed);
  // --source-steps comes after the key=value overrides: it sets the source's
  // budget even where they set trainer.total_env_steps for every run.
  std::vector<std::string> source_extra = extra;
  if (source_steps > 0) {
    source_extra.push_back(absl::StrCat("trainer.total_env_steps=", source_steps));
  }
  absl::Status s =
      Run(dir, {"run.name=transfer-small-mtrl", seed_set}, source_extra, /*transfer=*/false);
  const std::string task = absl::StrCat("tasks=[", kHeldOut, "]");
  if (s.ok()) {
    const std::string source = (dir / "transfer-small-mtrl/checkpoints/learner.ckpt").string();
    s = Run(dir,
            {"run.name=transfer-small-transfer", seed_set, task, kFineEval,
             "transfer.source_checkpoint=" + source},
            extra, true);
  }
  if (s.ok()) {
    s = Run(dir,
            {"run.name=transfer-small-scratch", seed_set, task, kFineEval, "algorithm.name=mtsac"},
            extra, false);
  }
  if (!s.ok()) std::printf("seed %d: %s\n", seed, std::string(s.message()).c_str());
  std::fflush(stdout);
  return s.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = 3;
  int64_t source_steps = 0;
  std::vector<std::string> extra;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seeds" && i + 1 < argc) {
      if (!absl::SimpleAtoi(argv[++i], &seeds) || seeds < 1 || seeds > 64) {
        std::fprintf(stderr, "--seeds takes a count from 1 to 64, got '%s'\n", argv[i]);
        return 2;
      }
    } else if (arg == "--source-steps" && i + 1 < argc) {
      if (!absl::SimpleAtoi(argv[++i], &source_steps) || source_steps < 1) {
        std::fprintf(stderr, "--source-steps takes a positive env-step count, got '%s'\n", argv[i]);
        return 2;
      }
    } else {
      extra.push_back(arg);
    }
  }
  std::printf(
      "transfer-small: for seeds 1..%d side by side, multi-task on drawer-close-v2 + "
      "window-close-v2, then transfer to %s against SAC from scratch, each until evaluation "
      "success 0.9 or its budget\n",
      seeds, kHeldOut);
  std::fflush(stdout);
  const absl::Time start = absl::Now();
  // The children fork before this process starts any thread.
  std::vector<pid_t> children;
  for (int seed = 1; seed <= seeds; ++seed) {
    const pid_t pid = fork();
    if (pid == 0) std::_Exit(RunSeed(seed, extra, source_steps));
    if (pid < 0) {
      std::perror("fork");
      return 1;
    }
    children.push_back(pid);
  }
  bool failed = false;
  for (size_t i = 0; i < children.size(); ++i) {
    int status = 0;
    waitpid(children[i], &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::printf("seed %zu failed (log: %s)\n", i + 1, (SeedDir(i + 1) / "bench.log").c_str());
      failed = true;
    }
  }
  if (failed) return 1;
  const double wall_s = absl::ToDoubleSeconds(absl::Now() - start);

  std::vector<taco::RunRecord> all;
  std::vector<std::string> per_seed;
  std::vector<double> costs;
  std::vector<std::optional<double>> transfer_n, scratch_n;
  for (int seed = 1; seed <= seeds; ++seed) {
    std::vector<taco::RunRecord> runs;
    for (const char* name :
         {"transfer-small-mtrl", "transfer-small-transfer", "transfer-small-scratch"}) {
      auto run = taco::ReadRun((SeedDir(seed) / name).string());
      if (!run.ok()) {
        std::fprintf(stderr, "%s\n", std::string(run.status().message()).c_str());
        return 1;
      }
      runs.push_back(*run);
      all.push_back(std::move(*run));
    }
    const std::vector<taco::TransferRow> rows = taco::TransferTable(runs);
    if (rows.size() != 1) {
      std::fprintf(stderr, "seed %d: expected one transfer row, got %zu\n", seed, rows.size());
      return 1;
    }
    const taco::TransferRow& row = rows[0];
    if (row.relative_cost.has_value()) costs.push_back(*row.relative_cost);
    transfer_n.push_back(row.transfer_steps);
    scratch_n.push_back(row.scratch_steps);
    const taco::EvalCurve& mtrl = runs[0].history.mean;
    per_seed.push_back(absl::StrCat(
        "{\"seed\": ", seed, ", \"transfer_steps_to_0_9\": ", Json(row.transfer_steps),
        ", \"transfer_success\": ", row.transfer_success, ", \"scratch_steps_to_0_9\": ",
        Json(row.scratch_steps), ", \"scratch_success\": ", row.scratch_success,
        ", \"relative_transfer_cost\": ", Json(row.relative_cost),
        ", \"mtrl_env_steps\": ", mtrl.x.empty() ? 0 : mtrl.x.back(),
        ", \"mtrl_final_success\": ", mtrl.success.empty() ? 0 : mtrl.success.back(), "}"));
  }
  std::printf("\n%s\n", taco::FormatReport(all).c_str());
  const std::vector<taco::TransferRow> pooled = taco::TransferTable(all);
  if (pooled.size() != 1) {
    std::fprintf(stderr, "expected one pooled transfer row, got %zu\n", pooled.size());
    return 1;
  }
  // The paper's cost pools the seeds, so its spread comes from resampling
  // them; the per-seed costs exist only where both runs of a seed succeeded.
  const std::optional<taco::CostSpread> bootstrap =
      taco::BootstrapTransferCost(transfer_n, scratch_n, 10000, /*rng_seed=*/1);
  std::string bootstrap_json = "null";
  if (bootstrap.has_value()) {
    std::printf(
        "relative transfer cost over %d bootstrap resamples of the seeds: 10th percentile %.3f, "
        "median %.3f, 90th %.3f; %.0f %% of the resamples have a cost, %.0f %% of those are "
        "below 1\n",
        bootstrap->resamples, bootstrap->p10, bootstrap->median, bootstrap->p90,
        100.0 * bootstrap->with_cost, 100.0 * bootstrap->below_one);
    bootstrap_json = absl::StrFormat(
        "{\"p10\": %.4g, \"median\": %.4g, \"p90\": %.4g, \"with_cost\": %.4g, "
        "\"below_one\": %.4g, \"resamples\": %d}",
        bootstrap->p10, bootstrap->median, bootstrap->p90, bootstrap->with_cost,
        bootstrap->below_one, bootstrap->resamples);
  }
  double mean = 0, spread = 0;
  for (double c : costs) mean += c / costs.size();
  for (double c : costs) spread += (c - mean) * (c - mean) / costs.size();
  std::printf(
      "{\"task\": \"%s\", \"seeds\": %d, \"relative_transfer_cost\": %s, "
      "\"transfer_steps_to_0_9\": %s, \"transfer_success\": %.3f, \"scratch_steps_to_0_9\": %s, "
      "\"scratch_success\": %.3f, \"seed_cost_mean\": %s, \"seed_cost_std\": %s, "
      "\"seeds_with_a_cost\": %zu, \"cost_bootstrap\": %s, \"per_seed\": [%s], "
      "\"wall_s\": %.0f}\n",
      kHeldOut, seeds, Json(pooled[0].relative_cost).c_str(),
      Json(pooled[0].transfer_steps).c_str(), pooled[0].transfer_success,
      Json(pooled[0].scratch_steps).c_str(), pooled[0].scratch_success,
      costs.empty() ? "null" : absl::StrCat(mean).c_str(),
      costs.empty() ? "null" : absl::StrCat(std::sqrt(spread)).c_str(), costs.size(),
      bootstrap_json.c_str(), absl::StrJoin(per_seed, ", ").c_str(), wall_s);
  return 0;
}
