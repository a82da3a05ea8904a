// <run folder>/run.json: what `taco report` needs to know about a run beside
// its eval.csv — the kind of run, the method, the tasks, the seed and the
// success criterion — and what it takes to repeat the run. Written by every
// process that writes eval.csv.
#ifndef TACO_COMMON_RUN_DESCRIPTION_H_
#define TACO_COMMON_RUN_DESCRIPTION_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/run_config.h"

namespace taco {

// kind: "train" (multi- or single-task training) or "transfer". Beside what
// `taco report` reads it records taco's version and git commit, the library
// versions given, the start time and the resolved config (every key, the
// value in force). Written through a temporary file and a rename, so a
// reader never sees half a file.
absl::Status WriteRunDescription(const RunConfig& config, const std::string& kind,
                                 const std::map<std::string, std::string>& libraries = {});

// The config a run ran with, from `run_dir`/run.json's resolved config: what
// re-evaluating, rendering or exporting its checkpoints needs (tasks in W's
// order, env settings, network shape). The run folder may have moved since:
// run.name and run.output_dir follow `run_dir`, checkpoint.dir becomes
// `run_dir`/checkpoints, and an assets folder that no longer exists is
// searched for again. NotFound without run.json; InvalidArgument when it
// holds no resolved config or one that no longer validates.
absl::StatusOr<RunConfig> ReadRunConfig(const std::string& run_dir,
                                        const std::vector<std::string>& known_tasks);

}  // namespace taco

#endif  // TACO_COMMON_RUN_DESCRIPTION_H_
