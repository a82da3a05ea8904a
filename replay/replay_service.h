// The gRPC face of a ReplayShard: decoding, validation and status mapping
// only; all behaviour lives in the shard.
#ifndef TACO_REPLAY_REPLAY_SERVICE_H_
#define TACO_REPLAY_REPLAY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "proto/security.h"
#include "replay/replay_shard.h"
#include "taco/v1/replay.grpc.pb.h"

namespace taco {

struct ReplayServiceOptions {
  // How long one insert or sample may wait for the rate limiter before the
  // call fails with DEADLINE_EXCEEDED (the client retries).
  absl::Duration rate_limiter_timeout = absl::Seconds(10);
  // Transitions per SampleResponse message, keeping each under gRPC's limit.
  uint32_t max_transitions_per_message = 8192;
  // Every call is checked first (the bearer token, when configured).
  std::shared_ptr<const CallAuthenticator> authenticator = std::make_shared<CallAuthenticator>();
};

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

class ReplayService final : public v1::ReplayService::Service {
 public:
  ReplayService(ReplayShard* shard, ReplayServiceOptions options)
      : shard_(shard), options_(options) {}

  grpc::Status Insert(grpc::ServerContext* context,
                      grpc::ServerReaderWriter<v1::InsertAck, v1::InsertRequest>* stream) override;
  grpc::Status Sample(grpc::ServerContext* context, const v1::SampleRequest* request,
                      grpc::ServerWriter<v1::SampleResponse>* writer) override;
  grpc::Status Info(grpc::ServerContext* context, const v1::InfoRequest* request,
                    v1::InfoResponse* response) override;
  grpc::Status Checkpoint(grpc::ServerContext* context, const v1::CheckpointRequest* request,
                          v1::CheckpointResponse* response) override;

 private:
  ReplayShard* shard_;
  const ReplayServiceOptions options_;
};

}  // namespace taco

#endif  // TACO_REPLAY_REPLAY_SERVICE_H_
