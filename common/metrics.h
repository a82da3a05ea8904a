// One Prometheus registry and one HTTP /metrics endpoint per process.
//
// The endpoint is a small HTTP/1.1 server of our own rather than
// prometheus-cpp's civetweb exposer: civetweb starts its threads with a fixed
// ~100 KB stack, which the static TLS of OpenBLAS, glog and LibTorch together
// exceed, so in the learner and actor processes it could not start at all.
//
// Names follow Prometheus conventions and are checked: a `taco_` prefix,
// base units, `_total` for counters. Labels stay bounded (task, shard,
// role), never one value per actor or per step.
#ifndef TACO_COMMON_METRICS_H_
#define TACO_COMMON_METRICS_H_

#include <prometheus/counter.h>
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
  // port). A second call is an error: one endpoint per process.
  absl::Status Serve(const std::string& bind, int port);
  void StopServing();
  ~Metrics();
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

  // Labels every series created afterwards carries, e.g. the run's name and
  // seed, so that the runs one Prometheus scrapes stay apart. Set before the
  // first metric: series created earlier keep the labels they had.
  void SetConstantLabels(prometheus::Labels labels);

  prometheus::Registry& registry() { return *registry_; }

 private:
  class HttpEndpoint;

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<HttpEndpoint> endpoint_;
  mutable std::mutex mu_;
  prometheus::Labels constant_labels_;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters_;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges_;
  std::map<std::string, prometheus::Family<prometheus::Histogram>*> histograms_;
};

}  // namespace taco

#endif  // TACO_COMMON_METRICS_H_
