#include "actor/actor_role.h"

#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "actor/envs/env_pool.h"
#include "actor/envs/task_registry.h"
#include "actor/parameter_subscriber.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/run_description.h"
#include "common/signals.h"
#include "common/status.h"
#include "learner/learner_config.h"
#include "learner/online_grouping.h"
#include "learner/paco/networks.h"
#include "learner/paco/transfer.h"
#include "replay/replay_client.h"

namespace taco {
namespace {

constexpr int kObs = envs::kObsDim;
constexpr int kAct = envs::kActionDim;

paco::NamedTensors ToTensors(const ParameterSet& set) {
  paco::NamedTensors out;
  for (const NamedArray& a : set.arrays) {
    out.emplace_back(a.name, torch::tensor(a.values, torch::kFloat32).reshape(a.shape));
  }
  return out;
}

absl::Status Install(paco::PolicyInference& policy, const ParameterSet& set,
                     const std::vector<std::string>& tasks) {
  if (set.tasks != tasks) {
    return absl::FailedPreconditionError(
        "the learner's task list differs from this actor's config: both must use the same run "
        "config");
  }
  return FromPaco(policy.SetParameters(ToTensors(set), static_cast<int64_t>(set.version)));
}

// A number that differs between replicas started with the same command line:
// the host name (unique per container or pod) and the process id, hashed.
uint64_t ReplicaSeedIndex() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (const char* c = host; *c != 0; ++c)
    h = (h ^ static_cast<unsigned char>(*c)) * 1099511628211ull;
  h = (h ^ static_cast<uint64_t>(getpid())) * 1099511628211ull;
  return h % (1u << 20);
}

class Actor {
 public:
  Actor(const RunConfig& config, const ActorRoleOptions& options, uint64_t seed_index)
      : config_(config), options_(options), seed_index_(seed_index) {}
  absl::Status Run();

 private:
  absl::Status Setup();
  absl::Status Send(int64_t task, bool force);
  // Installs a parameter version, and the task distribution when the
  // learner broadcasts one (TaCo-online regroups the tasks while training).
  absl::Status InstallVersion(const ParameterSet& set);
  void Publish(const envs::PoolStep& step, int i);

