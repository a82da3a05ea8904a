#include "cli/cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/metrics_scrape.h"
#include "common/signals.h"

namespace taco {
namespace {

struct Child {
  std::string name;  // e.g. "replay-0"
  std::vector<std::string> args;
  int stage = 0;  // shutdown order: higher stages stop first
  pid_t pid = -1;
  int restarts = 0;
  absl::Time next_start = absl::InfinitePast();
  absl::Time started = absl::InfinitePast();
  absl::Duration backoff = absl::Seconds(1);
};

// A child that ran this long before it stopped was healthy: its next
// restart waits the shortest time again.
constexpr absl::Duration kHealthyRun = absl::Minutes(5);

pid_t Spawn(const Child& child, const std::string& log_path) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
  }
  // The child handles SIGINT/SIGTERM itself; `up` relays them in order.
  setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  std::vector<char*> argv;
  for (const std::string& a : child.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  _exit(127);
}

class Cluster {
 public:
  Cluster(const RunConfig& config, const ClusterOptions& options)
      : config_(config), options_(options), logs_(config.RunDir() + "/logs") {}

  absl::Status Run();

 private:
  void Add(const std::string& name, int stage, std::vector<std::string> role_args);
  void StartDue();
  void Reap(bool stopping);
  void Stop();
  void Progress();

  const RunConfig& config_;
  const ClusterOptions options_;
  const std::string logs_;
  std::vector<Child> children_;
  absl::Time last_progress_ = absl::Now();
  double last_steps_ = 0, last_updates_ = 0;
};

void Cluster::Add(const std::string& name, int stage, std::vector<std::string> role_args) {
  Child child;
  child.name = name;
  child.stage = stage;
  child.args = {"taco"};
  child.args.insert(child.args.end(), role_args.begin(), role_args.end());
  child.args.push_back(options_.config_path);
  for (const std::string& o : options_.overrides) {
    child.args.push_back("--set");
    child.args.push_back(o);
  }
  children_.push_back(std::move(child));
}

void Cluster::StartDue() {
  const absl::Time now = absl::Now();
  for (Child& c : children_) {
    if (c.pid > 0 || now < c.next_start) continue;
    c.pid = Spawn(c, absl::StrCat(logs_, "/", c.name, ".log"));
    c.started = now;
    TACO_LOG(INFO) << (c.restarts > 0 ? "restarted " : "started ") << c.name << " (pid " << c.pid
                   << "), log " << logs_ << "/" << c.name << ".log";
  }
}

void Cluster::Reap(bool stopping) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (Child& c : children_) {
      if (c.pid != pid) continue;
      c.pid = -1;
      if (stopping) break;
      if (absl::Now() - c.started > kHealthyRun) c.backoff = absl::Seconds(1);
      const std::string how = WIFSIGNALED(status) ? absl::StrCat("signal ", WTERMSIG(status))
                                                  : absl::StrCat("exit code ", WEXITSTATUS(status));
      TACO_LOG(WARNING) << c.name << " stopped (" << how << "); restarting in "
                        << absl::FormatDuration(c.backoff) << " (see its log)";
      ++c.restarts;
      c.next_start = absl::Now() + c.backoff;
      c.backoff = std::min(c.backoff * 2, absl::Seconds(60));
    }
  }
}

