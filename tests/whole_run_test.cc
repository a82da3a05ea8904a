// Whole runs as users start them: `taco up` on every shipped config trains
// (updates happen, new versions reach the actors) whatever its warm-up, and
// a run with a budget goes to its last env step and ends by itself, every
// role exiting 0, with a final checkpoint and a final evaluation.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>

#include "absl/time/clock.h"
#include "common/metrics_scrape.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;

// The README's first command as a newcomer types it, on the config the
// README names for a first look: scripts/run sets up (nothing to install or
// build here), finds the scenes and runs `taco up` to the run's end.
TEST(WholeRunTest, ScriptsRunRunsTheSmokeConfigToItsEnd) {
  const fs::path root(TACO_SOURCE_DIR);
  if (fs::path(TACO_BINARY) != root / "build" / "taco") {
    GTEST_SKIP() << "scripts/run builds and runs build/taco; this test binary was built for "
                 << TACO_BINARY;
  }
  const fs::path dir = fs::path(testing::TempDir()) / "scripts-run";
  fs::remove_all(dir);
  const CommandResult run =
      RunCommand({(root / "scripts" / "run").string(), "configs/smoke.yaml", "--set",
                  "run.output_dir=" + dir.string(), "--progress-every", "5"},
                 600);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, testing::HasSubstr("run complete"));
  EXPECT_TRUE(fs::exists(dir / "smoke" / "checkpoints" / "run-complete")) << run.output;
  EXPECT_THAT(ReadText(dir / "smoke" / "eval.csv"), testing::HasSubstr(",mean,"));
  // It ends with the run's report table.
  EXPECT_THAT(run.output, testing::HasSubstr("[run] the run's report"));
  EXPECT_THAT(run.output, testing::HasSubstr("Multi-task"));
}

// Without a config, scripts/run picks MT10 at the paper's sizes where the
// learner has a CUDA GPU and the CPU proxy's MT10 otherwise, and says so
// first; the run (its budget cut here) ends with the report table.
TEST(WholeRunTest, ScriptsRunPicksTheMt10ConfigForThisMachine) {
  const fs::path root(TACO_SOURCE_DIR);
  if (fs::path(TACO_BINARY) != root / "build" / "taco") {
    GTEST_SKIP() << "scripts/run builds and runs build/taco; this test binary was built for "
                 << TACO_BINARY;
  }
  const CommandResult version = RunCommand({TACO_BINARY, "version"});
  ASSERT_THAT(version.output, testing::HasSubstr("learner device: "));
  const bool cuda = version.output.find("learner device: cuda") != std::string::npos;
  const std::string name = cuda ? "mt10" : "mt10-small";
  const fs::path dir = fs::path(testing::TempDir()) / "scripts-run-default";
  fs::remove_all(dir);
  const int metrics = FreePortBlock({0, 1, 10, 11, 100, 101});
  const int port = FreePortBlock({0, 1, 2, 3});
  const CommandResult run = RunCommand(
      {(root / "scripts" / "run").string(), "--set", "run.output_dir=" + dir.string(), "--set",
       "trainer.total_env_steps=3000", "--set", "metrics.base_port=" + std::to_string(metrics),
       "--set", "topology.replay_base_port=" + std::to_string(port), "--set",
       "topology.learner_port=" + std::to_string(port + 3), "--progress-every", "5"},
      600);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const size_t choice = run.output.find("[run] configs/" + name + ".yaml: MT10");
  ASSERT_NE(choice, std::string::npos) << run.output;
  EXPECT_THAT(run.output, testing::HasSubstr(cuda ? "has a CUDA GPU" : "has no CUDA GPU"));
  EXPECT_LT(choice, run.output.find("taco up configs/")) << "the choice comes first";
  EXPECT_THAT(run.output, testing::HasSubstr("run complete"));
  EXPECT_TRUE(fs::exists(dir / name / "checkpoints" / "run-complete")) << run.output;
  EXPECT_THAT(run.output, testing::HasSubstr("[run] the run's report"));
  EXPECT_THAT(run.output, testing::HasSubstr("Multi-task"));
}

