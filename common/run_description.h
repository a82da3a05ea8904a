// <run folder>/run.json: what `taco report` needs to know about a run beside
// its eval.csv — the kind of run, the method, the tasks, the seed and the
// success criterion — and what it takes to repeat the run. Written by every
// process that writes eval.csv.
#ifndef TACO_COMMON_RUN_DESCRIPTION_H_
#define TACO_COMMON_RUN_DESCRIPTION_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "common/run_config.h"

namespace taco {

// kind: "train" (multi- or single-task training) or "transfer". Beside what
// `taco report` reads it records taco's version and git commit, the library
// versions given, the start time and the resolved config (every key, the
// value in force). Written through a temporary file and a rename, so a
// reader never sees half a file.
absl::Status WriteRunDescription(const RunConfig& config, const std::string& kind,
                                 const std::map<std::string, std::string>& libraries = {});

}  // namespace taco

#endif  // TACO_COMMON_RUN_DESCRIPTION_H_
