#include "actor/actor_role.h"

#include <mujoco/mujoco.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "actor/actor_index.h"
#include "actor/envs/env_pool.h"
#include "actor/envs/task_registry.h"
#include "actor/parameter_subscriber.h"
#include "common/env_step_axis.h"
#include "common/file_util.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/run_description.h"
#include "common/signals.h"
#include "common/status.h"
#include "learner/learner_config.h"
#include "learner/online_grouping.h"
#include "learner/paco/networks.h"
#include "learner/paco/transfer.h"
#include "proto/event_file_writer.h"
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

// The last `n` rows of `t`.
Transitions KeepNewest(const Transitions& t, int64_t n) {
  Transitions out;
  out.shape = t.shape;
  const int o = t.shape.obs_dim, a = t.shape.action_dim;
  for (int64_t i = std::max<int64_t>(0, t.size - n); i < t.size; ++i) {
    out.Append(&t.obs[i * o], &t.action[i * a], t.reward[i], &t.next_obs[i * o], t.terminal[i] != 0,
               t.truncated[i] != 0, t.policy_version[i]);
  }
  return out;
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
  // The installed version: a newer one, or any of a restarted learner,
  // replaces it.
  std::shared_ptr<const ParameterSet> current_;
  // SIGINT/SIGTERM arrived while a shard held a batch back.
  bool stop_requested_ = false;
  // Per run task: its shard is away; transitions it kept back are bounded.
  std::vector<bool> degraded_;
  std::vector<prometheus::Counter*> dropped_counters_;
  int64_t max_pending_rows_ = 0;
  void UpdateDegradedGauge();
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
    wo.max_unacked_batches = config_.ActorInsertWindow();
    // A restarted actor is a new writer: its sequence numbers start afresh.
    wo.actor_id =
        absl::StrCat("actor-", seed_index_, "-", getpid(), "-", absl::ToUnixMillis(absl::Now()));
    TACO_ASSIGN_OR_RETURN(writer_, ReplayWriter::Create(wo));
    pending_.resize(config_.tasks.size());
    for (Transitions& t : pending_) t.shape = TransitionShape{kObs, kAct};
    degraded_.assign(config_.tasks.size(), false);
    for (const std::string& task : config_.tasks) {
      dropped_counters_.push_back(&Metrics::Process().Counter(
          "taco_actor_dropped_transitions_total",
          "Transitions dropped while the task's replay shard was away", {{"task", task}}));
    }
    // Sent as one batch when the shard is back: within the shard's limit.
    max_pending_rows_ = config_.LargestActorInsert();
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
  pool.env =
      RunEnvConfig(config_, static_cast<uint32_t>(config_.run.seed * 100003 + seed_index_ * 1009));
  pool.num_threads = 1;
  TACO_ASSIGN_OR_RETURN(pool_, envs::EnvPool::Create(pool));
  return absl::OkStatus();
}

absl::Status Actor::Send(int64_t task, bool force) {
  Transitions& t = pending_[task];
  if (t.size == 0 || (!force && t.size < config_.topology.actor_batch)) return absl::OkStatus();
  const std::string& name = config_.tasks[task];
  // Waiting here is the backpressure: a shard that holds inserts back slows
  // this actor. A shard that is away does not: the other tasks go on, and
  // this task's newest transitions wait in a bounded buffer.
  while (true) {
    if (writer_->ShardAway(name)) {
      if (force) return absl::OkStatus();  // at exit: left unsent, as Flush reports
      if (!degraded_[task]) {
        degraded_[task] = true;
        TACO_LOG(WARNING) << "replay shard for " << name << " is away: stepping on, keeping its "
                          << "newest " << max_pending_rows_ << " transitions";
        UpdateDegradedGauge();
      }
      if (t.size > max_pending_rows_) {
        const int64_t dropped = t.size - max_pending_rows_;
        t = KeepNewest(t, max_pending_rows_);
        dropped_counters_[task]->Increment(static_cast<double>(dropped));
      }
      return absl::OkStatus();
    }
    if (degraded_[task]) {
      degraded_[task] = false;
      TACO_LOG(INFO) << "replay shard for " << name << " is back";
      UpdateDegradedGauge();
    }
    absl::Status status = writer_->Insert(name, t, absl::Seconds(5));
    if (status.ok()) break;
    if (status.code() != absl::StatusCode::kDeadlineExceeded) return status;
    TACO_LOG(WARNING) << "replay shard for " << name << " holds inserts back; waiting";
    if (WaitForTerminationSignal(absl::ZeroDuration()) != 0) {
      stop_requested_ = true;
      return absl::CancelledError("stopped");
    }
    auto latest = subscriber_->Latest();
    if (latest != nullptr && latest->final) return absl::OkStatus();  // the run ended meanwhile
  }
  t = Transitions();
  t.shape = TransitionShape{kObs, kAct};
  return absl::OkStatus();
}

