#include "learner/learner_role.h"

#include <torch/torch.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/health_file.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/signals.h"
#include "common/status.h"
#include "common/version.h"
#include "learner/learner_config.h"
#include "learner/online_grouping.h"
#include "learner/pacing.h"
#include "learner/paco/learner.h"
#include "learner/paco/task_distribution.h"
#include "learner/paco/transfer.h"
#include "learner/parameter_service.h"
#include "proto/event_file_writer.h"
#include "proto/health_probe.h"
#include "proto/health_service.h"
#include "replay/replay_client.h"
#include "replay/replay_service.h"
#include "replay/shard_map.h"

namespace taco {
namespace {

constexpr TransitionShape kShape{39, 4};

ParameterSet ToParameterSet(const paco::NamedTensors& tensors, uint64_t version, uint64_t updates,
                            const std::vector<std::string>& tasks) {
  ParameterSet set;
  set.version = version;
  set.updates = updates;
  set.tasks = tasks;
  for (const auto& [name, tensor] : tensors) {
    const torch::Tensor t = tensor.to(torch::kCPU, torch::kFloat32).contiguous();
    NamedArray a;
    a.name = name;
    a.shape.assign(t.sizes().begin(), t.sizes().end());
    a.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    set.arrays.push_back(std::move(a));
  }
  return set;
}

// Differs between two starts of the learner, even with the same pid.
uint64_t NewIncarnation() {
  std::random_device device;
  const uint64_t r = (static_cast<uint64_t>(device()) << 32) ^ device();
  return (r ^ static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()))) | 1;  // never 0 ("none")
}

std::string PacingPath(const RunConfig& config) {
  return config.CheckpointDir() + "/learner.pacing";
}

struct Batch {
  Transitions data;
  std::vector<int64_t> task;  // run task index per row
};

class LearnerProcess {
 public:
  LearnerProcess(const RunConfig& config, const LearnerRoleOptions& options)
      : config_(config), options_(options) {}
  absl::Status Run();

 private:
  absl::Status Setup();
  absl::Status Publish(bool final = false);
  // Asks every shard for its counters (granting each its next insert limit)
  // and updates the pacing, the stored counts per task and which shards
  // are up.
  void Poll();
  // The run reached its budget: final checkpoint, final version, shards
  // told, subscribers given time to fetch it.
  absl::Status Finish();
  absl::Status SetupTransfer(bool resumed);
  paco::TrainScope TransferScope() const;
  // TaCo-online: new task groups and p from the current actor parameters.
  absl::Status Regroup();
  absl::Status Checkpoint();
  void PrefetchLoop();

  const RunConfig& config_;
  const LearnerRoleOptions options_;
  std::unique_ptr<paco::Learner> learner_;
  ParameterStore store_;
  std::unique_ptr<ParameterService> parameter_service_;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<ReplaySampler> sampler_;
  // Written by the main thread under mu_ (regrouping); the prefetch thread
  // reads it under mu_.
  std::vector<double> p_;
  // The transfer phase (config transfer.enabled): the source run's W goes out
  // with every version while π_explore collects the first n_e env steps.
  std::unique_ptr<paco::TransferSource> transfer_source_;
  bool exploring_ = false;
  bool publish_next_ = false;
  absl::Time last_checkpoint_ = absl::InfinitePast();
  // TensorBoard scalars, against the env steps the shards stored.
  RunSummaries summaries_;
  // This run of the learner process; actors follow a new one at once.
  const uint64_t incarnation_ = NewIncarnation();
  std::vector<int> task_shard_;  // run task index → shard index
  // Read by the prefetch thread for the shards' grants and lag.
  std::atomic<int64_t> updates_done_{0};
  std::atomic<uint64_t> published_version_{0};
  // A transfer run's new tasks reached transfer.success_threshold (the
  // evaluator's report).
  std::atomic<bool> threshold_reached_{false};
  absl::Status OnEvaluation(const v1::EvaluationReport& report);

  absl::Mutex mu_;
  std::deque<Batch> ready_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> stored_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Pacer> pacer_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> shard_up_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> ever_up_ ABSL_GUARDED_BY(mu_);  // answered at least once
  bool polled_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread prefetch_;
};

