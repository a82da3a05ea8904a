#include "replay/shard_map.h"

#include <algorithm>

namespace taco {

int ShardForTask(absl::string_view task, const std::vector<std::string>& run_tasks,
                 int shard_count) {
  if (shard_count < 1) return -1;
  std::vector<std::string> sorted = run_tasks;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  auto it = std::lower_bound(sorted.begin(), sorted.end(), task);
  if (it == sorted.end() || *it != task) return -1;
  return static_cast<int>((it - sorted.begin()) % shard_count);
}

std::vector<std::string> TasksOfShard(const std::vector<std::string>& run_tasks, int shard_index,
                                      int shard_count) {
  std::vector<std::string> owned;
  for (const std::string& task : run_tasks) {
    if (ShardForTask(task, run_tasks, shard_count) == shard_index) owned.push_back(task);
  }
  return owned;
}

}  // namespace taco
