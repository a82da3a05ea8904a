// Which replay shard owns a task.
//
// The run's task names, sorted, are dealt to the shards in turn: a pure
// function of the task, the run's task list and the shard count, which every
// process reads from the same config, so all of them compute the same map
// without talking to each other. Dealing keeps shards balanced to within one
// task (hashing ten tasks onto two shards often splits them 3 / 7 or worse,
// and small runs could leave a shard with nothing). Sorting makes the map
// independent of the order in which a config lists the tasks.
#ifndef TACO_REPLAY_SHARD_MAP_H_
#define TACO_REPLAY_SHARD_MAP_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace taco {

// -1 when `task` is not among `run_tasks`.
int ShardForTask(absl::string_view task, const std::vector<std::string>& run_tasks,
                 int shard_count);

// The tasks shard `shard_index` owns, in the order of `run_tasks`.
std::vector<std::string> TasksOfShard(const std::vector<std::string>& run_tasks, int shard_index,
                                      int shard_count);

}  // namespace taco

#endif  // TACO_REPLAY_SHARD_MAP_H_