void LearnerProcess::Poll() {
  const int shards = sampler_->shard_count();
  std::vector<v1::InfoRequest> requests(static_cast<size_t>(shards));
  {
    absl::MutexLock lock(&mu_);
    for (int s = 0; s < shards; ++s) {
      v1::InfoRequest& r = requests[static_cast<size_t>(s)];
      r.set_counters_only(true);
      r.set_learner_version(published_version_.load());
      const int64_t limit =
          pacer_->InsertLimit(s, updates_done_.load(), static_cast<int64_t>(ready_.size()));
      if (limit >= 0 && config_.replay.samples_per_insert != 0.0) {
        r.set_has_insert_limit(true);
        r.set_insert_limit(static_cast<uint64_t>(limit));
      }
    }
  }
  const auto infos = sampler_->InfoEach(requests, absl::Seconds(2));
  Metrics& m = Metrics::Process();
  absl::MutexLock lock(&mu_);
  int down = 0;
  for (int s = 0; s < shards; ++s) {
    const auto& info = infos[static_cast<size_t>(s)];
    const bool up = info.ok();
    const size_t k = static_cast<size_t>(s);
    if (up != shard_up_[k] || !polled_) {
      if (up && polled_ && ever_up_[k]) {
        TACO_LOG(INFO) << "replay shard " << s << " is back: training on all its tasks again";
      } else if (!up && ever_up_[k]) {
        TACO_LOG(WARNING) << "replay shard " << s << " is away (" << info.status().message()
                          << "): training goes on with the other shards' tasks";
      } else if (!up) {
        // At the start shards come up alongside the learner: no alarm yet.
        TACO_LOG(INFO) << "waiting for replay shard " << s << " (" << info.status().message()
                       << ")";
      }
    }
    shard_up_[k] = up;
    ever_up_[k] = ever_up_[k] || up;
    if (!up) {
      ++down;
      continue;
    }
    ShardCounts counts;
    counts.incarnation = info->incarnation();
    counts.restored_inserted = static_cast<int64_t>(info->restored_inserted_total());
    for (const v1::TaskInfo& t : info->tasks()) {
      counts.inserted += static_cast<int64_t>(t.inserted_total());
      auto it = std::find(config_.tasks.begin(), config_.tasks.end(), t.task());
      if (it != config_.tasks.end()) stored_[it - config_.tasks.begin()] = t.inserted_total();
    }
    pacer_->Observe(s, counts);
  }
  polled_ = true;
  m.Gauge("taco_learner_replay_shards_down", "Replay shards the learner cannot reach")
      .Set(static_cast<double>(down));
  m.Gauge("taco_learner_env_steps", "Environment steps the shards stored over the run")
      .Set(static_cast<double>(pacer_->env_steps()));
}

void LearnerProcess::PrefetchLoop() {
  absl::Time last_poll = absl::InfinitePast();
  while (true) {
    // The stored counts pace the updates, so they refresh even while the
    // queue of ready batches is full; a few polls a second per batch rate
    // are plenty.
    if (absl::Now() - last_poll > absl::Milliseconds(20)) {
      Poll();
      last_poll = absl::Now();
    }
    {
      absl::MutexLock lock(&mu_);
      auto room = [this]()
                      ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || ready_.size() < 2; };
      if (!mu_.AwaitWithTimeout(absl::Condition(&room), absl::Milliseconds(200))) continue;
      if (stopping_) return;
    }
    std::vector<double> p;
    std::vector<int64_t> stored;
    std::vector<bool> up;
    {
      absl::MutexLock lock(&mu_);
      p = p_;
      stored = stored_;
      up = shard_up_;
    }
    // Tasks with nothing stored, or whose shard is away, leave the batch;
    // the others share its rows by their p (degraded, not stopped).
    bool any = false;
    double kept = 0.0, all = 0.0;
    for (size_t t = 0; t < p.size(); ++t) {
      all += p[t];
      if (stored[t] == 0 || !up[static_cast<size_t>(task_shard_[t])]) p[t] = 0.0;
      kept += p[t];
      any = any || p[t] > 0.0;
    }
    Metrics::Process()
        .Gauge("taco_learner_batch_task_share",
               "Share of the task distribution in the batch (below 1 while shards are away)")
        .Set(all > 0.0 ? kept / all : 0.0);
    if (!any) {
      absl::SleepFor(absl::Milliseconds(200));
      continue;
    }
    const std::vector<int64_t> rows = paco::BatchCounts(p, config_.trainer.batch_size);
    std::vector<TaskCount> counts;
    Batch batch;
    for (size_t t = 0; t < rows.size(); ++t) {
      if (rows[t] == 0) continue;
      counts.push_back({config_.tasks[t], rows[t]});
      batch.task.insert(batch.task.end(), rows[t], static_cast<int64_t>(t));
    }
    auto sampled = sampler_->Sample(counts, kShape, absl::Seconds(30));
    if (!sampled.ok()) {
      TACO_LOG(WARNING) << "sampling failed: " << sampled.status().message();
      absl::SleepFor(absl::Milliseconds(500));
      continue;
    }
    batch.data = std::move(*sampled);
    absl::MutexLock lock(&mu_);
    ready_.push_back(std::move(batch));
  }
}

