#include "cli/run_report.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

EvalCurve Curve(const std::string& task, std::vector<double> x, std::vector<double> success) {
  return EvalCurve{task, std::move(x), std::move(success)};
}

RunRecord MakeRun(const std::string& kind, std::vector<std::string> tasks,
                  std::vector<EvalCurve> curves, double threshold = 0.9,
                  int64_t max_steps = 1'000'000) {
  RunRecord r;
  r.kind = kind;
  r.algorithm = "paco";
  r.task_distribution = "uniform";
  r.tasks = std::move(tasks);
  r.success_threshold = threshold;
  r.max_env_steps = max_steps;
  r.history.x_column = "env_steps";
  r.history.tasks = std::move(curves);
  if (!r.history.tasks.empty()) r.history.mean = r.history.tasks[0];
  return r;
}

TEST(RunReportTest, StepsToThresholdIsTheFirstCrossingWithinTheBudget) {
  const EvalCurve c = Curve("t", {10, 20, 30, 40}, {0.1, 0.95, 0.5, 1.0});
  EXPECT_EQ(StepsToThreshold(c, 0.9, 100), 20);
  EXPECT_EQ(StepsToThreshold(c, 0.99, 100), 40);
  EXPECT_EQ(StepsToThreshold(c, 0.99, 35), std::nullopt);
  EXPECT_EQ(StepsToThreshold(c, 0.9, 15), std::nullopt);
}

TEST(RunReportTest, TransferCostFollowsThePaperDefinition) {
  const std::vector<RunRecord> runs = {
      MakeRun("train", {"sweep-v2"}, {Curve("sweep-v2", {1e5, 2e5}, {0.95, 1.0})}),
      MakeRun("train", {"sweep-v2"}, {Curve("sweep-v2", {1e5, 2e5}, {0.5, 0.92})}),
      MakeRun("transfer", {"sweep-v2"}, {Curve("sweep-v2", {5e4, 1e5}, {0.91, 1.0})}),
      MakeRun("transfer", {"sweep-v2"}, {Curve("sweep-v2", {5e4, 1e5}, {0.2, 0.3})}),
      // A transfer task nobody trained from scratch.
      MakeRun("transfer", {"lever-pull-v2"}, {Curve("lever-pull-v2", {5e4}, {1.0})}),
  };
  const std::vector<TransferRow> rows = TransferTable(runs);
  ASSERT_EQ(rows.size(), 2u);
  const TransferRow& lever = rows[0];
  EXPECT_EQ(lever.task, "lever-pull-v2");
  EXPECT_EQ(lever.scratch_runs, 0);
  EXPECT_FALSE(lever.relative_cost.has_value());
  const TransferRow& sweep = rows[1];
  EXPECT_EQ(sweep.scratch_runs, 2);
  EXPECT_DOUBLE_EQ(*sweep.scratch_steps, 1.5e5);
  EXPECT_DOUBLE_EQ(sweep.scratch_success, 1.0);
  EXPECT_DOUBLE_EQ(*sweep.transfer_steps, 5e4);
  EXPECT_DOUBLE_EQ(sweep.transfer_success, 0.5);
  // (n_t / α_t) / (n_s / α_s) = (5e4 / 0.5) / (1.5e5 / 1).
  EXPECT_NEAR(*sweep.relative_cost, 2.0 / 3.0, 1e-12);
  const std::string text = FormatReport(runs);
  EXPECT_THAT(text, HasSubstr("sweep-v2"));
  EXPECT_THAT(text, HasSubstr("0.667"));
}

TEST(RunReportTest, MultiTaskTableAveragesTheLastEvaluationPerMethod) {
  RunRecord a =
      MakeRun("train", {"reach-v2", "push-v2"},
              {Curve("reach-v2", {1, 2}, {0.0, 1.0}), Curve("push-v2", {1, 2}, {0.0, 0.6})});
  a.history.mean = Curve("mean", {1, 2}, {0.0, 0.8});
  RunRecord b = a;
  b.history.mean = Curve("mean", {1, 2}, {0.0, 0.6});
  RunRecord taco = a;
  taco.task_distribution = "weights";
  const std::vector<MethodRow> rows = MultiTaskTable({a, b, taco});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].method, "PaCo");
  EXPECT_EQ(rows[0].runs, 2);
  EXPECT_NEAR(rows[0].mean, 0.7, 1e-12);
  EXPECT_NEAR(rows[0].stddev, 0.1, 1e-12);
  EXPECT_NEAR(rows[0].task_mean.at("push-v2"), 0.6, 1e-12);
  EXPECT_EQ(rows[1].method, "TaCo");
}

TEST(RunReportTest, BadRunDescriptionsAreNamed) {
  EXPECT_THAT(ParseRunDescription("{", "r.json").status().message(),
              HasSubstr("r.json: is not a JSON object"));
  EXPECT_THAT(ParseRunDescription(R"({"tasks": ["a"]})", "r.json").status().message(),
              HasSubstr("has no 'kind'"));
  EXPECT_THAT(
      ParseRunDescription(R"({"kind": "eval", "tasks": ["a"]})", "r.json").status().message(),
      HasSubstr("expected train or transfer"));
  EXPECT_THAT(
      ParseRunDescription(R"({"kind": "train", "tasks": [1]})", "r.json").status().message(),
      HasSubstr("list of strings"));
  EXPECT_THAT(ParseRunDescription(R"({"kind": "train", "tasks": ["a"], "seed": "x"})", "r.json")
                  .status()
                  .message(),
              HasSubstr("'seed' must be a number"));
  auto ok = ParseRunDescription(
      R"({"kind": "transfer", "tasks": ["a"], "seed": 3, "success_threshold": 0.8})", "r.json");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->seed, 3);
  EXPECT_DOUBLE_EQ(ok->success_threshold, 0.8);
}

TEST(RunReportTest, ReadRunTurnsUpdatesIntoEnvSteps) {
  const std::string dir = testing::TempDir() + "/report_run";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/run.json")
      << R"({"kind": "train", "tasks": ["reach-v2", "push-v2"], "env_steps_per_update": 10})";
  std::ofstream(dir + "/eval.csv") << "updates,task,success_rate\n"
                                   << "100,reach-v2,1\n100,push-v2,0.5\n100,mean,0.75\n";
  auto run = ReadRun(dir);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->history.x_column, "env_steps");
  EXPECT_EQ(run->history.mean.x.at(0), 1000.0);
  EXPECT_EQ(ReadRun(testing::TempDir() + "/nothing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace taco