void Cluster::Stop() {
  // Actors and evaluator first, then the learner (checkpoint), then the
  // shards (checkpoint), so that nothing is left writing into a stopped peer.
  for (int stage = 2; stage >= 0; --stage) {
    for (Child& c : children_) {
      if (c.stage == stage && c.pid > 0) kill(c.pid, SIGTERM);
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      Reap(/*stopping=*/true);
      bool alive = false;
      for (const Child& c : children_) alive = alive || (c.stage == stage && c.pid > 0);
      if (!alive) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    for (Child& c : children_) {
      if (c.stage == stage && c.pid > 0) {
        TACO_LOG(WARNING) << c.name << " did not stop in 60 s; killing it";
        kill(c.pid, SIGKILL);
        waitpid(c.pid, nullptr, 0);
        c.pid = -1;
      }
    }
  }
}

void Cluster::Progress() {
  const int base = config_.metrics.base_port;
  const std::string learner = ScrapeMetrics(base);
  double steps = 0;
  for (int i = 0; i < config_.topology.actors; ++i) {
    for (const auto& [task, v] :
         MetricValues(ScrapeMetrics(base + 100 + i), "taco_env_steps_total", ""))
      steps += v;
  }
  double updates = 0, version = 0;
  for (const auto& [k, v] : MetricValues(learner, "taco_learner_updates_total", "")) updates = v;
  for (const auto& [k, v] : MetricValues(learner, "taco_learner_parameter_version", ""))
    version = v;
  const std::string eval = ScrapeMetrics(base + 1);
  const auto success = MetricValues(eval, "taco_eval_success_ratio", "task");
  const auto mean = MetricValues(eval, "taco_eval_success_mean_ratio", "");
  const double dt = std::max(1e-6, absl::ToDoubleSeconds(absl::Now() - last_progress_));
  std::string line = absl::StrFormat(
      "[up] env steps %.0f (%.0f/s) | updates %.0f (%.1f/s) | parameter version %.0f | mean "
      "success %s",
      // A restarted process counts from zero again: no negative rates.
      steps, std::max(0.0, steps - last_steps_) / dt, updates,
      std::max(0.0, updates - last_updates_) / dt, version,
      mean.empty() ? std::string("-") : absl::StrFormat("%.2f", mean.begin()->second));
  std::printf("%s\n", line.c_str());
  if (!success.empty()) {
    std::string table;
    for (const auto& [task, rate] : success) absl::StrAppendFormat(&table, "  %s %.2f", task, rate);
    std::printf("[up]  %s\n", table.c_str());
  }
  std::fflush(stdout);
  last_progress_ = absl::Now();
  last_steps_ = steps;
  last_updates_ = updates;
}

absl::Status Cluster::Run() {
  if (!config_.metrics.enabled || config_.metrics.base_port == 0) {
    return absl::InvalidArgumentError(
        "taco up reads its progress view from the processes' metrics: set metrics.enabled: true "
        "and a fixed metrics.base_port");
  }
  std::filesystem::create_directories(logs_);
  for (int i = 0; i < config_.topology.replay_shards; ++i) {
    Add(absl::StrCat("replay-", i), 0, {"replay", "--shard", absl::StrCat(i)});
  }
  Add("learner", 1, {"learner"});
  for (int i = 0; i < config_.topology.actors; ++i) {
    Add(absl::StrCat("actor-", i), 2, {"actor", "--index", absl::StrCat(i)});
  }
  if (config_.trainer.eval_episodes_per_task > 0) Add("eval", 2, {"eval"});
  std::printf("[up] %d replay shards, 1 learner, %d actors%s for %s; logs in %s; Ctrl-C stops\n",
              config_.topology.replay_shards, config_.topology.actors,
              config_.trainer.eval_episodes_per_task > 0 ? ", 1 evaluator" : "",
              config_.run.name.c_str(), logs_.c_str());
  std::fflush(stdout);
  const absl::Time start = absl::Now();
  while (true) {
    StartDue();
    const int sig = WaitForTerminationSignal(absl::Milliseconds(200));
    if (sig != 0) {
      std::printf("[up] signal %d: stopping actors, then the learner, then the shards\n", sig);
      break;
    }
    if (options_.duration_s > 0 && absl::Now() - start > absl::Seconds(options_.duration_s)) {
      std::printf("[up] %.0f s elapsed: stopping\n", options_.duration_s);
      break;
    }
    Reap(/*stopping=*/false);
    if (absl::Now() - last_progress_ > absl::Seconds(options_.progress_interval_s)) Progress();
  }
  Progress();
  Stop();
  std::printf("[up] stopped; checkpoints in %s\n", config_.CheckpointDir().c_str());
  return absl::OkStatus();
}

}  // namespace

absl::Status RunCluster(const RunConfig& config, const ClusterOptions& options) {
  SetLogTag("up");
  if (config.topology.replay_shards > static_cast<int>(config.tasks.size())) {
    // Tasks are dealt to shards whole: a shard beyond the task count owns none.
    return absl::InvalidArgumentError(
        absl::StrCat("topology.replay_shards (", config.topology.replay_shards,
                     ") must be at most the number of tasks (", config.tasks.size(),
                     ") for a cluster: set --set topology.replay_shards=", config.tasks.size()));
  }
  Cluster cluster(config, options);
  return cluster.Run();
}

}  // namespace taco
