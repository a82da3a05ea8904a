// Client side of the sharded replay service.
//
// ReplayWriter (actors): routes each task's batches to the shard that owns
// the task, one insert stream per shard, and keeps every batch until the
// shard acknowledges it. A broken stream is reopened with exponential
// backoff and the unacknowledged batches are sent again; the shard stores a
// batch at most once. Each shard may hold at most max_unacked_batches; past
// that Insert() waits, so a slow shard slows its actor down instead of
// growing memory.
//
// ReplaySampler (learner): asks every shard for its part of a multi-task
// batch at once and assembles the parts in the order requested.
#ifndef TACO_REPLAY_REPLAY_CLIENT_H_
#define TACO_REPLAY_REPLAY_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "proto/security.h"
#include "replay/replay_buffer.h"
#include "taco/v1/replay.grpc.pb.h"

namespace taco {

// A plaintext channel with taco's message size limits (tests, tools).
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, int max_message_bytes);

// Waits up to `timeout` for `channel` to connect; true once it has. Returns
// early, false, once `stop()` holds. A call that fails fast while the peer is
// away does not make gRPC retry the connection in a process with no other
// call in flight; waiting on the channel does, so a restarted peer is found
// as soon as it listens.
bool AwaitConnected(grpc::Channel& channel, absl::Duration timeout,
                    const std::function<bool()>& stop);

struct ReplayWriterOptions {
  std::vector<std::string> shard_addresses;  // index i serves shard i
  std::vector<std::string> tasks;            // every task of the run
  std::string actor_id;
  int64_t max_unacked_batches = 64;
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(5);
  int max_message_bytes = 64 << 20;
  ClientSecurity security;  // TLS and token (default: plaintext, no token)
};

struct ReplayWriterStats {
  int64_t batches_acked = 0;
  int64_t batches_resent = 0;
  int64_t reconnects = 0;
  int64_t unacked = 0;
  // Transitions in the unacknowledged batches.
  int64_t unacked_rows = 0;
};

class ReplayWriter {
 public:
  static absl::StatusOr<std::unique_ptr<ReplayWriter>> Create(const ReplayWriterOptions& options);
  ~ReplayWriter();

  // Queues `batch` for the shard owning `task`; waits up to `timeout` for
  // room. Returns the sticky error of a shard that rejected data for good.
  absl::Status Insert(const std::string& task, const Transitions& batch, absl::Duration timeout);
  // Waits until every queued batch is acknowledged.
  absl::Status Flush(absl::Duration timeout);
  // The shard owning `task` is unreachable and has batches waiting (a
  // connected shard that holds inserts back is not away).
  bool ShardAway(const std::string& task);
  ReplayWriterStats stats() const;
  void Close();

 private:
  class ShardStream;
  explicit ReplayWriter(const ReplayWriterOptions& options);

  const ReplayWriterOptions options_;
  std::vector<std::unique_ptr<ShardStream>> shards_;
  absl::Mutex mu_;
  std::map<std::string, uint64_t> next_sequence_ ABSL_GUARDED_BY(mu_);
};

struct ReplaySamplerOptions {
  std::vector<std::string> shard_addresses;
  std::vector<std::string> tasks;
  int max_message_bytes = 64 << 20;
  ClientSecurity security;  // TLS and token (default: plaintext, no token)
};

class ReplaySampler {
 public:
  static absl::StatusOr<std::unique_ptr<ReplaySampler>> Create(const ReplaySamplerOptions& options);

  // counts[i].count rows of counts[i].task, in that order, gathered from all
  // shards concurrently. `timeout` bounds the whole call.
  absl::StatusOr<Transitions> Sample(const std::vector<TaskCount>& counts, TransitionShape shape,
                                     absl::Duration timeout);
  // Info of every shard, by shard index.
  absl::StatusOr<std::vector<v1::InfoResponse>> Info(absl::Duration timeout);
  // Info of each shard, asked with requests[s] (empty: default requests),
  // all at once; a shard that is away fails alone.
  std::vector<absl::StatusOr<v1::InfoResponse>> InfoEach(
      const std::vector<v1::InfoRequest>& requests, absl::Duration timeout);
  int shard_count() const { return static_cast<int>(stubs_.size()); }

 private:
  explicit ReplaySampler(const ReplaySamplerOptions& options) : options_(options) {}
  const ReplaySamplerOptions options_;
  std::vector<std::unique_ptr<v1::ReplayService::Stub>> stubs_;
};

}  // namespace taco

#endif  // TACO_REPLAY_REPLAY_CLIENT_H_
