// The actor's side of the parameter broadcast: a background stream from the
// learner that keeps the newest complete parameter version at hand.
// Reconnects with exponential backoff; a damaged version is dropped and the
// next one awaited, so an actor keeps acting on the last good parameters.
#ifndef TACO_ACTOR_PARAMETER_SUBSCRIBER_H_
#define TACO_ACTOR_PARAMETER_SUBSCRIBER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/parameters.h"
#include "proto/security.h"
#include "taco/v1/parameters.grpc.pb.h"

namespace taco {

struct ParameterSubscriberOptions {
  std::string address;  // the learner's host:port
  int64_t max_chunk_bytes = 1 << 20;
  int max_message_bytes = 64 << 20;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  ClientSecurity security;  // TLS and token (default: plaintext, no token)
};

class ParameterSubscriber {
 public:
  explicit ParameterSubscriber(const ParameterSubscriberOptions& options);
  ~ParameterSubscriber();

  // The newest complete version, or null before the first arrives.
  std::shared_ptr<const ParameterSet> Latest() const;
  // Waits up to `timeout` for a version above `version` (same learner run).
  std::shared_ptr<const ParameterSet> WaitNewer(uint64_t version, absl::Duration timeout) const;
  // Waits up to `timeout` for a version other than `current` (null: any):
  // a newer one, or the first of a restarted learner, whose versions count
  // from its checkpoint again.
  std::shared_ptr<const ParameterSet> WaitOther(const ParameterSet* current,
                                                absl::Duration timeout) const;
  int64_t versions_received() const;
  int64_t damaged_versions() const;
  void Stop();

 private:
  void Run();

  const ParameterSubscriberOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ParameterService::Stub> stub_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const ParameterSet> latest_ ABSL_GUARDED_BY(mu_);
  int64_t received_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t damaged_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

}  // namespace taco

#endif  // TACO_ACTOR_PARAMETER_SUBSCRIBER_H_
