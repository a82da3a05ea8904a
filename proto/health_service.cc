#include "proto/health_service.h"

namespace taco {

grpc::Status HealthService::Check(grpc::ServerContext* context, const v1::HealthCheckRequest*,
                                  v1::HealthCheckResponse* response) {
  if (grpc::Status denied = authenticator_->Check(*context); !denied.ok()) return denied;
  response->set_status(serving_ ? v1::HealthCheckResponse::SERVING
                                : v1::HealthCheckResponse::NOT_SERVING);
  response->set_role(role_);
  response->set_version(version_);
  response->set_api("taco.v1");
  return grpc::Status::OK;
}

}  // namespace taco
