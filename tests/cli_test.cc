// Runs the taco binary as a user would and checks exit codes and messages.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The shell keeps the quoting the tests write into `args`.
CommandResult RunTaco(const std::string& args) {
  return RunCommand({"/bin/sh", "-c", std::string(TACO_BINARY) + " " + args}, 900);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string WriteConfig(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(CliTest, HelpListsSubcommands) {
  CommandResult r = RunTaco("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"version", "check-config", "train-local", "up", "replay", "learner",
                          "actor", "eval", "render", "transfer"}) {
    EXPECT_THAT(r.output, HasSubstr(sub));
  }
}

TEST(CliTest, VersionNamesEveryLibrary) {
  CommandResult r = RunTaco("version");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* lib : {"taco ", "LibTorch ", "MuJoCo 2.", "gRPC 1.", "protobuf 3."}) {
    EXPECT_THAT(r.output, HasSubstr(lib));
  }
  // scripts/run picks its default config from this line.
  EXPECT_THAT(r.output, testing::ContainsRegex("learner device: (cuda|cpu) \\("));
}

// scripts/gpu-run carries exactly the scenes this names.
TEST(CliTest, TasksListsAConfigsTasksAndTheirScenes) {
  CommandResult all = RunTaco("tasks");
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_THAT(all.output, HasSubstr("coffee-push-v2\n"));
  CommandResult smoke = RunTaco("tasks configs/smoke.yaml");
  ASSERT_EQ(smoke.exit_code, 0) << smoke.output;
  EXPECT_EQ(smoke.output, "reach-v2\npush-v2\n");
  CommandResult scenes = RunTaco("tasks configs/smoke.yaml --scenes --set env.assets_dir=/scenes");
  ASSERT_EQ(scenes.exit_code, 0) << scenes.output;
  EXPECT_EQ(scenes.output,
            "reach-v2 /scenes/sawyer_xyz/sawyer_reach_v2.xml\n"
            "push-v2 /scenes/sawyer_xyz/sawyer_push_v2.xml\n");
}

TEST(CliTest, ShippedConfigIsValid) {
  CommandResult r = RunTaco("check-config configs/mt10.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("10 tasks"));
}

TEST(CliTest, UnknownKeyExitsTwoNamingKeyAndFile) {
  const std::string path = WriteConfig("unknown.yaml", "trainer:\n  batch_sise: 12\n");
  CommandResult r = RunTaco("check-config " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr(path + ":2: unknown key 'trainer.batch_sise'"));
}

TEST(CliTest, BadValueExitsTwoNamingKeyValueAndFile) {
  const std::string path = WriteConfig("bad.yaml", "algorithm:\n  discount: 1.5\n");
  CommandResult r = RunTaco("check-config " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr(path));
  EXPECT_THAT(r.output, HasSubstr("'algorithm.discount' has value '1.5'"));
}

TEST(CliTest, BadOverrideExitsTwo) {
  CommandResult r = RunTaco("check-config configs/mt10.yaml --set trainer.batch_size=zero");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("trainer.batch_size"));
}

TEST(CliTest, MissingConfigFileExitsTwo) {
  CommandResult r = RunTaco("check-config /nonexistent.yaml");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliTest, ActorIndexIsAutoOrInRange) {
  for (const char* bad : {"2", "-1", "first"}) {
    CommandResult r = RunTaco(std::string("actor configs/smoke.yaml --index ") + bad);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_THAT(r.output, HasSubstr("neither auto nor in 0..1 (topology.actors)")) << bad;
  }
}

TEST(CliTest, PlaintextListenerOnANonLoopbackAddressIsRefused) {
  CommandResult r = RunTaco("replay configs/smoke.yaml --shard 0 --listen 0.0.0.0:0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("refusing to listen on 0.0.0.0:0 without TLS"));
}

TEST(CliTest, TlsWithoutACaForTheClientsIsAConfigError) {
  CommandResult r = RunTaco(
      "check-config configs/smoke.yaml --set security.tls_cert=a.pem --set security.tls_key=a.key");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("security.ca_cert"));
}

TEST(CliTest, RenderRefusesOutputsItCannotWrite) {
  const std::string gif = testing::TempDir() + "/episode.gif";
  CommandResult r = RunTaco("render reach-v2 --out " + gif);
  if (r.output.find("built without EGL") != std::string::npos) GTEST_SKIP() << r.output;
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot tell what to write to '" + gif + "'"));
  EXPECT_FALSE(std::filesystem::exists(gif));
  r = RunTaco("render reach-v2 --out x.png --format gif");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("--format"));
}

