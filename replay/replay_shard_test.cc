#include "replay/replay_shard.h"

#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/shard_map.h"
#include "replay/table_file.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

constexpr TransitionShape kShape{3, 1};
const std::vector<std::string> kTasks = {
    "reach-v2",       "push-v2",         "pick-place-v2",           "door-open-v2",
    "drawer-open-v2", "drawer-close-v2", "button-press-topdown-v2", "peg-insert-side-v2",
    "window-open-v2", "window-close-v2"};
constexpr absl::Duration kWait = absl::Seconds(5);

Transitions Batch(float value, int64_t n) {
  Transitions t;
  t.shape = kShape;
  const float obs[3] = {value, value, value};
  const float act[1] = {value};
  for (int64_t i = 0; i < n; ++i) t.Append(obs, act, value, obs, false, false, 1);
  return t;
}

std::string FreshDir(const std::string& name) {
  const std::string dir = testing::TempDir() + "/" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

int64_t SizeOf(const ReplayShard& shard, const std::string& task) {
  for (const TaskStats& t : shard.Info().tasks) {
    if (t.task == task) return t.size;
  }
  return -1;
}

ReplayShardOptions Options(int index, int count, const std::string& dir = "") {
  ReplayShardOptions o;
  o.shard_index = index;
  o.shard_count = count;
  o.tasks = kTasks;
  o.shape = kShape;
  o.capacity_per_task = 50;
  o.checkpoint_dir = dir;
  return o;
}

TEST(ReplayShardTest, OwnsExactlyItsTasksAndNamesTheOwnerOtherwise) {
  auto shard0 = *ReplayShard::Create(Options(0, 2));
  auto shard1 = *ReplayShard::Create(Options(1, 2));
  for (const std::string& task : kTasks) {
    EXPECT_NE(shard0->Owns(task), shard1->Owns(task)) << task;
    ReplayShard& other = shard0->Owns(task) ? *shard1 : *shard0;
    absl::Status status = other.CheckOwns(task);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(status.message()),
                HasSubstr(absl::StrCat("shard ", ShardForTask(task, kTasks, 2), " does")));
    auto insert = other.Insert(task, "a", 1, Batch(1, 1), kWait);
    EXPECT_FALSE(insert.ok());
  }
  EXPECT_EQ(shard0->CheckOwns("fly-v2").code(), absl::StatusCode::kNotFound);
}

TEST(ReplayShardTest, AShardWithoutTasksIsRefused) {
  ReplayShardOptions o = Options(1, 2);
  o.tasks = {"reach-v2"};
  auto shard = ReplayShard::Create(o);
  ASSERT_FALSE(shard.ok());
  EXPECT_THAT(std::string(shard.status().message()), HasSubstr("owns none"));
}

TEST(ReplayShardTest, ReSentBatchesAreNotStoredTwice) {
  auto shard = *ReplayShard::Create(Options(0, 1));
  auto first = shard->Insert("push-v2", "actor-a", 1, Batch(1, 4), kWait);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->stored, 4);
  ASSERT_TRUE(shard->Insert("push-v2", "actor-a", 2, Batch(2, 4), kWait).ok());
  auto again = shard->Insert("push-v2", "actor-a", 2, Batch(2, 4), kWait);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->stored, 0);
  EXPECT_EQ(again->last_sequence, 2u);
  auto older = shard->Insert("push-v2", "actor-a", 1, Batch(1, 4), kWait);
  EXPECT_EQ(older->stored, 0);
  // Another actor has its own sequence.
  EXPECT_EQ(shard->Insert("push-v2", "actor-b", 1, Batch(3, 2), kWait)->stored, 2);
  ShardInfo info = shard->Info();
  int64_t size = 0;
  for (const TaskStats& t : info.tasks) size += t.size;
  EXPECT_EQ(size, 10);
  EXPECT_EQ((info.sequences[{"actor-a", "push-v2"}]), 2u);
  EXPECT_EQ(shard->Insert("push-v2", "actor-a", 0, Batch(1, 1), kWait).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReplayShardTest, BadBatchesStoreNothing) {
  auto shard = *ReplayShard::Create(Options(0, 1));
  Transitions nan = Batch(1, 2);
  nan.obs[4] = std::nanf("");
  EXPECT_EQ(shard->Insert("reach-v2", "a", 1, nan, kWait).status().code(),
            absl::StatusCode::kInvalidArgument);
  Transitions wide = Batch(1, 2);
  wide.shape.obs_dim = 4;
  EXPECT_FALSE(shard->Insert("reach-v2", "a", 1, wide, kWait).ok());
  EXPECT_FALSE(shard->Insert("reach-v2", "", 1, Batch(1, 1), kWait).ok());
  EXPECT_FALSE(shard->Insert("reach-v2", "a", 1, Batch(1, 5000), kWait).ok());
  EXPECT_EQ(SizeOf(*shard, "reach-v2"), 0);
  // The failed sequence 1 did not count: it can still be stored.
  EXPECT_EQ(shard->Insert("reach-v2", "a", 1, Batch(1, 1), kWait)->stored, 1);
}

