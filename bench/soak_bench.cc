// scripts/bench soak: a small run (2 tasks, small networks, 2 shards, 2
// actors, evaluator) through `taco up` to its trainer.total_env_steps while a
// random role is killed every 15–30 s, kill -9 and SIGTERM mixed, learner and
// shards included. Measures whether the run completes, the longest stall of
// the updates after a kill, transitions stored twice, transitions lost
// against what the checkpoint interval allows, and the final evaluation.
// The last line is one JSON object; exits 1 when a target is missed.
//
//   taco_bench_soak [--env-steps N] [--kill-min S] [--kill-max S] [--seed N] [--dir D]
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/metrics_scrape.h"
#include "replay/table_file.h"
#include "tests/cluster_checks.h"
#include "tests/subprocess.h"

namespace taco {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Options {
  int64_t env_steps = 200'000;
  double kill_min_s = 15, kill_max_s = 30;
  uint32_t seed = 1;
  std::string dir;
  double checkpoint_minutes = 0.25;
  double timeout_s = 3600;
};

// Rows of every table in the newest checkpoint of each shard, and the rows
// among them stored twice. Error when a shard has no checkpoint or a table
// cannot be read: an unread table must not count as clean.
absl::StatusOr<std::pair<int64_t, int64_t>> CountRows(const fs::path& replay_dir, int shards) {
  int64_t rows = 0, duplicates = 0;
  for (int s = 0; s < shards; ++s) {
    const fs::path ckpt = NewestCheckpoint(replay_dir / absl::StrCat("shard-", s));
    if (ckpt.empty()) return absl::NotFoundError(absl::StrCat("shard ", s, " left no checkpoint"));
    int tables = 0;
    for (const auto& entry : fs::directory_iterator(ckpt)) {
      if (entry.path().extension() != ".table") continue;
      auto table = ReadTableFile(entry.path().string());
      if (!table.ok()) return table.status();
      rows += table->transitions.size;
      duplicates += DuplicateRows(table->transitions);
      ++tables;
    }
    if (tables == 0) return absl::NotFoundError(absl::StrCat(ckpt.string(), " holds no table"));
  }
  return std::make_pair(rows, duplicates);
}

int Run(const Options& options) {
  const fs::path dir =
      options.dir.empty() ? fs::temp_directory_path() / "taco-soak" : fs::path(options.dir);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string extra =
      absl::StrFormat("checkpoint: {interval_minutes: %g}\n", options.checkpoint_minutes);
  const SmallCluster cluster = WriteSmallClusterConfig(dir, "soak", extra);
  // Capacity above the budget: every stored transition stays in the tables,
  // so the checkpoints can be counted against the learner's total.
  const std::vector<std::string> sets = {
      "--set",
      absl::StrCat("trainer.total_env_steps=", options.env_steps),
      "--set",
      absl::StrCat("trainer.replay_capacity=", 2 * options.env_steps + 20'000),
      "--set",
      absl::StrCat("trainer.eval_interval_env_steps=",
                   std::max<int64_t>(2'000, options.env_steps / 5)),
      "--set",
      "trainer.eval_episodes_per_task=5"};
  std::vector<std::string> argv = {TACO_BINARY, "up", cluster.config.string(), "--progress-every",
                                   "5"};
  argv.insert(argv.end(), sets.begin(), sets.end());
  std::printf(
      "soak: taco up on 2 tasks, 2 shards, 2 actors, evaluator to %lld env steps; a random "
      "role killed every %.0f-%.0f s (kill -9 and SIGTERM); checkpoints every %.0f s\n",
      static_cast<long long>(options.env_steps), options.kill_min_s, options.kill_max_s,
      options.checkpoint_minutes * 60);
  std::fflush(stdout);
  Subprocess up(argv, (dir / "up.log").string());
  const auto start = Clock::now();
  std::mt19937 rng(options.seed);
  std::uniform_real_distribution<double> gap(options.kill_min_s, options.kill_max_s);
  const std::vector<std::string> roles = {"replay-0", "replay-1", "learner",
                                          "actor-0",  "actor-1",  "eval"};
  double next_kill = gap(rng);
  int kills = 0, shard_kill9 = 0;
  std::vector<double> kill_times;
  double last_updates = -1, last_update_at = 0;
  double max_stall = 0;
  double peak_rate = 0, last_steps = 0, last_steps_at = 0;
  int exit_code = -1;
  while (true) {
    exit_code = up.Wait(1.0);
    if (exit_code != -1) break;
    const double now = Since(start);
    if (now > options.timeout_s) {
      std::printf("soak: no end after %.0f s; stopping\n", now);
      up.Signal(SIGINT);
      exit_code = up.Wait(180);
      exit_code = exit_code == 0 ? 1 : exit_code;
      break;
    }
    const std::string learner = ScrapeMetrics(cluster.metrics_port);
    for (const auto& [k, v] : MetricValues(learner, "taco_learner_updates_total", "")) {
      if (v != last_updates) {
        last_updates = v;
        last_update_at = now;
      }
    }
    for (const auto& [k, v] : MetricValues(learner, "taco_learner_env_steps", "")) {
      if (now - last_steps_at >= 5) {
        if (last_steps_at > 0)
          peak_rate = std::max(peak_rate, (v - last_steps) / (now - last_steps_at));
        last_steps = v;
        last_steps_at = now;
      }
    }
    // The stall after each kill: until the next update, or still going.
    for (double t : kill_times) {
      const double until = last_update_at > t ? last_update_at : now;
      max_stall = std::max(max_stall, until - t);
    }
    kill_times.erase(std::remove_if(kill_times.begin(), kill_times.end(),
                                    [&](double t) { return last_update_at > t; }),
                     kill_times.end());
    if (now >= next_kill && !fs::exists(dir / "soak" / "checkpoints" / "run-complete")) {
      const std::string& role =
          roles[std::uniform_int_distribution<size_t>(0, roles.size() - 1)(rng)];
      const int64_t pid = LargestMatch(up.Log(), "started " + role + " \\(pid (\\d+)\\)");
      const bool nine = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
      // The newest pid of that role; one that is down (not restarted yet)
      // is skipped and another role drawn a second later.
      if (pid > 0 && kill(static_cast<pid_t>(pid), nine ? SIGKILL : SIGTERM) == 0) {
        ++kills;
        if (nine && role.rfind("replay", 0) == 0) ++shard_kill9;
        kill_times.push_back(now);
        std::printf("soak: %.0f s: %s %s (pid %lld)\n", now, nine ? "kill -9" : "SIGTERM",
                    role.c_str(), static_cast<long long>(pid));
        std::fflush(stdout);
        next_kill = now + gap(rng);
      }
    }
  }
  const double wall = Since(start);
  const fs::path run = dir / "soak";
  const bool completed = exit_code == 0 && fs::exists(run / "checkpoints" / "run-complete");
  const auto counts = CountRows(run / "replay", 2);
  if (!counts.ok()) std::printf("soak: %s\n", std::string(counts.status().message()).c_str());
  const int64_t rows = counts.ok() ? counts->first : -1;
  const int64_t duplicates = counts.ok() ? counts->second : -1;
  const int64_t counted =
      LargestMatch(ReadText(run / "checkpoints" / "learner.pacing"), "env_steps (\\d+)");
  if (counted < 0) std::printf("soak: the learner left no env-step count (learner.pacing)\n");
  const int64_t lost = std::max<int64_t>(0, counted - rows);
  // Each kill -9 of a shard may lose what it stored since its last
  // checkpoint began: one interval (and the checkpoint's own time) of inserts.
  const double lost_bound =
      static_cast<double>(shard_kill9) * (options.checkpoint_minutes * 60 + 5) * peak_rate;
  double final_success = -1;
  {
    const std::string eval = ReadText(run / "eval.csv");
    const std::regex mean("\\n\\d+,mean,([0-9.eE+-]+)");
    for (auto it = std::sregex_iterator(eval.begin(), eval.end(), mean);
         it != std::sregex_iterator(); ++it)
      final_success = std::stod((*it)[1].str());
  }
  std::printf(
      "soak: exit code %d after %.0f s, %d kills (%d kill -9 of a shard); %lld transitions "
      "held, %lld counted by the learner, %lld stored twice; longest stall %.1f s\n",
      exit_code, wall, kills, shard_kill9, static_cast<long long>(rows),
      static_cast<long long>(counted), static_cast<long long>(duplicates), max_stall);
  // Every figure must come from data that was there: no kill, no count or
  // an unread checkpoint is a failed soak, never a clean one.
  const bool met = completed && kills > 0 && counts.ok() && counted >= 0 && max_stall <= 60 &&
                   duplicates == 0 && static_cast<double>(lost) <= lost_bound + 1e-9;
  if (!completed) std::printf("soak: up log:\n%s\n", up.Log().c_str());
  std::printf(
      "{\"completed\": %s, \"wall_s\": %.1f, \"kills\": %d, \"max_stall_s\": %.1f, "
      "\"duplicates\": %lld, \"lost_transitions\": %lld, \"lost_bound\": %.0f, "
      "\"final_mean_success\": %.3f}\n",
      completed ? "true" : "false", wall, kills, max_stall, static_cast<long long>(duplicates),
      static_cast<long long>(lost), lost_bound, final_success);
  return met ? 0 : 1;
}

}  // namespace
}  // namespace taco

int main(int argc, char** argv) {
  taco::Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--env-steps") {
      options.env_steps = std::stoll(value);
    } else if (flag == "--kill-min") {
      options.kill_min_s = std::stod(value);
    } else if (flag == "--kill-max") {
      options.kill_max_s = std::stod(value);
    } else if (flag == "--seed") {
      options.seed = static_cast<uint32_t>(std::stoul(value));
    } else if (flag == "--dir") {
      options.dir = value;
    } else if (flag == "--checkpoint-minutes") {
      options.checkpoint_minutes = std::stod(value);
    } else {
      std::fprintf(stderr, "taco_bench_soak: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  return taco::Run(options);
}
