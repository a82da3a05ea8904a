// One task's replay table: a columnar float32 ring buffer.
//
// All memory is allocated at creation (capacity × BytesPerTransition), so a
// table never grows and its footprint is known before the first insert.
// Inserts take an exclusive lock; samples share a reader lock, so several
// samplers run at once.
#ifndef TACO_REPLAY_TABLE_H_
#define TACO_REPLAY_TABLE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "replay/transitions.h"

namespace taco {

class Table {
 public:
  static absl::StatusOr<std::unique_ptr<Table>> Create(std::string task, TransitionShape shape,
                                                       int64_t capacity);

  // Validates then stores `batch`; when full, the oldest transitions go.
  // A batch larger than the capacity keeps its last `capacity` rows.
  // On error nothing is stored.
  absl::Status Insert(const Transitions& batch);

  // Writes `count` transitions drawn uniformly (with replacement) into rows
  // [offset, offset + count) of `out`, which must have room and this shape.
  absl::Status SampleInto(int64_t count, std::mt19937_64& rng, Transitions* out,
                          int64_t offset) const;

  // The stored transitions, oldest first (for checkpoints).
  Transitions Snapshot() const;
  // Replaces the contents with `contents` (oldest first) and the counters.
  absl::Status Restore(const Transitions& contents, int64_t inserted_total, int64_t sampled_total);

  const std::string& task() const { return task_; }
  const TransitionShape& shape() const { return shape_; }
  int64_t capacity() const { return capacity_; }
  int64_t size() const;
  int64_t inserted_total() const { return inserted_total_.load(); }
  int64_t sampled_total() const { return sampled_total_.load(); }
  int64_t MemoryBytes() const { return capacity_ * shape_.BytesPerTransition(); }

 private:
  Table(std::string task, TransitionShape shape, int64_t capacity);
  void StoreRowLocked(const Transitions& batch, int64_t row) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CopyRowLocked(int64_t slot, Transitions* out, int64_t row) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const std::string task_;
  const TransitionShape shape_;
  const int64_t capacity_;

  mutable absl::Mutex mu_;
  int64_t next_ ABSL_GUARDED_BY(mu_) = 0;  // slot the next insert writes
  int64_t size_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<float> obs_ ABSL_GUARDED_BY(mu_);
  std::vector<float> action_ ABSL_GUARDED_BY(mu_);
  std::vector<float> reward_ ABSL_GUARDED_BY(mu_);
  std::vector<float> next_obs_ ABSL_GUARDED_BY(mu_);
  std::vector<float> terminal_ ABSL_GUARDED_BY(mu_);
  std::vector<float> truncated_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> policy_version_ ABSL_GUARDED_BY(mu_);

  std::atomic<int64_t> inserted_total_{0};
  mutable std::atomic<int64_t> sampled_total_{0};
};

}  // namespace taco

#endif  // TACO_REPLAY_TABLE_H_
