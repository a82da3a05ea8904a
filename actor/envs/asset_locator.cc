#include "actor/envs/asset_locator.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace taco::envs {
namespace {

namespace fs = std::filesystem;

// A file that every complete asset folder has.
constexpr char kMarkerFile[] = "sawyer_xyz/sawyer_reach_v2.xml";

std::string CurrentDir() {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  return ec ? std::string() : cwd.string();
}

std::string ExecutableDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

void AddUnique(const fs::path& path, std::vector<std::string>* out) {
  const std::string normal = path.lexically_normal().string();
  for (const std::string& existing : *out) {
    if (existing == normal) return;
  }
  out->push_back(normal);
}

// `../shared/metaworld-assets` beside the taco checkout that holds `start`
// (the nearest ancestor with configs/mt10.yaml). Only beside the checkout:
// a `shared` folder beside any other ancestor (/tmp/shared, /shared) is not
// ours to read.
void AddBesideAncestors(const std::string& start, std::vector<std::string>* out) {
  if (start.empty()) return;
  fs::path dir = fs::path(start).lexically_normal();
  while (true) {
    std::error_code ec;
    if (fs::is_regular_file(dir / "configs" / "mt10.yaml", ec)) {
      AddUnique((dir / ".." / "shared" / "metaworld-assets").lexically_normal(), out);
      return;
    }
    if (!dir.has_relative_path()) break;
    dir = dir.parent_path();
  }
}

}  // namespace

std::vector<std::string> AssetCandidates(const AssetSearchOptions& options) {
  const auto getenv = options.getenv ? options.getenv : [](const char* name) -> const char* {
    return std::getenv(name);
  };
  std::vector<std::string> out;
  if (!options.config_dir.empty()) AddUnique(options.config_dir, &out);
  if (const char* env = getenv(kAssetsEnvVar); env != nullptr && *env) {
    AddUnique(env, &out);
  }
  AddBesideAncestors(options.working_dir.empty() ? CurrentDir() : options.working_dir, &out);
  AddBesideAncestors(options.executable_dir.empty() ? ExecutableDir() : options.executable_dir,
                     &out);
  const fs::path suffix = fs::path("taco") / "metaworld-v2.0.0";
  if (const char* xdg = getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg) {
    AddUnique(fs::path(xdg) / suffix, &out);
  } else if (const char* home = getenv("HOME"); home != nullptr && *home) {
    AddUnique(fs::path(home) / ".cache" / suffix, &out);
  }
  return out;
}

absl::StatusOr<std::string> LocateMetaWorldAssets(const AssetSearchOptions& options) {
  const std::vector<std::string> candidates = AssetCandidates(options);
  for (const std::string& dir : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(fs::path(dir) / kMarkerFile, ec)) return dir;
  }
  return absl::NotFoundError(
      absl::StrCat("Meta-World v2.0.0 assets not found (looked for ", kMarkerFile,
                   "). Searched: ", absl::StrJoin(candidates, ", "), ". Set ", kAssetsEnvVar,
                   " or env.assets_dir in the config, or fill the user cache with "
                   "scripts/fetch-metaworld-assets."));
}

}  // namespace taco::envs
