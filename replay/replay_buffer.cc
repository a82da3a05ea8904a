#include "replay/replay_buffer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status.h"

namespace taco {

absl::StatusOr<std::unique_ptr<ReplayBuffer>> ReplayBuffer::Create(
    const std::vector<std::string>& tasks, TransitionShape shape, int64_t capacity_per_task) {
  if (tasks.empty()) return absl::InvalidArgumentError("a replay buffer needs at least one task");
  std::unique_ptr<ReplayBuffer> buffer(new ReplayBuffer(tasks, shape));
  for (const std::string& task : tasks) {
    if (buffer->tables_.count(task)) {
      return absl::InvalidArgumentError(absl::StrCat("task '", task, "' listed twice"));
    }
    TACO_ASSIGN_OR_RETURN(buffer->tables_[task], Table::Create(task, shape, capacity_per_task));
  }
  return buffer;
}

absl::Status ReplayBuffer::UnknownTask(const std::string& task) const {
  return absl::NotFoundError(
      absl::StrCat("no replay table for task '", task,
                   "' here (this buffer holds: ", absl::StrJoin(tasks_, ", "), ")"));
}

Table* ReplayBuffer::table(const std::string& task) const {
  auto it = tables_.find(task);
  return it == tables_.end() ? nullptr : it->second.get();
}

absl::Status ReplayBuffer::Insert(const std::string& task, const Transitions& batch) {
  Table* t = table(task);
  if (t == nullptr) return UnknownTask(task);
  return t->Insert(batch);
}

absl::StatusOr<Transitions> ReplayBuffer::Sample(const std::vector<TaskCount>& counts,
                                                 std::mt19937_64& rng) const {
  int64_t total = 0;
  for (const TaskCount& c : counts) {
    Table* t = table(c.task);
    if (t == nullptr) return UnknownTask(c.task);
    if (c.count < 0) {
      return absl::InvalidArgumentError(absl::StrCat("negative count for '", c.task, "'"));
    }
    if (c.count > 0 && t->size() == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("table '", c.task, "' is empty: nothing to sample"));
    }
    total += c.count;
  }
  Transitions out = Transitions::Zeros(shape_, total);
  int64_t offset = 0;
  for (const TaskCount& c : counts) {
    TACO_RETURN_IF_ERROR(table(c.task)->SampleInto(c.count, rng, &out, offset));
    offset += c.count;
  }
  return out;
}

int64_t ReplayBuffer::MemoryBytes() const {
  int64_t bytes = 0;
  for (const auto& [task, t] : tables_) bytes += t->MemoryBytes();
  return bytes;
}

int64_t ReplayBuffer::TotalSize() const {
  int64_t size = 0;
  for (const auto& [task, t] : tables_) size += t->size();
  return size;
}

}  // namespace taco
