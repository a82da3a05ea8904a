// Finds the Meta-World v2.0.0 asset folder (the upstream
// metaworld/envs/assets_v2/ layout) without copying it anywhere.
#ifndef TACO_ACTOR_ENVS_ASSET_LOCATOR_H_
#define TACO_ACTOR_ENVS_ASSET_LOCATOR_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace taco::envs {

// Environment variable that names the asset folder.
inline constexpr char kAssetsEnvVar[] = "TACO_METAWORLD_ASSETS";

struct AssetSearchOptions {
  // From the run config; tried first when set.
  std::string config_dir;
  // Start points for the "../shared/metaworld-assets beside the repo root"
  // search; empty means the process's working directory and the directory of
  // its executable.
  std::string working_dir;
  std::string executable_dir;
  // Reads environment variables; defaults to std::getenv. Tests inject one.
  std::function<const char*(const char*)> getenv;
};

// Every folder the search looks at, in order:
//   1. options.config_dir;
//   2. $TACO_METAWORLD_ASSETS;
//   3. <dir>/../shared/metaworld-assets for the working directory, the
//      executable's directory and each of their ancestors (so it is found from
//      the repo root, from build/ and from build/bin alike);
//   4. $XDG_CACHE_HOME/taco/metaworld-v2.0.0, else
//      $HOME/.cache/taco/metaworld-v2.0.0 (filled by the user download script).
std::vector<std::string> AssetCandidates(const AssetSearchOptions& options);

// The first candidate that holds sawyer_xyz/sawyer_reach_v2.xml; NotFound
// listing every place searched otherwise.
absl::StatusOr<std::string> LocateMetaWorldAssets(const AssetSearchOptions& options = {});

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_ASSET_LOCATOR_H_