TEST(WholeRunTest, UpRunsToItsBudgetAndEveryRoleExitsZero) {
  const fs::path dir = fs::path(testing::TempDir()) / "whole-run";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path config =
      WriteSmallClusterConfig(dir, "budget", "checkpoint: {interval_minutes: 600}\n").config;
  Subprocess up({TACO_BINARY, "up", config.string(), "--set", "trainer.total_env_steps=1500",
                 "--progress-every", "2"},
                (dir / "up.log").string());
  ASSERT_EQ(up.Wait(300), 0) << up.Log();
  const std::string log = up.Log();
  EXPECT_THAT(log, testing::HasSubstr("run complete"));
  // Nothing crashed or was restarted on the way.
  EXPECT_THAT(log, testing::Not(testing::HasSubstr("restarting")));
  EXPECT_THAT(log, testing::HasSubstr("/ 1500"));  // the progress view shows the budget
  const fs::path run = dir / "budget";
  const std::string learner = ReadText(run / "logs" / "learner.log");
  // (1500 - 400) / 2 updates: the budget's every update, no more.
  EXPECT_EQ(LargestMatch(learner, "run complete: (\\d+) updates"), 550) << learner;
  EXPECT_TRUE(fs::exists(run / "checkpoints" / "learner.ckpt"));
  // The shards stored the budget and at most one more insert each (16 × 16).
  const int64_t stored =
      LargestMatch(ReadText(run / "checkpoints" / "learner.pacing"), "env_steps (\\d+)");
  EXPECT_GE(stored, 1500);
  EXPECT_LE(stored, 1500 + 2 * 256);
  // The evaluator evaluated the final version.
  EXPECT_EQ(LargestMatch(ReadText(run / "eval.csv"), "\\n(\\d+),mean,"), 550)
      << ReadText(run / "eval.csv");
  for (const char* shard : {"replay-0.log", "replay-1.log"}) {
    EXPECT_THAT(ReadText(run / "logs" / shard), testing::HasSubstr("run complete"));
  }
  for (const char* actor : {"actor-0.log", "actor-1.log"}) {
    EXPECT_THAT(ReadText(run / "logs" / actor), testing::HasSubstr("the run is complete"));
  }

  // The run kept its best evaluated policy. A transfer cluster started from
  // the run folder reads it, and ends once the evaluator reports the success
  // threshold (0 here: at the first evaluation).
  EXPECT_TRUE(fs::exists(run / "checkpoints" / "best-policy.ckpt"));
  EXPECT_THAT(ReadText(run / "checkpoints" / "best-policy.txt"),
              testing::HasSubstr("mean_success"));
  Subprocess transfer({TACO_BINARY, "transfer", config.string(), "--from", run.string(),
                       "--cluster", "--set", "run.name=budget-transfer", "--set",
                       "tasks=[drawer-close-v2]", "--set", "topology.replay_shards=1", "--set",
                       "transfer.success_threshold=0", "--set", "transfer.exploration_steps=500"},
                      (dir / "transfer.log").string());
  ASSERT_EQ(transfer.Wait(300), 0) << transfer.Log();
  EXPECT_THAT(transfer.Log(), testing::HasSubstr("run complete"));
  const std::string transfer_learner = ReadText(dir / "budget-transfer" / "logs" / "learner.log");
  EXPECT_THAT(transfer_learner, testing::HasSubstr("best-policy.ckpt"));
  EXPECT_THAT(transfer_learner, testing::HasSubstr("reached transfer.success_threshold"));

  // Started again without --resume, the folder is refused; with it, the
  // finished run ends at once: nothing is left to do.
  CommandResult refused = RunCommand({TACO_BINARY, "up", config.string()}, 60);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output, testing::HasSubstr("--resume"));
  Subprocess again(
      {TACO_BINARY, "up", config.string(), "--resume", "--set", "trainer.total_env_steps=1500"},
      (dir / "up2.log").string());
  ASSERT_EQ(again.Wait(180), 0) << again.Log();
  EXPECT_THAT(again.Log(), testing::HasSubstr("run complete"));
}