void Actor::UpdateDegradedGauge() {
  double n = 0;
  for (bool d : degraded_) n += d ? 1 : 0;
  Metrics::Process()
      .Gauge("taco_actor_degraded_tasks", "Tasks whose replay shard this actor cannot reach")
      .Set(n);
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
    set = subscriber_->WaitOther(nullptr, absl::Seconds(1));
    if (WaitForTerminationSignal(absl::ZeroDuration()) != 0) return absl::OkStatus();
  }
  if (set->final) {
    TACO_LOG(INFO) << "the run is complete (learner at " << set->updates
                   << " updates): nothing to do";
    subscriber_->Stop();
    return absl::OkStatus();
  }
  TACO_RETURN_IF_ERROR(InstallVersion(*set));
  current_ = set;
  Metrics& m = Metrics::Process();
  std::vector<double> obs;
  TACO_RETURN_IF_ERROR(pool_->Reset(&obs));
  envs::PoolStep step;
  const int n = pool_->size();
  int64_t steps = 0;
  bool complete = false;
  while (options_.max_env_steps == 0 || steps < options_.max_env_steps) {
    if (stop_requested_ || WaitForTerminationSignal(absl::ZeroDuration()) != 0) break;
    auto newer = subscriber_->Latest();
    if (newer != nullptr && newer != current_) {
      if (newer->final) {
        complete = true;
        break;
      }
      if (newer->incarnation != current_->incarnation) {
        TACO_LOG(INFO) << "the learner restarted: following its version " << newer->version;
      }
      current_ = newer;
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
      // Counted per env, so that a stop in the middle of the batch counts
      // exactly the transitions that were made.
      ++steps;
      if (writer_ != nullptr) {
        float o_row[kObs], next_row[kObs];
        for (int d = 0; d < kObs; ++d) {
          o_row[d] = static_cast<float>(obs[i * kObs + d]);
          next_row[d] = static_cast<float>(step.final_obs[i * kObs + d]);
        }
        pending_[t].Append(o_row, a.data_ptr<float>() + i * kAct,
                           static_cast<float>(step.reward[i]), next_row, step.terminal[i] != 0,
                           step.truncated[i] != 0, version_);
        absl::Status sent = Send(t, /*force=*/false);
        if (absl::IsCancelled(sent)) break;  // stopped while a shard held the batch back
        TACO_RETURN_IF_ERROR(sent);
      }
      step_counters_[t]->Increment();
      if (step.done[i]) Publish(step, i);
    }
    obs = step.obs;
    if (explore_ != nullptr) {
      // A fresh β for every new episode.
      std::vector<int> ended;
      for (int i = 0; i < n; ++i) {
        if (step.done[i]) ended.push_back(i);
      }
      if (!ended.empty()) TACO_RETURN_IF_ERROR(FromPaco(explore_->Redraw(ended)));
    }
  }
  // A complete run needs nothing more: the budget is stored. Stopped while a
  // shard held a batch back, the unsent rest stays unsent (bounded exit).
  if (writer_ != nullptr && !complete && !stop_requested_) {
    for (size_t t = 0; t < pending_.size(); ++t)
      TACO_RETURN_IF_ERROR(Send(static_cast<int64_t>(t), true));
    absl::Status flushed = writer_->Flush(absl::Seconds(10));
    if (!flushed.ok()) TACO_LOG(WARNING) << "unsent transitions at exit: " << flushed.message();
  }
  // What a stop leaves behind (batches a shard held back, rows not yet
  // handed over) is counted, so every stepped transition is accounted for:
  // stored, dropped while a shard was away, or left unsent here.
  int64_t unsent = 0;
  if (writer_ != nullptr && !complete) {
    unsent = writer_->stats().unacked_rows;
    for (const Transitions& t : pending_) unsent += t.size;
  }
  if (writer_ != nullptr) writer_->Close();
  subscriber_->Stop();
  double dropped = 0;
  for (prometheus::Counter* c : dropped_counters_) dropped += c->Value();
  TACO_LOG(INFO) << "actor " << seed_index_ << " stops after " << steps
                 << " env steps; acted last with parameter version " << version_ << "; dropped "
                 << static_cast<int64_t>(dropped) << " transitions while shards were away; left "
                 << unsent << " unsent at the stop" << (complete ? " (the run is complete)" : "");
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

