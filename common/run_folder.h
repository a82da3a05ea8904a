// One rule for every command that starts a run (`taco up`, `train-local`,
// `transfer`): a run folder that already holds a run is continued only when
// asked (--resume) and replaced only when asked (--fresh); otherwise the
// command stops and says so. The roles (`taco replay|learner|actor|eval`)
// are parts of one run and always continue it: a restarted role resumes.
#ifndef TACO_COMMON_RUN_FOLDER_H_
#define TACO_COMMON_RUN_FOLDER_H_

#include "absl/status/status.h"
#include "common/run_config.h"

namespace taco {

enum class RunFolderMode {
  kNew,     // refuse a folder that holds a run
  kResume,  // continue what is there (or start, when nothing is)
  kFresh,   // delete what is there, then start
};

// Whether the run folder (and the checkpoint folder, when set apart) holds
// anything.
bool RunFolderHoldsARun(const RunConfig& config);

// Applies the rule before anything is written. InvalidArgument (a command
// line to change), naming the folder and the choices, for kNew on a folder
// that holds a run.
absl::Status PrepareRunFolder(const RunConfig& config, RunFolderMode mode);

}  // namespace taco

#endif  // TACO_COMMON_RUN_FOLDER_H_