TEST(WholeRunTest, AChildThatRefusesItsConfigStopsTheClusterWithItsMessage) {
  const fs::path dir = fs::path(testing::TempDir()) / "whole-run-refused";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path config = WriteSmallClusterConfig(dir, "refused").config;
  // The actors and the evaluator cannot find the scenes: exit 2, which a
  // restart cannot mend.
  Subprocess up({TACO_BINARY, "up", config.string(), "--set",
                 "env.assets_dir=" + (dir / "no-scenes").string()},
                (dir / "up.log").string());
  const int code = up.Wait(180);
  EXPECT_NE(code, 0) << up.Log();
  EXPECT_NE(code, -1) << "taco up kept restarting:\n" << up.Log();
  EXPECT_THAT(up.Log(), testing::HasSubstr("refused to start"));
  EXPECT_THAT(up.Log(), testing::HasSubstr("no-scenes"));
}

double MetricAt(int port, const std::string& name) {
  double value = -1;
  for (const auto& [labels, v] : MetricValues(ScrapeMetrics(port), name, "")) value = v;
  return value;
}

// Waits up to `seconds` for `condition`.
bool Eventually(const std::function<bool()>& condition, double seconds = 60) {
  const absl::Time until = absl::Now() + absl::Seconds(seconds);
  while (absl::Now() < until) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(250));
  }
  return condition();
}

// The roles started one by one, as compose or Kubernetes start them: with
// one of two shards gone for good, the learner trains on the other shard's
// tasks and the actor steps on; when the shard returns, all resumes.
TEST(WholeRunTest, WithAShardDownTheRestTrainsAndAllResumesWhenItReturns) {
  const fs::path dir = fs::path(testing::TempDir()) / "degraded";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const SmallCluster cluster = WriteSmallClusterConfig(dir, "degraded");
  const std::string config = cluster.config.string();
  auto start = [&](const std::string& name, std::vector<std::string> args) {
    std::vector<std::string> argv = {TACO_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {config, "--set", "trainer.exploration_steps=200"});
    return std::make_unique<Subprocess>(argv, (dir / (name + ".log")).string());
  };
  auto shard0 = start("replay-0", {"replay", "--shard", "0"});
  auto shard1 = start("replay-1", {"replay", "--shard", "1"});
  auto learner = start("learner", {"learner"});
  auto actor = start("actor", {"actor", "--index", "0"});
  const int learner_port = cluster.metrics_port, actor_port = cluster.metrics_port + 100;
  auto updates = [&] { return MetricAt(learner_port, "taco_learner_updates_total"); };
  auto steps = [&] {
    double total = 0;
    for (const auto& [task, v] :
         MetricValues(ScrapeMetrics(actor_port), "taco_env_steps_total", "task"))
      total += v;
    return total;
  };
  // Both shards up and holding data, the learner training on them.
  ASSERT_TRUE(Eventually([&] {
    return updates() > 20 && MetricAt(learner_port, "taco_learner_replay_shards_down") == 0 &&
           MetricAt(learner_port, "taco_learner_batch_task_share") == 1.0;
  })) << learner->Log();
  const size_t learner_log_at_kill = ReadText(dir / "learner.log").size();

  shard1->Signal(SIGKILL);
  ASSERT_EQ(shard1->Wait(10), 128 + SIGKILL);
  EXPECT_TRUE(Eventually([&] {
    return MetricAt(learner_port, "taco_learner_replay_shards_down") == 1;
  })) << learner->Log();
  EXPECT_TRUE(Eventually([&] { return MetricAt(actor_port, "taco_actor_degraded_tasks") >= 1; }))
      << actor->Log();
  // Degraded, not dead: updates and env steps go on without the shard.
  const double updates_down = updates(), steps_down = steps();
  EXPECT_TRUE(Eventually([&] { return updates() > updates_down + 20; })) << learner->Log();
  EXPECT_TRUE(Eventually([&] { return steps() > steps_down + 500; })) << actor->Log();
  EXPECT_LT(MetricAt(learner_port, "taco_learner_batch_task_share"), 1.0);
  EXPECT_THAT(ReadText(dir / "learner.log").substr(learner_log_at_kill),
              testing::HasSubstr("replay shard 1 is away"));

  shard1 = start("replay-1b", {"replay", "--shard", "1"});
  EXPECT_TRUE(Eventually([&] {
    return MetricAt(learner_port, "taco_learner_replay_shards_down") == 0;
  })) << learner->Log();
  EXPECT_TRUE(Eventually([&] { return MetricAt(actor_port, "taco_actor_degraded_tasks") == 0; }))
      << actor->Log();
  EXPECT_TRUE(
      Eventually([&] { return MetricAt(learner_port, "taco_learner_batch_task_share") == 1.0; }));
  EXPECT_THAT(ReadText(dir / "learner.log").substr(learner_log_at_kill),
              testing::HasSubstr("replay shard 1 is back"));
  for (Subprocess* p : {actor.get(), learner.get(), shard0.get(), shard1.get()}) {
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(60), 0) << p->Log();
  }
}

