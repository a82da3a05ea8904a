// One Prometheus registry and one HTTP exposer per process.
//
// Names follow Prometheus conventions and are checked: a `taco_` prefix,
// base units, `_total` for counters. Labels stay bounded (task, shard,
// role), never one value per actor or per step.
#ifndef TACO_COMMON_METRICS_H_
#define TACO_COMMON_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"

namespace taco {

enum class MetricKind { kCounter, kGauge, kHistogram };

// OK when `name` is a valid taco metric name for `kind`.
absl::Status CheckMetricName(const std::string& name, MetricKind kind);

class Metrics {
 public:
  // The process-wide instance.
  static Metrics& Process();

  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Starts the read-only /metrics endpoint on bind:port (port 0 picks a free
  // port). A second call is an error: one exposer per process.
  absl::Status Serve(const std::string& bind, int port);
  // The listening port, or 0 when not serving.
  int port() const;

  // Metric handles; the same name and labels return the same object.
  // An invalid name is a programming error and aborts with a message.
  prometheus::Counter& Counter(const std::string& name, const std::string& help,
                               const prometheus::Labels& labels = {});
  prometheus::Gauge& Gauge(const std::string& name, const std::string& help,
                           const prometheus::Labels& labels = {});
  prometheus::Histogram& Histogram(const std::string& name, const std::string& help,
                                   const prometheus::Histogram::BucketBoundaries& buckets,
                                   const prometheus::Labels& labels = {});

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  mutable std::mutex mu_;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters_;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges_;
  std::map<std::string, prometheus::Family<prometheus::Histogram>*> histograms_;
};

}  // namespace taco

#endif  // TACO_COMMON_METRICS_H_
