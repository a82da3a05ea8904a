// The researcher's loop on a finished run, as the README gives it: train
// configs/smoke.yaml, read the curves TensorBoard would (with a reader of its
// own: TensorBoard is no Debian package), re-evaluate and export its best
// policy, act with the export in Python, watch the policy, and report with
// curves.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learner/paco/policy_checkpoint.h"
#include "proto/testing/event_file_reader.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kTotalEnvSteps = 2000;

// The README's run, `taco train-local configs/smoke.yaml`, to its end with a
// smaller budget (seconds on two cores) and its folder moved aside.
fs::path TrainSmokeRun(const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  const CommandResult trained =
      RunCommand({TACO_BINARY,
                  "train-local",
                  TACO_SOURCE_DIR "/configs/smoke.yaml",
                  "--set",
                  "run.output_dir=" + dir.string(),
                  "--set",
                  absl::StrCat("trainer.total_env_steps=", kTotalEnvSteps),
                  "--set",
                  "trainer.exploration_steps=400",
                  "--set",
                  "trainer.eval_interval_env_steps=800",
                  "--set",
                  "trainer.eval_episodes_per_task=2",
                  "--set",
                  "trainer.log_interval_env_steps=400",
                  "--set",
                  "env.max_episode_steps=50",
                  "--set",
                  "algorithm.hidden_sizes=[32,32]",
                  "--set",
                  "metrics.base_port=0"},
                 300);
  EXPECT_EQ(trained.exit_code, 0) << trained.output;
  return dir / "smoke";
}

// task → success of the last "mean"-block of a long-format CSV whose last
// two columns are task and success.
std::map<std::string, double> LastSuccessRows(const std::string& csv, size_t tasks) {
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  std::map<std::string, double> out;
  for (size_t i = lines.size() - tasks - 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
    double v = -1;
    EXPECT_TRUE(absl::SimpleAtod(cells.back(), &v)) << lines[i];
    out[cells[cells.size() - 2]] = v;
  }
  return out;
}

TEST(ResearcherWorkflowTest, TrainThenCurvesEvaluationExportRenderAndReport) {
  const fs::path dir = fs::path(::testing::TempDir()) / "researcher-workflow";
  const fs::path run = TrainSmokeRun(dir);
  const fs::path checkpoint = run / "checkpoints" / "learner.ckpt";
  const fs::path best = run / "checkpoints" / "best-policy.ckpt";
  ASSERT_TRUE(fs::exists(checkpoint));
  ASSERT_TRUE(fs::exists(best));

  // TensorBoard: one event file, env steps as the step axis, the learner's
  // statistics and the evaluations in it.
  std::vector<fs::path> event_files;
  for (const auto& entry : fs::directory_iterator(run / "tensorboard")) {
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0) {
      event_files.push_back(entry.path());
    }
  }
  ASSERT_EQ(event_files.size(), 1u);
  auto events = testing::ReadEventFile(event_files[0].string());
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->front().file_version, "brain.Event:2");
  std::set<int64_t> eval_steps;
  std::set<std::string> tags;
  for (const testing::DecodedEvent& e : *events) {
    for (const auto& [tag, value] : e.scalars) tags.insert(tag);
    if (e.scalars.count("success/mean") > 0) eval_steps.insert(e.step);
  }
  EXPECT_EQ(eval_steps, (std::set<int64_t>{800, 1600, kTotalEnvSteps}));
  for (const char* tag : {"loss/critic", "loss/actor", "alpha/reach-v2", "entropy/push-v2",
                          "success/reach-v2", "rate/env_steps_per_s", "rate/updates_per_s"}) {
    EXPECT_EQ(tags.count(tag), 1u) << tag;
  }

  // The README's command: the best policy re-evaluated, rows to the run folder.
  const CommandResult readme_eval = RunCommand({TACO_BINARY, "eval", best.string()});
  ASSERT_EQ(readme_eval.exit_code, 0) << readme_eval.output;
  EXPECT_THAT(ReadText(run / "checkpoint-eval.csv"), HasSubstr(best.string() + ","));

  // The saved policy re-evaluated with no learner: the goals the run's last
  // evaluation used give its numbers again.
  const fs::path csv = dir / "checkpoint-eval.csv";
  const CommandResult evaluated =
      RunCommand({TACO_BINARY, "eval", checkpoint.string(), "--seed",
                  std::to_string(7'000'000 + kTotalEnvSteps), "--csv", csv.string()});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_THAT(evaluated.output, HasSubstr("reach-v2"));
  EXPECT_EQ(LastSuccessRows(ReadText(csv), 2), LastSuccessRows(ReadText(run / "eval.csv"), 2));
  EXPECT_THAT(ReadText(csv), HasSubstr("checkpoint,updates,seed,episodes_per_task,task,"));

  // Task names are W's columns: a config that lists them in another order is
  // refused, not silently mis-mapped.
  const fs::path swapped = dir / "swapped.yaml";
  std::ofstream(swapped) << "run: {name: smoke, output_dir: " << dir.string() << "}\n"
                         << "tasks: [push-v2, reach-v2]\nalgorithm: {hidden_sizes: [32, 32]}\n";
  const CommandResult refused =
      RunCommand({TACO_BINARY, "eval", swapped.string(), "--checkpoint", checkpoint.string()});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("in this order"));

  // Export, then act in Python with PyTorch alone: the same action as taco's.
  const fs::path exported = dir / "policy.pt";
  const CommandResult exported_run =
      RunCommand({TACO_BINARY, "export", best.string(), "--out", exported.string()});
  ASSERT_EQ(exported_run.exit_code, 0) << exported_run.output;
  auto policy = paco::LoadSavedPolicy(best.string());
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  auto inference = paco::MakeInference(*policy);
  ASSERT_TRUE(inference.ok()) << inference.status().message();
  std::vector<std::string> command = {"/usr/bin/python3",
                                      TACO_SOURCE_DIR "/docs/examples/act_with_exported_policy.py",
                                      exported.string(), "push-v2"};
  torch::Tensor obs = torch::empty({1, 39}, torch::kFloat32);
  for (int d = 0; d < 39; ++d) {
    obs[0][d] = std::sin(0.7 * d) * 0.5;
    command.push_back(absl::StrCat(obs[0][d].item<float>()));
  }
  auto action = (*inference)->Act(obs, torch::full({1}, 1, torch::kInt64), true);
  ASSERT_TRUE(action.ok());
  const CommandResult python = RunCommand(command);
  ASSERT_EQ(python.exit_code, 0)
      << python.output
      << "\n(the test tooling includes Debian's python3-torch: scripts/setup --test)";
  std::vector<std::string> printed =
      absl::StrSplit(absl::StripAsciiWhitespace(python.output), ' ', absl::SkipEmpty());
  ASSERT_EQ(printed.size(), 4u) << python.output;
  for (int i = 0; i < 4; ++i) {
    double v = 0;
    ASSERT_TRUE(absl::SimpleAtod(printed[static_cast<size_t>(i)], &v)) << python.output;
    EXPECT_NEAR(v, (*action)[0][i].item<float>(), 2e-6) << "action " << i;
  }

  // Watch it: an episode of the trained policy as an animated PNG.
  const fs::path movie = dir / "push.png";
  const CommandResult rendered =
      RunCommand({TACO_BINARY, "render", "push-v2", "--policy", best.string(), "--out",
                  movie.string(), "--frames", "20", "--size", "64"});
  if (rendered.output.find("EGL") == std::string::npos) {
    ASSERT_EQ(rendered.exit_code, 0) << rendered.output;
    EXPECT_THAT(ReadText(movie).substr(0, 8), "\x89PNG\r\n\x1a\n");
  }
  const CommandResult no_such_task =
      RunCommand({TACO_BINARY, "render", "door-open-v2", "--policy", checkpoint.string(), "--out",
                  (dir / "door.png").string()});
  EXPECT_EQ(no_such_task.exit_code, 2) << no_such_task.output;
  EXPECT_THAT(no_such_task.output, HasSubstr("has no task door-open-v2"));

  // The report with its success curves.
  const fs::path curves = dir / "curves.svg";
  const CommandResult report =
      RunCommand({TACO_BINARY, "report", run.string(), "--curves", curves.string()});
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_THAT(ReadText(curves), HasSubstr("<svg"));
}

