#include "common/health_file.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/file_util.h"

namespace taco {

HealthTarget GrpcHealthTarget(const std::string& listen_host, int port,
                              const SecurityConfig& security) {
  HealthTarget target;
  target.kind = "grpc";
  target.port = port;
  if (!listen_host.empty() && listen_host != "0.0.0.0" && listen_host != "::" &&
      listen_host != "[::]") {
    target.host = listen_host;
  }
  target.tls.ca_cert = security.ca_cert;
  target.tls.tls_cert = security.tls_cert;
  target.tls.tls_key = security.tls_key;
  target.tls.tls_server_name = security.tls_server_name;
  return target;
}

absl::Status AnnounceHealthTarget(const HealthTarget& target) {
  const char* path = std::getenv("TACO_HEALTH_FILE");
  if (path == nullptr || *path == 0) return absl::OkStatus();
  if (target.kind == "metrics") {
    if (auto old = ReadHealthTarget(path); old.ok() && old->kind == "grpc") return absl::OkStatus();
  }
  std::string text =
      absl::StrCat("kind ", target.kind, "\nhost ", target.host, "\nport ", target.port, "\n");
  const std::vector<std::pair<const char*, const std::string*>> tls = {
      {"ca_cert", &target.tls.ca_cert},
      {"tls_cert", &target.tls.tls_cert},
      {"tls_key", &target.tls.tls_key},
      {"tls_server_name", &target.tls.tls_server_name}};
  for (const auto& [key, value] : tls) {
    if (!value->empty()) absl::StrAppend(&text, key, " ", *value, "\n");
  }
  return WriteFileAtomically(path, text);
}

absl::StatusOr<HealthTarget> ReadHealthTarget(const std::string& path) {
  auto text = ReadSmallFile(path, 64 << 10);
  if (!text.ok()) return text.status();
  HealthTarget target;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    const std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(' ', 1));
    const std::string& key = kv.first;
    const std::string& value = kv.second;
    if (key == "kind") {
      target.kind = value;
    } else if (key == "host") {
      target.host = value;
    } else if (key == "port") {
      if (!absl::SimpleAtoi(value, &target.port)) target.port = 0;
    } else if (key == "ca_cert") {
      target.tls.ca_cert = value;
    } else if (key == "tls_cert") {
      target.tls.tls_cert = value;
    } else if (key == "tls_key") {
      target.tls.tls_key = value;
    } else if (key == "tls_server_name") {
      target.tls.tls_server_name = value;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(path, ": unknown key '", key, "'"));
    }
  }
  if (target.kind != "grpc" && target.kind != "metrics") {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": kind must be grpc or metrics, not '", target.kind, "'"));
  }
  if (target.host.empty() || target.host.find_first_of(" /") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no valid host"));
  }
  if (target.port < 1 || target.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no port in 1..65535"));
  }
  return target;
}

}  // namespace taco
