// The taco.v1.Health service every process serves.
#ifndef TACO_PROTO_HEALTH_SERVICE_H_
#define TACO_PROTO_HEALTH_SERVICE_H_

#include <atomic>
#include <memory>
#include <string>

#include "proto/security.h"
#include "taco/v1/health.grpc.pb.h"

namespace taco {

class HealthService final : public v1::Health::Service {
 public:
  HealthService(std::string role, std::string version,
                std::shared_ptr<const CallAuthenticator> authenticator =
                    std::make_shared<CallAuthenticator>())
      : role_(std::move(role)),
        version_(std::move(version)),
        authenticator_(std::move(authenticator)) {}
  void SetServing(bool serving) { serving_ = serving; }
  grpc::Status Check(grpc::ServerContext* context, const v1::HealthCheckRequest* request,
                     v1::HealthCheckResponse* response) override;

 private:
  const std::string role_;
  const std::string version_;
  const std::shared_ptr<const CallAuthenticator> authenticator_;
  std::atomic<bool> serving_{true};
};

}  // namespace taco

#endif  // TACO_PROTO_HEALTH_SERVICE_H_
