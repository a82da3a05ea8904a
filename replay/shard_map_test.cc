#include "replay/shard_map.h"

#include <algorithm>
#include <set>

#include "gtest/gtest.h"

namespace taco {
namespace {

const std::vector<std::string> kTasks = {
    "reach-v2",       "push-v2",         "pick-place-v2",           "door-open-v2",
    "drawer-open-v2", "drawer-close-v2", "button-press-topdown-v2", "peg-insert-side-v2",
    "window-open-v2", "window-close-v2"};

TEST(ShardMapTest, EveryTaskHasExactlyOneOwnerAndShardsAreBalanced) {
  for (int shards = 1; shards <= 12; ++shards) {
    std::set<std::string> covered;
    size_t smallest = kTasks.size(), largest = 0;
    for (int i = 0; i < shards; ++i) {
      const std::vector<std::string> owned = TasksOfShard(kTasks, i, shards);
      smallest = std::min(smallest, owned.size());
      largest = std::max(largest, owned.size());
      for (const std::string& task : owned) {
        EXPECT_TRUE(covered.insert(task).second) << task << " owned twice";
        EXPECT_EQ(ShardForTask(task, kTasks, shards), i);
      }
    }
    EXPECT_EQ(covered.size(), kTasks.size());
    EXPECT_LE(largest - smallest, 1u) << shards << " shards";
  }
}

TEST(ShardMapTest, DoesNotDependOnTheOrderTasksAreListedIn) {
  std::vector<std::string> reversed(kTasks.rbegin(), kTasks.rend());
  for (const std::string& task : kTasks) {
    EXPECT_EQ(ShardForTask(task, kTasks, 3), ShardForTask(task, reversed, 3));
  }
}

TEST(ShardMapTest, FixedAssignmentEveryProcessAgreesOn) {
  // Sorted MT10: button-press-topdown, door-open, drawer-close, drawer-open,
  // peg-insert-side, pick-place, push, reach, window-close, window-open.
  EXPECT_EQ(ShardForTask("button-press-topdown-v2", kTasks, 2), 0);
  EXPECT_EQ(ShardForTask("door-open-v2", kTasks, 2), 1);
  EXPECT_EQ(ShardForTask("reach-v2", kTasks, 2), 1);
  EXPECT_EQ(ShardForTask("window-open-v2", kTasks, 3), 0);
}

TEST(ShardMapTest, UnknownTaskHasNoShard) {
  EXPECT_EQ(ShardForTask("fly-v2", kTasks, 2), -1);
  EXPECT_EQ(ShardForTask("reach-v2", kTasks, 0), -1);
}

}  // namespace
}  // namespace taco
