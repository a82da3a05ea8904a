// <run folder>/run.json: what `taco report` needs to know about a run beside
// its eval.csv — the kind of run, the method, the tasks, the seed and the
// success criterion. Written by every process that writes eval.csv.
#ifndef TACO_COMMON_RUN_DESCRIPTION_H_
#define TACO_COMMON_RUN_DESCRIPTION_H_

#include <string>

#include "absl/status/status.h"
#include "common/run_config.h"

namespace taco {

// kind: "train" (multi- or single-task training) or "transfer". Written
// through a temporary file and a rename, so a reader never sees half a file.
absl::Status WriteRunDescription(const RunConfig& config, const std::string& kind);

}  // namespace taco

#endif  // TACO_COMMON_RUN_DESCRIPTION_H_
