#include "cli/run_report.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/xml_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::taco::testing_xml::Count;
using ::taco::testing_xml::XmlProblem;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

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

TEST(RunReportTest, RelativeTransferCostNeedsASuccessOnBothSides) {
  EXPECT_NEAR(*RelativeTransferCost({2e4, std::nullopt}, {4e4, 2e4}), (2e4 / 0.5) / (3e4 / 1.0),
              1e-12);
  EXPECT_FALSE(RelativeTransferCost({std::nullopt}, {4e4}).has_value());
  EXPECT_FALSE(RelativeTransferCost({2e4}, {std::nullopt}).has_value());
  EXPECT_FALSE(RelativeTransferCost({}, {}).has_value());
}

TEST(RunReportTest, BootstrapSpreadOfTheCostOverSeeds) {
  // Seeds A (n 10 against 20) and B (30 against 20): resamples AA, AB/BA and
  // BB give 0.5, 1.0 and 1.5 with probabilities 1/4, 1/2 and 1/4.
  auto spread = BootstrapTransferCost({10.0, 30.0}, {20.0, 20.0}, 4000, 7);
  ASSERT_TRUE(spread.has_value());
  EXPECT_DOUBLE_EQ(spread->p10, 0.5);
  EXPECT_DOUBLE_EQ(spread->median, 1.0);
  EXPECT_DOUBLE_EQ(spread->p90, 1.5);
  EXPECT_DOUBLE_EQ(spread->with_cost, 1.0);
  EXPECT_NEAR(spread->below_one, 0.25, 0.03);
  EXPECT_EQ(spread->resamples, 4000);

  // A seed where neither side succeeded: a resample of it alone has no cost
  // (1/4), every other resample costs 0.5.
  spread = BootstrapTransferCost({10.0, std::nullopt}, {20.0, std::nullopt}, 4000, 7);
  ASSERT_TRUE(spread.has_value());
  EXPECT_DOUBLE_EQ(spread->p10, 0.5);
  EXPECT_DOUBLE_EQ(spread->p90, 0.5);
  EXPECT_NEAR(spread->with_cost, 0.75, 0.03);
  EXPECT_DOUBLE_EQ(spread->below_one, 1.0);

  // The same generator seed repeats the figures; another moves them.
  const std::vector<std::optional<double>> t = {std::nullopt, std::nullopt, 1.5e4, std::nullopt,
                                                3.25e4};
  const std::vector<std::optional<double>> s = {4e4, std::nullopt, std::nullopt, std::nullopt,
                                                3.75e4};
  auto a = BootstrapTransferCost(t, s, 1000, 1);
  auto b = BootstrapTransferCost(t, s, 1000, 1);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->p10, b->p10);
  EXPECT_EQ(a->with_cost, b->with_cost);
  EXPECT_LT(a->p10, a->p90);
  EXPECT_GT(a->with_cost, 0.0);
  EXPECT_LT(a->with_cost, 1.0);

  EXPECT_FALSE(BootstrapTransferCost({std::nullopt}, {1.0}, 100, 1).has_value());
  EXPECT_FALSE(BootstrapTransferCost({1.0}, {1.0, 2.0}, 100, 1).has_value());
  EXPECT_FALSE(BootstrapTransferCost({}, {}, 100, 1).has_value());
  EXPECT_FALSE(BootstrapTransferCost({1.0}, {1.0}, 0, 1).has_value());
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

  // With the warm-up run.json records: the learner's first update comes after
  // it, so 100 updates are 1,500 + 100 × 10 env steps; the initial policy's
  // evaluation stays at 0.
  std::ofstream(dir + "/run.json") << R"({"kind": "train", "tasks": ["reach-v2", "push-v2"],
                                          "env_steps_per_update": 10, "exploration_env_steps": 1500})";
  std::ofstream(dir + "/eval.csv") << "updates,task,success_rate\n"
                                   << "0,reach-v2,0\n0,push-v2,0\n0,mean,0\n"
                                   << "100,reach-v2,1\n100,push-v2,0.5\n100,mean,0.75\n";
  run = ReadRun(dir);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_THAT(run->history.mean.x, ElementsAre(0.0, 2500.0));
  EXPECT_THAT(run->history.tasks.at(0).x, ElementsAre(0.0, 2500.0));
  std::filesystem::remove_all(dir);
}

