// Reading another process's /metrics endpoint: for `taco up`'s progress view,
// benchmarks and tests.
#ifndef TACO_COMMON_METRICS_SCRAPE_H_
#define TACO_COMMON_METRICS_SCRAPE_H_

#include <map>
#include <string>

namespace taco {

// The body of GET http://127.0.0.1:port<target> when the reply is 200 OK;
// empty on any failure.
std::string HttpGetLocal(int port, const std::string& target, double timeout_s);

// The body of GET http://127.0.0.1:port/metrics; empty on any failure.
std::string ScrapeMetrics(int port);

// Sums of metric `name` in a text exposition, per value of `label` (all
// samples under key "" when `label` is empty).
std::map<std::string, double> MetricValues(const std::string& text, const std::string& name,
                                           const std::string& label = "");

}  // namespace taco

#endif  // TACO_COMMON_METRICS_SCRAPE_H_