// In a terminal (a pseudo-terminal from util-linux's `script`), one status
// block redrawn in place; in a pipe or a file, plain lines without escapes.
TEST(ResearcherWorkflowTest, ATerminalGetsOneLiveStatusBlockAPipePlainLines) {
  const fs::path dir = fs::path(::testing::TempDir()) / "researcher-terminal";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path config = dir / "tty.yaml";
  std::ofstream(config) << "run: {name: tty, output_dir: " << dir.string() << "}\n"
                        << "tasks: [reach-v2]\nenv: {max_episode_steps: 50}\n"
                        << "algorithm: {hidden_sizes: [32, 32]}\n"
                        << "trainer: {batch_size: 32, exploration_steps: 200, total_env_steps: "
                           "800, eval_interval_env_steps: 400, eval_episodes_per_task: 1, "
                           "threads: 1, log_interval_env_steps: 200}\n"
                        << "metrics: {base_port: 0}\n";
  const fs::path typescript = dir / "typescript";
  const CommandResult tty = RunCommand(
      {"/usr/bin/env", "TERM=xterm", "/usr/bin/script", "-qec",
       std::string(TACO_BINARY) + " train-local " + config.string(), typescript.string()},
      300);
  ASSERT_EQ(tty.exit_code, 0) << tty.output;
  const std::string screen = ReadText(typescript);
  EXPECT_THAT(screen, HasSubstr("train-local tty: 1 tasks, paco, seed"));
  EXPECT_THAT(screen, HasSubstr("800 / 800 env steps  ETA 0s"));
  EXPECT_THAT(screen, HasSubstr("F\x1b[J"));  // back over the block, clear it
  EXPECT_THAT(screen, Not(HasSubstr("[train] ")));

  const CommandResult piped =
      RunCommand({TACO_BINARY, "train-local", config.string(), "--fresh"}, 300);
  ASSERT_EQ(piped.exit_code, 0) << piped.output;
  EXPECT_THAT(piped.output, HasSubstr("[train] 800/800 env steps"));
  EXPECT_THAT(piped.output, Not(HasSubstr("\x1b[")));
}

TEST(ResearcherWorkflowTest, DamagedCheckpointsAreRefusedByName) {
  const fs::path dir = fs::path(::testing::TempDir()) / "researcher-damaged";
  fs::remove_all(dir);
  fs::create_directories(dir / "run" / "checkpoints");
  const fs::path damaged = dir / "run" / "checkpoints" / "best-policy.ckpt";
  std::ofstream(damaged) << "TACOPACO but not really a checkpoint";
  const fs::path config = dir / "c.yaml";
  std::ofstream(config) << "tasks: [reach-v2]\n";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"eval", config.string(), "--checkpoint", damaged.string()},
        std::vector<std::string>{"export", damaged.string(), "--config", config.string()}}) {
    std::vector<std::string> argv = {TACO_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    const CommandResult result = RunCommand(argv);
    EXPECT_NE(result.exit_code, 0) << result.output;
    EXPECT_THAT(result.output, HasSubstr(damaged.string()));
  }
}

}  // namespace
}  // namespace taco
