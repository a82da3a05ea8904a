// One replay shard without any network: the tables of the tasks it owns,
// the rate limiter, per-actor sequence numbers and checkpoints.
//
// Durability: a checkpoint copies one table at a time under that table's
// insert lock (inserts to that task wait for one memcpy of the table, about
// 35 MB and tens of milliseconds for 100k MT10 transitions; samples never
// wait), then writes the files in the background. On a crash (kill -9) the
// shard loses at most what was inserted since the last checkpoint began:
// one checkpoint interval. Each table's sequence numbers are saved with its
// contents, so after a restore an actor re-sends exactly what is missing and
// nothing is stored twice.
#ifndef TACO_REPLAY_REPLAY_SHARD_H_
#define TACO_REPLAY_REPLAY_SHARD_H_

#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "replay/rate_limiter.h"
#include "replay/replay_buffer.h"

namespace taco {

struct ReplayShardOptions {
  int shard_index = 0;
  int shard_count = 1;
  // Every task of the run; the shard keeps those the shard map gives it.
  std::vector<std::string> tasks;
  TransitionShape shape;
  int64_t capacity_per_task = 100'000;
  RateLimiterOptions rate_limiter = RateLimiterOptions::MinSize(1);
  int64_t max_insert_batch = 4096;
  int64_t max_sample_batch = 1 << 20;
  // Empty: no checkpoints. Else checkpoints live in <dir>/shard-<index>/.
  std::string checkpoint_dir;
  absl::Duration checkpoint_interval = absl::Minutes(10);
  int keep_checkpoints = 3;
  uint64_t seed = 1;
  // The learner's pacing (see SetInsertLimit): until the learner first sets
  // a limit, the shard stores at most this many transitions beyond those it
  // restored. -1: no limit until the learner sets one.
  int64_t initial_insert_lead = -1;
  // Deduplication state of an actor that sent nothing for this long is
  // dropped (every restarted actor is a new id; the old ones go idle).
  absl::Duration actor_idle_expiry = absl::Minutes(30);
};

struct InsertResult {
  uint64_t last_sequence = 0;
  int64_t stored = 0;  // 0 for a batch already stored (a re-send)
};

struct TaskStats {
  std::string task;
  int64_t size = 0;
  int64_t capacity = 0;
  int64_t inserted_total = 0;
  int64_t sampled_total = 0;
};

struct ShardInfo {
  int shard_index = 0;
  int shard_count = 1;
  uint64_t incarnation = 0;
  int64_t restored_inserted_total = 0;
  int64_t insert_limit = -1;  // -1: none
  bool closed = false;
  std::vector<TaskStats> tasks;
  // (actor, task) → last; left empty when asked for counters only.
  std::map<std::pair<std::string, std::string>, uint64_t> sequences;
  int64_t actors_tracked = 0;
  int64_t actors_expired_total = 0;
  int64_t memory_bytes = 0;
  double last_checkpoint_unix_s = 0.0;
  double last_checkpoint_duration_s = 0.0;
  int64_t checkpoints_total = 0;
  double insert_blocked_s = 0.0;
  double sample_blocked_s = 0.0;
};

class ReplayShard {
 public:
  // Creates the tables and, when a checkpoint exists, restores the newest
  // one that is intact (a damaged newest one is skipped with a warning).
  static absl::StatusOr<std::unique_ptr<ReplayShard>> Create(const ReplayShardOptions& options);
  ~ReplayShard();

  bool Owns(const std::string& task) const;
  // Error naming the owner when this shard does not own `task`.
  absl::Status CheckOwns(const std::string& task) const;

  // Stores `batch` unless (actor_id, task) already stored `sequence` (which
  // starts at 1 and increases per actor and task). May wait
  // up to `timeout` for the rate limiter. Nothing is stored on error.
  absl::StatusOr<InsertResult> Insert(const std::string& task, const std::string& actor_id,
                                      uint64_t sequence, const Transitions& batch,
                                      absl::Duration timeout);
  // Waits up to `timeout` for the rate limiter, then samples in `counts` order.
  absl::StatusOr<Transitions> Sample(const std::vector<TaskCount>& counts, absl::Duration timeout);

  ShardInfo Info(bool counters_only = false) const;

  // The learner's pacing grant: store at most `limit` transitions in total
  // (the sum of the tasks' inserted_total) until a larger limit comes.
  void SetInsertLimit(int64_t limit);
  // The learner's newest version, against which inserts measure policy lag.
  void SetLearnerVersion(uint64_t version);
  // Policy lag (learner version minus acting version) and the rows of each
  // insert since the last call, at most `max` entries.
  std::vector<std::pair<int64_t, int64_t>> DrainPolicyLags(size_t max = 4096);

  // Stops storing: later inserts fail with UNAVAILABLE, and an insert that
  // already passed the check finishes before Close returns, so a checkpoint
  // written afterwards holds everything this shard acknowledged.
  void Close();
  bool closed() const;
  // The learner declared the run complete.
  void MarkRunComplete();
  bool run_complete() const;
  // Writes a checkpoint now; returns its folder.
  absl::StatusOr<std::string> Checkpoint();
  // Periodic checkpoints every checkpoint_interval until Stop().
  void StartBackgroundCheckpoints();
  // Ends background work and releases rate-limiter waiters.
  void Stop();

  const ReplayShardOptions& options() const { return options_; }
  const std::vector<std::string>& owned_tasks() const { return buffer_->tasks(); }

 private:
  struct TaskState {
    absl::Mutex mu;  // serialises inserts of the task with its sequence map
    std::map<std::string, uint64_t> last_sequence ABSL_GUARDED_BY(mu);
    std::map<std::string, absl::Time> last_seen ABSL_GUARDED_BY(mu);
  };
  // Drops the sequence numbers of actors idle beyond actor_idle_expiry.
  void ExpireIdleActors(TaskState& state, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mu);

  ReplayShard(const ReplayShardOptions& options, std::unique_ptr<ReplayBuffer> buffer,
              std::unique_ptr<RateLimiter> limiter);
  absl::Status RestoreLatest();
  absl::Status RestoreFrom(const std::string& folder);
  std::string ShardDir() const;
  void PruneOldCheckpoints();

  const ReplayShardOptions options_;
  const uint64_t incarnation_;
  int64_t restored_inserted_total_ = 0;
  std::atomic<int64_t> actors_expired_total_{0};
  std::atomic<uint64_t> learner_version_{0};
  std::atomic<bool> run_complete_{false};
  // Inserts hold it shared while they store; Close() takes it exclusively.
  mutable absl::Mutex closing_mu_;
  bool closed_ ABSL_GUARDED_BY(closing_mu_) = false;
  absl::Mutex lag_mu_;
  std::vector<std::pair<int64_t, int64_t>> lags_ ABSL_GUARDED_BY(lag_mu_);
  std::unique_ptr<ReplayBuffer> buffer_;
  std::unique_ptr<RateLimiter> limiter_;
  std::map<std::string, std::unique_ptr<TaskState>> task_state_;

  mutable absl::Mutex rng_mu_;
  mutable std::mt19937_64 rng_ ABSL_GUARDED_BY(rng_mu_);

  absl::Mutex checkpoint_mu_;  // one checkpoint at a time
  std::atomic<int64_t> checkpoint_counter_{0};
  std::atomic<double> last_checkpoint_unix_s_{0.0};
  std::atomic<double> last_checkpoint_duration_s_{0.0};
  std::atomic<int64_t> checkpoints_total_{0};

  absl::Notification stop_;
  std::thread checkpoint_thread_;
};

}  // namespace taco

#endif  // TACO_REPLAY_REPLAY_SHARD_H_
