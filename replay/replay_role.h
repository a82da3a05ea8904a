// `taco replay`: one replay shard as a process, configured from a run config.
#ifndef TACO_REPLAY_REPLAY_ROLE_H_
#define TACO_REPLAY_REPLAY_ROLE_H_

#include <string>

#include "absl/status/status.h"
#include "common/run_config.h"
#include "replay/replay_server.h"

namespace taco {

// The server options shard `index` takes from `config`.
absl::StatusOr<ReplayServerOptions> ReplayOptionsFromConfig(const RunConfig& config, int index,
                                                            const std::string& listen);

// Serves until SIGINT/SIGTERM, then checkpoints and exits.
absl::Status RunReplayRole(const RunConfig& config, int index, const std::string& listen);

}  // namespace taco

#endif  // TACO_REPLAY_REPLAY_ROLE_H_
