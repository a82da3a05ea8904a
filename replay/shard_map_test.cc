#include "replay/shard_map.h"

#include <set>

#include "gtest/gtest.h"

namespace taco {
namespace {

const std::vector<std::string> kTasks = {"reach-v2",
                                         "push-v2",
                                         "pick-place-v2",
                                         "door-open-v2",
                                         "drawer-open-v2",
                                         "drawer-close-v2",
                                         "button-press-topdown-v2",
                                         "peg-insert-side-v2",
                                         "window-open-v2",
                                         "window-close-v2",
                                         "sweep-v2",
                                         "sweep-into-v2"};

TEST(ShardMapTest, EveryTaskHasExactlyOneOwner) {
  for (int shards = 1; shards <= 9; ++shards) {
    std::set<std::string> covered;
    for (int i = 0; i < shards; ++i) {
      for (const std::string& task : TasksOfShard(kTasks, i, shards)) {
        EXPECT_TRUE(covered.insert(task).second) << task << " owned twice";
        EXPECT_EQ(ShardForTask(task, shards), i);
      }
    }
    EXPECT_EQ(covered.size(), kTasks.size());
  }
}

TEST(ShardMapTest, IsAPureFunctionOfTaskAndShardCount) {
  // Fixed expectations: every process, build and machine must agree.
  EXPECT_EQ(ShardForTask("reach-v2", 1), 0);
  const int a = ShardForTask("pick-place-v2", 4);
  EXPECT_EQ(ShardForTask(std::string("pick-place-") + "v2", 4), a);
}

TEST(ShardMapTest, AddingAShardMovesOnlyTasksToTheNewShard) {
  for (int shards = 1; shards < 8; ++shards) {
    for (const std::string& task : kTasks) {
      const int before = ShardForTask(task, shards);
      const int after = ShardForTask(task, shards + 1);
      EXPECT_TRUE(after == before || after == shards) << task;
    }
  }
}

}  // namespace
}  // namespace taco