// `taco up` killed outright leaves no children behind: each gets SIGTERM
// from the kernel (parent-death signal) and stops cleanly.
TEST(WholeRunTest, KillingUpStopsItsChildren) {
  const fs::path dir = fs::path(testing::TempDir()) / "orphans";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const SmallCluster cluster = WriteSmallClusterConfig(dir, "orphans");
  Subprocess up({TACO_BINARY, "up", cluster.config.string()}, (dir / "up.log").string());
  ASSERT_TRUE(Eventually([&] {
    return MetricAt(cluster.metrics_port, "taco_learner_updates_total") > 0;
  })) << up.Log();
  std::vector<pid_t> children;
  const std::string log = up.Log();
  const std::regex started("started [a-z0-9-]+ \\(pid (\\d+)\\)");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), started);
       it != std::sregex_iterator(); ++it) {
    children.push_back(static_cast<pid_t>(std::stoll((*it)[1].str())));
  }
  ASSERT_EQ(children.size(), 6u) << log;
  up.Signal(SIGKILL);
  ASSERT_EQ(up.Wait(10), 128 + SIGKILL);
  EXPECT_TRUE(Eventually(
      [&] {
        for (pid_t pid : children) {
          // Gone, or a zombie: init reaps the children of a dead parent.
          const std::string stat = ReadText("/proc/" + std::to_string(pid) + "/stat");
          if (!stat.empty() && stat.find(") Z") == std::string::npos) return false;
        }
        return true;
      },
      90))
      << "children still running after taco up was killed";
  // They stopped as on Ctrl-C: the learner wrote its checkpoint.
  EXPECT_TRUE(fs::exists(dir / "orphans" / "checkpoints" / "learner.ckpt"));
}

