// scripts/gpu-run's half that runs here: the scene files it carries to a GPU
// machine are exactly enough for the configs' tasks.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;

class GpuRunScriptTest : public testing::Test {
 protected:
  void SetUp() override {
    if (fs::path(TACO_BINARY) != fs::path(TACO_SOURCE_DIR) / "build" / "taco") {
      GTEST_SKIP() << "scripts/gpu-run asks build/taco for the scenes; this test binary was built "
                   << "for " << TACO_BINARY;
    }
    dir_ = fs::path(testing::TempDir()) / ("gpu-run-" + std::to_string(getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  CommandResult Script(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {std::string(TACO_SOURCE_DIR) + "/scripts/gpu-run"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, 120);
  }
  fs::path dir_;
};

TEST_F(GpuRunScriptTest, ScenesAreWhatMt10LoadsAndNoMore) {
  const fs::path scenes = dir_ / "scenes";
  const CommandResult copied = Script({"scenes", scenes.string(), "configs/mt10.yaml"});
  ASSERT_EQ(copied.exit_code, 0) << copied.output;
  // Ten tasks, eight scenes: the drawer tasks share one, the window tasks another.
  EXPECT_THAT(copied.output, testing::HasSubstr("for 8 scenes"));
  EXPECT_TRUE(fs::exists(scenes / "sawyer_xyz" / "sawyer_reach_v2.xml"));
  EXPECT_TRUE(fs::exists(scenes / "scene" / "basic_scene.xml"));
  EXPECT_FALSE(fs::exists(scenes / "sawyer_xyz" / "sawyer_coffee.xml"));  // not an MT10 task

  // Every MT10 task builds and steps from the copy alone.
  const CommandResult trained = RunCommand(
      {TACO_BINARY, "train-local", "configs/mt10.yaml", "--set",
       "env.assets_dir=" + scenes.string(), "--set", "run.output_dir=" + (dir_ / "runs").string(),
       "--set", "algorithm.hidden_sizes=[32,32]", "--set", "trainer.batch_size=20", "--set",
       "trainer.total_env_steps=400", "--set", "trainer.exploration_steps=300", "--set",
       "trainer.eval_episodes_per_task=0", "--set", "metrics.enabled=false"},
      300);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_THAT(trained.output, testing::HasSubstr("done: 400 env steps"));

  // A mesh missing from the source is named, and nothing is copied.
  fs::remove(scenes / "objects" / "meshes" / "table" / "tablebody.stl");
  const CommandResult broken = RunCommand(
      {"/usr/bin/env", "TACO_METAWORLD_ASSETS=" + scenes.string(),
       std::string(TACO_SOURCE_DIR) + "/scripts/gpu-run", "scenes", (dir_ / "again").string()},
      120);
  EXPECT_NE(broken.exit_code, 0);
  EXPECT_THAT(broken.output, testing::HasSubstr("tablebody.stl is missing"));
  EXPECT_FALSE(fs::exists(dir_ / "again" / "sawyer_xyz"));
}

TEST_F(GpuRunScriptTest, WithoutAVerbItPrintsUsage) {
  const CommandResult r = Script({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, testing::HasSubstr("scripts/gpu-run prepare"));
}

}  // namespace
}  // namespace taco
