#include "actor/envs/asset_locator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actor/envs/task_registry.h"
#include "tests/subprocess.h"

namespace taco::envs {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class AssetLocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(testing::TempDir()) /
            ("assets_" + std::to_string(::getpid()) + "_" +
             testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    // A fake checkout: the locator looks beside the folder with this file.
    fs::create_directories(root_ / "nowhere" / "repo" / "configs");
    std::ofstream(root_ / "nowhere" / "repo" / "configs" / "mt10.yaml") << "{}";
  }
  void TearDown() override { fs::remove_all(root_); }

  // A folder that passes the locator's check.
  std::string MakeAssets(const std::string& name) {
    const fs::path dir = root_ / name;
    fs::create_directories(dir / "sawyer_xyz");
    std::ofstream(dir / "sawyer_xyz" / "sawyer_reach_v2.xml") << "<mujoco/>";
    return dir.string();
  }

  AssetSearchOptions Options() {
    AssetSearchOptions options;
    options.working_dir = (root_ / "nowhere" / "repo").string();
    options.executable_dir = (root_ / "nowhere" / "repo" / "build").string();
    options.getenv = [this](const char* name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    };
    return options;
  }

  fs::path root_;
  std::map<std::string, std::string> env_;
};

TEST_F(AssetLocatorTest, ConfigDirComesFirst) {
  env_[kAssetsEnvVar] = MakeAssets("from_env");
  AssetSearchOptions options = Options();
  options.config_dir = MakeAssets("from_config");
  EXPECT_EQ(LocateMetaWorldAssets(options).value(), options.config_dir);
}

TEST_F(AssetLocatorTest, EnvVarBeforeRepoAndCache) {
  env_[kAssetsEnvVar] = MakeAssets("from_env");
  env_["XDG_CACHE_HOME"] = root_.string();
  EXPECT_EQ(LocateMetaWorldAssets(Options()).value(), env_[kAssetsEnvVar]);
}

TEST_F(AssetLocatorTest, LooksOnlyBesideTheCheckout) {
  MakeAssets("shared/metaworld-assets");  // beside an ancestor, not the checkout
  for (const std::string& place : AssetCandidates(Options())) {
    EXPECT_EQ(place.find((root_ / "shared").string()), std::string::npos) << place;
  }
  EXPECT_FALSE(LocateMetaWorldAssets(Options()).ok());
}

TEST_F(AssetLocatorTest, FindsSharedFolderBesideTheCheckout) {
  const std::string shared = MakeAssets("nowhere/shared/metaworld-assets");
  EXPECT_EQ(LocateMetaWorldAssets(Options()).value(), shared);
}

TEST_F(AssetLocatorTest, FallsBackToXdgCache) {
  fs::create_directories(root_ / "cache" / "taco");
  const std::string cache = MakeAssets("cache/taco/metaworld-v2.0.0");
  env_["XDG_CACHE_HOME"] = (root_ / "cache").string();
  EXPECT_EQ(LocateMetaWorldAssets(Options()).value(), cache);
}

TEST_F(AssetLocatorTest, HomeCacheWithoutXdg) {
  env_["HOME"] = root_.string();
  const std::string cache = MakeAssets(".cache/taco/metaworld-v2.0.0");
  EXPECT_EQ(LocateMetaWorldAssets(Options()).value(), cache);
}

TEST_F(AssetLocatorTest, NotFoundListsEveryPlaceSearched) {
  env_[kAssetsEnvVar] = (root_ / "missing_env").string();
  env_["HOME"] = root_.string();
  AssetSearchOptions options = Options();
  options.config_dir = (root_ / "missing_config").string();
  const absl::StatusOr<std::string> found = LocateMetaWorldAssets(options);
  ASSERT_EQ(found.status().code(), absl::StatusCode::kNotFound);
  const std::string message(found.status().message());
  for (const std::string& place : AssetCandidates(options)) {
    EXPECT_THAT(message, HasSubstr(place));
  }
  EXPECT_THAT(message, HasSubstr("missing_config"));
  EXPECT_THAT(message, HasSubstr("missing_env"));
  EXPECT_THAT(message, HasSubstr("nowhere/shared/metaworld-assets"));
  EXPECT_THAT(message, HasSubstr(".cache/taco/metaworld-v2.0.0"));
}

// scripts/fetch-metaworld-assets checks a copy of the scenes against
// scripts/metaworld-v2.0.0.sha256; these tests run it with --check, which
// never downloads.
const fs::path kSums = fs::path(TACO_SOURCE_DIR) / "scripts" / "metaworld-v2.0.0.sha256";

CommandResult RunFetchScript(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {
      "/bin/bash", std::string(TACO_SOURCE_DIR) + "/scripts/fetch-metaworld-assets"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

// The relative paths the sums file lists.
std::vector<std::string> SummedFiles() {
  std::vector<std::string> files;
  std::ifstream in(kSums);
  std::string sum, path;
  while (in >> sum >> path) files.push_back(path);
  return files;
}

TEST(FetchAssetsScriptTest, SumsCoverEveryTaskScene) {
  const std::vector<std::string> listed = SummedFiles();
  ASSERT_FALSE(listed.empty()) << kSums;
  const std::set<std::string> files(listed.begin(), listed.end());
  for (const TaskDef* task : AllTasks()) {
    EXPECT_TRUE(files.count("sawyer_xyz/" + task->scene)) << task->name << ": " << task->scene;
  }
  // The shared includes every scene pulls in, and sweep-into's own table.
  for (const char* include :
       {"objects/assets/xyz_base.xml", "objects/assets/xyz_base_dependencies.xml",
        "scene/basic_scene.xml", "scene/basic_scene_b.xml"}) {
    EXPECT_TRUE(files.count(include)) << include;
  }
}

TEST(FetchAssetsScriptTest, CheckAcceptsTheScenesTheTestsLoad) {
  const absl::StatusOr<std::string> assets = LocateMetaWorldAssets({});
  ASSERT_TRUE(assets.ok()) << assets.status();
  const CommandResult result = RunFetchScript({"--check", *assets});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("match v2.0.0"));
}

TEST(FetchAssetsScriptTest, CheckNamesMissingAndChangedFiles) {
  const absl::StatusOr<std::string> assets = LocateMetaWorldAssets({});
  ASSERT_TRUE(assets.ok()) << assets.status();
  const fs::path copy =
      fs::path(testing::TempDir()) / ("assets_copy_" + std::to_string(::getpid()));
  fs::remove_all(copy);
  for (const std::string& file : SummedFiles()) {
    fs::create_directories((copy / file).parent_path());
    fs::copy_file(fs::path(*assets) / file, copy / file);
  }
  ASSERT_EQ(RunFetchScript({"--check", copy.string()}).exit_code, 0);

  std::ofstream(copy / "scene" / "basic_scene_b.xml", std::ios::app) << "<!-- edited -->\n";
  fs::remove(copy / "objects" / "assets" / "block.xml");
  const CommandResult result = RunFetchScript({"--check", copy.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("different: scene/basic_scene_b.xml"));
  EXPECT_THAT(result.output, HasSubstr("missing: objects/assets/block.xml"));
  fs::remove_all(copy);
}

TEST(FetchAssetsScriptTest, RefusesBadUsage) {
  EXPECT_EQ(RunFetchScript({"--check"}).exit_code, 2);
  EXPECT_EQ(RunFetchScript({"--frobnicate"}).exit_code, 2);
  const CommandResult missing = RunFetchScript({"--check", "/nonexistent/taco-assets"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("is not a folder"));
}

}  // namespace
}  // namespace taco::envs
