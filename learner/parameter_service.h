// The learner's parameter broadcast: the latest version, and the gRPC
// ParameterService that streams every new version to subscribers in chunks.
#ifndef TACO_LEARNER_PARAMETER_SERVICE_H_
#define TACO_LEARNER_PARAMETER_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/parameters.h"
#include "proto/security.h"
#include "taco/v1/parameters.grpc.pb.h"

namespace taco {

// Holds the newest parameter version; readers wait for newer ones.
class ParameterStore {
 public:
  // Versions must increase; an older or equal one is refused.
  absl::Status Publish(ParameterSet set);
  // The newest version, or null before the first Publish.
  std::shared_ptr<const ParameterSet> Latest() const;
  // Waits up to `timeout` for a version above `version`; null on timeout or
  // after Close().
  std::shared_ptr<const ParameterSet> WaitNewer(uint64_t version, absl::Duration timeout) const;
  // Wakes every waiter; later waits return at once.
  void Close();
  bool closed() const;

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const ParameterSet> latest_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

class ParameterService final : public v1::ParameterService::Service {
 public:
  ParameterService(ParameterStore* store, int64_t default_chunk_bytes = 1 << 20,
                   std::shared_ptr<const CallAuthenticator> authenticator =
                       std::make_shared<CallAuthenticator>())
      : store_(store),
        default_chunk_bytes_(default_chunk_bytes),
        authenticator_(std::move(authenticator)) {}

  grpc::Status Subscribe(grpc::ServerContext* context, const v1::SubscribeRequest* request,
                         grpc::ServerWriter<v1::ParameterChunk>* writer) override;
  grpc::Status GetLatest(grpc::ServerContext* context, const v1::SubscribeRequest* request,
                         grpc::ServerWriter<v1::ParameterChunk>* writer) override;

 private:
  bool Send(const ParameterSet& set, const v1::SubscribeRequest& request,
            grpc::ServerWriter<v1::ParameterChunk>* writer) const;

  ParameterStore* store_;
  const int64_t default_chunk_bytes_;
  const std::shared_ptr<const CallAuthenticator> authenticator_;
};

}  // namespace taco

#endif  // TACO_LEARNER_PARAMETER_SERVICE_H_
