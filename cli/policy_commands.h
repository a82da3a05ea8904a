// What a researcher does with a saved policy once a run is over, with no
// cluster running: re-evaluate it (`taco eval --checkpoint`), watch it act
// (`taco render --policy CHECKPOINT`) and take it to Python (`taco export`).
// Each takes a policy checkpoint (best-policy.ckpt) or a learner checkpoint
// (learner.ckpt) and the run's config, which gives the task names in W's
// order: from the run folder's run.json (ConfigOfCheckpoint) or a config file.
#ifndef TACO_CLI_POLICY_COMMANDS_H_
#define TACO_CLI_POLICY_COMMANDS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "actor/envs/sawyer_env.h"
#include "common/run_config.h"

namespace taco {

struct CheckpointEvalOptions {
  std::string checkpoint;
  // Rows are appended here; empty: <run folder>/checkpoint-eval.csv.
  std::string csv;
  // 0: trainer.eval_episodes_per_task.
  int episodes_per_task = 0;
  // Picks the goal variants; unset: as the cluster's evaluator draws them for
  // the checkpoint's update count, so a best-policy.ckpt of a cluster run is
  // re-evaluated on the goals its evaluation used.
  std::optional<uint32_t> seed;
};

// The paper's evaluation (EvaluatePolicy) of a saved policy: prints a
// per-task table and appends "checkpoint,updates,seed,episodes_per_task,task,
// success_rate" rows (one per task and a "mean" row) to the CSV file.
// InvalidArgument when the checkpoint's tasks or shapes disagree with the
// config; NotFound/DataLoss for a missing or damaged checkpoint.
absl::Status EvaluateCheckpoint(const RunConfig& config, const CheckpointEvalOptions& options);

// `taco export`: the policy as a file Python loads with PyTorch alone
// (paco::ExportForPyTorch; docs/researcher-workflow.md shows how to act with it).
// Prints what was written.
absl::Status ExportCheckpoint(const RunConfig& config, const std::string& checkpoint,
                              const std::string& out);

// The saved policy's deterministic action (tanh of the mean) for `task`, one
// of the config's tasks, for `taco render --policy CHECKPOINT`.
using PolicyFunction = std::function<absl::StatusOr<envs::Action>(const envs::Observation&)>;
absl::StatusOr<PolicyFunction> SavedPolicyFunction(const RunConfig& config,
                                                   const std::string& checkpoint,
                                                   const std::string& task);

}  // namespace taco

#endif  // TACO_CLI_POLICY_COMMANDS_H_
