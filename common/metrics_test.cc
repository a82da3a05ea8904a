#include "common/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/metrics_scrape.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

std::string HttpGet(int port, const std::string& request_line) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  const std::string request = request_line + "\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  if (write(fd, request.data(), request.size()) < 0) {
    close(fd);
    return "";
  }
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
  close(fd);
  return response;
}

TEST(MetricNameTest, EnforcesConventions) {
  EXPECT_TRUE(CheckMetricName("taco_env_steps_total", MetricKind::kCounter).ok());
  EXPECT_TRUE(CheckMetricName("taco_replay_items", MetricKind::kGauge).ok());
  EXPECT_FALSE(CheckMetricName("env_steps_total", MetricKind::kCounter).ok());
  EXPECT_FALSE(CheckMetricName("taco_env_steps", MetricKind::kCounter).ok());
  EXPECT_FALSE(CheckMetricName("taco_items_total", MetricKind::kGauge).ok());
  EXPECT_FALSE(CheckMetricName("taco_BadCase", MetricKind::kGauge).ok());
}

TEST(MetricsTest, SameNameAndLabelsGiveTheSameHandle) {
  Metrics metrics;
  auto& a = metrics.Counter("taco_test_events_total", "events", {{"task", "reach-v2"}});
  auto& b = metrics.Counter("taco_test_events_total", "events", {{"task", "reach-v2"}});
  EXPECT_EQ(&a, &b);
  a.Increment(2);
  EXPECT_DOUBLE_EQ(b.Value(), 2.0);
}

TEST(MetricsTest, ServesTextFormatOverHttp) {
  Metrics metrics;
  metrics.Gauge("taco_test_fill_ratio", "fill", {{"task", "push-v2"}}).Set(0.25);
  metrics.Histogram("taco_test_latency_seconds", "latency", {0.001, 0.01}).Observe(0.005);
  ASSERT_TRUE(metrics.Serve("127.0.0.1", 0).ok());
  EXPECT_FALSE(metrics.Serve("127.0.0.1", 0).ok()) << "one exposer per process";
  const int port = metrics.port();
  ASSERT_GT(port, 0);
  const std::string body = HttpGet(port, "GET /metrics HTTP/1.1");
  EXPECT_THAT(body, HasSubstr("taco_test_fill_ratio{task=\"push-v2\"} 0.25"));
  EXPECT_THAT(body, HasSubstr("taco_test_latency_seconds_count 1"));
}

TEST(MetricsTest, EndpointIsReadOnlyAndAnswersOnlyMetrics) {
  Metrics metrics;
  ASSERT_TRUE(metrics.Serve("127.0.0.1", 0).ok());
  EXPECT_THAT(HttpGet(metrics.port(), "POST /metrics HTTP/1.1"), HasSubstr("405"));
  EXPECT_THAT(HttpGet(metrics.port(), "GET /admin HTTP/1.1"), HasSubstr("404"));
  EXPECT_THAT(HttpGet(metrics.port(), "GET /metrics HTTP/1.1"), HasSubstr("200 OK"));
  metrics.StopServing();
  EXPECT_EQ(metrics.port(), 0);
  EXPECT_FALSE(Metrics().Serve("not-an-address", 0).ok());
}

TEST(MetricsScrapeTest, ReadsValuesByLabelFromALiveEndpoint) {
  Metrics metrics;
  metrics.Counter("taco_test_steps_total", "steps", {{"task", "a"}}).Increment(3);
  metrics.Counter("taco_test_steps_total", "steps", {{"task", "b"}}).Increment(4);
  metrics.Gauge("taco_test_steps_total_rate", "not the counter").Set(100);
  ASSERT_TRUE(metrics.Serve("127.0.0.1", 0).ok());
  const std::string text = ScrapeMetrics(metrics.port());
  const auto by_task = MetricValues(text, "taco_test_steps_total", "task");
  EXPECT_EQ(by_task.at("a"), 3);
  EXPECT_EQ(by_task.at("b"), 4);
  EXPECT_EQ(MetricValues(text, "taco_test_steps_total").at(""), 7) << "prefixes do not match";
  EXPECT_EQ(ScrapeMetrics(1), "");
  EXPECT_EQ(HttpGetLocal(metrics.port(), "/elsewhere", 2.0), "") << "a 404 has no body to give";
}

// A busy port is the config's to change (exit 2), not a fault a restart
// mends: `taco up` stops instead of restarting the process forever.
TEST(MetricsTest, BusyPortIsAnErrorThatNamesTheKey) {
  Metrics first;
  ASSERT_TRUE(first.Serve("127.0.0.1", 0).ok());
  Metrics second;
  absl::Status status = second.Serve("127.0.0.1", first.port());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("metrics.base_port"), std::string::npos) << status;
}

TEST(MetricsTest, TheRunIdFromTheEnvironmentLabelsTheProcess) {
  setenv("TACO_RUN_ID", "run-7f", 1);
  Metrics m;
  ASSERT_TRUE(m.Serve("127.0.0.1", 0).ok());
  unsetenv("TACO_RUN_ID");
  EXPECT_EQ(MetricValues(ScrapeMetrics(m.port()), "taco_run_info", "run_id").at("run-7f"), 1);
}

}  // namespace
}  // namespace taco
