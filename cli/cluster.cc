#include "cli/cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "cli/status_block.h"
#include "common/file_util.h"
#include "common/logging.h"
#include "common/metrics_scrape.h"
#include "common/signals.h"
#include "common/status.h"

namespace taco {
namespace {

struct Child {
  std::string name;  // e.g. "replay-0"
  std::vector<std::string> args;
  int stage = 0;  // shutdown order: higher stages stop first
  pid_t pid = -1;
  // Exited 0 by itself: its part of the run is done; never restarted.
  bool completed = false;
  int restarts = 0;
  absl::Time next_start = absl::InfinitePast();
  absl::Time started = absl::InfinitePast();
  absl::Duration backoff = absl::Seconds(1);
};

// A child that ran this long before it stopped was healthy: its next
// restart waits the shortest time again.
constexpr absl::Duration kHealthyRun = absl::Minutes(5);

pid_t Spawn(const Child& child, const std::string& log_path) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
  }
  // The child handles SIGINT/SIGTERM itself; `up` relays them in order.
  setpgid(0, 0);
  // If `up` dies without stopping it (kill -9), the child stops too.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(1);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  std::vector<char*> argv;
  for (const std::string& a : child.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  _exit(127);
}

// Whether a TCP port can be bound on `host` now (SO_REUSEADDR, as the
// servers bind).
bool PortFree(const std::string& host, int port) {
  if (port <= 0 || port > 65535) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const std::string ip = host == "localhost" ? "127.0.0.1" : host;
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) return true;  // not ours to probe
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// The metrics ports one cluster of `config` serves on metrics.bind, shifted
// by `delta` (docs/metrics.md has the offsets).
std::vector<std::pair<std::string, int>> MetricsPorts(const RunConfig& config, int delta) {
  std::vector<std::pair<std::string, int>> ports;
  const TopologyConfig& t = config.topology;
  const int m = config.metrics.base_port + delta;
  ports.emplace_back(config.metrics.bind, m);
  ports.emplace_back(config.metrics.bind, m + 1);
  for (int i = 0; i < t.replay_shards; ++i) ports.emplace_back(config.metrics.bind, m + 10 + i);
  for (int i = 0; i < t.actors; ++i) ports.emplace_back(config.metrics.bind, m + 100 + i);
  return ports;
}

// All the ports one cluster takes: gRPC on topology.host, then metrics.
std::vector<std::pair<std::string, int>> ClusterPorts(const RunConfig& config, int delta) {
  const TopologyConfig& t = config.topology;
  std::vector<std::pair<std::string, int>> ports = {{t.host, t.learner_port + delta}};
  for (int i = 0; i < t.replay_shards; ++i) {
    ports.emplace_back(t.host, t.replay_base_port + delta + i);
  }
  for (const auto& metrics : MetricsPorts(config, delta)) ports.push_back(metrics);
  return ports;
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
  // The last lines of a child's log, for a message that names its failure.
  std::string LogTail(const Child& child, int lines) const;
  void Stop();
  void Progress();

  const RunConfig& config_;
  const ClusterOptions options_;
  const std::string logs_;
  std::vector<Child> children_;
  // A child that exited 2 (bad config, missing files): restarting it cannot
  // help, so the cluster stops with its message.
  absl::Status fatal_;
  // This cluster's ports: the config's, or a free block when another run
  // holds them (passed to the children as overrides).
  absl::Status ChoosePorts();
  absl::Status WritePortsFile() const;
  // A child's metrics page, or "" when the process on that port is not ours.
  std::string OwnMetrics(int port) const;
  int port_delta_ = 0;
  std::vector<std::string> port_overrides_;
  std::vector<int> port_locks_;  // held open for the cluster's life
  const std::string run_id_ =
      absl::StrCat(absl::Hex(static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())) ^
                             (static_cast<uint64_t>(getpid()) << 40)));
  absl::Time last_progress_ = absl::Now();
  double last_steps_ = 0, last_updates_ = 0;
  // Progress: a block redrawn in a terminal, plain lines elsewhere.
  StatusDisplay display_{stdout, StatusDisplay::IsLiveTerminal(stdout)};
  absl::Time started_ = absl::Now();
  void Say(const std::string& line) { display_.Message(line); }
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
  for (const std::string& o : port_overrides_) {
    child.args.push_back("--set");
    child.args.push_back(o);
  }
  children_.push_back(std::move(child));
}

