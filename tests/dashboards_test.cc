// The Grafana dashboards against a real Prometheus: a small `taco up`
// cluster on loopback, Debian's prometheus scraping every process, and every
// panel query of deploy/grafana/dashboards asked through Prometheus's HTTP
// API. A query that names a metric no process exports, or that is not valid
// PromQL, returns nothing and fails the test with the panel's title.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics_scrape.h"
#include "gtest/gtest.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct PanelQuery {
  std::string where;  // dashboard file and panel title
  std::string expr;   // with the dashboard variables substituted
};

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The values Grafana puts in for the variables the dashboards may use.
std::string Substitute(const std::string& expr) {
  return ReplaceAll(ReplaceAll(ReplaceAll(expr, "$__rate_interval", "1m"), "$task", ".*"), "$run",
                    ".*");
}

void CollectQueries(const json& panels, const std::string& file, std::vector<PanelQuery>* out) {
  for (const json& panel : panels) {
    const std::string title = panel.value("title", "(untitled)");
    if (panel.contains("panels")) CollectQueries(panel["panels"], file, out);
    if (!panel.contains("targets")) continue;
    for (const json& target : panel["targets"]) {
      if (!target.contains("expr")) continue;
      out->push_back({file + ": " + title, Substitute(target["expr"].get<std::string>())});
    }
  }
}

std::vector<PanelQuery> DashboardQueries() {
  std::vector<PanelQuery> queries;
  const fs::path dir = fs::path(TACO_SOURCE_DIR) / "deploy" / "grafana" / "dashboards";
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    const json dashboard = json::parse(in);
    CollectQueries(dashboard.at("panels"), entry.path().filename().string(), &queries);
  }
  return queries;
}

std::string UrlEncode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Series returned by an instant query; -1 when Prometheus refused the query.
int SeriesCount(int prometheus_port, const std::string& expr) {
  const std::string body =
      HttpGetLocal(prometheus_port, "/api/v1/query?query=" + UrlEncode(expr), 5.0);
  if (body.empty()) return -1;
  const json reply = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded() || reply.value("status", "") != "success") return -1;
  const json& result = reply["data"]["result"];
  return result.is_array() ? static_cast<int>(result.size()) : (result.is_null() ? 0 : 1);
}

std::string FindPrometheus() {
  for (const char* candidate : {"/usr/bin/prometheus", "/usr/local/bin/prometheus"}) {
    if (fs::exists(candidate)) return candidate;
  }
  return "";
}

TEST(DashboardsTest, EveryPanelQueryReturnsDataFromALiveCluster) {
  const std::string prometheus = FindPrometheus();
  ASSERT_FALSE(prometheus.empty())
      << "Prometheus is not installed: scripts/setup installs Debian's prometheus package";
  const std::vector<PanelQuery> queries = DashboardQueries();
  ASSERT_GE(queries.size(), 10u) << "the dashboards should hold panel queries";

  const fs::path dir = fs::path(testing::TempDir()) / "dashboards";
  fs::remove_all(dir);
  fs::create_directories(dir);
  // Checkpoints every 6 s so their age and duration exist during the run;
  // TaCo-online regroups so that the task-group panel has data.
  const SmallCluster small = WriteSmallClusterConfig(
      dir, "small",
      "checkpoint: {interval_minutes: 0.1}\n"
      "task_distribution: {kind: online, online: {regroup_every_updates: 50}}\n");
  const fs::path config = small.config;
  const int metrics = small.metrics_port;
  Subprocess cluster({TACO_BINARY, "up", config.string(), "--duration", "240"},
                     (dir / "up.log").string());

  // Prometheus finds the processes as a user's would: from the run's
  // prometheus-targets.json, which names each target's role.
  const fs::path targets = dir / "small" / "prometheus-targets.json";
  for (int i = 0; i < 300 && !fs::exists(targets); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(fs::exists(targets)) << cluster.Log();
  for (int offset : {0, 1, 10, 11, 100, 101}) {
    EXPECT_NE(ReadText(targets).find(":" + std::to_string(metrics + offset) + "\""),
              std::string::npos)
        << ReadText(targets);
  }
  const int prometheus_port = FreePort();
  const fs::path prometheus_config = dir / "prometheus.yml";
  {
    std::ofstream out(prometheus_config);
    out << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        << "scrape_configs:\n"
        << "  - job_name: taco\n"
        << "    file_sd_configs:\n"
        << "      - files: [" << targets.string() << "]\n"
        << "        refresh_interval: 1s\n";
  }
  Subprocess server({prometheus, "--config.file=" + prometheus_config.string(),
                     "--storage.tsdb.path=" + (dir / "tsdb").string(),
                     "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
                    (dir / "prometheus.log").string());

  // Counters need two scrapes for a rate and the evaluator its first round:
  // ask until every query has data or the time is up.
  std::vector<int> series(queries.size(), 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(200);
  bool all = false;
  while (!all && std::chrono::steady_clock::now() < deadline && cluster.running() &&
         server.running()) {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    all = true;
    for (size_t i = 0; i < queries.size(); ++i) {
      if (series[i] <= 0) series[i] = SeriesCount(prometheus_port, queries[i].expr);
      all = all && series[i] > 0;
    }
  }
  // Every taco series names its run and seed; `up` names the role.
  const int labelled =
      SeriesCount(prometheus_port, "{__name__=~\"taco_.+\", run=\"small\", seed!=\"\"}");
  const int unlabelled = SeriesCount(prometheus_port, "{__name__=~\"taco_.+\", run!=\"small\"}");
  const int roles = SeriesCount(prometheus_port, "count by (taco_role) (up{taco_run=\"small\"})");
  cluster.Signal(SIGINT);
  EXPECT_EQ(cluster.Wait(60), 0) << cluster.Log();
  EXPECT_GT(labelled, 20);
  EXPECT_EQ(unlabelled, 0);
  EXPECT_EQ(roles, 4);  // learner, eval, replay, actor
  server.Signal(SIGTERM);
  server.Wait(30);

  for (size_t i = 0; i < queries.size(); ++i) {
    EXPECT_GT(series[i], 0) << queries[i].where << "\n  " << queries[i].expr << "\n  "
                            << (series[i] < 0 ? "refused by Prometheus (not valid PromQL?)"
                                              : "returned no series");
  }
  if (!all) ADD_FAILURE() << "Prometheus log:\n" << server.Log();
}

}  // namespace
}  // namespace taco
