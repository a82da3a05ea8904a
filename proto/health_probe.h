// The standard gRPC health service (grpc.health.v1) on taco's servers, and
// the client `taco health` probes it with. The service is gRPC's built-in
// one: it needs no token, so Kubernetes, grpc_health_probe and load
// balancers can ask it, and it reveals nothing but whether the server serves.
#ifndef TACO_PROTO_HEALTH_PROBE_H_
#define TACO_PROTO_HEALTH_PROBE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "proto/security.h"

namespace taco {

// Call before building a server: every server built afterwards in this
// process serves grpc.health.v1.
void EnableStandardHealthService();

// Sets the whole server's status ("" service). Servers start NOT_SERVING
// (see MarkNotServingUntilReady) and are marked SERVING once ready.
void SetServing(grpc::Server* server, bool serving);

// Right after BuildAndStart: NOT_SERVING until SetServing(server, true).
inline void MarkNotServingUntilReady(grpc::Server* server) { SetServing(server, false); }

// The status a server's grpc.health.v1 Check returns: "SERVING",
// "NOT_SERVING", ...; an error when it cannot be asked (UNAVAILABLE,
// DEADLINE_EXCEEDED, UNIMPLEMENTED for a server without the service).
absl::StatusOr<std::string> CheckGrpcHealth(const std::string& address,
                                            const ClientSecurity& security, absl::Duration timeout);

}  // namespace taco

#endif  // TACO_PROTO_HEALTH_PROBE_H_
