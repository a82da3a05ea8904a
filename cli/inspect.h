// `taco inspect`: what a PaCo checkpoint says about the tasks (how alike
// their compositional vectors w_τ are, which groups the run used, a PCA
// picture of them as in the TaCo paper's Figure 2) and the run's learning
// curves from eval.csv.
#ifndef TACO_CLI_INSPECT_H_
#define TACO_CLI_INSPECT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/run_config.h"

namespace taco {

struct InspectOptions {
  std::string checkpoint;  // empty: <checkpoint dir>/learner.ckpt
  std::string out_dir;     // where the SVGs go; empty: the run folder
};

// Prints the task similarity table and the task groups the run used (the
// config's groups, or TaCo-online's from the checkpoint with the run's
// task_distribution.online settings; none for other kinds, with what
// TaCo-online would form) to stdout, then writes
// <out>/w_pca.svg and <out>/learning_curves.svg. Errors name the file:
// NotFound for a missing checkpoint or eval.csv, DataLoss for a damaged
// checkpoint, InvalidArgument when the checkpoint's task count differs from
// the config's or eval.csv is malformed, FailedPrecondition when the config
// describes another model or the checkpoint has no W (a baseline). The table
// and w_pca.svg come out even when eval.csv then fails.
absl::Status RunInspect(const RunConfig& config, const InspectOptions& options);

// For `taco inspect CHECKPOINT`: the run a checkpoint belongs to, from its
// run folder (<run>/checkpoints/learner.ckpt next to <run>/run.json): the
// task names from run.json, the network shape from the checkpoint, every
// other setting at its default. Errors name the missing or damaged file.
absl::StatusOr<RunConfig> ConfigOfCheckpoint(const std::string& checkpoint);

}  // namespace taco

#endif  // TACO_CLI_INSPECT_H_