TEST(CliTest, UnknownSubcommandExitsTwo) { EXPECT_EQ(RunTaco("frobnicate").exit_code, 2); }

TEST(CliTest, TrainLocalWritesLogsCheckpointsAndResumes) {
  const std::string out = testing::TempDir() + "/train_local_cli";
  std::filesystem::remove_all(out);
  const std::string common =
      " --set run.output_dir=" + out +
      " --set trainer.exploration_steps=300 --set trainer.log_interval_env_steps=200"
      " --set trainer.eval_interval_env_steps=400 --set env.max_episode_steps=50"
      " --set metrics.base_port=0";
  CommandResult first =
      RunTaco("train-local configs/smoke.yaml --set trainer.total_env_steps=600" + common);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, HasSubstr("[train] 600/600 env steps"));
  EXPECT_THAT(first.output, HasSubstr("[eval] 400 env steps"));
  EXPECT_THAT(first.output, HasSubstr("done: 600 env steps, 150 updates"));
  EXPECT_THAT(first.output, HasSubstr("metrics on 127.0.0.1:"));
  const std::string run = out + "/smoke";
  EXPECT_TRUE(std::filesystem::exists(run + "/progress.csv"));
  EXPECT_TRUE(std::filesystem::exists(run + "/eval.csv"));
  EXPECT_TRUE(std::filesystem::exists(run + "/checkpoints/learner.ckpt"));

  CommandResult resumed =
      RunTaco("train-local configs/smoke.yaml --resume --set trainer.total_env_steps=800" + common);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("resumed from"));
  EXPECT_THAT(resumed.output, HasSubstr("done: 800 env steps"));
}

// The acting policy follows the learner at the configured interval (and
// before each evaluation); with a CPU learner the default is every update.
TEST(CliTest, TrainLocalSyncsTheActingPolicyAtItsInterval) {
  const std::string out = testing::TempDir() + "/train_local_sync_" + std::to_string(::getpid());
  std::filesystem::remove_all(out);
  auto run = [&out](const std::string& name, const std::string& extra) {
    CommandResult r = RunTaco(
        "train-local configs/smoke.yaml --set run.name=" + name + " --set run.output_dir=" + out +
        " --set trainer.total_env_steps=600 --set trainer.exploration_steps=300"
        " --set trainer.eval_interval_env_steps=400 --set env.max_episode_steps=50"
        " --set metrics.enabled=false" +
        extra);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("done: 600 env steps, 150 updates")) << r.output;
    std::smatch m;
    const std::regex syncs("took the learner's parameters (\\d+) times \\(every (\\d+) update");
    EXPECT_TRUE(std::regex_search(r.output, m, syncs)) << r.output;
    return m.size() == 3 ? std::make_pair(std::stoll(m[1].str()), std::stoll(m[2].str()))
                         : std::make_pair(-1LL, -1LL);
  };
  // Every update: the first sync, then one after each of the 150 updates.
  const auto every = run("every", "");
  EXPECT_EQ(every.second, 1);
  EXPECT_EQ(every.first, 151);
  // Every 7: the first, 21 on the interval, and at most one more before each
  // of the two evaluations (400 and 600 env steps).
  const auto sparse = run("sparse", " --set trainer.policy_sync_every_updates=7");
  EXPECT_EQ(sparse.second, 7);
  EXPECT_GE(sparse.first, 1 + 150 / 7);
  EXPECT_LE(sparse.first, 1 + 150 / 7 + 2);
  std::filesystem::remove_all(out);
}

