// Where a process can be probed, for `taco health` in its container: the
// image sets TACO_HEALTH_FILE, every role writes its probe target there, and
// the image's HEALTHCHECK (and Kubernetes' exec probes) run `taco health`
// with no arguments, whatever the role. Outside containers nothing is
// written unless the variable is set.
#ifndef TACO_COMMON_HEALTH_FILE_H_
#define TACO_COMMON_HEALTH_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/run_config.h"

namespace taco {

struct HealthTarget {
  // "grpc": the standard grpc.health.v1 service of a learner or replay
  // shard; "metrics": the /metrics page of an actor or the evaluator.
  std::string kind;
  // grpc only: where the prober, on the same host, connects. A metrics page
  // is always probed on 127.0.0.1 (metrics.bind loopback or a wildcard).
  std::string host = "127.0.0.1";
  int port = 0;
  // grpc only: what a client on this host needs to reach the server (TLS
  // files and the name its certificate carries); no token, which the health
  // service does not ask for.
  SecurityConfig tls;
};

// The target of a gRPC server listening on `listen_host`:`port`, probed from
// the same host (a wildcard host becomes 127.0.0.1), with the TLS settings
// of `security` a client needs.
HealthTarget GrpcHealthTarget(const std::string& listen_host, int port,
                              const SecurityConfig& security);

// Writes `target` to TACO_HEALTH_FILE when that is set; OK otherwise. A gRPC
// target replaces a metrics one, never the other way round, so that a
// learner or shard (metrics first, then gRPC) is probed on gRPC.
absl::Status AnnounceHealthTarget(const HealthTarget& target);

// The target in `path`, checked: a known kind and a port in 1..65535.
absl::StatusOr<HealthTarget> ReadHealthTarget(const std::string& path);

}  // namespace taco

#endif  // TACO_COMMON_HEALTH_FILE_H_
