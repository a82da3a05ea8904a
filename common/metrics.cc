#include "common/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <prometheus/text_serializer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/health_file.h"

namespace taco {
namespace {

void DieOnBadName(const absl::Status& status) {
  if (status.ok()) return;
  std::fprintf(stderr, "fatal: %s\n", std::string(status.message()).c_str());
  std::abort();
}

}  // namespace

absl::Status CheckMetricName(const std::string& name, MetricKind kind) {
  // taco_[a-z][a-z0-9_]*[a-z0-9]
  bool valid = absl::StartsWith(name, "taco_") && name.size() > 6 && name[5] >= 'a' &&
               name[5] <= 'z' && name.back() != '_';
  for (char c : name) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (!valid) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metric name '", name, "' must match taco_[a-z][a-z0-9_]* (snake case, taco_ prefix)"));
  }
  const bool total = absl::EndsWith(name, "_total");
  if (kind == MetricKind::kCounter && !total) {
    return absl::InvalidArgumentError(absl::StrCat("counter '", name, "' must end in _total"));
  }
  if (kind != MetricKind::kCounter && total) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", name, "' ends in _total but is not a counter"));
  }
  return absl::OkStatus();
}

// Serves GET /metrics (and GET /, a pointer to it) one connection at a
// time; anything else gets 404 or 405. Scrapes are small and infrequent,
// so one thread is plenty, and a slow client is cut off after 5 s.
class Metrics::HttpEndpoint {
 public:
  static absl::StatusOr<std::unique_ptr<HttpEndpoint>> Start(
      const std::string& bind, int port, std::shared_ptr<prometheus::Registry> registry) {
    const std::string where = absl::StrCat(bind, ":", port);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const std::string host = bind == "localhost" ? "127.0.0.1" : bind;
    if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("metrics bind address '", bind, "' is not an IPv4 address"));
    }
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return absl::UnavailableError(absl::StrCat("socket: ", std::strerror(errno)));
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind_(fd, addr) != 0 || listen(fd, 16) != 0) {
      const std::string why = std::strerror(errno);
      close(fd);
      // A port that cannot be bound is the config's to change: restarting
      // the process would not free it.
      return absl::InvalidArgumentError(absl::StrCat("cannot serve metrics on ", where, ": ", why,
                                                     " (metrics.base_port; another run?)"));
    }
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    std::unique_ptr<HttpEndpoint> endpoint(
        new HttpEndpoint(fd, ntohs(addr.sin_port), std::move(registry)));
    endpoint->thread_ = std::thread([e = endpoint.get()] { e->Loop(); });
    return endpoint;
  }

  ~HttpEndpoint() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }

  int port() const { return port_; }

 private:
  HttpEndpoint(int fd, int port, std::shared_ptr<prometheus::Registry> registry)
      : fd_(fd), port_(port), registry_(std::move(registry)) {}

  static int bind_(int fd, const sockaddr_in& addr) {
    return ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  }

  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      Serve(client);
      close(client);
    }
  }

  void Serve(int client) {
    timeval timeout{5, 0};
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    std::string request;
    char buffer[2048];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
      const ssize_t n = read(client, buffer, sizeof(buffer));
      if (n <= 0) return;
      request.append(buffer, static_cast<size_t>(n));
    }
    const size_t line_end = request.find("\r\n");
    std::istringstream line(request.substr(0, line_end));
    std::string method, target;
    line >> method >> target;
    if (method != "GET" && method != "HEAD") {
      Reply(client, "405 Method Not Allowed", "text/plain", "read-only: GET /metrics\n", true);
      return;
    }
    if (target == "/metrics" || target.rfind("/metrics?", 0) == 0) {
      prometheus::TextSerializer serializer;
      Reply(client, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
            serializer.Serialize(registry_->Collect()), method == "GET");
    } else if (target == "/") {
      Reply(client, "200 OK", "text/plain", "taco metrics: GET /metrics\n", method == "GET");
    } else {
      Reply(client, "404 Not Found", "text/plain", "not found; metrics are at /metrics\n", true);
    }
  }

  static void Reply(int client, const char* status, const char* type, const std::string& body,
                    bool with_body) {
    std::string out =
        absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", type,
                     "\r\nContent-Length: ", body.size(), "\r\nConnection: close\r\n\r\n");
    if (with_body) out += body;
    size_t sent = 0;
    while (sent < out.size()) {
      const ssize_t n = send(client, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  const int fd_;
  const int port_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

Metrics& Metrics::Process() {
  static auto* metrics = new Metrics();
  return *metrics;
}

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}

Metrics::~Metrics() = default;

absl::Status Metrics::Serve(const std::string& bind, int port) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (endpoint_) return absl::FailedPreconditionError("the metrics endpoint is already serving");
    auto endpoint = HttpEndpoint::Start(bind, port, registry_);
    if (!endpoint.ok()) return endpoint.status();
    endpoint_ = std::move(*endpoint);
  }
  HealthTarget target;
  target.kind = "metrics";
  target.port = Metrics::port();
  if (absl::Status s = AnnounceHealthTarget(target); !s.ok()) return s;
  // `taco up` names its run in its children's environment, and reads only
  // the metrics pages that carry that name.
  if (const char* run_id = std::getenv("TACO_RUN_ID"); run_id != nullptr && *run_id != 0) {
    Gauge("taco_run_info", "1, labelled with the run id of the `taco up` that started the process",
          {{"run_id", run_id}})
        .Set(1);
  }
  return absl::OkStatus();
}

void Metrics::StopServing() {
  std::lock_guard<std::mutex> lock(mu_);
  endpoint_.reset();
}

int Metrics::port() const {
  std::lock_guard<std::mutex> lock(mu_);
  return endpoint_ ? endpoint_->port() : 0;
}

void Metrics::SetConstantLabels(prometheus::Labels labels) {
  std::lock_guard<std::mutex> lock(mu_);
  constant_labels_ = std::move(labels);
}

prometheus::Counter& Metrics::Counter(const std::string& name, const std::string& help,
                                      const prometheus::Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& family = counters_[name];
  if (family == nullptr) {
    DieOnBadName(CheckMetricName(name, MetricKind::kCounter));
    family = &prometheus::BuildCounter()
                  .Name(name)
                  .Help(help)
                  .Labels(constant_labels_)
                  .Register(*registry_);
  }
  return family->Add(labels);
}

prometheus::Gauge& Metrics::Gauge(const std::string& name, const std::string& help,
                                  const prometheus::Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& family = gauges_[name];
  if (family == nullptr) {
    DieOnBadName(CheckMetricName(name, MetricKind::kGauge));
    family = &prometheus::BuildGauge()
                  .Name(name)
                  .Help(help)
                  .Labels(constant_labels_)
                  .Register(*registry_);
  }
  return family->Add(labels);
}

prometheus::Histogram& Metrics::Histogram(const std::string& name, const std::string& help,
                                          const prometheus::Histogram::BucketBoundaries& buckets,
                                          const prometheus::Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& family = histograms_[name];
  if (family == nullptr) {
    DieOnBadName(CheckMetricName(name, MetricKind::kHistogram));
    family = &prometheus::BuildHistogram()
                  .Name(name)
                  .Help(help)
                  .Labels(constant_labels_)
                  .Register(*registry_);
  }
  return family->Add(labels, buckets);
}

}  // namespace taco