absl::Status LearnerProcess::SetupTransfer(bool resumed) {
  const TransferConfig& t = config_.transfer;
  TACO_ASSIGN_OR_RETURN(transfer_source_, StartTransfer(config_, resumed, learner_.get()));
  // Whether the shards already hold n_e transitions is known once they
  // answer; until then the phase explores.
  exploring_ = t.exploration_steps > 0;
  learner_->set_train_scope(TransferScope());
  TACO_LOG(INFO) << "transfer from " << t.source_checkpoint << " ("
                 << transfer_source_->task_weights.size(1)
                 << " source tasks): " << t.exploration_steps
                 << " env steps with pi_explore on the actors, then "
                 << (t.mode == "fixed_phi" ? "w only (fixed Phi)" : "Phi and w");
  return absl::OkStatus();
}

paco::TrainScope LearnerProcess::TransferScope() const {
  if (!config_.transfer.enabled) return paco::TrainScope::kAll;
  if (exploring_) return paco::TrainScope::kValueOnly;
  return config_.transfer.mode == "fixed_phi" ? paco::TrainScope::kFixedPhi
                                              : paco::TrainScope::kAll;
}

absl::Status LearnerProcess::Publish(bool final) {
  const uint64_t updates = static_cast<uint64_t>(learner_->num_updates());
  ParameterSet set =
      ToParameterSet(learner_->ExportActorParameters(), updates + 1, updates, config_.tasks);
  set.incarnation = incarnation_;
  set.final = final;
  // The final version may repeat the update count of the last one.
  if (store_.Latest() != nullptr && set.version <= store_.Latest()->version) {
    set.version = store_.Latest()->version + 1;
  }
  // The actors draw each episode's task from p, which regrouping changes.
  if (config_.task_distribution.kind == "online") set.arrays.push_back(TaskProbabilitiesArray(p_));
  if (exploring_) {
    const torch::Tensor w = transfer_source_->task_weights.contiguous();
    NamedArray a;
    a.name = paco::kTransferSourceWeights;
    a.shape.assign(w.sizes().begin(), w.sizes().end());
    a.values.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
    set.arrays.push_back(std::move(a));
  }
  const double bytes = 4.0 * static_cast<double>(set.TotalElements());
  const uint64_t version = set.version;
  TACO_RETURN_IF_ERROR(store_.Publish(std::move(set)));
  published_version_ = version;
  Metrics& m = Metrics::Process();
  m.Gauge("taco_learner_parameter_version", "Newest parameter version published")
      .Set(static_cast<double>(version));
  m.Counter("taco_learner_published_bytes_total",
            "Bytes of parameter values published for the actors (float32)")
      .Increment(bytes);
  return absl::OkStatus();
}

absl::Status LearnerProcess::Regroup() {
  TACO_ASSIGN_OR_RETURN(
      paco::TaskGrouping grouping,
      RegroupTasks(config_, learner_->ExportActorParameters(), learner_->num_updates()));
  absl::MutexLock lock(&mu_);
  p_ = std::move(grouping.p);
  return absl::OkStatus();
}