// The learning figures of docs/results.md rest on this: on one machine a
// seed gives the same run, evaluation for evaluation and loss for loss.
TEST(CliTest, TrainLocalRepeatsExactlyForASeed) {
  const std::string out = testing::TempDir() + "/train_local_seed";
  std::filesystem::remove_all(out);
  auto run = [&out](const std::string& name, int seed) {
    CommandResult r = RunTaco(
        "train-local configs/smoke.yaml --set run.name=" + name +
        " --set run.seed=" + std::to_string(seed) + " --set run.output_dir=" + out +
        " --set trainer.total_env_steps=1200 --set trainer.exploration_steps=300"
        " --set trainer.log_interval_env_steps=200 --set trainer.eval_interval_env_steps=400"
        " --set env.max_episode_steps=50 --set metrics.enabled=false");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    // progress.csv without its wall-clock columns (wall_s and the two rates).
    std::string progress;
    std::istringstream lines(ReadFile(out + "/" + name + "/progress.csv"));
    for (std::string line; std::getline(lines, line);) {
      std::vector<std::string> fields = absl::StrSplit(line, ',');
      if (fields.size() > 5) fields.erase(fields.begin() + 2, fields.begin() + 5);
      progress += absl::StrJoin(fields, ",") + "\n";
    }
    return std::make_pair(progress, ReadFile(out + "/" + name + "/eval.csv"));
  };
  const auto first = run("first", 5);
  const auto again = run("again", 5);
  const auto other = run("other", 6);
  ASSERT_THAT(first.first, HasSubstr("\n1200,"));
  ASSERT_THAT(first.second, HasSubstr("1200,mean,"));
  EXPECT_EQ(first.first, again.first);
  EXPECT_EQ(first.second, again.second);
  EXPECT_NE(first.first, other.first);  // the seed reaches the losses
}

TEST(CliTest, ShippedOnlineGroupingConfigIsValid) {
  CommandResult r = RunTaco("check-config configs/taco-online-mt10.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("task distribution online"));
}

// TaCo-online in train-local: with K = 1 every θ_τ is w_τ·φ, so the groups
// are the signs of the tasks' w; at this seed reach and push share one and
// pick-place has the other, which moves p away from uniform.
TEST(CliTest, TrainLocalRegroupsTasksOnline) {
  const std::string out = testing::TempDir() + "/train_local_online";
  std::filesystem::remove_all(out);
  const std::string common =
      " --set run.output_dir=" + out +
      " --set tasks=[reach-v2,push-v2,pick-place-v2] --set algorithm.num_components=1"
      " --set trainer.exploration_steps=200 --set trainer.eval_episodes_per_task=0"
      " --set env.max_episode_steps=50 --set metrics.base_port=0"
      " --set task_distribution.kind=online --set task_distribution.online.features=theta"
      " --set task_distribution.online.eps=1 --set task_distribution.online.min_samples=1"
      " --set task_distribution.online.regroup_every_updates=25";
  CommandResult first =
      RunTaco("train-local configs/smoke.yaml --set trainer.total_env_steps=400" + common);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, HasSubstr("done: 400 env steps, 100 updates"));
  const std::string groups =
      "(theta, eps 1, min_samples 1): 2 groups: {reach-v2, push-v2} p=0.25 each; "
      "{pick-place-v2} p=0.5";
  EXPECT_THAT(first.output, HasSubstr("task groups at 25 updates " + groups));
  EXPECT_THAT(first.output, HasSubstr("task groups at 100 updates " + groups));
  EXPECT_THAT(first.output, Not(HasSubstr("task groups at 0 updates")));

  // A resumed run regroups at once rather than sampling uniformly again.
  CommandResult resumed =
      RunTaco("train-local configs/smoke.yaml --resume --set trainer.total_env_steps=500" + common);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("task groups at 100 updates " + groups));
}

TEST(CliTest, TransferWithoutASourceCheckpointIsAnError) {
  CommandResult r =
      RunTaco("transfer configs/smoke.yaml --set metrics.base_port=0 --set run.output_dir=" +
              testing::TempDir() + "/no_source");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("transfer.source_checkpoint"));
  EXPECT_THAT(r.output, HasSubstr("is empty"));
  CommandResult missing = RunTaco(
      "transfer configs/smoke.yaml --from /nonexistent.ckpt"
      " --set metrics.base_port=0 --set run.output_dir=" +
      testing::TempDir() + "/no_source");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.output, HasSubstr("/nonexistent.ckpt"));
}