std::vector<std::pair<std::string, double>> SuccessScalars(const EvalResult& result) {
  std::vector<std::pair<std::string, double>> out = {{"success/mean", result.mean_success}};
  for (const auto& [task, rate] : result.task_success) out.emplace_back("success/" + task, rate);
  return out;
}

void ExportEvaluation(const EvalResult& result, uint64_t updates, int64_t env_steps) {
  Metrics& m = Metrics::Process();
  for (const auto& [task, rate] : result.task_success) {
    m.Gauge("taco_eval_success_ratio", "Evaluation success rate per task", {{"task", task}})
        .Set(rate);
  }
  m.Gauge("taco_eval_success_mean_ratio", "Mean evaluation success over tasks")
      .Set(result.mean_success);
  m.Gauge("taco_eval_updates", "Learner updates of the last evaluated parameters")
      .Set(static_cast<double>(updates));
  m.Gauge("taco_eval_env_steps", "Env steps of the run at the last evaluated parameters")
      .Set(static_cast<double>(env_steps));
}

std::map<std::string, std::string> LibraryVersions() {
  const int protobuf = GOOGLE_PROTOBUF_VERSION;
  return {{"mujoco", mj_versionString()},
          {"grpc", grpc::Version()},
          {"protobuf",
           absl::StrCat(protobuf / 1000000, ".", protobuf / 1000 % 1000, ".", protobuf % 1000)}};
}

// Tells the learner what the evaluation found (a transfer run ends on it).
// A learner that is away misses one report; the next evaluation sends anew.
void ReportEvaluation(v1::ParameterService::Stub& stub, const ClientSecurity& security,
                      const ParameterSet& set, const EvalResult& result) {
  v1::EvaluationReport report;
  report.set_incarnation(set.incarnation);
  report.set_version(set.version);
  report.set_updates(set.updates);
  report.set_mean_success(result.mean_success);
  for (const auto& [task, rate] : result.task_success) {
    v1::TaskSuccess* t = report.add_tasks();
    t->set_task(task);
    t->set_success(rate);
  }
  grpc::ClientContext context;
  security.Prepare(&context);
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::EvaluationAck ack;
  const grpc::Status status = stub.ReportEvaluation(&context, report, &ack);
  if (!status.ok()) {
    TACO_LOG(WARNING) << "could not report the evaluation to the learner: "
                      << status.error_message();
  }
}