absl::Status LearnerProcess::Checkpoint() {
  const std::string dir = config_.CheckpointDir();
  std::filesystem::create_directories(dir);
  const absl::Time start = absl::Now();
  TACO_RETURN_IF_ERROR(FromPaco(learner_->Save(dir + "/learner.ckpt")));
  std::string pacing;
  {
    absl::MutexLock lock(&mu_);
    pacing = pacer_->Serialize();
  }
  TACO_RETURN_IF_ERROR(WriteFileAtomically(PacingPath(config_), pacing));
  last_checkpoint_ = absl::Now();
  ExportCheckpointMetrics(last_checkpoint_ - start);
  TACO_LOG(INFO) << "checkpoint at " << learner_->num_updates() << " updates";
  return absl::OkStatus();
}

absl::Status LearnerProcess::Setup() {
  TACO_ASSIGN_OR_RETURN(paco::PacoOptions options, PacoOptionsFromConfig(config_));
  auto learner = paco::Learner::Create(options);
  if (!learner.ok()) return FromPaco(learner.status());
  learner_ = std::move(*learner);
  const std::string ckpt = config_.CheckpointDir() + "/learner.ckpt";
  const bool resuming = std::filesystem::exists(ckpt);
  // Marked again when this run reaches its (maybe larger) budget.
  std::error_code ignored;
  std::filesystem::remove(config_.RunCompleteMarker(), ignored);
  if (resuming) {
    TACO_RETURN_IF_ERROR(Annotate(FromPaco(learner_->Load(ckpt)), "resuming the learner"));
    TACO_LOG(INFO) << "resumed from " << ckpt << " at " << learner_->num_updates() << " updates";
  }
  if (config_.transfer.enabled) TACO_RETURN_IF_ERROR(SetupTransfer(resuming));
  const std::vector<std::string> shard_addresses = config_.topology.ReplayAddresses();
  const int shards = static_cast<int>(shard_addresses.size());
  PacingOptions pacing;
  pacing.total_env_steps = config_.trainer.total_env_steps;
  pacing.exploration_steps = config_.trainer.exploration_steps;
  pacing.env_steps_per_update = config_.trainer.env_steps_per_update;
  pacing.lead = config_.replay.InsertLead();
  pacing.largest_insert = config_.LargestActorInsert();
  pacing.shards = shards;
  {
    absl::MutexLock lock(&mu_);
    pacer_ = std::make_unique<Pacer>(pacing);
    shard_up_.assign(static_cast<size_t>(shards), true);
    ever_up_.assign(static_cast<size_t>(shards), false);
    stored_.assign(config_.tasks.size(), 0);
    if (resuming) {
      auto text = ReadSmallFile(PacingPath(config_));
      absl::Status parsed = text.ok() ? pacer_->Parse(*text) : text.status();
      if (parsed.ok()) {
        TACO_LOG(INFO) << "resumed at " << pacer_->env_steps() << " stored env steps";
      } else {
        // Counted again from the shards: at worst their lost windows count
        // twice toward the budget.
        TACO_LOG(WARNING) << PacingPath(config_) << ": " << parsed.message()
                          << "; counting env steps from the shards again";
      }
    }
  }
  updates_done_ = learner_->num_updates();
  ExportRunUpdates(updates_done_);
  for (const std::string& task : config_.tasks) {
    task_shard_.push_back(ShardForTask(task, config_.tasks, shards));
  }
  TACO_ASSIGN_OR_RETURN(p_, TaskProbabilities(config_));
  // A resumed online run groups its trained tasks at once instead of
  // sampling uniformly until the next regrouping.
  if (config_.task_distribution.kind == "online" && learner_->num_updates() > 0) {
    TACO_RETURN_IF_ERROR(Regroup());
  }
  ExportLearnerCounts(config_.tasks, p_, learner_->MaskCounts(), learner_->ResetCounts());
  Metrics::Process()
      .Gauge("taco_learner_checkpoint_age_seconds", "Seconds since the last learner checkpoint")
      .Set(-1.0);
  ExportCheckpointMetrics(absl::ZeroDuration());  // as the replay shards: 0 before the first
  TACO_RETURN_IF_ERROR(Publish());
  const std::string address =
      absl::StrCat(config_.topology.host, ":", config_.topology.learner_port);
  TACO_ASSIGN_OR_RETURN(ServerSecurity security, MakeServerSecurity(config_.security, address));
  parameter_service_ = std::make_unique<ParameterService>(&store_, 1 << 20, security.authenticator);
  parameter_service_->set_report_handler(
      [this](const v1::EvaluationReport& report) { return OnEvaluation(report); });
  health_ = std::make_unique<HealthService>("learner", TACO_VERSION, security.authenticator);
  EnableStandardHealthService();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, security.credentials, &port);
  AcceptClientKeepalive(&builder);
  builder.SetMaxSendMessageSize(64 << 20);
  builder.RegisterService(parameter_service_.get());
  builder.RegisterService(health_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) {
    return absl::InvalidArgumentError(absl::StrCat("the learner cannot listen on ", address,
                                                   " (topology.learner_port; another run?)"));
  }
  MarkNotServingUntilReady(server_.get());
  ReplaySamplerOptions so;
  TACO_ASSIGN_OR_RETURN(so.security, ClientSecurity::FromConfig(config_.security));
  so.shard_addresses = shard_addresses;
  so.tasks = config_.tasks;
  TACO_ASSIGN_OR_RETURN(sampler_, ReplaySampler::Create(so));
  SetServing(server_.get(), true);
  TACO_RETURN_IF_ERROR(
      AnnounceHealthTarget(GrpcHealthTarget(config_.topology.host, port, config_.security)));
  TACO_LOG(INFO) << "learner on " << learner_->device().str() << ", parameters served on "
                 << address << ", " << so.shard_addresses.size() << " replay shards";
  return absl::OkStatus();
}