  const RunConfig& config_;
  const ActorRoleOptions options_;
  // Stands for the index in seeds and the first tasks; unique per replica.
  const uint64_t seed_index_;
  std::unique_ptr<paco::PolicyInference> policy_;
  std::unique_ptr<ParameterSubscriber> subscriber_;
  std::unique_ptr<ReplayWriter> writer_;
  std::unique_ptr<envs::EnvPool> pool_;
  std::vector<int64_t> run_index_;                   // AllTasks() index → run task index
  std::vector<Transitions> pending_;                 // per run task
  std::vector<prometheus::Counter*> step_counters_;  // per run task
  std::vector<double> task_weights_;                 // the pool's, per run task
  uint64_t version_ = 0;
  // π_explore while the learner's transfer phase explores (its broadcast
  // carries the source tasks' W); null otherwise.
  std::unique_ptr<paco::ExplorationPolicy> explore_;
};

absl::Status Actor::Setup() {
  run_index_.assign(envs::AllTasks().size(), -1);
  for (size_t i = 0; i < config_.tasks.size(); ++i) {
    for (size_t j = 0; j < envs::AllTasks().size(); ++j) {
      if (envs::AllTasks()[j]->name == config_.tasks[i]) run_index_[j] = static_cast<int64_t>(i);
    }
  }
  // Looked up once: the counters are bumped for every env at every step.
  for (const std::string& task : config_.tasks) {
    step_counters_.push_back(
        &Metrics::Process().Counter("taco_env_steps_total", "Environment steps", {{"task", task}}));
  }
  TACO_ASSIGN_OR_RETURN(paco::PacoOptions options, PacoOptionsFromConfig(config_));
  options.device = "cpu";
  auto policy = paco::PolicyInference::Create(options);
  if (!policy.ok()) return FromPaco(policy.status());
  policy_ = std::move(*policy);
  policy_->Reseed(static_cast<uint64_t>(config_.run.seed) * 1000003 + seed_index_);

  TACO_ASSIGN_OR_RETURN(ClientSecurity security, ClientSecurity::FromConfig(config_.security));
  ParameterSubscriberOptions so;
  so.address = config_.topology.LearnerAddress();
  so.security = security;
  subscriber_ = std::make_unique<ParameterSubscriber>(so);

  {
    ReplayWriterOptions wo;
    wo.security = security;
    wo.shard_addresses = config_.topology.ReplayAddresses();
    wo.tasks = config_.tasks;
    // A restarted actor is a new writer: its sequence numbers start afresh.
    wo.actor_id =
        absl::StrCat("actor-", seed_index_, "-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
    TACO_ASSIGN_OR_RETURN(writer_, ReplayWriter::Create(wo));
    pending_.resize(config_.tasks.size());
    for (Transitions& t : pending_) t.shape = TransitionShape{kObs, kAct};
  }

  TACO_ASSIGN_OR_RETURN(std::vector<double> p, TaskProbabilities(config_));
  envs::EnvPoolConfig pool;
  for (int i = 0; i < config_.topology.envs_per_actor; ++i) {
    pool.tasks.push_back(
        config_.tasks[(seed_index_ * config_.topology.envs_per_actor + i) % config_.tasks.size()]);
  }
  pool.task_choices = config_.tasks;
  pool.task_weights = p;
  task_weights_ = p;
  pool.env.assets_dir = config_.env.assets_dir;
  pool.env.max_episode_steps = config_.env.max_episode_steps;
  pool.env.seed = static_cast<uint32_t>(config_.run.seed * 100003 + seed_index_ * 1009);
  pool.env.variant_seed = static_cast<uint32_t>(config_.run.seed);
  pool.env.variant_mode = config_.env.goals == "fresh" ? envs::VariantMode::kFreshEachReset
                                                       : envs::VariantMode::kFixedSet;
  pool.num_threads = 1;
  TACO_ASSIGN_OR_RETURN(pool_, envs::EnvPool::Create(pool));
  return absl::OkStatus();
}

absl::Status Actor::Send(int64_t task, bool force) {
  Transitions& t = pending_[task];
  if (t.size == 0 || (!force && t.size < config_.topology.actor_batch)) return absl::OkStatus();
  // Waiting here is the backpressure: a slow shard slows this actor.
  while (true) {
    absl::Status status = writer_->Insert(config_.tasks[task], t, absl::Seconds(5));
    if (status.ok()) break;
    if (status.code() != absl::StatusCode::kDeadlineExceeded) return status;
    TACO_LOG(WARNING) << "replay shard for " << config_.tasks[task] << " is full or away; waiting";
    if (WaitForTerminationSignal(absl::ZeroDuration()) != 0) return absl::CancelledError("stopped");
  }
  t = Transitions();
  t.shape = TransitionShape{kObs, kAct};
  return absl::OkStatus();
}

absl::Status Actor::InstallVersion(const ParameterSet& set) {
  TACO_RETURN_IF_ERROR(Install(*policy_, set, config_.tasks));
  version_ = set.version;
  const NamedArray* source_w = nullptr;
  for (const NamedArray& a : set.arrays) {
    if (a.name == paco::kTransferSourceWeights) source_w = &a;
  }
  if (source_w == nullptr && explore_ != nullptr) {
    TACO_LOG(INFO) << "transfer: exploration over at version " << version_
                   << "; acting with the learner's policy";
    explore_.reset();
  } else if (source_w != nullptr && explore_ == nullptr) {
    // The policy's Φ stays fixed while the transfer phase explores, so
    // π_explore is built once from the first such version.
    paco::TransferSource source;
    TACO_ASSIGN_OR_RETURN(source.options, PacoOptionsFromConfig(config_));
    for (auto& [name, tensor] : ToTensors(set)) {
      if (name.rfind("actor.", 0) == 0) source.actor_phi.emplace_back(name, tensor);
      if (name == paco::kTransferSourceWeights) source.task_weights = tensor;
    }
    const paco::PacoOptions network = source.options;
    auto explore = paco::ExplorationPolicy::Create(network, std::move(source), pool_->size(),
                                                   seed_index_ + 17);
    if (!explore.ok()) return FromPaco(explore.status());
    explore_ = std::move(*explore);
    TACO_LOG(INFO) << "transfer: exploring with pi_explore over " << source_w->shape.back()
                   << " source tasks";
  }
  TACO_ASSIGN_OR_RETURN(std::optional<std::vector<double>> p, FindTaskProbabilities(set));
  if (!p.has_value()) return absl::OkStatus();
  // p travels as float32: differences at that precision are no new p.
  bool changed = p->size() != task_weights_.size();
  for (size_t t = 0; !changed && t < p->size(); ++t) {
    changed = std::abs((*p)[t] - task_weights_[t]) > 1e-6;
  }
  if (!changed) return absl::OkStatus();
  TACO_RETURN_IF_ERROR(pool_->SetTaskWeights(*p));
  task_weights_ = std::move(*p);
  std::string line;
  for (size_t t = 0; t < task_weights_.size(); ++t) {
    absl::StrAppend(&line, t == 0 ? "" : ", ", config_.tasks[t], " ",
                    absl::SixDigits(task_weights_[t]));
  }
  TACO_LOG(INFO) << "task distribution from the learner (version " << set.version << "): " << line;
  return absl::OkStatus();
}

void Actor::Publish(const envs::PoolStep& step, int i) {
  ExportEpisode(config_.tasks[run_index_[step.task_id[i]]], step.episode_return[i],
                step.episode_length[i], step.episode_success[i] != 0);
}

absl::Status Actor::Run() {
  TACO_RETURN_IF_ERROR(Setup());
  TACO_LOG(INFO) << "actor " << seed_index_ << ": " << pool_->size() << " envs, learner "
                 << config_.topology.LearnerAddress();
  // Act only on parameters from the learner: wait for the first version.
  std::shared_ptr<const ParameterSet> set;
  while (set == nullptr) {
    set = subscriber_->WaitNewer(0, absl::Seconds(1));
    if (WaitForTerminationSignal(absl::ZeroDuration()) != 0) return absl::OkStatus();
  }
  TACO_RETURN_IF_ERROR(InstallVersion(*set));
  Metrics& m = Metrics::Process();
  std::vector<double> obs;
  TACO_RETURN_IF_ERROR(pool_->Reset(&obs));
  envs::PoolStep step;
  const int n = pool_->size();
  int64_t steps = 0;
  while (options_.max_env_steps == 0 || steps < options_.max_env_steps) {
    if (WaitForTerminationSignal(absl::ZeroDuration()) != 0) break;
    auto newer = subscriber_->Latest();
    if (newer != nullptr && newer->version > version_) {
      TACO_RETURN_IF_ERROR(InstallVersion(*newer));
      m.Gauge("taco_actor_parameter_version", "Parameter version the actors act with",
              {{"role", "actor"}})
          .Set(static_cast<double>(version_));
    }
    torch::Tensor o = torch::empty({n, kObs}, torch::kFloat32);
    torch::Tensor task = torch::empty({n}, torch::kInt64);
    float* op = o.data_ptr<float>();
    int64_t* tp = task.data_ptr<int64_t>();
    for (int i = 0; i < n; ++i) {
      for (int d = 0; d < kObs; ++d) op[i * kObs + d] = static_cast<float>(obs[i * kObs + d]);
      tp[i] = run_index_[pool_->task_ids()[i]];
    }
    auto action =
        explore_ != nullptr ? explore_->Act(o) : policy_->Act(o, task, /*deterministic=*/false);
    if (!action.ok()) return FromPaco(action.status());
    const torch::Tensor a = action->contiguous();
    const torch::Tensor a64 = a.to(torch::kFloat64).contiguous();
    TACO_RETURN_IF_ERROR(pool_->Step(absl::MakeConstSpan(a64.data_ptr<double>(), n * kAct), &step));
    for (int i = 0; i < n; ++i) {
      const int64_t t = run_index_[step.task_id[i]];
      if (writer_ != nullptr) {
        float o_row[kObs], next_row[kObs];
        for (int d = 0; d < kObs; ++d) {
          o_row[d] = static_cast<float>(obs[i * kObs + d]);
          next_row[d] = static_cast<float>(step.final_obs[i * kObs + d]);
        }
        pending_[t].Append(o_row, a.data_ptr<float>() + i * kAct,
                           static_cast<float>(step.reward[i]), next_row, step.terminal[i] != 0,
                           step.truncated[i] != 0, version_);
        TACO_RETURN_IF_ERROR(Send(t, /*force=*/false));
      }
      step_counters_[t]->Increment();
      if (step.done[i]) Publish(step, i);
    }
    obs = step.obs;
    steps += n;
    if (explore_ != nullptr) {
      // A fresh β for every new episode.
      std::vector<int> ended;
      for (int i = 0; i < n; ++i) {
        if (step.done[i]) ended.push_back(i);
      }
      if (!ended.empty()) TACO_RETURN_IF_ERROR(FromPaco(explore_->Redraw(ended)));
    }
  }
  if (writer_ != nullptr) {
    for (size_t t = 0; t < pending_.size(); ++t)
      TACO_RETURN_IF_ERROR(Send(static_cast<int64_t>(t), true));
    absl::Status flushed = writer_->Flush(absl::Seconds(10));
    if (!flushed.ok()) TACO_LOG(WARNING) << "unsent transitions at exit: " << flushed.message();
    writer_->Close();
  }
  subscriber_->Stop();
  TACO_LOG(INFO) << "actor " << seed_index_ << " stops after " << steps
                 << " env steps; acted last with parameter version " << version_;
  return absl::OkStatus();
}

}  // namespace

void ExportEpisode(const std::string& task, double episode_return, double length, bool success) {
  Metrics& m = Metrics::Process();
  const prometheus::Labels labels = {{"task", task}};
  m.Counter("taco_episodes_total", "Episodes finished", labels).Increment();
  // Created at zero with the first episode so that success rates exist.
  prometheus::Counter& successes =
      m.Counter("taco_episode_successes_total", "Episodes that reached success", labels);
  if (success) successes.Increment();
  // Histograms rather than last values: their sums and counts add up over
  // any number of actors, so the mean return per task is rate(sum)/rate(count).
  static const prometheus::Histogram::BucketBoundaries kReturnBuckets = {
      10, 50, 100, 250, 500, 1000, 2000, 3000, 4000, 5000};
  static const prometheus::Histogram::BucketBoundaries kLengthBuckets = {10,  25,  50,  75,
                                                                         100, 150, 200, 500};
  m.Histogram("taco_episode_return", "Return of finished episodes", kReturnBuckets, labels)
      .Observe(episode_return);
  m.Histogram("taco_episode_length_steps", "Length of finished episodes", kLengthBuckets, labels)
      .Observe(length);
}

void ExportEvaluation(const EvalResult& result, uint64_t updates) {
  Metrics& m = Metrics::Process();
  for (const auto& [task, rate] : result.task_success) {
    m.Gauge("taco_eval_success_ratio", "Evaluation success rate per task", {{"task", task}})
        .Set(rate);
  }
  m.Gauge("taco_eval_success_mean_ratio", "Mean evaluation success over tasks")
      .Set(result.mean_success);
  m.Gauge("taco_eval_updates", "Learner updates of the last evaluated parameters")
      .Set(static_cast<double>(updates));
}

absl::Status RunActorRole(const RunConfig& config, const ActorRoleOptions& options) {
  const bool auto_index = options.index == ActorRoleOptions::kAutoIndex;
  const uint64_t seed_index =
      auto_index ? ReplicaSeedIndex() : static_cast<uint64_t>(options.index);
  SetLogTag(auto_index ? std::string("actor") : absl::StrCat("actor-", options.index));
  if (auto_index) TACO_LOG(INFO) << "index auto: seed index " << seed_index;
  if (config.metrics.enabled) {
    const int offset = auto_index ? 0 : options.index;
    const int port = config.metrics.base_port == 0 ? 0 : config.metrics.base_port + 100 + offset;
    TACO_RETURN_IF_ERROR(Metrics::Process().Serve(config.metrics.bind, port));
  }
  Metrics::Process()
      .Gauge("taco_process_up", "1 while the process runs", {{"role", "actor"}})
      .Set(1);
  Actor actor(config, options, seed_index);
  return actor.Run();
}

absl::StatusOr<EvalResult> EvaluatePolicy(const RunConfig& config, paco::PolicyInference& policy,
                                          uint32_t seed) {
  envs::EnvPoolConfig pool_config;
  const int episodes = std::max(1, config.trainer.eval_episodes_per_task);
  for (const std::string& task : config.tasks) {
    for (int e = 0; e < episodes; ++e) pool_config.tasks.push_back(task);
  }
  pool_config.env.assets_dir = config.env.assets_dir;
  pool_config.env.max_episode_steps = config.env.max_episode_steps;
  pool_config.env.seed = seed;
  pool_config.env.variant_seed = static_cast<uint32_t>(config.run.seed);
  pool_config.env.variant_mode = config.env.goals == "fresh" ? envs::VariantMode::kFreshEachReset
                                                             : envs::VariantMode::kFixedSet;
  pool_config.num_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  TACO_ASSIGN_OR_RETURN(auto pool, envs::EnvPool::Create(pool_config));
  std::vector<double> obs;
  TACO_RETURN_IF_ERROR(pool->Reset(&obs));
  const int n = pool->size();
  torch::Tensor task = torch::empty({n}, torch::kInt64);
  for (int i = 0; i < n; ++i) task.data_ptr<int64_t>()[i] = i / episodes;
  std::vector<double> success(n, 0.0);
  std::vector<bool> finished(n, false);
  envs::PoolStep step;
  for (int s = 0; s < config.env.max_episode_steps; ++s) {
    torch::Tensor o = torch::empty({n, kObs}, torch::kFloat32);
    for (int k = 0; k < n * kObs; ++k) o.data_ptr<float>()[k] = static_cast<float>(obs[k]);
    auto action = policy.Act(o, task, /*deterministic=*/true);
    if (!action.ok()) return FromPaco(action.status());
    const torch::Tensor a = action->to(torch::kFloat64).contiguous();
    TACO_RETURN_IF_ERROR(pool->Step(absl::MakeConstSpan(a.data_ptr<double>(), n * kAct), &step));
    for (int i = 0; i < n; ++i) {
      if (step.done[i] && !finished[i]) {
        finished[i] = true;
        success[i] = step.episode_success[i];
      }
    }
    obs = step.obs;
  }
  EvalResult result;
  for (size_t t = 0; t < config.tasks.size(); ++t) {
    double sum = 0.0;
    for (int e = 0; e < episodes; ++e) sum += success[t * episodes + e];
    result.task_success[config.tasks[t]] = sum / episodes;
    result.mean_success += sum / episodes / static_cast<double>(config.tasks.size());
  }
  return result;
}

absl::Status RunEvalRole(const RunConfig& config, const EvalRoleOptions& options) {
  SetLogTag("eval");
  Metrics& m = Metrics::Process();
  if (config.metrics.enabled && !options.once) {
    const int port = config.metrics.base_port == 0 ? 0 : config.metrics.base_port + 1;
    TACO_RETURN_IF_ERROR(m.Serve(config.metrics.bind, port));
  }
  m.Gauge("taco_process_up", "1 while the process runs", {{"role", "eval"}}).Set(1);
  TACO_ASSIGN_OR_RETURN(paco::PacoOptions paco_options, PacoOptionsFromConfig(config));
  paco_options.device = "cpu";
  auto policy = paco::PolicyInference::Create(paco_options);
  if (!policy.ok()) return FromPaco(policy.status());
  ParameterSubscriberOptions so;
  so.address = config.topology.LearnerAddress();
  TACO_ASSIGN_OR_RETURN(so.security, ClientSecurity::FromConfig(config.security));
  ParameterSubscriber subscriber(so);
  std::filesystem::create_directories(config.RunDir());
  TACO_RETURN_IF_ERROR(WriteRunDescription(config, config.transfer.enabled ? "transfer" : "train"));
  const std::string csv = config.RunDir() + "/eval.csv";
  const bool fresh = !std::filesystem::exists(csv);
  std::ofstream log(csv, std::ios::app);
  if (fresh) log << "updates,task,success_rate\n";
  // The paper evaluates every eval_interval env steps; under its ratio that
  // is every interval / env_steps_per_update learner updates.
  const uint64_t every = std::max<int64_t>(
      1, config.trainer.eval_interval_env_steps / config.trainer.env_steps_per_update);
  uint64_t next = 0;
  uint64_t version = 0;
  while (WaitForTerminationSignal(absl::ZeroDuration()) == 0) {
    auto set = subscriber.WaitNewer(version, absl::Seconds(1));
    if (set == nullptr || set->updates < next) continue;
    TACO_RETURN_IF_ERROR(Install(**policy, *set, config.tasks));
    version = set->version;
    TACO_ASSIGN_OR_RETURN(
        EvalResult result,
        EvaluatePolicy(config, **policy, static_cast<uint32_t>(7'000'003 + set->updates)));
    std::string line;
    ExportEvaluation(result, set->updates);
    for (const auto& [task, rate] : result.task_success) {
      log << set->updates << "," << task << "," << rate << "\n";
      absl::StrAppend(&line, " ", task, "=", rate);
    }
    log << set->updates << ",mean," << result.mean_success << "\n";
    log.flush();
    TACO_LOG(INFO) << "evaluated version " << version << " (" << set->updates
                   << " updates): mean success " << result.mean_success << ";" << line;
    if (options.once) {
      std::printf("updates %llu: mean success %.3f\n",
                  static_cast<unsigned long long>(set->updates), result.mean_success);
      for (const auto& [task, rate] : result.task_success)
        std::printf("  %-26s %.2f\n", task.c_str(), rate);
      break;
    }
    next = set->updates + every;
  }
  subscriber.Stop();
  return absl::OkStatus();
}

}  // namespace taco
