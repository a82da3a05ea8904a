#include "common/metrics.h"

#include <cstdio>
#include <cstdlib>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace taco {
namespace {

void DieOnBadName(const absl::Status& status) {
  if (status.ok()) return;
  std::fprintf(stderr, "fatal: %s\n", std::string(status.message()).c_str());
  std::abort();
}

}  // namespace

absl::Status CheckMetricName(const std::string& name, MetricKind kind) {
  static const std::regex kValid("^taco_[a-z][a-z0-9_]*[a-z0-9]$");
  if (!std::regex_match(name, kValid)) {
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

Metrics& Metrics::Process() {
  static auto* metrics = new Metrics();
  return *metrics;
}

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}

absl::Status Metrics::Serve(const std::string& bind, int port) {
  std::lock_guard<std::mutex> lock(mu_);
  if (exposer_) {
    return absl::FailedPreconditionError("the metrics endpoint is already serving");
  }
  const std::string address = absl::StrCat(bind, ":", port);
  try {
    // civetweb serves GET only here: the endpoint is read-only.
    exposer_ = std::make_unique<prometheus::Exposer>(address, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  return absl::OkStatus();
}

int Metrics::port() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!exposer_) return 0;
  const std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

prometheus::Counter& Metrics::Counter(const std::string& name, const std::string& help,
                                      const prometheus::Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& family = counters_[name];
  if (family == nullptr) {
    DieOnBadName(CheckMetricName(name, MetricKind::kCounter));
    family = &prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
  }
  return family->Add(labels);
}

prometheus::Gauge& Metrics::Gauge(const std::string& name, const std::string& help,
                                  const prometheus::Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& family = gauges_[name];
  if (family == nullptr) {
    DieOnBadName(CheckMetricName(name, MetricKind::kGauge));
    family = &prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
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
    family = &prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
  }
  return family->Add(labels, buckets);
}

}  // namespace taco
