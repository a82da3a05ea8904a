#include "common/run_folder.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace taco {
namespace fs = std::filesystem;
namespace {

bool NonEmpty(const std::string& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && !fs::is_empty(dir, ec);
}

}  // namespace

bool RunFolderHoldsARun(const RunConfig& config) {
  return NonEmpty(config.RunDir()) || NonEmpty(config.CheckpointDir());
}

absl::Status PrepareRunFolder(const RunConfig& config, RunFolderMode mode) {
  if (!RunFolderHoldsARun(config)) return absl::OkStatus();
  switch (mode) {
    case RunFolderMode::kResume:
      return absl::OkStatus();
    case RunFolderMode::kNew:
      return absl::InvalidArgumentError(absl::StrCat(
          config.RunDir(),
          " already holds a run (checkpoints, logs or eval.csv): --resume "
          "continues it, --fresh deletes it and starts again, or set another run.name (--set "
          "run.name=...)"));
    case RunFolderMode::kFresh:
      break;
  }
  for (const std::string& dir : {config.RunDir(), config.CheckpointDir()}) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) {
      return absl::PermissionDeniedError(
          absl::StrCat("--fresh cannot delete ", dir, ": ", ec.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace taco
