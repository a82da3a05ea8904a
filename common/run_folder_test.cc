#include "common/run_folder.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

namespace fs = std::filesystem;

RunConfig InFolder(const std::string& name) {
  RunConfig c;
  c.run.output_dir = testing::TempDir() + "/run_folder_test";
  c.run.name = name;
  fs::remove_all(c.RunDir());
  return c;
}

TEST(RunFolderTest, AnEmptyOrMissingFolderStartsInEveryMode) {
  RunConfig c = InFolder("empty");
  for (RunFolderMode mode : {RunFolderMode::kNew, RunFolderMode::kResume, RunFolderMode::kFresh}) {
    EXPECT_TRUE(PrepareRunFolder(c, mode).ok());
  }
  fs::create_directories(c.RunDir());
  EXPECT_FALSE(RunFolderHoldsARun(c));
  EXPECT_TRUE(PrepareRunFolder(c, RunFolderMode::kNew).ok());
}

TEST(RunFolderTest, AFolderWithARunIsResumedOrReplacedOnlyWhenAsked) {
  RunConfig c = InFolder("held");
  fs::create_directories(c.CheckpointDir());
  std::ofstream(c.CheckpointDir() + "/learner.ckpt") << "x";
  ASSERT_TRUE(RunFolderHoldsARun(c));
  absl::Status refused = PrepareRunFolder(c, RunFolderMode::kNew);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), testing::HasSubstr("--resume"));
  EXPECT_THAT(refused.message(), testing::HasSubstr("--fresh"));
  EXPECT_THAT(refused.message(), testing::HasSubstr(c.RunDir()));
  EXPECT_TRUE(fs::exists(c.CheckpointDir() + "/learner.ckpt"));
  EXPECT_TRUE(PrepareRunFolder(c, RunFolderMode::kResume).ok());
  EXPECT_TRUE(fs::exists(c.CheckpointDir() + "/learner.ckpt"));
  EXPECT_TRUE(PrepareRunFolder(c, RunFolderMode::kFresh).ok());
  EXPECT_FALSE(fs::exists(c.CheckpointDir() + "/learner.ckpt"));
  EXPECT_FALSE(RunFolderHoldsARun(c));
}

TEST(RunFolderTest, ACheckpointFolderSetApartCountsAsPartOfTheRun) {
  RunConfig c = InFolder("apart");
  c.checkpoint.dir = testing::TempDir() + "/run_folder_test/apart-ckpt";
  fs::remove_all(c.checkpoint.dir);
  fs::create_directories(c.checkpoint.dir);
  std::ofstream(c.checkpoint.dir + "/learner.ckpt") << "x";
  EXPECT_TRUE(RunFolderHoldsARun(c));
  EXPECT_FALSE(PrepareRunFolder(c, RunFolderMode::kNew).ok());
  EXPECT_TRUE(PrepareRunFolder(c, RunFolderMode::kFresh).ok());
  EXPECT_FALSE(fs::exists(c.checkpoint.dir));
}

}  // namespace
}  // namespace taco