// Researchers run seeds side by side: two clusters from configs with the
// same ports, and a train-local holding the first cluster's metrics port,
// all train to their budgets; each progress view reads its own processes.
TEST(WholeRunTest, SeveralRunsOnOneMachineGoSideBySide) {
  const fs::path dir = fs::path(testing::TempDir()) / "side-by-side";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const SmallCluster a = WriteSmallClusterConfig(dir, "a");
  // "b": the same file under another run name, so the same ports.
  std::string text = ReadText(a.config);
  text.replace(text.find("name: a"), 7, "name: b");
  const fs::path b = dir / "b.yaml";
  std::ofstream(b) << text;
  Subprocess local(
      {TACO_BINARY, "train-local", "configs/smoke.yaml", "--set", "run.output_dir=" + dir.string(),
       "--set", "metrics.base_port=" + std::to_string(a.metrics_port), "--set",
       "trainer.total_env_steps=3000", "--set", "trainer.eval_episodes_per_task=0"},
      (dir / "local.log").string());
  const std::vector<std::string> budget = {"--set", "trainer.total_env_steps=1500",
                                           "--progress-every", "2"};
  std::vector<std::string> argv_a = {TACO_BINARY, "up", a.config.string()};
  argv_a.insert(argv_a.end(), budget.begin(), budget.end());
  std::vector<std::string> argv_b = {TACO_BINARY, "up", b.string()};
  argv_b.insert(argv_b.end(), budget.begin(), budget.end());
  absl::SleepFor(absl::Seconds(2));
  Subprocess up_a(argv_a, (dir / "up-a.log").string());
  Subprocess up_b(argv_b, (dir / "up-b.log").string());
  ASSERT_EQ(up_a.Wait(400), 0) << up_a.Log();
  ASSERT_EQ(up_b.Wait(400), 0) << up_b.Log();
  ASSERT_EQ(local.Wait(400), 0) << local.Log();
  for (const Subprocess* up : {&up_a, &up_b}) {
    EXPECT_THAT(up->Log(), testing::HasSubstr("run complete"));
    EXPECT_THAT(up->Log(), testing::Not(testing::HasSubstr("restarting")));
    // Its own learner's count, never the other run's or train-local's.
    EXPECT_GT(LargestMatch(up->Log(), "env steps (\\d+) / 1500"), 1000) << up->Log();
  }
  // The config's ports were taken: the runs moved to free blocks, written
  // down for the operator and for Prometheus.
  EXPECT_THAT(up_a.Log() + up_b.Log(), testing::HasSubstr("ports are taken"));
  const std::string ports_a = ReadText(dir / "a" / "ports.json");
  const std::string ports_b = ReadText(dir / "b" / "ports.json");
  EXPECT_THAT(ports_a, testing::HasSubstr("\"learner\""));
  EXPECT_NE(ports_a, ports_b);
  const std::string targets = ReadText(dir / "b" / "prometheus-targets.json");
  EXPECT_THAT(targets, testing::HasSubstr("\"targets\""));
  // Metrics ports only: the learner's gRPC port is no scrape target.
  const int64_t learner_port = LargestMatch(ports_b, "\"learner\": \"[0-9.]+:(\\d+)\"");
  ASSERT_GT(learner_port, 0) << ports_b;
  EXPECT_THAT(targets, testing::Not(testing::HasSubstr(":" + std::to_string(learner_port) + "\"")));
}

// Every config in configs/, started as a user starts it (only the ports and
// the output folder moved aside), trains: the learner updates past its
// warm-up, and versions newer than the first reach the actors.
class ShippedConfigTest : public testing::TestWithParam<std::string> {};

const std::vector<std::string> kShippedConfigs = {"smoke",
                                                  "reach",
                                                  "mt10",
                                                  "mt10-small",
                                                  "mt50",
                                                  "taco-mt10",
                                                  "taco-online-mt10",
                                                  "transfer-small",
                                                  "transfer-sweep",
                                                  "transfer-sweep-into",
                                                  "transfer-lever-pull",
                                                  "transfer-shelf-place",
                                                  "transfer-stick-pull",
                                                  "transfer-handle-pull"};

std::string SourceCheckpoint(const fs::path& dir) {
  // A multi-task checkpoint with MT10's networks for the transfer configs.
  static const std::string* made = [&dir] {
    const fs::path out = dir / "source";
    CommandResult r =
        RunCommand({TACO_BINARY, "train-local", "configs/mt10.yaml", "--fresh", "--set",
                    "run.output_dir=" + out.string(), "--set", "trainer.total_env_steps=1600",
                    "--set", "trainer.eval_episodes_per_task=0", "--set", "metrics.enabled=false"},
                   600);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return new std::string((out / "mt10" / "checkpoints" / "learner.ckpt").string());
  }();
  return *made;
}

