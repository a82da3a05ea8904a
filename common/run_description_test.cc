#include "common/run_description.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gtest/gtest.h"

namespace taco {
namespace {

TEST(RunDescriptionTest, RecordsVersionsStartAndTheResolvedConfig) {
  auto config = ParseRunConfig(
      "run: {name: described, seed: 9}\ntasks: [reach-v2]\ntrainer: {batch_size: 77}\n", "inline",
      {});
  ASSERT_TRUE(config.ok()) << config.status();
  config->run.output_dir = testing::TempDir() + "/run_description_test";
  std::filesystem::remove_all(config->run.output_dir);
  ASSERT_TRUE(WriteRunDescription(*config, "train", {{"mujoco", "2.2.2"}}).ok());
  std::ifstream in(config->RunDir() + "/run.json");
  const nlohmann::json run = nlohmann::json::parse(in);
  EXPECT_EQ(run["kind"], "train");
  EXPECT_EQ(run["seed"], 9);
  // What `taco report` needs to put a cluster run's updates on the env-step axis.
  EXPECT_EQ(run["env_steps_per_update"], 10);
  EXPECT_EQ(run["exploration_env_steps"], config->trainer.exploration_steps);
  EXPECT_FALSE(run["taco_version"].get<std::string>().empty());
  EXPECT_FALSE(run["git_commit"].get<std::string>().empty());
  EXPECT_EQ(run["libraries"]["mujoco"], "2.2.2");
  EXPECT_TRUE(run["libraries"].contains("libtorch"));
  EXPECT_EQ(run["started"].get<std::string>().size(), std::string("2026-12-05T08:00:00Z").size());
  // Values from the file, and defaults it leaves out, as they are in force.
  EXPECT_EQ(run["config"]["trainer"]["batch_size"], 77);
  EXPECT_EQ(run["config"]["trainer"]["env_steps_per_update"], 10);
  EXPECT_EQ(run["config"]["algorithm"]["hidden_sizes"], nlohmann::json({400, 400, 400}));
  EXPECT_EQ(run["config"]["tasks"], nlohmann::json({"reach-v2"}));
}

}  // namespace
}  // namespace taco
