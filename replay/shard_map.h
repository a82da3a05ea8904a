// Which replay shard owns a task.
//
// Rendezvous (highest-random-weight) hashing over shard indices: a pure
// function of the task name and the shard count, so every process computes
// the same map without talking to anyone, and growing the shard list moves
// only the tasks that land on the new shards.
#ifndef TACO_REPLAY_SHARD_MAP_H_
#define TACO_REPLAY_SHARD_MAP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace taco {

int ShardForTask(absl::string_view task, int shard_count);

// The tasks of `tasks` that shard `shard_index` owns, in their given order.
std::vector<std::string> TasksOfShard(const std::vector<std::string>& tasks, int shard_index,
                                      int shard_count);

}  // namespace taco

#endif  // TACO_REPLAY_SHARD_MAP_H_