void Cluster::StartDue() {
  const absl::Time now = absl::Now();
  for (Child& c : children_) {
    if (c.pid > 0 || c.completed || now < c.next_start) continue;
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
      // Exit 0 after the learner marked the run complete: that child's part
      // is done. Before, it was stopped (SIGTERM from elsewhere) and its
      // part of the run still waits: restart it.
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
          std::filesystem::exists(config_.RunCompleteMarker())) {
        c.completed = true;
        TACO_LOG(INFO) << c.name << " finished";
        break;
      }
      if (WIFEXITED(status) && WEXITSTATUS(status) == 2 && fatal_.ok()) {
        fatal_ = absl::FailedPreconditionError(
            absl::StrCat(c.name, " refused to start (exit code 2); its log ", logs_, "/", c.name,
                         ".log ends:\n", LogTail(c, 8)));
        break;
      }
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

std::string Cluster::LogTail(const Child& child, int lines) const {
  std::ifstream in(absl::StrCat(logs_, "/", child.name, ".log"));
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  std::string out;
  for (const std::string& l : tail) absl::StrAppend(&out, "  ", l, "\n");
  return out;
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
  const int base = config_.metrics.base_port + port_delta_;
  const std::string learner = OwnMetrics(base);
  auto value = [](const std::string& text, const std::string& name) {
    double v = -1;
    for (const auto& [k, x] : MetricValues(text, name, "")) v = x;
    return v;
  };
  // The learner counts what the shards stored over the whole run, restarts
  // included; before it answers, the actors' counters stand in.
  double steps = value(learner, "taco_learner_env_steps");
  if (steps < 0) {
    steps = 0;
    for (int i = 0; i < config_.topology.actors; ++i) {
      for (const auto& [task, v] :
           MetricValues(OwnMetrics(base + 100 + i), "taco_env_steps_total", ""))
        steps += v;
    }
  }
  // The run's count: a restarted learner's counter starts at zero again.
  const double updates = std::max(0.0, value(learner, "taco_learner_updates"));
  const double version = std::max(0.0, value(learner, "taco_learner_parameter_version"));
  const std::string eval = OwnMetrics(base + 1);
  const auto success = MetricValues(eval, "taco_eval_success_ratio", "task");
  const auto mean = MetricValues(eval, "taco_eval_success_mean_ratio", "");
  const double dt = std::max(1e-6, absl::ToDoubleSeconds(absl::Now() - last_progress_));
  // A restarted process counts from zero again: no negative rates.
  const double step_rate = std::max(0.0, steps - last_steps_) / dt;
  const double budget = static_cast<double>(config_.trainer.total_env_steps);
  std::string eta = "-";
  if (steps >= budget) {
    eta = "0s";
  } else if (step_rate > 0) {
    eta = absl::FormatDuration(absl::Seconds(std::round((budget - steps) / step_rate)));
  }
  std::vector<std::string> plain = {absl::StrFormat(
      "[up] env steps %.0f / %.0f (%.0f/s, ETA %s) | updates %.0f (%.1f/s) | parameter version "
      "%.0f | mean success %s",
      steps, budget, step_rate, eta, updates, std::max(0.0, updates - last_updates_) / dt, version,
      mean.empty() ? std::string("-") : absl::StrFormat("%.2f", mean.begin()->second))};
  if (!success.empty()) {
    std::string table;
    for (const auto& [task, rate] : success) absl::StrAppendFormat(&table, "  %s %.2f", task, rate);
    plain.push_back(absl::StrCat("[up]  ", table));
  }
  RunStatus status;
  status.title =
      absl::StrFormat("taco up %s: %d tasks, %d replay shards, %d actors, seed %d",
                      config_.run.name, config_.tasks.size(), config_.topology.replay_shards,
                      config_.topology.actors, config_.run.seed);
  status.env_steps = static_cast<int64_t>(steps);
  status.total_env_steps = config_.trainer.total_env_steps;
  status.elapsed_s = absl::ToDoubleSeconds(absl::Now() - started_);
  status.env_steps_per_s = step_rate;
  status.updates = static_cast<int64_t>(updates);
  status.updates_per_s = std::max(0.0, updates - last_updates_) / dt;
  status.details.push_back(absl::StrFormat("parameter version %.0f | logs in %s", version, logs_));
  if (!mean.empty()) {
    // The evaluator's own env-step axis (common/env_step_axis.h).
    status.eval_env_steps = static_cast<int64_t>(std::max(0.0, value(eval, "taco_eval_env_steps")));
    status.eval_mean_success = mean.begin()->second;
    for (const auto& [task, rate] : success) status.eval_task_success[task] = rate;
  }
  display_.Show(status, plain);
  last_progress_ = absl::Now();
  last_steps_ = steps;
  last_updates_ = updates;
}

std::string Cluster::OwnMetrics(int port) const {
  std::string text = ScrapeMetrics(port);
  // Every child exports taco_run_info{run_id=...}: another run's process on
  // the port must not feed this run's progress view.
  if (text.find(absl::StrCat("run_id=\"", run_id_, "\"")) == std::string::npos) return "";
  return text;
}

absl::Status Cluster::ChoosePorts() {
  const TopologyConfig& t = config_.topology;
  if (!t.learner_address.empty() || !t.replay_addresses.empty()) return absl::OkStatus();
  // Each port is claimed with a lock file while this process lives, so two
  // `taco up` starting together never pick the same block; then probed.
  const std::filesystem::path locks = std::filesystem::temp_directory_path() / "taco-ports";
  std::error_code ec;
  std::filesystem::create_directories(locks, ec);
  auto all_free = [this, &locks](int delta) {
    std::vector<int> claimed;
    bool free = true;
    for (const auto& [host, port] : ClusterPorts(config_, delta)) {
      const int fd =
          open((locks / std::to_string(port)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
      const bool locked = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;
      if (locked) {
        claimed.push_back(fd);
      } else if (fd >= 0) {
        close(fd);
      }
      if (!locked || !PortFree(host, port)) {
        free = false;
        break;
      }
    }
    if (!free) {
      for (int fd : claimed) close(fd);
      return false;
    }
    port_locks_ = std::move(claimed);
    return true;
  };
  const int highest = std::max({t.learner_port, t.replay_base_port + t.replay_shards,
                                config_.metrics.base_port + 100 + t.actors});
  for (int k = 0; k < 60; ++k) {
    // Blocks of 1000 ports up from the config's, as long as they fit.
    const int delta = k * 1000;
    if (highest + delta > 65535) break;
    if (!all_free(delta)) continue;
    port_delta_ = delta;
    if (delta != 0) {
      Say(absl::StrFormat(
          "[up] the config's ports are taken (another run?): this run uses them + %d", delta));
      port_overrides_ = {absl::StrCat("topology.learner_port=", t.learner_port + delta),
                         absl::StrCat("topology.replay_base_port=", t.replay_base_port + delta),
                         absl::StrCat("metrics.base_port=", config_.metrics.base_port + delta)};
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("no free block of ports for this cluster from topology.learner_port ",
                   t.learner_port, ", topology.replay_base_port ", t.replay_base_port,
                   " and metrics.base_port ", config_.metrics.base_port, " up: set other ones"));
}

absl::Status Cluster::WritePortsFile() const {
  // For the operator and for Prometheus file discovery (file_sd_configs).
  const TopologyConfig& t = config_.topology;
  // One target group per role: `up` by taco_role then tells which roles are
  // down. Target labels are taco_*: the processes' own `role`, `run` and
  // `seed` labels are on their series, and a target label of one of those
  // names would rename them to exported_*.
  std::vector<std::pair<std::string, std::vector<int>>> roles = {{"learner", {0}}};
  if (config_.trainer.eval_episodes_per_task > 0) roles.push_back({"eval", {1}});
  roles.push_back({"replay", {}});
  for (int i = 0; i < t.replay_shards; ++i) roles.back().second.push_back(10 + i);
  roles.push_back({"actor", {}});
  for (int i = 0; i < t.actors; ++i) roles.back().second.push_back(100 + i);
  const int base = config_.metrics.base_port + port_delta_;
  std::string targets, groups;
  for (const auto& [role, offsets] : roles) {
    std::string list;
    for (int offset : offsets) {
      const std::string target = absl::StrCat("\"", config_.metrics.bind, ":", base + offset, "\"");
      absl::StrAppend(&list, list.empty() ? "" : ", ", target);
      absl::StrAppend(&targets, targets.empty() ? "" : ", ", target);
    }
    if (list.empty()) continue;
    absl::StrAppend(&groups, groups.empty() ? "" : ",\n ", "{\"targets\": [", list,
                    "], \"labels\": {\"taco_role\": \"", role, "\", \"taco_run\": \"",
                    config_.run.name, "\", \"run_id\": \"", run_id_, "\"}}");
  }
  std::string replay;
  for (int i = 0; i < t.replay_shards; ++i) {
    absl::StrAppend(&replay, i == 0 ? "" : ", ", "\"", t.host, ":",
                    t.replay_base_port + port_delta_ + i, "\"");
  }
  const std::string ports =
      absl::StrCat("{\"run\": \"", config_.run.name, "\", \"run_id\": \"", run_id_,
                   "\", \"learner\": \"", t.host, ":", t.learner_port + port_delta_,
                   "\", \"replay\": [", replay, "], \"metrics\": [", targets, "]}\n");
  TACO_RETURN_IF_ERROR(WriteFileAtomically(config_.RunDir() + "/ports.json", ports));
  // The series name their run and seed themselves (labels `run`, `seed`).
  return WriteFileAtomically(config_.RunDir() + "/prometheus-targets.json",
                             absl::StrCat("[", groups, "]\n"));
}

absl::Status Cluster::Run() {
  if (!config_.metrics.enabled || config_.metrics.base_port == 0) {
    return absl::InvalidArgumentError(
        "taco up reads its progress view from the processes' metrics: set metrics.enabled: true "
        "and a fixed metrics.base_port");
  }
  std::filesystem::create_directories(logs_);
  TACO_RETURN_IF_ERROR(ChoosePorts());
  TACO_RETURN_IF_ERROR(WritePortsFile());
  // The children inherit it and label their metrics with it.
  setenv("TACO_RUN_ID", run_id_.c_str(), 1);
  // A resumed run may have a larger budget: the learner marks it anew.
  std::error_code ignored;
  std::filesystem::remove(config_.RunCompleteMarker(), ignored);
  for (int i = 0; i < config_.topology.replay_shards; ++i) {
    Add(absl::StrCat("replay-", i), 0, {"replay", "--shard", absl::StrCat(i)});
  }
  Add("learner", 1, {"learner"});
  for (int i = 0; i < config_.topology.actors; ++i) {
    Add(absl::StrCat("actor-", i), 2, {"actor", "--index", absl::StrCat(i)});
  }
  if (config_.trainer.eval_episodes_per_task > 0) Add("eval", 2, {"eval"});
  Say(absl::StrFormat(
      "[up] %d replay shards, 1 learner, %d actors%s for %s; logs in %s; Ctrl-C stops",
      config_.topology.replay_shards, config_.topology.actors,
      config_.trainer.eval_episodes_per_task > 0 ? ", 1 evaluator" : "", config_.run.name, logs_));
  const absl::Time start = absl::Now();
  absl::Time learner_done = absl::InfinitePast();
  absl::Status result;
  while (true) {
    // Once the learner finished the run, nothing starts again: the others
    // finish on their own (the evaluator's last evaluation, the shards'
    // final checkpoints).
    if (learner_done == absl::InfinitePast()) StartDue();
    const int sig = WaitForTerminationSignal(absl::Milliseconds(200));
    if (sig != 0) {
      Say(absl::StrFormat("[up] signal %d: stopping actors, then the learner, then the shards",
                          sig));
      break;
    }
    if (options_.duration_s > 0 && absl::Now() - start > absl::Seconds(options_.duration_s)) {
      Say(absl::StrFormat("[up] %.0f s elapsed: stopping", options_.duration_s));
      break;
    }
    Reap(/*stopping=*/false);
    if (!fatal_.ok()) {
      Say("[up] stopping the cluster");
      result = fatal_;
      break;
    }
    bool running = false;
    for (const Child& c : children_) {
      if (c.name == "learner" && c.completed && learner_done == absl::InfinitePast()) {
        learner_done = absl::Now();
        Say(absl::StrFormat(
            "[up] the run reached trainer.total_env_steps (%d): waiting for the final "
            "evaluation and checkpoints",
            config_.trainer.total_env_steps));
      }
      running = running || c.pid > 0;
    }
    if (learner_done != absl::InfinitePast()) {
      if (!running) {
        Say("[up] run complete");
        break;
      }
      // The evaluator's last evaluation of a large run takes minutes.
      if (absl::Now() - learner_done > absl::Minutes(15)) {
        Say("[up] still running 15 min after the learner finished: stopping");
        break;
      }
    }
    // Once the learner finished, its count is final and the actors' counters
    // (the fallback) would only mislead.
    if (learner_done == absl::InfinitePast() &&
        absl::Now() - last_progress_ > absl::Seconds(options_.progress_interval_s)) {
      Progress();
    }
  }
  // After a complete run the learner is gone: its last line stands.
  if (learner_done == absl::InfinitePast()) Progress();
  Stop();
  Say(absl::StrCat("[up] stopped; checkpoints in ", config_.CheckpointDir()));
  return result;
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
