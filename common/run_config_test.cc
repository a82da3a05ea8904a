#include "common/run_config.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string>& Known() {
  static const auto* known = [] {
    auto* tasks = new std::vector<std::string>(Mt10Tasks());
    tasks->push_back("sweep-v2");
    return tasks;
  }();
  return *known;
}

TEST(RunConfigTest, DefaultsFollowThePaper) {
  auto config = ParseRunConfig("{}", "empty.yaml", Known());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tasks.size(), 10u);
  EXPECT_EQ(config->tasks[2], "pick-place-v2");
  EXPECT_EQ(config->trainer.batch_size, 1280);
  EXPECT_EQ(config->algorithm.num_components, 5);
  EXPECT_EQ(config->algorithm.hidden_sizes, (std::vector<int>{400, 400, 400}));
  EXPECT_DOUBLE_EQ(config->algorithm.loss_threshold, 3e3);
  EXPECT_DOUBLE_EQ(config->algorithm.discount, 0.99);
  EXPECT_EQ(config->env.max_episode_steps, 150);
  EXPECT_EQ(config->trainer.exploration_steps, 1500);
  EXPECT_EQ(config->trainer.total_env_steps, 20'000'000);
  EXPECT_EQ(config->trainer.replay_capacity, 1'000'000);
}

// A per-shard samples-per-insert limiter is a second pacer beside the
// learner: refused wherever it could hold back what the learner waits for.
TEST(RunConfigTest, ALimiterThatCouldStallIsRefusedNamingTheKeys) {
  auto shards = ParseRunConfig("replay: {samples_per_insert: 128}\n", "t.yaml", Known());
  ASSERT_FALSE(shards.ok());
  EXPECT_NE(shards.status().message().find("samples_per_insert"), std::string::npos);
  EXPECT_NE(shards.status().message().find("topology.replay_shards"), std::string::npos);
  auto buffer = ParseRunConfig(
      "replay: {samples_per_insert: 128, error_buffer: 1000}\ntopology: {replay_shards: 1}\n",
      "t.yaml", Known());
  ASSERT_FALSE(buffer.ok());
  EXPECT_NE(buffer.status().message().find("error_buffer"), std::string::npos);
  EXPECT_NE(buffer.status().message().find("exploration_steps"), std::string::npos);
  EXPECT_TRUE(ParseRunConfig("replay: {samples_per_insert: 128}\ntopology: {replay_shards: 1}\n",
                             "t.yaml", Known())
                  .ok());
  EXPECT_TRUE(ParseRunConfig("topology: {replay_shards: 4}\n", "t.yaml", Known()).ok());
}

// The actors' insert windows together stay within the insert lead under the
// learner's grant, within 2..64 batches each.
TEST(RunConfigTest, ActorInsertWindowsFitTheInsertLead) {
  RunConfig c;
  c.topology.actors = 2;
  c.topology.replay_shards = 2;
  c.topology.actor_batch = 64;
  c.replay.max_insert_batch = 4096;  // lead 8192
  EXPECT_EQ(c.ActorInsertWindow(), 32);
  EXPECT_LE(c.ActorInsertWindow() * 2 * 2 * 64, c.replay.InsertLead());
  c.topology.actors = 64;
  EXPECT_EQ(c.ActorInsertWindow(), 2);  // at least two batches, however many actors
  c.topology.actors = 1;
  c.topology.replay_shards = 1;
  c.topology.actor_batch = 8;
  EXPECT_EQ(c.ActorInsertWindow(), 64);  // at most the writer's default
  c.replay.samples_per_insert = 0;       // no grant: the default window
  c.topology.actors = 64;
  EXPECT_EQ(c.ActorInsertWindow(), 64);
}

TEST(RunConfigTest, UnknownTaskListsValidNames) {
  auto config = ParseRunConfig("tasks: [reach-v2, fly-v2]\n", "t.yaml", Known());
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("unknown task 'fly-v2'"));
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("sweep-v2"));
}

TEST(RunConfigTest, DuplicateTaskIsAnError) {
  auto config = ParseRunConfig("tasks: [reach-v2, reach-v2]\n", "t.yaml", Known());
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("twice"));
}

TEST(RunConfigTest, BatchSmallerThanTaskCountIsAnError) {
  auto config = ParseRunConfig("trainer:\n  batch_size: 4\n", "b.yaml", Known());
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("trainer.batch_size"));
}

TEST(RunConfigTest, GroupsMustCoverEachTaskOnce) {
  auto config = ParseRunConfig(
      "tasks: [reach-v2, push-v2, sweep-v2]\n"
      "task_distribution:\n  kind: groups\n  groups: [[reach-v2, push-v2], [push-v2]]\n",
      "g.yaml", Known());
  ASSERT_FALSE(config.ok());
  const std::string message(config.status().message());
  EXPECT_THAT(message, HasSubstr("more than one group"));
  EXPECT_THAT(message, HasSubstr("leaves task 'sweep-v2' in no group"));
}

TEST(RunConfigTest, WeightsNameOnlyKnownTasks) {
  auto config = ParseRunConfig(
      "task_distribution:\n  kind: weights\n  weights: {pick-place-v2: 2, sweep-v2: 1}\n", "w.yaml",
      Known());
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("'sweep-v2', which is not in"));
}

TEST(RunConfigTest, TlsNeedsCertAndKey) {
  auto config = ParseRunConfig("security:\n  tls_cert: a.pem\n", "s.yaml", Known());
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("security.tls_key"));
}

TEST(RunConfigTest, TransferNeedsASourceAndExplorationBeyondTheWarmUp) {
  auto no_source = ParseRunConfig("transfer:\n  enabled: true\n", "t.yaml", Known());
  ASSERT_FALSE(no_source.ok());
  EXPECT_THAT(std::string(no_source.status().message()), HasSubstr("transfer.source_checkpoint"));
  auto short_exploration = ParseRunConfig(
      "trainer:\n  exploration_steps: 5000\ntransfer:\n  enabled: true\n"
      "  source_checkpoint: a.ckpt\n  exploration_steps: 5000\n",
      "t.yaml", Known());
  ASSERT_FALSE(short_exploration.ok());
  EXPECT_THAT(std::string(short_exploration.status().message()),
              HasSubstr("must exceed trainer.exploration_steps (5000)"));
  EXPECT_TRUE(
      ParseRunConfig("transfer:\n  enabled: true\n  source_checkpoint: a.ckpt\n", "t.yaml", Known())
          .ok());
}

TEST(RunConfigTest, PortCollisionIsAnError) {
  auto config = ParseRunConfig(
      "topology:\n  replay_base_port: 6000\n  replay_shards: 4\n  learner_port: 6002\n", "p.yaml",
      Known());
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("topology.learner_port"));
}

TEST(RunConfigTest, OverridesApplyBeforeValidation) {
  const std::string path = testing::TempDir() + "/override.yaml";
  std::ofstream(path) << "trainer:\n  batch_size: 64\n";
  auto config = LoadRunConfig(path, {"trainer.batch_size=128", "run.name=x"}, Known());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->trainer.batch_size, 128);
  EXPECT_EQ(config->RunDir(), "runs/x");
  EXPECT_EQ(config->CheckpointDir(), "runs/x/checkpoints");
  auto bad = LoadRunConfig(path, {"trainer.batch_size=-1"}, Known());
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr(path));
}

}  // namespace
}  // namespace taco
