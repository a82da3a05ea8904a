// `taco health`: whether a taco process serves, for container health checks
// and Kubernetes probes. With no address it probes what the process in this
// container announced in TACO_HEALTH_FILE (common/health_file.h).
#ifndef TACO_CLI_HEALTH_H_
#define TACO_CLI_HEALTH_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/run_config.h"

namespace taco {

struct HealthOptions {
  std::string address;   // host:port of a gRPC server; empty: TACO_HEALTH_FILE
  int metrics_port = 0;  // > 0: GET http://127.0.0.1:PORT/metrics instead
  SecurityConfig tls;    // how to reach a TLS server (no token needed)
  absl::Duration timeout = absl::Seconds(3);
};

// OK with a line on stdout when the target serves; UNAVAILABLE saying why
// otherwise (not answering, NOT_SERVING, nothing announced yet).
absl::Status CheckHealth(const HealthOptions& options);

}  // namespace taco

#endif  // TACO_CLI_HEALTH_H_
