// `taco up CONFIG`: the whole cluster on this machine from one config —
// replay shards, the learner, the actors and the evaluator as child
// processes of the same binary — supervised: a child that dies is restarted
// with exponential backoff; Ctrl-C (or SIGTERM) stops actors and evaluator
// first, then the learner (which checkpoints), then the shards (which
// checkpoint); a live progress view prints every few seconds.
#ifndef TACO_CLI_CLUSTER_H_
#define TACO_CLI_CLUSTER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/run_config.h"

namespace taco {

struct ClusterOptions {
  std::string config_path;
  std::vector<std::string> overrides;  // passed on to every child
  double progress_interval_s = 5.0;
  // Stop by itself after this many seconds (0: run until a signal).
  double duration_s = 0.0;
};

absl::Status RunCluster(const RunConfig& config, const ClusterOptions& options);

}  // namespace taco

#endif  // TACO_CLI_CLUSTER_H_