absl::Status LearnerProcess::OnEvaluation(const v1::EvaluationReport& report) {
  for (const v1::TaskSuccess& t : report.tasks()) {
    if (std::find(config_.tasks.begin(), config_.tasks.end(), t.task()) == config_.tasks.end()) {
      return absl::InvalidArgumentError(absl::StrCat("evaluation report names '", t.task(),
                                                     "', which is not a task of this run"));
    }
  }
  Metrics::Process()
      .Gauge("taco_learner_reported_success_mean_ratio", "Mean success the evaluator last reported")
      .Set(report.mean_success());
  // The same criterion as `taco transfer` in one process: every new task
  // reaches the threshold (the mean could hide one that has not).
  double lowest = report.tasks_size() > 0 ? 1.0 : report.mean_success();
  for (const v1::TaskSuccess& t : report.tasks()) lowest = std::min(lowest, t.success());
  if (config_.transfer.enabled && report.incarnation() == incarnation_ &&
      lowest >= config_.transfer.success_threshold && !threshold_reached_) {
    TACO_LOG(INFO) << "transfer: every task's success (lowest " << lowest << ") at "
                   << report.updates() << " updates reached transfer.success_threshold ("
                   << config_.transfer.success_threshold << "): the run ends";
    threshold_reached_ = true;
  }
  return absl::OkStatus();
}

absl::Status LearnerProcess::Finish() {
  TACO_LOG(INFO) << (threshold_reached_ ? "the success threshold is reached"
                                        : absl::StrCat("the run reached trainer.total_env_steps (",
                                                       config_.trainer.total_env_steps, ")"))
                 << " at " << learner_->num_updates() << " updates: final checkpoint and version";
  TACO_RETURN_IF_ERROR(Checkpoint());
  TACO_RETURN_IF_ERROR(WriteFileAtomically(
      config_.RunCompleteMarker(), absl::StrCat("updates ", learner_->num_updates(), "\nenv_steps ",
                                                config_.trainer.total_env_steps, "\n")));
  TACO_RETURN_IF_ERROR(Publish(/*final=*/true));
  Metrics::Process().Gauge("taco_learner_run_complete", "1 once the run reached its budget").Set(1);
  // The shards checkpoint and stop when told; one that is away now stops
  // when the operator stops it (its data is checkpointed periodically).
  const int shards = sampler_->shard_count();
  std::vector<bool> told(static_cast<size_t>(shards), false);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    std::vector<v1::InfoRequest> requests(static_cast<size_t>(shards));
    for (v1::InfoRequest& r : requests) {
      r.set_counters_only(true);
      r.set_run_complete(true);
    }
    const auto infos = sampler_->InfoEach(requests, absl::Seconds(2));
    bool all = true;
    for (int s = 0; s < shards; ++s) {
      told[static_cast<size_t>(s)] =
          told[static_cast<size_t>(s)] || infos[static_cast<size_t>(s)].ok();
      all = all && told[static_cast<size_t>(s)];
    }
    if (all) break;
    if (WaitForTerminationSignal(absl::Seconds(1)) != 0) break;
  }
  // The actors and the evaluator stop once they hold the final version: wait
  // until as many as the topology names got it (some may not have connected
  // yet), within a bound for those that never come.
  const int64_t expected =
      config_.topology.actors + (config_.trainer.eval_episodes_per_task > 0 ? 1 : 0);
  const absl::Time linger = absl::Now() + absl::Minutes(2);
  while (absl::Now() < linger && parameter_service_->final_deliveries() < expected) {
    if (WaitForTerminationSignal(absl::Milliseconds(200)) != 0) break;
  }
  TACO_LOG(INFO) << "run complete: " << learner_->num_updates() << " updates";
  return absl::OkStatus();
}

