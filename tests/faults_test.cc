// Faults injected into `taco up` on a small config, every role its own
// process on loopback: kill -9 of a replay shard, a shard that stops
// answering (SIGSTOP, then SIGCONT), kill -9 of an actor and of the learner.
// Every wait polls the processes' metrics or logs against a deadline far
// above what a healthy run needs; no check depends on how fast this machine
// is.
#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "common/metrics_scrape.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/table_file.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;
using testing::Not;

constexpr double kDeadlineS = 90;
constexpr int kActors = 2;
constexpr char kInserted[] = "taco_replay_inserted_transitions_total";
constexpr char kSteps[] = "taco_env_steps_total";
constexpr char kUpdates[] = "taco_learner_updates_total";
// Tasks are dealt to shards in sorted order: push-v2 lives on shard 0.
constexpr char kShard0Task[] = "push-v2";

bool Eventually(const std::function<bool()>& condition, double timeout_s = kDeadlineS) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

// Sum of metric `name` served on `port` (only label task=`task` when given);
// -1 when nothing answers there.
double Metric(int port, const std::string& name, const std::string& task = "") {
  const std::string text = ScrapeMetrics(port);
  if (text.empty()) return -1;
  double sum = 0;
  for (const auto& [key, value] : MetricValues(text, name, task.empty() ? "" : "task")) {
    if (task.empty() || key == task) sum += value;
  }
  return sum;
}