TEST_P(ShippedConfigTest, UpTrainsAndVersionsReachTheActors) {
  const std::string name = GetParam();
  const fs::path dir = fs::path(testing::TempDir()) / "shipped" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  // Room for MT50's five shards and five actors.
  const int metrics = FreePortBlock({0, 1, 10, 11, 12, 13, 14, 100, 101, 102, 103, 104});
  const int port = FreePortBlock({0, 1, 2, 3, 4, 5});
  std::vector<std::string> argv = {TACO_BINARY};
  const bool transfer = name.rfind("transfer-", 0) == 0 && name != "transfer-small";
  if (transfer) {
    // Each test process trains its own source: ctest runs the transfer
    // configs side by side, and a shared folder would be started afresh under
    // a neighbour's learner.
    argv.insert(argv.end(),
                {"transfer", "configs/" + name + ".yaml", "--cluster", "--from",
                 SourceCheckpoint(fs::path(testing::TempDir()) / "shipped-source" / name)});
  } else {
    argv.insert(argv.end(), {"up", "configs/" + name + ".yaml"});
  }
  // MT50's learner at the paper's sizes makes about one update per 2 s on 2
  // cores, so its first published version (10 updates past a 7,500-step
  // warm-up) needs longer than the others.
  const std::string duration = name == "mt50" ? "150" : "45";
  argv.insert(argv.end(), {"--duration", duration, "--set", "run.output_dir=" + dir.string(),
                           "--set", "metrics.base_port=" + std::to_string(metrics), "--set",
                           "topology.replay_base_port=" + std::to_string(port), "--set",
                           "topology.learner_port=" + std::to_string(port + 5)});
  Subprocess up(argv, (dir / "up.log").string());
  ASSERT_EQ(up.Wait(400), 0) << up.Log();
  fs::path run;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory()) run = entry.path();
  }
  ASSERT_FALSE(run.empty());
  const std::string learner = ReadText(run / "logs" / "learner.log");
  EXPECT_GT(LargestMatch(learner, "checkpoint at (\\d+) updates"), 0) << learner;
  // The newest version any actor acted with: under MT50's backpressure one of
  // its five actors can spend the whole run waiting on a shard inside one
  // step's sends, and acts with nothing newer than the first version.
  int64_t newest = 0;
  std::string actor_logs;
  for (const auto& entry : fs::directory_iterator(run / "logs")) {
    if (entry.path().filename().string().rfind("actor-", 0) != 0) continue;
    const std::string log = ReadText(entry.path());
    newest = std::max<int64_t>(newest, LargestMatch(log, "parameter version (\\d+)"));
    actor_logs += log;
  }
  EXPECT_GT(newest, 1) << actor_logs;
  EXPECT_THAT(up.Log(), testing::Not(testing::HasSubstr("restarting")));
}

INSTANTIATE_TEST_SUITE_P(Configs, ShippedConfigTest, testing::ValuesIn(kShippedConfigs),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

// Every shipped config passes `taco check-config`, which checks its task
// names against the task registry itself.
TEST(ShippedConfigListTest, EveryConfigPassesCheckConfig) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator("configs")) {
    if (entry.path().extension() != ".yaml") continue;
    const CommandResult r = RunCommand({TACO_BINARY, "check-config", entry.path().string()});
    EXPECT_EQ(r.exit_code, 0) << entry.path() << ": " << r.output;
    ++count;
  }
  EXPECT_EQ(count, static_cast<int>(kShippedConfigs.size()));
}

// Every file in configs/ is among the ones above.
TEST(ShippedConfigListTest, CoversEveryConfig) {
  const std::set<std::string> listed(kShippedConfigs.begin(), kShippedConfigs.end());
  for (const auto& entry : fs::directory_iterator("configs")) {
    if (entry.path().extension() == ".yaml") {
      EXPECT_TRUE(listed.count(entry.path().stem().string())) << entry.path();
    }
  }
}

}  // namespace
}  // namespace taco