absl::Status LearnerProcess::Run() {
  TACO_RETURN_IF_ERROR(Setup());
  prefetch_ = std::thread([this] { PrefetchLoop(); });
  Metrics& m = Metrics::Process();
  m.Gauge("taco_learner_env_steps_budget", "trainer.total_env_steps of the run")
      .Set(static_cast<double>(config_.trainer.total_env_steps));
  absl::Time last_checkpoint = absl::Now();
  const absl::Duration checkpoint_every = absl::Seconds(config_.checkpoint.interval_minutes * 60.0);
  absl::Status result;
  bool complete = false;
  auto opened = RunSummaries::Open(config_.RunDir(), "learner");
  if (opened.ok()) {
    summaries_ = std::move(*opened);
  } else {
    TACO_LOG(WARNING) << opened.status().message() << "; no TensorBoard scalars from the learner";
  }
  // Scalars every log interval of stored env steps, with the rates since
  // the last ones.
  const int64_t summary_every = std::max<int64_t>(1, config_.trainer.log_interval_env_steps);
  int64_t next_summary = 0, stored = 0;
  int64_t last_summary_steps = -1, last_summary_updates = 0;
  absl::Time last_summary_time = absl::Now();
  while (options_.max_updates == 0 || learner_->num_updates() < options_.max_updates) {
    if (WaitForTerminationSignal(absl::ZeroDuration()) != 0) break;
    Batch batch;
    bool ready = false;
    bool released = false;
    {
      absl::MutexLock lock(&mu_);
      if (threshold_reached_ || (polled_ && pacer_->Complete(learner_->num_updates()))) {
        complete = true;
        break;
      }
      stored = pacer_->env_steps();
      if (exploring_ && stored >= config_.transfer.exploration_steps) {
        exploring_ = false;
        released = true;
      }
      // The paper's ratio, counted from what the shards stored.
      if (learner_->num_updates() < pacer_->AllowedUpdates() && !ready_.empty()) {
        batch = std::move(ready_.front());
        ready_.pop_front();
        ready = true;
      }
    }
    if (released) {
      TACO_LOG(INFO) << "transfer: " << config_.transfer.exploration_steps
                     << " exploration steps stored; the policy is released ("
                     << (config_.transfer.mode == "fixed_phi" ? "w only, Phi stays fixed"
                                                              : "Phi and w")
                     << ")";
      learner_->set_train_scope(TransferScope());
      // The actors stop exploring with the first version without the source
      // W: the next update publishes one (versions follow the update count).
      publish_next_ = true;
    }
    if (!ready) {
      absl::SleepFor(absl::Milliseconds(10));
      continue;
    }
    Transitions& t = batch.data;
    const int64_t rows = t.size;
    paco::TransitionBatch b;
    b.obs = torch::from_blob(t.obs.data(), {rows, kShape.obs_dim}, torch::kFloat32);
    b.action = torch::from_blob(t.action.data(), {rows, kShape.action_dim}, torch::kFloat32);
    b.reward = torch::from_blob(t.reward.data(), {rows}, torch::kFloat32);
    b.next_obs = torch::from_blob(t.next_obs.data(), {rows, kShape.obs_dim}, torch::kFloat32);
    b.terminal = torch::from_blob(t.terminal.data(), {rows}, torch::kFloat32);
    b.truncated = torch::from_blob(t.truncated.data(), {rows}, torch::kFloat32);
    b.task = torch::tensor(batch.task, torch::kInt64);
    // Statistics cost a device-to-host copy: read them once per published
    // version, not at every update.
    const bool publish =
        publish_next_ ||
        (learner_->num_updates() + 1) % config_.topology.publish_every_updates == 0;
    publish_next_ = false;
    paco::UpdateStats stats;
    result = FromPaco(learner_->Update(b, publish ? &stats : nullptr));
    if (!result.ok()) break;
    updates_done_ = learner_->num_updates();
    const double version = static_cast<double>(learner_->num_updates());
    double staleness = 0.0;
    for (uint64_t v : t.policy_version) staleness += version - static_cast<double>(v);
    m.Gauge("taco_learner_staleness_updates",
            "Mean age of the last batch's transitions in updates (the learner's version minus "
            "the one that acted); policy lag at insert time is taco_replay_policy_lag_updates")
        .Set(rows > 0 ? staleness / static_cast<double>(rows) : 0.0);
    m.Counter("taco_learner_updates_total", "Gradient updates").Increment();
    ExportRunUpdates(learner_->num_updates());
    if (RegroupDue(config_, learner_->num_updates())) {
      result = Regroup();
      if (!result.ok()) break;
    }
    if (publish) ExportUpdateMetrics(config_.tasks, p_, stats);
    if (publish && stored >= next_summary) {
      std::vector<std::pair<std::string, double>> scalars = UpdateScalars(config_.tasks, stats);
      const double seconds = absl::ToDoubleSeconds(absl::Now() - last_summary_time);
      if (last_summary_steps >= 0 && seconds > 0) {
        scalars.emplace_back("rate/env_steps_per_s",
                             static_cast<double>(stored - last_summary_steps) / seconds);
        scalars.emplace_back(
            "rate/updates_per_s",
            static_cast<double>(learner_->num_updates() - last_summary_updates) / seconds);
      }
      scalars.emplace_back("updates", static_cast<double>(learner_->num_updates()));
      summaries_.Add(stored, scalars);
      last_summary_steps = stored;
      last_summary_updates = learner_->num_updates();
      last_summary_time = absl::Now();
      next_summary = stored + summary_every;
    }
    m.Gauge("taco_learner_checkpoint_age_seconds", "Seconds since the last learner checkpoint")
        .Set(last_checkpoint_ == absl::InfinitePast()
                 ? -1.0
                 : absl::ToDoubleSeconds(absl::Now() - last_checkpoint_));
    if (publish) {
      result = Publish();
      if (!result.ok()) break;
    }
    if (absl::Now() - last_checkpoint > checkpoint_every) {
      result = Checkpoint();
      if (!result.ok()) break;
      last_checkpoint = absl::Now();
    }
  }
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  prefetch_.join();
  absl::Status saved = result.ok() && complete ? Finish() : Checkpoint();
  store_.Close();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  return result.ok() ? saved : result;
}

}  // namespace

