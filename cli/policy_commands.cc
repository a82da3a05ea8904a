#include "cli/policy_commands.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "actor/actor_role.h"
#include "common/file_util.h"
#include "common/run_description.h"
#include "common/status.h"
#include "learner/learner_config.h"
#include "learner/paco/policy_checkpoint.h"

namespace taco {
namespace {

namespace fs = std::filesystem;

// Loads `checkpoint` and checks it against the config: the task count, the
// observation and action sizes, and, where the checkpoint sits in a run
// folder, the task order that run trained with (W's columns follow it).
absl::StatusOr<paco::SavedPolicy> LoadPolicyFor(const RunConfig& config,
                                                const std::string& checkpoint) {
  if (!fs::is_regular_file(checkpoint)) {
    return absl::NotFoundError(absl::StrCat("no checkpoint file ", checkpoint));
  }
  auto loaded = paco::LoadSavedPolicy(checkpoint);
  if (!loaded.ok()) return FromPaco(loaded.status());
  const paco::PacoOptions& o = loaded->options;
  if (o.obs_dim != envs::kObsDim || o.action_dim != envs::kActionDim) {
    return absl::InvalidArgumentError(
        absl::StrCat(checkpoint, " acts on ", o.obs_dim, " observations and ", o.action_dim,
                     " actions; Meta-World has ", envs::kObsDim, " and ", envs::kActionDim));
  }
  if (o.num_tasks != static_cast<int64_t>(config.tasks.size())) {
    return absl::InvalidArgumentError(absl::StrCat(checkpoint, " holds a policy for ", o.num_tasks,
                                                   " tasks; the config lists ", config.tasks.size(),
                                                   " (", absl::StrJoin(config.tasks, ", "), ")"));
  }
  const fs::path run_dir = fs::absolute(checkpoint).parent_path().parent_path();
  if (auto run = ReadRunConfig(run_dir.string(), {}); run.ok() && run->tasks != config.tasks) {
    return absl::InvalidArgumentError(
        absl::StrCat(checkpoint, "'s run trained [", absl::StrJoin(run->tasks, ", "),
                     "] in this order, the config lists [", absl::StrJoin(config.tasks, ", "),
                     "]: a policy's tasks are its columns of W, so the names must be the run's"));
  }
  return std::move(*loaded);
}

}  // namespace

absl::Status EvaluateCheckpoint(const RunConfig& config, const CheckpointEvalOptions& options) {
  if (options.episodes_per_task < 0) {
    return absl::InvalidArgumentError("--episodes must be at least 1");
  }
  TACO_ASSIGN_OR_RETURN(const paco::SavedPolicy policy, LoadPolicyFor(config, options.checkpoint));
  auto inference = paco::MakeInference(policy);
  if (!inference.ok()) return FromPaco(inference.status());
  RunConfig eval_config = config;
  if (options.episodes_per_task > 0) {
    eval_config.trainer.eval_episodes_per_task = options.episodes_per_task;
  }
  const uint32_t seed = options.seed.value_or(static_cast<uint32_t>(7'000'003 + policy.updates));
  TACO_ASSIGN_OR_RETURN(const EvalResult result, EvaluatePolicy(eval_config, **inference, seed));
  const int episodes = std::max(1, eval_config.trainer.eval_episodes_per_task);

  const std::string csv =
      options.csv.empty() ? config.RunDir() + "/checkpoint-eval.csv" : options.csv;
  std::error_code error;
  if (fs::path(csv).has_parent_path()) fs::create_directories(fs::path(csv).parent_path(), error);
  const bool fresh = !fs::exists(csv);
  std::ofstream out(csv, std::ios::app);
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", csv));
  if (fresh) out << "checkpoint,updates,seed,episodes_per_task,task,success_rate\n";
  const std::string prefix = absl::StrCat(fs::absolute(options.checkpoint).string(), ",",
                                          policy.updates, ",", seed, ",", episodes, ",");
  for (const std::string& task : config.tasks) {
    out << prefix << task << "," << result.task_success.at(task) << "\n";
  }
  out << prefix << "mean," << result.mean_success << "\n";
  if (!out.flush()) return absl::DataLossError(absl::StrCat("writing ", csv, " failed"));

  std::printf("%s: %s policy after %lld updates, %d episodes per task (seed %u)\n",
              options.checkpoint.c_str(), paco::AlgorithmName(policy.options.algorithm),
              static_cast<long long>(policy.updates), episodes, seed);
  for (const std::string& task : config.tasks) {
    std::printf("  %-28s %.2f\n", task.c_str(), result.task_success.at(task));
  }
  std::printf("  %-28s %.3f\nrows appended to %s\n", "mean", result.mean_success, csv.c_str());
  return absl::OkStatus();
}

absl::Status ExportCheckpoint(const RunConfig& config, const std::string& checkpoint,
                              const std::string& out) {
  TACO_ASSIGN_OR_RETURN(const paco::SavedPolicy policy, LoadPolicyFor(config, checkpoint));
  if (fs::path(out).has_parent_path()) {
    std::error_code error;
    fs::create_directories(fs::path(out).parent_path(), error);
  }
  auto bytes = paco::ExportForPyTorch(policy, config.tasks);
  if (!bytes.ok()) return FromPaco(bytes.status());
  TACO_RETURN_IF_ERROR(WriteFileAtomically(out, *bytes));
  std::printf(
      "wrote %s: %s policy after %lld updates, %zu tasks (%s), hidden [%s]\n"
      "load it in Python with torch.load(\"%s\"); docs/researcher-workflow.md shows how to act\n",
      out.c_str(), paco::AlgorithmName(policy.options.algorithm),
      static_cast<long long>(policy.updates), config.tasks.size(),
      absl::StrJoin(config.tasks, ", ").c_str(),
      absl::StrJoin(policy.options.hidden_sizes, ", ").c_str(), out.c_str());
  return absl::OkStatus();
}

absl::StatusOr<PolicyFunction> SavedPolicyFunction(const RunConfig& config,
                                                   const std::string& checkpoint,
                                                   const std::string& task) {
  const auto it = std::find(config.tasks.begin(), config.tasks.end(), task);
  if (it == config.tasks.end()) {
    return absl::InvalidArgumentError(absl::StrCat(checkpoint, "'s run has no task ", task,
                                                   "; it trained ",
                                                   absl::StrJoin(config.tasks, ", ")));
  }
  const int64_t index = it - config.tasks.begin();
  TACO_ASSIGN_OR_RETURN(const paco::SavedPolicy policy, LoadPolicyFor(config, checkpoint));
  auto inference = paco::MakeInference(policy);
  if (!inference.ok()) return FromPaco(inference.status());
  std::shared_ptr<paco::PolicyInference> shared = std::move(*inference);
  return PolicyFunction([shared,
                         index](const envs::Observation& obs) -> absl::StatusOr<envs::Action> {
    torch::Tensor o = torch::empty({1, envs::kObsDim}, torch::kFloat32);
    for (int d = 0; d < envs::kObsDim; ++d) o.data_ptr<float>()[d] = static_cast<float>(obs[d]);
    auto action = shared->Act(o, torch::full({1}, index, torch::kInt64), /*deterministic=*/true);
    if (!action.ok()) return FromPaco(action.status());
    const torch::Tensor a = action->to(torch::kFloat64).contiguous();
    envs::Action out;
    for (int d = 0; d < envs::kActionDim; ++d) out[d] = a.data_ptr<double>()[d];
    return out;
  });
}

}  // namespace taco