// Multi-task training, then the transfer phase to a new task in both modes,
// a run from scratch, and the report over all of them.
TEST(CliTest, TransferFromAMultiTaskCheckpointAndReport) {
  const std::string out = testing::TempDir() + "/transfer_cli";
  std::filesystem::remove_all(out);
  const std::string common =
      " --set run.output_dir=" + out +
      " --set trainer.exploration_steps=200 --set trainer.eval_interval_env_steps=400"
      " --set env.max_episode_steps=50 --set metrics.base_port=0";
  CommandResult mtrl =
      RunTaco("train-local configs/smoke.yaml --set trainer.total_env_steps=400" + common);
  ASSERT_EQ(mtrl.exit_code, 0) << mtrl.output;
  const std::string source = out + "/smoke/checkpoints/learner.ckpt";
  const std::string transfer = "transfer configs/smoke.yaml --from " + source +
                               " --set 'tasks=[door-close-v2]' --set trainer.total_env_steps=800"
                               " --set transfer.exploration_steps=400" +
                               common;
  CommandResult full = RunTaco(transfer + " --set run.name=full");
  ASSERT_EQ(full.exit_code, 0) << full.output;
  EXPECT_THAT(full.output, HasSubstr("2 source tasks"));
  EXPECT_THAT(full.output, HasSubstr("400 exploration steps done; the policy is released (Phi"));
  EXPECT_THAT(full.output, HasSubstr("done: 800 env steps"));
  EXPECT_THAT(ReadFile(out + "/full/run.json"), HasSubstr("\"kind\": \"transfer\""));
  CommandResult fixed = RunTaco(transfer +
                                " --set run.name=fixed --set transfer.mode=fixed_phi"
                                " --set transfer.new_task_weights=convex");
  ASSERT_EQ(fixed.exit_code, 0) << fixed.output;
  EXPECT_THAT(fixed.output, HasSubstr("released (w only, Phi stays fixed)"));
  CommandResult scratch = RunTaco(
      "train-local configs/smoke.yaml --set 'tasks=[door-close-v2]' --set algorithm.name=mtsac"
      " --set run.name=scratch --set trainer.total_env_steps=800" +
      common);
  ASSERT_EQ(scratch.exit_code, 0) << scratch.output;

  CommandResult report =
      RunTaco("report " + out + "/smoke " + out + "/full " + out + "/fixed " + out + "/scratch");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_THAT(report.output, HasSubstr("4 runs"));
  EXPECT_THAT(report.output, HasSubstr("Multi-task success"));
  EXPECT_THAT(report.output, HasSubstr("Transfer (n:"));
  EXPECT_THAT(report.output, HasSubstr("door-close-v2"));
  // A checkpoint in its run folder stands for the run: run.json names the tasks.
  CommandResult inspect = RunTaco("inspect " + source + " --out " + out + "/inspect");
  ASSERT_EQ(inspect.exit_code, 0) << inspect.output;
  EXPECT_THAT(inspect.output, HasSubstr("task similarity"));
  EXPECT_THAT(inspect.output, HasSubstr("push-v2"));
  EXPECT_TRUE(std::filesystem::exists(out + "/inspect/w_pca.svg"));
  CommandResult bad = RunTaco("report " + out);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr("holds no run.json"));
}