void ExportLearnerCounts(const std::vector<std::string>& tasks, const std::vector<double>& p,
                         const std::vector<int64_t>& mask_counts,
                         const std::vector<int64_t>& reset_counts) {
  Metrics& m = Metrics::Process();
  // The learner's cumulative counts (restored with a checkpoint) become
  // counters by adding what is new since the last call.
  auto advance = [](prometheus::Counter& counter, int64_t total) {
    const double delta = static_cast<double>(total) - counter.Value();
    if (delta > 0) counter.Increment(delta);
  };
  for (size_t k = 0; k < tasks.size(); ++k) {
    const prometheus::Labels labels = {{"task", tasks[k]}};
    if (k < mask_counts.size()) {
      advance(m.Counter("taco_learner_mask_outs_total", "Loss mask-outs per task", labels),
              mask_counts[k]);
    }
    if (k < reset_counts.size()) {
      advance(m.Counter("taco_learner_w_resets_total", "w-resets per task", labels),
              reset_counts[k]);
    }
    if (k < p.size()) {
      m.Gauge("taco_task_probability", "Current task distribution p_task", labels).Set(p[k]);
    }
  }
}

void ExportUpdateMetrics(const std::vector<std::string>& tasks, const std::vector<double>& p,
                         const paco::UpdateStats& stats) {
  Metrics& m = Metrics::Process();
  ExportLearnerCounts(tasks, p, stats.mask_count, stats.reset_count);
  for (size_t k = 0; k < tasks.size(); ++k) {
    const prometheus::Labels labels = {{"task", tasks[k]}};
    if (k < stats.task_alpha.size()) {
      m.Gauge("taco_learner_alpha", "Entropy temperature per task", labels)
          .Set(stats.task_alpha[k]);
    }
    // NaN marks a task absent from the batch: its gauges keep their values.
    if (k < stats.task_loss.size() && std::isfinite(stats.task_loss[k])) {
      m.Gauge("taco_learner_task_loss", "Per-task loss compared with the mask-out threshold",
              labels)
          .Set(stats.task_loss[k]);
    }
    if (k < stats.task_entropy.size() && std::isfinite(stats.task_entropy[k])) {
      m.Gauge("taco_learner_policy_entropy_nats", "Policy entropy per task (-mean log pi)", labels)
          .Set(stats.task_entropy[k]);
    }
  }
  m.Gauge("taco_learner_actor_loss", "Actor loss of the last published update")
      .Set(stats.actor_loss);
  m.Gauge("taco_learner_critic_loss", "Critic loss of the last published update")
      .Set(stats.critic_loss);
  m.Gauge("taco_learner_alpha_loss", "Temperature loss of the last published update")
      .Set(stats.alpha_loss);
  m.Gauge("taco_learner_q_mean", "Mean Q(s, a) over critics and batch, last published update")
      .Set(stats.q_mean);
}

