// The learner's parameter broadcast: the latest version, and the gRPC
// ParameterService that streams every new version to subscribers in chunks.
#ifndef TACO_LEARNER_PARAMETER_SERVICE_H_
#define TACO_LEARNER_PARAMETER_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

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

  // Checks an evaluation report's fields, then hands it to the handler
  // (none set: UNIMPLEMENTED).
  grpc::Status ReportEvaluation(grpc::ServerContext* context, const v1::EvaluationReport* request,
                                v1::EvaluationAck* response) override;
  using ReportHandler = std::function<absl::Status(const v1::EvaluationReport&)>;
  void set_report_handler(ReportHandler handler) { report_handler_ = std::move(handler); }

  // How many times the final version went out whole (a finished learner
  // waits for its actors and evaluator).
  int64_t final_deliveries() const { return final_deliveries_.load(); }

 private:
  bool Send(const std::shared_ptr<const ParameterSet>& set, const v1::SubscribeRequest& request,
            grpc::ServerWriter<v1::ParameterChunk>* writer);
  // The chunks of `set` at `bytes` per chunk: encoded once per version for
  // the default size, which every subscriber asking for it shares.
  std::shared_ptr<const std::vector<v1::ParameterChunk>> Chunks(
      const std::shared_ptr<const ParameterSet>& set, int64_t bytes);

  ParameterStore* store_;
  const int64_t default_chunk_bytes_;
  const std::shared_ptr<const CallAuthenticator> authenticator_;
  std::atomic<int64_t> final_deliveries_{0};
  ReportHandler report_handler_;  // set before the server starts
  absl::Mutex cache_mu_;
  std::shared_ptr<const ParameterSet> cached_set_ ABSL_GUARDED_BY(cache_mu_);
  std::shared_ptr<const std::vector<v1::ParameterChunk>> cached_chunks_ ABSL_GUARDED_BY(cache_mu_);
};

// Chunks below this size would make a version thousands of messages: a
// subscriber asking for less gets this much.
constexpr int64_t kMinChunkBytes = 64 << 10;

}  // namespace taco

#endif  // TACO_LEARNER_PARAMETER_SERVICE_H_