absl::Status KeepBestPolicy(const RunConfig& config, const paco::NamedTensors& actor_parameters,
                            const EvalResult& result, uint64_t updates) {
  const std::string dir = config.CheckpointDir();
  const std::string summary_path = dir + "/best-policy.txt";
  double best = -1.0;
  if (auto text = ReadSmallFile(summary_path, 4096); text.ok()) {
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      if (absl::ConsumePrefix(&line, "mean_success ") && !absl::SimpleAtod(line, &best)) best = -1;
    }
  }
  if (!(result.mean_success > best)) return absl::OkStatus();
  TACO_ASSIGN_OR_RETURN(paco::PacoOptions options, PacoOptionsFromConfig(config));
  paco::NamedTensors policy;
  for (const auto& [name, tensor] : actor_parameters) {
    if (name.rfind("actor.", 0) == 0 || name == "task_weights") policy.emplace_back(name, tensor);
  }
  std::filesystem::create_directories(dir);
  TACO_RETURN_IF_ERROR(FromPaco(paco::SavePolicyCheckpoint(dir + "/best-policy.ckpt", options,
                                                           policy, static_cast<int64_t>(updates))));
  TACO_RETURN_IF_ERROR(WriteFileAtomically(
      summary_path,
      absl::StrCat("mean_success ", result.mean_success, "\nupdates ", updates, "\n")));
  TACO_LOG(INFO) << "best policy so far (mean success " << result.mean_success << " at " << updates
                 << " updates) in " << dir << "/best-policy.ckpt";
  return absl::OkStatus();
}

envs::EnvConfig RunEnvConfig(const RunConfig& config, uint32_t env_seed) {
  envs::EnvConfig env;
  env.assets_dir = config.env.assets_dir;
  env.max_episode_steps = config.env.max_episode_steps;
  env.seed = env_seed;
  env.variant_seed = static_cast<uint32_t>(config.run.seed);
  env.variant_mode = config.env.goals == "fresh" ? envs::VariantMode::kFreshEachReset
                                                 : envs::VariantMode::kFixedSet;
  env.variant_order =
      config.env.variant_order == "mt50" ? envs::VariantOrder::kMt50 : envs::VariantOrder::kMt10;
  return env;
}

absl::Status RunActorRole(const RunConfig& config, const ActorRoleOptions& options) {
  std::optional<ActorIndexClaim> claim;
  int index = options.index;
  if (options.index == ActorRoleOptions::kAutoIndex) {
    auto resolved = ResolveActorIndex(options.index_dir);
    if (resolved.ok()) {
      claim.emplace(std::move(*resolved));
      index = claim->index();
    } else if (resolved.status().code() != absl::StatusCode::kNotFound) {
      return resolved.status();
    }
  }
  const bool hashed = index == ActorRoleOptions::kAutoIndex;
  const uint64_t seed_index = hashed ? ReplicaSeedIndex() : static_cast<uint64_t>(index);
  SetLogTag(hashed ? std::string("actor") : absl::StrCat("actor-", index));
  if (claim.has_value()) {
    TACO_LOG(INFO) << "index auto: " << index << " (" << claim->source() << ")";
  } else if (hashed) {
    TACO_LOG(WARNING) << "index auto with no TACO_ACTOR_INDEX, JOB_COMPLETION_INDEX or "
                         "--index-dir: seeds and tasks from host name and pid ("
                      << seed_index << "), which no rerun repeats";
  }
  if (config.metrics.enabled) {
    // Index-derived, so that actors on one host never collide; the OS picks
    // one for an actor without an index.
    const int port = options.metrics_port > 0 ? options.metrics_port
                     : config.metrics.base_port == 0 || hashed
                         ? 0
                         : config.metrics.base_port + 100 + index;
    TACO_RETURN_IF_ERROR(Metrics::Process().Serve(config.metrics.bind, port));
    if (port == 0) {
      TACO_LOG(INFO) << "metrics on " << config.metrics.bind << ":" << Metrics::Process().port();
    }
  }
  Metrics::Process()
      .Gauge("taco_process_up", "1 while the process runs", {{"role", "actor"}})
      .Set(1);
  Actor actor(config, options, seed_index);
  return actor.Run();
}

