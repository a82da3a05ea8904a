#include "cli/health.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/health_file.h"
#include "common/metrics_scrape.h"
#include "proto/health_probe.h"
#include "proto/security.h"

namespace taco {
namespace {

absl::Status ProbeMetrics(int port, absl::Duration timeout) {
  if (HttpGetLocal(port, "/metrics", absl::ToDoubleSeconds(timeout)).empty()) {
    return absl::UnavailableError(absl::StrCat("no metrics page on 127.0.0.1:", port));
  }
  std::printf("SERVING (metrics on 127.0.0.1:%d)\n", port);
  return absl::OkStatus();
}

absl::Status ProbeGrpc(const std::string& address, const SecurityConfig& tls,
                       absl::Duration timeout) {
  SecurityConfig client = tls;
  client.token_file.clear();
  auto security = ClientSecurity::FromConfig(client);
  if (!security.ok()) return security.status();
  auto status = CheckGrpcHealth(address, *security, timeout);
  if (!status.ok()) return absl::UnavailableError(status.status().message());
  if (*status != "SERVING") return absl::UnavailableError(absl::StrCat(address, ": ", *status));
  std::printf("SERVING (grpc.health.v1 on %s)\n", address.c_str());
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckHealth(const HealthOptions& options) {
  if (options.metrics_port > 0) return ProbeMetrics(options.metrics_port, options.timeout);
  if (!options.address.empty()) return ProbeGrpc(options.address, options.tls, options.timeout);
  const char* path = std::getenv("TACO_HEALTH_FILE");
  if (path == nullptr || *path == 0) {
    return absl::InvalidArgumentError(
        "nothing to probe: give ADDRESS or --metrics PORT, or set TACO_HEALTH_FILE (the image "
        "sets it; every role writes its probe target there)");
  }
  auto target = ReadHealthTarget(path);
  if (!target.ok()) {
    return absl::UnavailableError(
        absl::StrCat("no probe target yet (the role is starting?): ", target.status().message()));
  }
  if (target->kind == "metrics") return ProbeMetrics(target->port, options.timeout);
  return ProbeGrpc(absl::StrCat(target->host, ":", target->port), target->tls, options.timeout);
}

}  // namespace taco