TEST(ReplayShardTest, SamplesInRequestOrder) {
  auto shard = *ReplayShard::Create(Options(0, 1));
  ASSERT_TRUE(shard->Insert("reach-v2", "a", 1, Batch(1, 5), kWait).ok());
  ASSERT_TRUE(shard->Insert("push-v2", "a", 1, Batch(2, 5), kWait).ok());
  auto batch = shard->Sample({{"push-v2", 2}, {"reach-v2", 1}}, kWait);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->reward, (std::vector<float>{2, 2, 1}));
  EXPECT_EQ(shard->Sample({{"door-open-v2", 1}}, kWait).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ReplayShardTest, RateLimiterBlocksThenTimesOut) {
  ReplayShardOptions o = Options(0, 1);
  o.rate_limiter = RateLimiterOptions::MinSize(10);
  auto shard = *ReplayShard::Create(o);
  ASSERT_TRUE(shard->Insert("reach-v2", "a", 1, Batch(1, 5), kWait).ok());
  auto blocked = shard->Sample({{"reach-v2", 1}}, absl::Milliseconds(30));
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GT(shard->Info().sample_blocked_s, 0.02);
}

TEST(ReplayShardTest, TheLearnersInsertLimitHoldsInsertsUntilRaised) {
  ReplayShardOptions o = Options(0, 1);
  o.initial_insert_lead = 8;
  auto shard = *ReplayShard::Create(o);
  EXPECT_EQ(shard->Info().insert_limit, 8);
  ASSERT_TRUE(shard->Insert("reach-v2", "a", 1, Batch(1, 6), kWait).ok());
  // 6 + 4 > 8: held back.
  EXPECT_EQ(shard->Insert("reach-v2", "a", 2, Batch(1, 4), absl::Milliseconds(30)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  shard->SetInsertLimit(10);
  EXPECT_TRUE(shard->Insert("reach-v2", "a", 2, Batch(1, 4), kWait).ok());
  EXPECT_EQ(shard->Info().insert_limit, 10);
}

TEST(ReplayShardTest, ARestoredShardCountsItsLeadFromWhatItRestored) {
  const std::string dir = FreshDir("shard_restored_lead");
  ReplayShardOptions o = Options(0, 1, dir);
  uint64_t first_incarnation = 0;
  {
    auto shard = *ReplayShard::Create(o);
    first_incarnation = shard->Info().incarnation;
    ASSERT_TRUE(shard->Insert("reach-v2", "a", 1, Batch(1, 20), kWait).ok());
    ASSERT_TRUE(shard->Checkpoint().ok());
  }
  o.initial_insert_lead = 5;
  auto shard = *ReplayShard::Create(o);
  const ShardInfo info = shard->Info();
  EXPECT_NE(info.incarnation, first_incarnation);
  EXPECT_NE(info.incarnation, 0u);
  EXPECT_EQ(info.restored_inserted_total, 20);
  EXPECT_EQ(info.insert_limit, 25);
}

TEST(ReplayShardTest, AClosedShardStoresNothingMore) {
  auto shard = *ReplayShard::Create(Options(0, 1));
  ASSERT_TRUE(shard->Insert("reach-v2", "a", 1, Batch(1, 3), kWait).ok());
  shard->Close();
  EXPECT_TRUE(shard->Info().closed);
  EXPECT_EQ(shard->Insert("reach-v2", "a", 2, Batch(1, 3), kWait).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(SizeOf(*shard, "reach-v2"), 3);
  // A re-send of what it stored is still acknowledged.
  EXPECT_TRUE(shard->Insert("reach-v2", "a", 1, Batch(1, 3), kWait).ok());
}

TEST(ReplayShardTest, IdleActorsAreForgottenAndCountersOnlyLeavesSequencesOut) {
  ReplayShardOptions o = Options(0, 1);
  o.actor_idle_expiry = absl::Milliseconds(50);
  auto shard = *ReplayShard::Create(o);
  ASSERT_TRUE(shard->Insert("reach-v2", "old", 1, Batch(1, 1), kWait).ok());
  EXPECT_EQ(shard->Info().sequences.size(), 1u);
  EXPECT_TRUE(shard->Info(/*counters_only=*/true).sequences.empty());
  EXPECT_EQ(shard->Info(/*counters_only=*/true).actors_tracked, 1);
  absl::SleepFor(absl::Milliseconds(80));
  ASSERT_TRUE(shard->Insert("reach-v2", "new", 1, Batch(1, 1), kWait).ok());
  const ShardInfo info = shard->Info();
  EXPECT_EQ(info.sequences.size(), 1u);
  EXPECT_EQ(info.sequences.count({"new", "reach-v2"}), 1u);
  EXPECT_EQ(info.actors_expired_total, 1);
}

TEST(ReplayShardTest, PolicyLagIsMeasuredAgainstTheLearnersVersionAtInsert) {
  auto shard = *ReplayShard::Create(Options(0, 1));
  ASSERT_TRUE(shard->Insert("reach-v2", "a", 1, Batch(1, 2), kWait).ok());
  EXPECT_TRUE(shard->DrainPolicyLags().empty());  // no learner version yet
  shard->SetLearnerVersion(40);
  ASSERT_TRUE(shard->Insert("reach-v2", "a", 2, Batch(1, 2), kWait).ok());  // acted with 1
  const auto lags = shard->DrainPolicyLags();
  ASSERT_EQ(lags.size(), 1u);
  EXPECT_EQ(lags[0].first, 39);
  EXPECT_EQ(lags[0].second, 2);
  EXPECT_TRUE(shard->DrainPolicyLags().empty());
}

TEST(ReplayShardTest, CheckpointRestoresContentsCountersAndSequences) {
  const std::string dir = FreshDir("shard_ckpt");
  {
    auto shard = *ReplayShard::Create(Options(0, 1, dir));
    ASSERT_TRUE(shard->Insert("reach-v2", "a", 1, Batch(1, 3), kWait).ok());
    ASSERT_TRUE(shard->Insert("push-v2", "b", 4, Batch(2, 7), kWait).ok());
    ASSERT_TRUE(shard->Sample({{"reach-v2", 2}}, kWait).ok());
    auto folder = shard->Checkpoint();
    ASSERT_TRUE(folder.ok()) << folder.status();
    // Inserted after the checkpoint: lost on a crash, within the bound.
    ASSERT_TRUE(shard->Insert("reach-v2", "a", 2, Batch(9, 1), kWait).ok());
  }
  auto restored = *ReplayShard::Create(Options(0, 1, dir));
  ShardInfo info = restored->Info();
  std::map<std::string, TaskStats> by_task;
  for (const TaskStats& t : info.tasks) by_task[t.task] = t;
  EXPECT_EQ(by_task["reach-v2"].size, 3);
  EXPECT_EQ(by_task["reach-v2"].sampled_total, 2);
  EXPECT_EQ(by_task["push-v2"].size, 7);
  EXPECT_EQ((info.sequences[{"b", "push-v2"}]), 4u);
  EXPECT_EQ((info.sequences[{"a", "reach-v2"}]), 1u);
  // The actor re-sends what the checkpoint lacks; it is stored once.
  EXPECT_EQ(restored->Insert("reach-v2", "a", 2, Batch(9, 1), kWait)->stored, 1);
  EXPECT_EQ(restored->Insert("push-v2", "b", 4, Batch(2, 7), kWait)->stored, 0);
}

TEST(ReplayShardTest, DamagedNewestCheckpointFallsBackToTheOlderOne) {
  const std::string dir = FreshDir("shard_damaged");
  std::string newest;
  {
    auto shard = *ReplayShard::Create(Options(0, 1, dir));
    ASSERT_TRUE(shard->Insert("reach-v2", "a", 1, Batch(1, 3), kWait).ok());
    ASSERT_TRUE(shard->Checkpoint().ok());
    ASSERT_TRUE(shard->Insert("reach-v2", "a", 2, Batch(1, 2), kWait).ok());
    newest = *shard->Checkpoint();
  }
  std::filesystem::resize_file(newest + "/reach-v2.table", 20);
  auto restored = *ReplayShard::Create(Options(0, 1, dir));
  EXPECT_EQ(SizeOf(*restored, "reach-v2"), 3);
}

// Found by fuzz/replay_checkpoint_fuzzer.cc: restoring summed the tables'
// counters for the rate limiter without an overflow check (undefined
// behaviour; in practice a negative count), and a MANIFEST that names a table
// twice restored it twice. Both make the checkpoint damaged: the shard falls
// back to the older one.
TEST(ReplayShardTest, CheckpointWithOverflowingCountersOrARepeatedTableIsSkipped) {
  for (const bool repeat : {false, true}) {
    const std::string dir = FreshDir(repeat ? "shard_repeated" : "shard_overflow");
    std::string newest;
    {
      auto shard = *ReplayShard::Create(Options(0, 1, dir));
      ASSERT_TRUE(shard->Insert("reach-v2", "a", 1, Batch(1, 3), kWait).ok());
      ASSERT_TRUE(shard->Checkpoint().ok());
      ASSERT_TRUE(shard->Insert("push-v2", "a", 1, Batch(1, 2), kWait).ok());
      newest = *shard->Checkpoint();
    }
    if (repeat) {
      std::ofstream(newest + "/MANIFEST", std::ios::app) << "table push-v2\n";
    } else {
      for (const std::string task : {"reach-v2", "push-v2"}) {
        const std::string path = newest + "/" + task + ".table";
        auto contents = ReadTableFile(path);
        ASSERT_TRUE(contents.ok()) << contents.status();
        contents->inserted_total = std::numeric_limits<int64_t>::max();
        ASSERT_TRUE(WriteTableFile(path, *contents).ok());
      }
    }
    auto restored = *ReplayShard::Create(Options(0, 1, dir));
    EXPECT_EQ(SizeOf(*restored, "reach-v2"), 3) << (repeat ? "repeated" : "overflow");
    EXPECT_EQ(SizeOf(*restored, "push-v2"), 0) << (repeat ? "repeated" : "overflow");
  }
}

TEST(ReplayShardTest, KeepsOnlyTheNewestCheckpoints) {
  const std::string dir = FreshDir("shard_keep");
  ReplayShardOptions o = Options(0, 1, dir);
  o.keep_checkpoints = 2;
  auto shard = *ReplayShard::Create(o);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(shard->Checkpoint().ok());
  int folders = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/shard-0")) {
    (void)e;
    ++folders;
  }
  EXPECT_EQ(folders, 2);
  EXPECT_EQ(shard->Info().checkpoints_total, 4);
}

TEST(ReplayShardTest, InsertsContinueDuringCheckpoints) {
  const std::string dir = FreshDir("shard_concurrent");
  ReplayShardOptions o = Options(0, 1, dir);
  o.capacity_per_task = 20000;
  auto shard = *ReplayShard::Create(o);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    uint64_t seq = 1;
    while (!done) ASSERT_TRUE(shard->Insert("reach-v2", "w", seq++, Batch(1, 64), kWait).ok());
  });
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(shard->Checkpoint().ok());
  done = true;
  writer.join();
  auto restored = *ReplayShard::Create(o);
  EXPECT_GT(SizeOf(*restored, "reach-v2"), 0);
}

}  // namespace
}  // namespace taco