TEST(RunReportTest, RunDescriptionRefusesANegativeWarmUp) {
  EXPECT_THAT(ParseRunDescription(
                  R"({"kind": "train", "tasks": ["a"], "exploration_env_steps": -1})", "r.json")
                  .status()
                  .message(),
              HasSubstr("'exploration_env_steps' must be ≥ 0"));
}

RunRecord Transfer(std::vector<std::string> tasks, std::vector<EvalCurve> curves,
                   const std::string& mode = "full", const std::string& source = "mt10-s1",
                   const std::string& rule = "random", int64_t n_e = 20'000) {
  RunRecord r = MakeRun("transfer", std::move(tasks), std::move(curves));
  r.transfer_mode = mode;
  r.source_run = source;
  r.new_task_weights = rule;
  r.exploration_steps = n_e;
  return r;
}

TEST(RunReportTest, SourceRunIsTheFolderAboveCheckpoints) {
  EXPECT_EQ(SourceRunName("runs/mt10-s1/checkpoints/learner.ckpt"), "mt10-s1");
  EXPECT_EQ(SourceRunName("/abs/runs/taco-mt10/checkpoints/best-policy.ckpt"), "taco-mt10");
  // Not in a run folder's checkpoints/: the path is all there is to go by.
  EXPECT_EQ(SourceRunName("a.ckpt"), "a.ckpt");
  EXPECT_EQ(SourceRunName("/tmp/saved/learner.ckpt"), "/tmp/saved/learner.ckpt");
  EXPECT_EQ(SourceRunName("checkpoints/learner.ckpt"), "checkpoints/learner.ckpt");
  EXPECT_EQ(SourceRunName(""), "");
}

TEST(RunReportTest, ParsesTheTransferSettingsRunJsonRecords) {
  // The top of a run.json as common/run_description.cc writes it.
  auto run = ParseRunDescription(R"({
      "name": "t", "kind": "transfer", "algorithm": "paco", "task_distribution": "uniform",
      "tasks": ["sweep-v2"], "seed": 2, "env_steps_per_update": 1,
      "success_threshold": 0.9, "max_env_steps": 6000000,
      "source_checkpoint": "runs/mt10-s2/checkpoints/learner.ckpt",
      "exploration_steps": 5000, "mode": "fixed_phi", "new_task_weights": "convex",
      "config": {"transfer": {"mode": "fixed_phi"}}})",
                                 "run.json");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->transfer_mode, "fixed_phi");
  EXPECT_EQ(run->source_checkpoint, "runs/mt10-s2/checkpoints/learner.ckpt");
  EXPECT_EQ(run->source_run, "mt10-s2");
  EXPECT_EQ(run->new_task_weights, "convex");
  EXPECT_EQ(run->exploration_steps, 5000);

  // Without them (older or hand-written files): what a transfer run without
  // overrides does.
  auto bare = ParseRunDescription(R"({"kind": "transfer", "tasks": ["sweep-v2"]})", "run.json");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->transfer_mode, "full");
  EXPECT_EQ(bare->new_task_weights, "random");
  EXPECT_EQ(bare->exploration_steps, 20'000);
  EXPECT_EQ(bare->source_run, "");

  EXPECT_THAT(ParseRunDescription(R"({"kind": "transfer", "tasks": ["a"], "mode": 1})", "r.json")
                  .status()
                  .message(),
              HasSubstr("'mode' must be a string"));
  EXPECT_THAT(ParseRunDescription(
                  R"({"kind": "transfer", "tasks": ["a"], "exploration_steps": -1})", "r.json")
                  .status()
                  .message(),
              HasSubstr("'exploration_steps' must be ≥ 0"));
}