// The number the one group of `pattern` captures in its last match, or -1.
int64_t LastMatch(const std::string& text, const std::string& pattern) {
  int64_t last = -1;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    last = std::stoll((*it)[1].str());
  }
  return last;
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Gone, or a zombie its parent has not reaped yet.
bool Dead(pid_t pid) {
  const std::string stat = ReadText("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  return paren == std::string::npos || stat.substr(paren + 2, 1) == "Z";
}

// n of a "ckpt-<n>" folder; -1 for none.
int64_t CheckpointNumber(const fs::path& folder) {
  return folder.empty() ? -1 : std::stoll(folder.filename().string().substr(5));
}

class FaultsTest : public testing::Test {
 protected:
  // `taco up` with two tasks (one per shard), two actors, no evaluator, small
  // networks and a checkpoint every 1.2 s, plus `extra` config lines.
  void Start(const std::string& name, const std::string& extra) {
    const fs::path dir = fs::path(testing::TempDir()) / ("faults-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    run_ = dir / name;
    replay_port_ = FreePortBlock({0, 1, 2});
    metrics_ = FreePortBlock({0, 1, 10, 11, 100, 101});
    const fs::path config = dir / "run.yaml";
    std::ofstream(config) << "run: {name: " << name << ", output_dir: " << dir.string() << "}\n"
                          << "tasks: [reach-v2, push-v2]\n"
                          << "env: {max_episode_steps: 50}\n"
                          << "algorithm: {hidden_sizes: [32, 32]}\n"
                          << "trainer: {batch_size: 32, exploration_steps: 400, "
                             "env_steps_per_update: 2, replay_capacity: 200000, "
                             "eval_episodes_per_task: 0, threads: 1}\n"
                          << "topology: {replay_shards: 2, actors: " << kActors
                          << ", envs_per_actor: 1, actor_batch: 16, publish_every_updates: 5, "
                             "replay_base_port: "
                          << replay_port_ << ", learner_port: " << replay_port_ + 2 << "}\n"
                          << "metrics: {base_port: " << metrics_ << "}\n"
                          << "checkpoint: {interval_minutes: 0.02}\n"
                          << extra;
    up_ = std::make_unique<Subprocess>(
        std::vector<std::string>{TACO_BINARY, "up", config.string(), "--progress-every", "5"},
        (dir / "up.log").string());
  }

  void TearDown() override {
    for (pid_t pid : stopped_) kill(pid, SIGCONT);
    if (up_ == nullptr || !up_->running()) return;
    up_->Signal(SIGINT);
    if (up_->Wait(150) >= 0) return;
    // The children run in their own process groups: a test that failed half
    // way must not leave them behind.
    const std::string log = up_->Log();
    const std::regex started("started [a-z0-9-]+ \\(pid (\\d+)\\)");
    for (auto it = std::sregex_iterator(log.begin(), log.end(), started);
         it != std::sregex_iterator(); ++it) {
      kill(static_cast<pid_t>(std::stoll((*it)[1].str())), SIGKILL);
    }
    up_->Signal(SIGKILL);
    up_->Wait(10);
  }

  // Ctrl-C: actors flush, the learner and the shards write final checkpoints.
  void Stop() {
    up_->Signal(SIGINT);
    ASSERT_EQ(up_->Wait(180), 0) << up_->Log();
  }

  std::string UpLog() const { return up_->Log(); }
  std::string Log(const std::string& role) const {
    return ReadText(run_ / "logs" / (role + ".log"));
  }
  // Log text that came after `from` bytes.
  std::string LogSince(const std::string& role, size_t from) const {
    const std::string log = Log(role);
    return from < log.size() ? log.substr(from) : std::string();
  }
  // The pid of the newest process `taco up` started for `child`, or -1.
  pid_t Pid(const std::string& child) const {
    return static_cast<pid_t>(LastMatch(UpLog(), "started " + child + " \\(pid (\\d+)\\)"));
  }
  void Freeze(pid_t pid) {
    ASSERT_EQ(kill(pid, SIGSTOP), 0);
    stopped_.push_back(pid);
  }
  void Thaw(pid_t pid) {
    ASSERT_EQ(kill(pid, SIGCONT), 0);
    stopped_.erase(std::remove(stopped_.begin(), stopped_.end(), pid), stopped_.end());
  }
  void KillNine(pid_t pid) {
    ASSERT_GT(pid, 0);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    ASSERT_TRUE(Eventually([pid] { return Dead(pid); }));
  }

  int ShardMetrics(int shard) const { return metrics_ + 10 + shard; }
  int ActorMetrics(int actor) const { return metrics_ + 100 + actor; }
  double ActorSteps(int actor, const std::string& task = "") const {
    return Metric(ActorMetrics(actor), kSteps, task);
  }
  double AllActorSteps(const std::string& task = "") const {
    double sum = 0;
    for (int i = 0; i < kActors; ++i) sum += std::max(0.0, ActorSteps(i, task));
    return sum;
  }
  size_t ActorLogSize(int actor) const { return Log("actor-" + std::to_string(actor)).size(); }

  fs::path run_;
  int replay_port_ = 0;
  int metrics_ = 0;
  std::unique_ptr<Subprocess> up_;
  std::vector<pid_t> stopped_;
};

// A shard that stops answering holds its callers back until it returns;
// after kill -9 the supervisor restarts it, it restores its newest
// checkpoint, the writers re-send what was not acknowledged and, counted
// over the whole run, the loss is at most what the shard stored after that
// checkpoint and nothing is stored twice.
TEST_F(FaultsTest, ShardStallAndKillNine) {
  // The rate limiter is off so that the actors' queues drain at once when
  // they stop: every step taken is then either stored or lost to the kill.
  Start("shard", "replay: {samples_per_insert: 0}\n");
  const int shard0 = ShardMetrics(0);
  ASSERT_TRUE(Eventually([&] {
    return Metric(shard0, kInserted) > 2000 && Metric(metrics_, kUpdates) > 0;
  })) << UpLog();

  // --- SIGSTOP: the shard stops answering.
  const pid_t stalled = Pid("replay-0");
  const size_t learner_from = Log("learner").size();
  std::vector<size_t> actor_from;
  for (int i = 0; i < kActors; ++i) actor_from.push_back(ActorLogSize(i));
  const double inserted_before_stall = Metric(shard0, kInserted);
  Freeze(stalled);
  // The learner's call to the shard times out (Info after 2 s, Sample after
  // 30 s) and it retries after a pause; an actor fills its writer's window of
  // unacknowledged batches, Insert times out and the actor waits and retries.
  EXPECT_TRUE(Eventually([&] {
    const std::string log = LogSince("learner", learner_from);
    return log.find("info from replay shard 0") != std::string::npos ||
           log.find("sampling from replay shard 0") != std::string::npos;
  })) << Log("learner");
  EXPECT_TRUE(Eventually([&] {
    for (int i = 0; i < kActors; ++i) {
      if (LogSince("actor-" + std::to_string(i), actor_from[i]).find("holds inserts back") !=
          std::string::npos) {
        return true;
      }
    }
    return false;
  }));
  const double updates_stalled = Metric(metrics_, kUpdates);
  const double steps_stalled = AllActorSteps();
  Thaw(stalled);
  EXPECT_TRUE(Eventually([&] { return Metric(shard0, kInserted) > inserted_before_stall; }));
  EXPECT_TRUE(Eventually([&] { return Metric(metrics_, kUpdates) > updates_stalled; }));
  EXPECT_TRUE(Eventually([&] { return AllActorSteps() > steps_stalled; }));
  EXPECT_EQ(Pid("replay-0"), stalled) << "a stalled shard is not restarted";
  std::printf(
      "[faults] shard stall: inserted %.0f before SIGSTOP; updates %.0f and env steps %.0f "
      "while stopped; all three grew after SIGCONT\n",
      inserted_before_stall, updates_stalled, steps_stalled);

  // --- kill -9 once the shard has checkpointed since it came back.
  const fs::path shard_dir = run_ / "replay" / "shard-0";
  const int64_t checkpoint_after_stall = CheckpointNumber(NewestCheckpoint(shard_dir));
  ASSERT_TRUE(Eventually(
      [&] { return CheckpointNumber(NewestCheckpoint(shard_dir)) > checkpoint_after_stall; }));
  for (int i = 0; i < kActors; ++i) actor_from[i] = ActorLogSize(i);
  const size_t shard_from = Log("replay-0").size();
  KillNine(stalled);
  // Nothing writes the shard's folder until the restart (a second away).
  const fs::path checkpoint = NewestCheckpoint(shard_dir);
  const int64_t checkpointed = CheckpointedTransitions(shard_dir);
  // The shard stored only steps the actors had taken; an actor hands a batch
  // over just before it counts the batch's last step.
  const double steps_at_kill = AllActorSteps(kShard0Task) + kActors;
  std::vector<double> actor_steps_at_kill;
  for (int i = 0; i < kActors; ++i) actor_steps_at_kill.push_back(ActorSteps(i, kShard0Task));
  const std::string table = std::string(kShard0Task) + ".table";
  auto at_kill = ReadTableFile((checkpoint / table).string());
  ASSERT_TRUE(at_kill.ok()) << at_kill.status();
  ASSERT_TRUE(Eventually([&] {
    return LogSince("replay-0", shard_from).find("transitions)") != std::string::npos;
  })) << Log("replay-0");
  const std::string restored = LogSince("replay-0", shard_from);
  EXPECT_THAT(restored, HasSubstr("restored " + checkpoint.string()));
  EXPECT_EQ(LastMatch(restored, "restored .* \\((\\d+) transitions\\)"), checkpointed);
  EXPECT_THAT(UpLog(), HasSubstr("restarted replay-0"));
  EXPECT_TRUE(Eventually([&] { return Metric(shard0, kInserted) > checkpointed; }));
  // Every actor's writer saw its stream end and reconnected.
  const std::string ended =
      "replay shard 127.0.0.1:" + std::to_string(replay_port_) + " stream ended";
  for (int i = 0; i < kActors; ++i) {
    EXPECT_THAT(LogSince("actor-" + std::to_string(i), actor_from[i]), HasSubstr(ended));
  }
  // Each actor goes on past a full batch of the shard's task.
  EXPECT_TRUE(Eventually([&] {
    for (int i = 0; i < kActors; ++i) {
      if (ActorSteps(i, kShard0Task) <= actor_steps_at_kill[i] + 16) return false;
    }
    return true;
  }));

  ASSERT_NO_FATAL_FAILURE(Stop());
  int64_t sent = 0;
  for (int i = 0; i < kActors; ++i) {
    const std::string log = Log("actor-" + std::to_string(i));
    EXPECT_THAT(log, Not(HasSubstr("unsent transitions at exit")));
    const int64_t steps = LastMatch(log, "stops after (\\d+) env steps");
    ASSERT_GT(steps, 0) << log;
    // While the shard was away the actor stepped on and dropped what its
    // bounded buffer could not hold, and at the stop it may leave batches a
    // shard held back: neither was sent.
    const int64_t dropped = LastMatch(log, "dropped (\\d+) transitions while shards were away");
    const int64_t unsent = LastMatch(log, "left (\\d+) unsent at the stop");
    ASSERT_GE(dropped, 0) << log;
    ASSERT_GE(unsent, 0) << log;
    sent += steps - dropped - unsent;
  }
  EXPECT_THAT(UpLog(), Not(HasSubstr("restarted actor")));
  // Every actor's writer reconnected and the shard stored its later batches.
  auto at_end = ReadTableFile((NewestCheckpoint(shard_dir) / table).string());
  ASSERT_TRUE(at_end.ok()) << at_end.status();
  EXPECT_EQ(at_end->last_sequence.size(), static_cast<size_t>(kActors));
  for (const auto& [actor, sequence] : at_end->last_sequence) {
    auto before = at_kill->last_sequence.find(actor);
    EXPECT_GT(sequence, before == at_kill->last_sequence.end() ? 0 : before->second) << actor;
  }
  int64_t stored = 0, duplicates = 0;
  for (int s = 0; s < 2; ++s) {
    const fs::path newest = NewestCheckpoint(run_ / "replay" / ("shard-" + std::to_string(s)));
    ASSERT_FALSE(newest.empty());
    for (const auto& e : fs::directory_iterator(newest)) {
      if (e.path().extension() != ".table") continue;
      auto contents = ReadTableFile(e.path().string());
      ASSERT_TRUE(contents.ok()) << contents.status();
      stored += contents->inserted_total;
      duplicates += DuplicateRows(contents->transitions);
    }
  }
  const int64_t lost = sent - stored;
  const double bound = steps_at_kill - static_cast<double>(checkpointed);
  std::printf(
      "[faults] shard kill -9: checkpoint %s held %lld, restored %lld; %s steps at the "
      "kill %.0f; whole run: %lld sent, %lld stored, %lld lost (bound %.0f), %lld stored "
      "twice\n",
      checkpoint.filename().c_str(), static_cast<long long>(checkpointed),
      static_cast<long long>(LastMatch(restored, "\\((\\d+) transitions\\)")), kShard0Task,
      steps_at_kill, static_cast<long long>(sent), static_cast<long long>(stored),
      static_cast<long long>(lost), bound, static_cast<long long>(duplicates));
  EXPECT_EQ(duplicates, 0);
  EXPECT_GE(lost, 0);
  EXPECT_LE(static_cast<double>(lost), bound);
}

// kill -9 of an actor: the other actor and the learner go on while it is
// down, and it comes back. kill -9 of the learner: it comes back from its
// checkpoint at no fewer updates than it had checkpointed, trains on, and the
// actors take up its parameters.
TEST_F(FaultsTest, ActorAndLearnerKillNine) {
  Start("roles", "");
  ASSERT_TRUE(Eventually([&] {
    return Metric(metrics_, kUpdates) > 50 && ActorSteps(0) > 0 && ActorSteps(1) > 0 &&
           LargestMatch(Log("learner"), "checkpoint at (\\d+) updates") > 0;
  })) << UpLog();

  // --- the actor.
  const pid_t actor = Pid("actor-1");
  KillNine(actor);
  const double updates_at_kill = Metric(metrics_, kUpdates);
  const double other_at_kill = ActorSteps(0);
  pid_t restarted = -1;
  const bool went_on = Eventually([&] {
    // The restarted actor is held back until the check is done, so that it
    // is still down however fast it would come back.
    const pid_t now = Pid("actor-1");
    if (restarted < 0 && now != actor) {
      restarted = now;
      Freeze(now);
    }
    return Metric(metrics_, kUpdates) > updates_at_kill && ActorSteps(0) > other_at_kill;
  });
  EXPECT_TRUE(went_on) << "updates " << updates_at_kill << " at the kill";
  const double updates_while_down = Metric(metrics_, kUpdates);
  if (restarted < 0) {
    ASSERT_TRUE(Eventually([&] { return Pid("actor-1") != actor; })) << UpLog();
  } else {
    Thaw(restarted);
  }
  EXPECT_TRUE(Eventually([&] { return ActorSteps(1) > 0; })) << Log("actor-1");
  std::printf(
      "[faults] actor kill -9: learner updates %.0f -> %.0f and actor-0 steps grew while "
      "actor-1 was down; actor-1 restarted and steps again\n",
      updates_at_kill, updates_while_down);

  // --- the learner.
  double version_before = 0;
  for (int i = 0; i < kActors; ++i) {
    version_before =
        std::max(version_before, Metric(ActorMetrics(i), "taco_actor_parameter_version"));
  }
  const pid_t learner = Pid("learner");
  const size_t learner_from = Log("learner").size();
  KillNine(learner);
  const int64_t checkpointed = LargestMatch(Log("learner"), "checkpoint at (\\d+) updates");
  ASSERT_TRUE(Eventually([&] {
    return LogSince("learner", learner_from).find("resumed from") != std::string::npos;
  })) << Log("learner");
  const int64_t resumed =
      LastMatch(LogSince("learner", learner_from), "resumed from .* at (\\d+) updates");
  EXPECT_GE(resumed, checkpointed);
  // The run's update count (what the progress view shows) goes on from the
  // checkpoint, while the restarted process's counter starts at zero.
  EXPECT_TRUE(Eventually([&] {
    return Metric(metrics_, "taco_learner_updates") >= static_cast<double>(resumed);
  })) << "taco_learner_updates "
      << Metric(metrics_, "taco_learner_updates");
  // Versions are updates + 1: a larger one is a new update after the restart.
  EXPECT_TRUE(Eventually([&] {
    return Metric(metrics_, "taco_learner_parameter_version") > static_cast<double>(resumed + 1);
  }));
  // The actors act with the restarted learner's parameters once its versions
  // pass the ones they already had.
  EXPECT_TRUE(Eventually(
      [&] { return Metric(ActorMetrics(0), "taco_actor_parameter_version") > version_before; }));
  std::printf(
      "[faults] learner kill -9: last checkpoint at %lld updates, resumed at %lld, "
      "actors moved past parameter version %.0f\n",
      static_cast<long long>(checkpointed), static_cast<long long>(resumed), version_before);

  ASSERT_NO_FATAL_FAILURE(Stop());
  const std::string up = UpLog();
  EXPECT_EQ(Count(up, "restarted actor-1"), 1) << up;
  // A crash of the restarted learner would restart it again; its log then
  // holds the stack the crash handler printed.
  EXPECT_EQ(Count(up, "restarted learner"), 1) << up << "\n---- learner log\n" << Log("learner");
  EXPECT_EQ(Count(up, "restarted replay"), 0) << up;
  EXPECT_EQ(Count(up, "restarted actor-0"), 0) << up;
  EXPECT_GE(LastMatch(Log("learner"), "checkpoint at (\\d+) updates"), resumed);
}

}  // namespace
}  // namespace taco
