// scripts/bench transfer-small: multi-task training on configs/transfer-small.yaml
// (drawer-close-v2, window-close-v2), then `taco transfer` to the held-out
// door-close-v2 and SAC from scratch on it with the same budget; n, the env
// steps until evaluation success 0.9, of both, and the relative transfer
// cost (n_transfer/α_transfer)/(n_scratch/α_scratch) of the paper with one
// seed (α is 1 or 0). The budgets come from the config; extra arguments are
// --set style overrides for all three runs ("trainer.total_env_steps=30000").
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/run_report.h"
#include "cli/train_local.h"
#include "common/run_config.h"

namespace {

constexpr char kHeldOut[] = "door-close-v2";

std::string Json(const std::optional<double>& v) {
  return v.has_value() ? absl::StrCat(*v) : "null";
}

absl::StatusOr<taco::TrainLocalResult> Run(const std::string& what,
                                           std::vector<std::string> overrides,
                                           const std::vector<std::string>& extra, bool transfer) {
  overrides.push_back("run.output_dir=build/bench-runs");
  overrides.push_back("metrics.enabled=false");
  if (transfer) overrides.push_back("transfer.enabled=true");
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  auto config = taco::LoadRunConfig(TACO_SOURCE_DIR "/configs/transfer-small.yaml", overrides, {});
  if (!config.ok()) return config.status();
  std::filesystem::remove_all(config->RunDir());
  std::printf("== %s: %s, %lld env steps at most\n", what.c_str(), config->RunDir().c_str(),
              static_cast<long long>(config->trainer.total_env_steps));
  std::fflush(stdout);
  taco::TrainLocalOptions options;
  options.stop_at_success = 0.9;
  return taco::TrainLocal(*config, options);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> extra(argv + 1, argv + argc);
  std::printf(
      "transfer-small: multi-task on drawer-close-v2 + window-close-v2, then transfer to %s "
      "against SAC from scratch, each until evaluation success 0.9 or its budget\n",
      kHeldOut);
  auto mtrl = Run("multi-task", {"run.name=transfer-small-mtrl"}, extra, false);
  if (!mtrl.ok()) {
    std::fprintf(stderr, "%s\n", std::string(mtrl.status().message()).c_str());
    return 1;
  }
  const std::string source = "build/bench-runs/transfer-small-mtrl/checkpoints/learner.ckpt";
  const std::string task = absl::StrCat("tasks=[", kHeldOut, "]");
  auto transfer =
      Run("transfer",
          {"run.name=transfer-small-transfer", task, "transfer.source_checkpoint=" + source}, extra,
          true);
  if (!transfer.ok()) {
    std::fprintf(stderr, "%s\n", std::string(transfer.status().message()).c_str());
    return 1;
  }
  auto scratch =
      Run("SAC from scratch", {"run.name=transfer-small-scratch", task, "algorithm.name=mtsac"},
          extra, false);
  if (!scratch.ok()) {
    std::fprintf(stderr, "%s\n", std::string(scratch.status().message()).c_str());
    return 1;
  }
  std::vector<taco::RunRecord> runs;
  for (const char* name :
       {"transfer-small-mtrl", "transfer-small-transfer", "transfer-small-scratch"}) {
    auto run = taco::ReadRun(absl::StrCat("build/bench-runs/", name));
    if (!run.ok()) {
      std::fprintf(stderr, "%s\n", std::string(run.status().message()).c_str());
      return 1;
    }
    runs.push_back(std::move(*run));
  }
  std::printf("\n%s\n", taco::FormatReport(runs).c_str());
  const std::vector<taco::TransferRow> rows = taco::TransferTable(runs);
  if (rows.size() != 1) {
    std::fprintf(stderr, "expected one transfer row, got %zu\n", rows.size());
    return 1;
  }
  const taco::TransferRow& row = rows[0];
  const double mtrl_success =
      mtrl->evaluations.empty() ? 0.0 : mtrl->evaluations.back().mean_success;
  std::printf(
      "{\"task\": \"%s\", \"scratch_steps_to_0_9\": %s, \"transfer_steps_to_0_9\": %s, "
      "\"relative_transfer_cost\": %s, \"scratch_success\": %.0f, \"transfer_success\": %.0f, "
      "\"mtrl_env_steps\": %lld, \"mtrl_final_success\": %.3f, \"wall_s\": %.0f}\n",
      kHeldOut, Json(row.scratch_steps).c_str(), Json(row.transfer_steps).c_str(),
      Json(row.relative_cost).c_str(), row.scratch_success, row.transfer_success,
      static_cast<long long>(mtrl->env_steps), mtrl_success,
      mtrl->wall_s + transfer->wall_s + scratch->wall_s);
  return 0;
}