std::vector<std::pair<std::string, double>> UpdateScalars(const std::vector<std::string>& tasks,
                                                          const paco::UpdateStats& stats) {
  std::vector<std::pair<std::string, double>> out = {{"loss/actor", stats.actor_loss},
                                                     {"loss/critic", stats.critic_loss},
                                                     {"loss/alpha", stats.alpha_loss},
                                                     {"q_mean", stats.q_mean},
                                                     {"entropy", stats.entropy}};
  auto per_task = [&](const char* name, auto values) {
    for (size_t k = 0; k < tasks.size() && k < values.size(); ++k) {
      out.emplace_back(absl::StrCat(name, "/", tasks[k]), static_cast<double>(values[k]));
    }
  };
  per_task("alpha", stats.task_alpha);
  per_task("entropy", stats.task_entropy);
  per_task("task_loss", stats.task_loss);
  per_task("mask_outs", stats.mask_count);
  per_task("w_resets", stats.reset_count);
  return out;
}

absl::StatusOr<std::unique_ptr<paco::TransferSource>> StartTransfer(const RunConfig& config,
                                                                    bool resumed,
                                                                    paco::Learner* learner) {
  const TransferConfig& t = config.transfer;
  auto source = paco::LoadTransferSource(t.source_checkpoint);
  if (!source.ok()) {
    return Annotate(FromPaco(source.status()),
                    absl::StrCat("transfer.source_checkpoint '", t.source_checkpoint, "'"));
  }
  if (!resumed) {
    auto init = paco::ParseNewTaskWeights(t.new_task_weights);
    if (!init.ok()) return FromPaco(init.status());
    TACO_RETURN_IF_ERROR(FromPaco(paco::InitializeForTransfer(
        *source, *init, static_cast<uint64_t>(config.run.seed) * 31 + 7, learner)));
  }
  return std::make_unique<paco::TransferSource>(std::move(*source));
}

void ExportCheckpointMetrics(absl::Duration took) {
  Metrics::Process()
      .Gauge("taco_learner_checkpoint_duration_seconds", "Duration of the last learner checkpoint")
      .Set(absl::ToDoubleSeconds(took));
}

void ExportRunUpdates(int64_t updates) {
  Metrics::Process()
      .Gauge("taco_learner_updates", "Gradient updates over the whole run, restarts included")
      .Set(static_cast<double>(updates));
}

absl::Status RunLearnerRole(const RunConfig& config, const LearnerRoleOptions& options) {
  SetLogTag("learner");
  paco::TuneHostAllocator();
  if (config.trainer.threads > 0) torch::set_num_threads(config.trainer.threads);
  if (config.metrics.enabled) {
    TACO_RETURN_IF_ERROR(Metrics::Process().Serve(config.metrics.bind, config.metrics.base_port));
  }
  Metrics::Process()
      .Gauge("taco_process_up", "1 while the process runs", {{"role", "learner"}})
      .Set(1);
  LearnerProcess process(config, options);
  return process.Run();
}

}  // namespace taco
