// Which index an actor started as `--index auto` takes. Replicas started
// alike (compose --scale, a Kubernetes Job) need distinct, stable indices:
// the index decides the actor's tasks and seeds, so a run is reproducible
// only if the replicas' indices are 0..N-1 whatever the start order.
#ifndef TACO_ACTOR_ACTOR_INDEX_H_
#define TACO_ACTOR_ACTOR_INDEX_H_

#include <string>

#include "absl/status/statusor.h"

namespace taco {

// An index and, for one claimed in a folder, the lock that holds it while
// this object lives.
class ActorIndexClaim {
 public:
  ActorIndexClaim(int index, std::string source, int lock_fd = -1)
      : index_(index), source_(std::move(source)), lock_fd_(lock_fd) {}
  ActorIndexClaim(ActorIndexClaim&& other) noexcept;
  ActorIndexClaim& operator=(ActorIndexClaim&&) = delete;
  ActorIndexClaim(const ActorIndexClaim&) = delete;
  ~ActorIndexClaim();

  int index() const { return index_; }
  // Where the index came from, for the log.
  const std::string& source() const { return source_; }

 private:
  int index_;
  std::string source_;
  int lock_fd_;
};

// The highest index a claim takes: far more actors than one run uses.
inline constexpr int kMaxClaimedActorIndex = 4095;

// In this order: TACO_ACTOR_INDEX; JOB_COMPLETION_INDEX (a Kubernetes Indexed
// Job); the lowest index in 0..kMaxClaimedActorIndex whose lock file in
// `claim_dir` no live process holds (replicas sharing a volume on one host;
// a restarted replica gets its index back unless a new one took it).
// NOT_FOUND when none of these applies; INVALID_ARGUMENT for a malformed
// variable or an unusable folder.
absl::StatusOr<ActorIndexClaim> ResolveActorIndex(const std::string& claim_dir);

}  // namespace taco

#endif  // TACO_ACTOR_ACTOR_INDEX_H_