absl::StatusOr<EvalResult> EvaluatePolicy(const RunConfig& config, paco::PolicyInference& policy,
                                          uint32_t seed, const std::function<bool()>& stop) {
  envs::EnvPoolConfig pool_config;
  const int episodes = std::max(1, config.trainer.eval_episodes_per_task);
  for (const std::string& task : config.tasks) {
    for (int e = 0; e < episodes; ++e) pool_config.tasks.push_back(task);
  }
  pool_config.env = RunEnvConfig(config, seed);
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
    if (stop && stop()) return absl::CancelledError("evaluation stopped");
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
  auto report_stub = v1::ParameterService::NewStub(so.security.Channel(so.address, 1 << 20));
  std::filesystem::create_directories(config.RunDir());
  TACO_RETURN_IF_ERROR(WriteRunDescription(config, config.transfer.enabled ? "transfer" : "train",
                                           LibraryVersions()));
  const std::string csv = config.RunDir() + "/eval.csv";
  const bool fresh = !std::filesystem::exists(csv);
  std::ofstream log(csv, std::ios::app);
  if (fresh) log << "updates,task,success_rate\n";
  RunSummaries summaries;
  if (!options.once) {
    auto opened = RunSummaries::Open(config.RunDir(), "eval");
    if (opened.ok()) {
      summaries = std::move(*opened);
    } else {
      TACO_LOG(WARNING) << opened.status().message()
                        << "; no TensorBoard scalars from the evaluator";
    }
  }
  // The paper evaluates every eval_interval env steps; under its ratio that
  // is every interval / env_steps_per_update learner updates.
  const uint64_t every = std::max<int64_t>(
      1, config.trainer.eval_interval_env_steps / config.trainer.env_steps_per_update);
  uint64_t next = 0;
  uint64_t version = 0;
  std::shared_ptr<const ParameterSet> seen;
  bool stopping = false;
  auto stop = [&stopping] {
    stopping = stopping || WaitForTerminationSignal(absl::ZeroDuration()) != 0;
    return stopping;
  };
  while (!stop()) {
    auto set = subscriber.WaitOther(seen.get(), absl::Seconds(1));
    if (set == nullptr) continue;
    seen = set;
    // The final version is always evaluated: it closes the run's curve.
    if (set->updates < next && !set->final) continue;
    TACO_RETURN_IF_ERROR(Install(**policy, *set, config.tasks));
    version = set->version;
    auto evaluated =
        EvaluatePolicy(config, **policy, static_cast<uint32_t>(7'000'003 + set->updates), stop);
    if (absl::IsCancelled(evaluated.status())) break;
    TACO_RETURN_IF_ERROR(evaluated.status());
    const EvalResult& result = *evaluated;
    std::string line;
    // The env step axis, as `taco report` converts updates.
    const int64_t env_steps =
        EnvStepsAtUpdates(static_cast<int64_t>(set->updates), config.trainer.exploration_steps,
                          config.trainer.env_steps_per_update);
    ExportEvaluation(result, set->updates, env_steps);
    for (const auto& [task, rate] : result.task_success) {
      log << set->updates << "," << task << "," << rate << "\n";
      absl::StrAppend(&line, " ", task, "=", rate);
    }
    log << set->updates << ",mean," << result.mean_success << "\n";
    log.flush();
    summaries.Add(env_steps, SuccessScalars(result));
    if (!options.once) {
      TACO_RETURN_IF_ERROR(KeepBestPolicy(config, ToTensors(*set), result, set->updates));
      ReportEvaluation(*report_stub, so.security, *set, result);
    }
    TACO_LOG(INFO) << "evaluated version " << version << " (" << set->updates
                   << " updates): mean success " << result.mean_success << ";" << line;
    if (set->final && !options.once) {
      TACO_LOG(INFO) << "final evaluation written to " << csv << "; the run is complete";
      break;
    }
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