TEST(RunReportTest, TransferRowsKeepDifferentSettingsApart) {
  const EvalCurve fast = Curve("sweep-v2", {5e4, 1e5}, {0.95, 1.0});
  const EvalCurve slow = Curve("sweep-v2", {5e4, 1e5}, {0.5, 0.95});
  const std::vector<RunRecord> runs = {
      MakeRun("train", {"sweep-v2"}, {Curve("sweep-v2", {1e5, 2e5}, {0.5, 0.95})}),
      // Two seeds of one setting pool into one row...
      Transfer({"sweep-v2"}, {fast}),
      Transfer({"sweep-v2"}, {slow}),
      // ...and each differing setting gets its own.
      Transfer({"sweep-v2"}, {slow}, "fixed_phi"),
      Transfer({"sweep-v2"}, {slow}, "full", "mt10-s2"),
      Transfer({"sweep-v2"}, {slow}, "full", "mt10-s1", "convex"),
      Transfer({"sweep-v2"}, {slow}, "full", "mt10-s1", "random", 5000),
  };
  const std::vector<TransferRow> rows = TransferTable(runs);
  ASSERT_EQ(rows.size(), 5u);
  int pooled = 0;
  for (const TransferRow& row : rows) {
    EXPECT_EQ(row.task, "sweep-v2");
    // Every setting is compared against the same scratch runs.
    EXPECT_EQ(row.scratch_runs, 1);
    EXPECT_DOUBLE_EQ(*row.scratch_steps, 2e5);
    if (row.transfer_runs == 2) {
      ++pooled;
      EXPECT_EQ(row.mode, "full");
      EXPECT_EQ(row.source_run, "mt10-s1");
      EXPECT_EQ(row.new_task_weights, "random");
      EXPECT_EQ(row.exploration_steps, 20'000);
      EXPECT_DOUBLE_EQ(*row.transfer_steps, 7.5e4);
    } else {
      EXPECT_EQ(row.transfer_runs, 1);
      EXPECT_DOUBLE_EQ(*row.transfer_steps, 1e5);
    }
  }
  EXPECT_EQ(pooled, 1);
  const std::string text = FormatReport(runs);
  for (const char* column :
       {"mode", "source run", "w init", "n_e", "fixed_phi", "mt10-s2", "convex", "5.0k", "20.0k"}) {
    EXPECT_THAT(text, HasSubstr(column));
  }
}

TEST(RunReportTest, TwoTaskTransferJudgesEachTaskOnItsOwnCurve) {
  // The mean over both tasks reaches 0.9 at 1e5 ((1.0 + 0.85) / 2), but only
  // reach-v2 does, and already at 5e4; push-v2 never does.
  RunRecord run = Transfer({"reach-v2", "push-v2"}, {Curve("reach-v2", {5e4, 1e5}, {0.95, 1.0}),
                                                     Curve("push-v2", {5e4, 1e5}, {0.3, 0.85})});
  run.history.mean = Curve("mean", {5e4, 1e5}, {0.625, 0.925});
  const std::vector<TransferRow> rows = TransferTable({run});
  ASSERT_EQ(rows.size(), 2u);
  const TransferRow& push = rows[0].task == "push-v2" ? rows[0] : rows[1];
  const TransferRow& reach = rows[0].task == "push-v2" ? rows[1] : rows[0];
  EXPECT_EQ(push.task, "push-v2");
  EXPECT_EQ(push.transfer_runs, 1);
  EXPECT_FALSE(push.transfer_steps.has_value());
  EXPECT_DOUBLE_EQ(push.transfer_success, 0.0);
  EXPECT_EQ(reach.task, "reach-v2");
  ASSERT_TRUE(reach.transfer_steps.has_value());
  EXPECT_DOUBLE_EQ(*reach.transfer_steps, 5e4);
  EXPECT_DOUBLE_EQ(reach.transfer_success, 1.0);
}

// Fig. 6: tasks ordered by how long scratch SAC needs, each with the relative
// cost of full transfer; other transfer settings and tasks without scratch
// runs stay out of it.
TEST(RunReportTest, TransferStudyOrdersTasksByScratchDifficulty) {
  const std::vector<RunRecord> runs = {
      MakeRun("train", {"stick-pull-v2"}, {Curve("stick-pull-v2", {2e5, 4e5}, {0.5, 0.95})}),
      MakeRun("train", {"stick-pull-v2"}, {Curve("stick-pull-v2", {2e5, 4e5}, {0.1, 0.2})}),
      MakeRun("train", {"handle-pull-v2"}, {Curve("handle-pull-v2", {1e5, 2e5}, {0.95, 1.0})}),
      MakeRun("train", {"soccer-v2"}, {Curve("soccer-v2", {1e5}, {0.1})}),
      Transfer({"stick-pull-v2"}, {Curve("stick-pull-v2", {1e5, 2e5}, {0.5, 0.9})}),
      Transfer({"handle-pull-v2"}, {Curve("handle-pull-v2", {1e5, 2e5}, {0.5, 0.9})}),
      Transfer({"handle-pull-v2"}, {Curve("handle-pull-v2", {1e5}, {0.9})}, "fixed_phi"),
      Transfer({"soccer-v2"}, {Curve("soccer-v2", {1e5}, {0.95})}),
      Transfer({"reach-wall-v2"}, {Curve("reach-wall-v2", {1e5}, {0.95})}),
  };
  const std::vector<TransferRow> study = TransferStudyTable(runs);
  ASSERT_EQ(study.size(), 3u);
  EXPECT_EQ(study[0].task, "handle-pull-v2");
  EXPECT_EQ(study[1].task, "stick-pull-v2");
  EXPECT_EQ(study[2].task, "soccer-v2");  // no scratch run reached the threshold
  // handle-pull: (2e5 / 1) / (1e5 / 1); stick-pull: (2e5 / 1) / (4e5 / 0.5).
  EXPECT_DOUBLE_EQ(*study[0].relative_cost, 2.0);
  EXPECT_DOUBLE_EQ(*study[1].relative_cost, 0.25);
  EXPECT_FALSE(study[2].relative_cost.has_value());
  const std::string text = FormatReport(runs);
  EXPECT_THAT(text, HasSubstr("Transfer study (paper Fig. 6)"));
  EXPECT_THAT(text, HasSubstr("cheaper than scratch on 1 of 2 tasks"));
  EXPECT_LT(text.find("handle-pull-v2", text.find("Fig. 6")),
            text.find("stick-pull-v2", text.find("Fig. 6")));
}

TEST(RunReportTest, SuccessBandsInterpolateSeedsWithinTheirCommonRange) {
  RunRecord a = MakeRun("train", {"reach-v2", "push-v2"},
                        {Curve("reach-v2", {0, 100, 200}, {0.0, 1.0, 1.0}),
                         Curve("push-v2", {0, 100, 200}, {0.0, 0.5, 0.5})});
  a.history.mean = Curve("mean", {0, 100, 200}, {0.0, 0.75, 0.75});
  RunRecord b = MakeRun("train", {"reach-v2", "push-v2"},
                        {Curve("reach-v2", {0, 50, 150}, {0.2, 0.2, 0.6}),
                         Curve("push-v2", {0, 50, 150}, {0.0, 0.0, 0.0})});
  b.history.mean = Curve("mean", {0, 50, 150}, {0.1, 0.1, 0.3});
  RunRecord mtsac = a;
  mtsac.algorithm = "mtsac";
  const std::vector<SuccessBand> bands = SuccessBands({a, b, mtsac});
  // reach-v2, push-v2 and the mean, each with PaCo and MT-SAC apart.
  ASSERT_EQ(bands.size(), 6u);
  EXPECT_EQ(bands[0].task, "reach-v2");
  EXPECT_EQ(bands[0].label, "MT-SAC multi-task");
  EXPECT_EQ(bands[0].seeds, 1);
  EXPECT_THAT(bands[0].mean, ElementsAre(0.0, 1.0, 1.0));
  const SuccessBand& paco = bands[1];
  EXPECT_EQ(paco.label, "PaCo multi-task");
  EXPECT_EQ(paco.seeds, 2);
  // The union of both seeds' x up to 150, where seed b ends.
  EXPECT_THAT(paco.x, ElementsAre(0, 50, 100, 150));
  // Seed a at 50 and 150 is interpolated (0.5 and 1.0), seed b at 100 (0.4).
  EXPECT_THAT(paco.mean, ElementsAre(DoubleNear(0.1, 1e-12), DoubleNear(0.35, 1e-12),
                                     DoubleNear(0.7, 1e-12), DoubleNear(0.8, 1e-12)));
  EXPECT_THAT(paco.min, ElementsAre(0.0, 0.2, 0.4, 0.6));
  EXPECT_THAT(paco.max, ElementsAre(0.2, 0.5, 1.0, 1.0));
  EXPECT_EQ(bands[2].task, "push-v2");
  EXPECT_EQ(bands[4].task, "mean");
  EXPECT_EQ(bands[5].label, "PaCo multi-task");
  EXPECT_THAT(bands[5].max, ElementsAre(0.1, 0.375, 0.75, 0.75));

  // Transfer runs of one task with different settings, and a scratch run of
  // it, are three groups; single-task runs add no mean band.
  const std::vector<SuccessBand> sweep =
      SuccessBands({Transfer({"sweep-v2"}, {Curve("sweep-v2", {0, 10}, {0.0, 1.0})}),
                    Transfer({"sweep-v2"}, {Curve("sweep-v2", {0, 10}, {0.0, 0.5})}, "fixed_phi"),
                    MakeRun("train", {"sweep-v2"}, {Curve("sweep-v2", {0, 10}, {0.0, 0.2})})});
  ASSERT_EQ(sweep.size(), 3u);
  EXPECT_EQ(sweep[0].label, "PaCo scratch");
  EXPECT_EQ(sweep[1].label, "PaCo transfer fixed_phi from mt10-s1, w random, n_e 20.0k");
  EXPECT_EQ(sweep[2].label, "PaCo transfer full from mt10-s1, w random, n_e 20.0k");
  for (const SuccessBand& band : sweep) {
    EXPECT_EQ(band.task, "sweep-v2");
    EXPECT_EQ(band.seeds, 1);
  }
}

TEST(RunReportTest, SuccessCurvesSvgHasAPanelPerTaskAndKeepsMethodsApart) {
  RunRecord a = MakeRun("train", {"reach-v2", "push-v2"},
                        {Curve("reach-v2", {0, 100, 200}, {0.0, 1.0, 1.0}),
                         Curve("push-v2", {0, 100, 200}, {0.0, 0.5, 0.5})});
  a.history.mean = Curve("mean", {0, 100, 200}, {0.0, 0.75, 0.75});
  RunRecord b = a;
  b.history.tasks[0].success = {0.1, 0.2, 0.3};
  RunRecord mtsac = a;
  mtsac.algorithm = "mtsac";
  const absl::StatusOr<std::string> drawn = SuccessCurvesSvg({a, b, mtsac});
  ASSERT_TRUE(drawn.ok()) << drawn.status();
  const std::string& svg = *drawn;
  EXPECT_THAT(XmlProblem(svg), IsEmpty()) << svg;
  // Three panels (reach-v2, push-v2, mean) inside the document's <svg>.
  EXPECT_EQ(Count(svg, "<svg "), 4);
  EXPECT_THAT(svg, HasSubstr(">reach-v2</text>"));
  EXPECT_THAT(svg, HasSubstr(">push-v2</text>"));
  EXPECT_THAT(svg, HasSubstr(">mean over tasks</text>"));
  // Per panel one line per method; PaCo's two seeds add a band, MT-SAC's one
  // seed has no spread to shade.
  EXPECT_EQ(Count(svg, "<polyline"), 6);
  EXPECT_EQ(Count(svg, "<polygon"), 3);
  EXPECT_EQ(Count(svg, ">PaCo multi-task (mean of 2 seeds, band min–max)</text>"), 3);
  EXPECT_EQ(Count(svg, ">MT-SAC multi-task (1 seed)</text>"), 3);
  EXPECT_EQ(Count(svg, "<title>PaCo multi-task: min–max over 2 seeds</title></polygon>"), 3);
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
}

TEST(RunReportTest, SuccessCurvesSvgNeedsEvaluations) {
  const absl::StatusOr<std::string> none = SuccessCurvesSvg({});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(none.status().message(), HasSubstr("no runs"));
  RunRecord empty = MakeRun("train", {"reach-v2", "push-v2"}, {});
  const absl::StatusOr<std::string> blank = SuccessCurvesSvg({empty});
  EXPECT_EQ(blank.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(blank.status().message(), HasSubstr("has an evaluation"));
  // A run without evaluations beside one with them is left out.
  RunRecord one = MakeRun("train", {"reach-v2"}, {Curve("reach-v2", {0, 1}, {0.0, 1.0})});
  const absl::StatusOr<std::string> drawn = SuccessCurvesSvg({empty, one});
  ASSERT_TRUE(drawn.ok()) << drawn.status();
  EXPECT_EQ(Count(*drawn, "<polyline"), 1);
}

}  // namespace
}  // namespace taco