TEST(CliTest, InspectPrintsTaskSimilarityAndWritesPlots) {
  const std::string out = testing::TempDir() + "/inspect_cli";
  std::filesystem::remove_all(out);
  const std::string run_args = " configs/smoke.yaml --set run.output_dir=" + out +
                               " --set 'tasks=[reach-v2,push-v2,pick-place-v2]'";
  CommandResult train =
      RunTaco("train-local" + run_args +
              " --set trainer.total_env_steps=400 --set trainer.exploration_steps=200"
              " --set trainer.eval_interval_env_steps=200"
              " --set trainer.log_interval_env_steps=200 --set env.max_episode_steps=50"
              " --set metrics.base_port=0");
  ASSERT_EQ(train.exit_code, 0) << train.output;
  const std::string run = out + "/smoke";

  CommandResult r = RunTaco("inspect" + run_args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("K=5 components, T=3 tasks"));
  EXPECT_THAT(r.output, HasSubstr("task similarity"));
  EXPECT_THAT(r.output, HasSubstr("               reach-v2  push-v2  pick-place-v2\n"));
  EXPECT_THAT(r.output, HasSubstr("\nreach-v2           1.00  "));
  EXPECT_THAT(r.output, HasSubstr("\npick-place-v2  "));
  // smoke.yaml samples uniformly: no groups are claimed for the run.
  EXPECT_THAT(r.output, HasSubstr("task groups: none (task_distribution.kind uniform"));
  EXPECT_THAT(r.output, HasSubstr("TaCo-online would form (features theta, eps "));
  CommandResult online = RunTaco("inspect" + run_args + " --set task_distribution.kind=online");
  ASSERT_EQ(online.exit_code, 0) << online.output;
  EXPECT_THAT(online.output, HasSubstr("task groups TaCo-online forms from this checkpoint"));
  CommandResult fixed = RunTaco("inspect" + run_args +
                                " --set task_distribution.kind=groups --set "
                                "'task_distribution.groups=[[reach-v2,pick-place-v2],[push-v2]]'");
  ASSERT_EQ(fixed.exit_code, 0) << fixed.output;
  EXPECT_THAT(fixed.output, HasSubstr("task groups of this run (task_distribution.groups):\n"
                                      "  group 0: reach-v2, pick-place-v2\n  group 1: push-v2"));
  EXPECT_THAT(r.output, HasSubstr("wrote " + run + "/w_pca.svg"));
  EXPECT_THAT(r.output, HasSubstr("wrote " + run + "/learning_curves.svg"));
  for (const char* svg : {"/w_pca.svg", "/learning_curves.svg"}) {
    const std::string text = ReadFile(run + svg);
    EXPECT_THAT(text, HasSubstr("<svg")) << svg;
    EXPECT_THAT(text, HasSubstr("</svg>")) << svg;
    for (const char* task : {"reach-v2", "push-v2", "pick-place-v2"}) {
      EXPECT_THAT(text, HasSubstr(std::string(">") + task + "</text>")) << svg << " " << task;
    }
  }
  EXPECT_THAT(ReadFile(run + "/w_pca.svg"), HasSubstr("PC1 ("));
  EXPECT_THAT(ReadFile(run + "/learning_curves.svg"), HasSubstr(">env steps</text>"));

  // --out puts the plots elsewhere.
  CommandResult elsewhere = RunTaco("inspect" + run_args + " --out " + out + "/plots");
  ASSERT_EQ(elsewhere.exit_code, 0) << elsewhere.output;
  EXPECT_TRUE(std::filesystem::exists(out + "/plots/w_pca.svg"));
  EXPECT_TRUE(std::filesystem::exists(out + "/plots/learning_curves.svg"));

  // Errors name the file at fault.
  const std::string ckpt = run + "/checkpoints/learner.ckpt";
  CommandResult two_tasks = RunTaco("inspect configs/smoke.yaml --checkpoint " + ckpt);
  EXPECT_EQ(two_tasks.exit_code, 2);
  EXPECT_THAT(two_tasks.output, HasSubstr("checkpoint " + ckpt + " holds 3 tasks but"));
  CommandResult other_model =
      RunTaco("inspect" + run_args + " --set 'algorithm.hidden_sizes=[32,32]'");
  EXPECT_EQ(other_model.exit_code, 1);
  EXPECT_THAT(other_model.output, HasSubstr(ckpt + " was written for a different model"));
  CommandResult missing = RunTaco("inspect" + run_args + " --checkpoint " + out + "/none.ckpt");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.output, HasSubstr(out + "/none.ckpt does not exist"));
  std::ofstream(out + "/damaged.ckpt") << "not a checkpoint";
  CommandResult damaged = RunTaco("inspect" + run_args + " --checkpoint " + out + "/damaged.ckpt");
  EXPECT_EQ(damaged.exit_code, 1);
  EXPECT_THAT(damaged.output, HasSubstr(out + "/damaged.ckpt is damaged"));

  // A run folder without eval.csv, then with a broken one: the table still
  // comes out, the learning curves fail naming the file (and line).
  const std::string bare = run_args + " --set run.name=bare --checkpoint " + ckpt;
  CommandResult no_eval = RunTaco("inspect" + bare);
  EXPECT_EQ(no_eval.exit_code, 2);
  EXPECT_THAT(no_eval.output, HasSubstr("task similarity"));
  EXPECT_THAT(no_eval.output, HasSubstr("cannot open " + out + "/bare/eval.csv"));
  std::ofstream(out + "/bare/eval.csv") << "env_steps,task,success_rate\n200,reach-v2,oops\n";
  CommandResult bad_eval = RunTaco("inspect" + bare);
  EXPECT_EQ(bad_eval.exit_code, 2);
  EXPECT_THAT(bad_eval.output, HasSubstr(out + "/bare/eval.csv:2: success_rate 'oops'"));
}

}  // namespace
}  // namespace taco
