// The tables of one replay shard, keyed by task, and multi-task sampling.
#ifndef TACO_REPLAY_REPLAY_BUFFER_H_
#define TACO_REPLAY_REPLAY_BUFFER_H_

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "replay/table.h"

namespace taco {

struct TaskCount {
  std::string task;
  int64_t count = 0;
};

class ReplayBuffer {
 public:
  // One table of `capacity_per_task` transitions for each task.
  static absl::StatusOr<std::unique_ptr<ReplayBuffer>> Create(const std::vector<std::string>& tasks,
                                                              TransitionShape shape,
                                                              int64_t capacity_per_task);

  absl::Status Insert(const std::string& task, const Transitions& batch);

  // counts[i].count transitions of counts[i].task, concatenated in the order
  // given. Fails (and samples nothing) if a task is unknown or empty.
  absl::StatusOr<Transitions> Sample(const std::vector<TaskCount>& counts,
                                     std::mt19937_64& rng) const;

  // nullptr for a task this buffer does not hold.
  Table* table(const std::string& task) const;
  const std::vector<std::string>& tasks() const { return tasks_; }
  TransitionShape shape() const { return shape_; }
  int64_t MemoryBytes() const;
  int64_t TotalSize() const;

 private:
  ReplayBuffer(std::vector<std::string> tasks, TransitionShape shape)
      : tasks_(std::move(tasks)), shape_(shape) {}
  absl::Status UnknownTask(const std::string& task) const;

  const std::vector<std::string> tasks_;
  const TransitionShape shape_;
  std::map<std::string, std::unique_ptr<Table>> tables_;
};

}  // namespace taco

#endif  // TACO_REPLAY_REPLAY_BUFFER_H_
