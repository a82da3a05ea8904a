#include "cli/train_local.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "actor/actor_role.h"
#include "actor/envs/env_pool.h"
#include "actor/envs/task_registry.h"
#include "cli/status_block.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/run_description.h"
#include "common/signals.h"
#include "common/status.h"
#include "learner/learner_config.h"
#include "learner/learner_role.h"
#include "learner/online_grouping.h"
#include "learner/paco/learner.h"
#include "learner/paco/task_distribution.h"
#include "learner/paco/transfer.h"
#include "proto/event_file_writer.h"
#include "replay/replay_buffer.h"

namespace taco {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kObs = envs::kObsDim;
constexpr int kAct = envs::kActionDim;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Index of each pool task id (AllTasks order) in the run's task list.
absl::StatusOr<std::vector<int64_t>> RunTaskIndex(const std::vector<std::string>& run_tasks) {
  std::vector<int64_t> index(envs::AllTasks().size(), -1);
  for (size_t i = 0; i < run_tasks.size(); ++i) {
    bool found = false;
    for (size_t j = 0; j < envs::AllTasks().size(); ++j) {
      if (envs::AllTasks()[j]->name == run_tasks[i]) {
        index[j] = static_cast<int64_t>(i);
        found = true;
      }
    }
    if (!found) return absl::NotFoundError(absl::StrCat("unknown task '", run_tasks[i], "'"));
  }
  return index;
}

torch::Tensor ObsTensor(const std::vector<double>& obs, int64_t n) {
  torch::Tensor t = torch::empty({n, kObs}, torch::kFloat32);
  float* p = t.data_ptr<float>();
  for (int64_t i = 0; i < n * kObs; ++i) p[i] = static_cast<float>(obs[i]);
  return t;
}

// Appends rows to a CSV file, writing the header when the file is new.
class CsvLog {
 public:
  CsvLog(const std::string& path, const std::string& header) {
    const bool fresh = !std::filesystem::exists(path);
    out_.open(path, std::ios::app);
    if (fresh) out_ << header << "\n";
  }
  void Row(const std::string& row) {
    out_ << row << "\n";
    out_.flush();
  }
  bool ok() const { return out_.good(); }

 private:
  std::ofstream out_;
};

class Trainer {
 public:
  Trainer(const RunConfig& config, const TrainLocalOptions& options)
      : config_(config), options_(options) {}

  absl::StatusOr<TrainLocalResult> Run();

 private:
  absl::Status Setup();
  absl::Status CollectStep();
  absl::Status TrainUpTo();
  absl::StatusOr<EvalPoint> Evaluate();
  absl::Status SyncPolicy();
  // Syncs when the acting policy is sync_every_ or more updates behind.
  absl::Status MaybeSyncPolicy();
  // TaCo-online: new task groups and p (batches and the pool's draws).
  absl::Status Regroup();
  absl::Status SetupTransfer(bool resumed);
  bool Exploring() const {
    return config_.transfer.enabled && env_steps_ < config_.transfer.exploration_steps;
  }
  absl::Status Checkpoint();
  void Progress();
  int PoolThreads() const {
    return config_.trainer.threads > 0
               ? config_.trainer.threads
               : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }

  const RunConfig& config_;
  const TrainLocalOptions options_;
  int64_t num_tasks_ = 0;
  std::vector<int64_t> run_task_index_;
  std::vector<prometheus::Counter*> step_counters_;  // per run task
  std::vector<double> task_probabilities_;
  paco::PacoOptions paco_options_;
  std::unique_ptr<paco::Learner> learner_;
  std::unique_ptr<paco::PolicyInference> policy_;
  // Transfer: π_explore while the first transfer.exploration_steps run.
  std::unique_ptr<paco::ExplorationPolicy> explore_;
  std::unique_ptr<envs::EnvPool> pool_;
  std::unique_ptr<ReplayBuffer> replay_;
  std::vector<double> obs_;
  envs::PoolStep step_;
  std::mt19937_64 rng_;

  int64_t env_steps_ = 0;
  // Where this process's training starts counting (non-zero after a resume).
  int64_t step_base_ = 0;
  int64_t update_base_ = 0;
  int64_t next_eval_ = 0;
  int64_t next_log_ = 0;
  Clock::time_point start_;
  Clock::time_point last_checkpoint_;
  Clock::time_point last_log_time_;
  int64_t last_log_steps_ = 0, last_log_updates_ = 0;
  // Episode statistics since the last progress line.
  double episode_return_sum_ = 0.0, episode_success_sum_ = 0.0;
  int64_t episodes_ = 0;
  int64_t sync_every_ = 1;
  int64_t policy_version_ = -1;  // the learner's update count at the last sync
  paco::UpdateStats last_stats_;
  prometheus::Counter* updates_counter_ =
      &Metrics::Process().Counter("taco_learner_updates_total", "Gradient updates");
  prometheus::Gauge* version_gauge_ = &Metrics::Process().Gauge(
      "taco_learner_parameter_version", "Newest parameter version published");
  std::unique_ptr<CsvLog> progress_csv_, eval_csv_;
  RunSummaries summaries_;                  // TensorBoard scalars against env steps
  std::unique_ptr<StatusDisplay> display_;  // with options_.progress
  TrainLocalResult result_;
};

absl::Status Trainer::Setup() {
  num_tasks_ = static_cast<int64_t>(config_.tasks.size());
  TACO_ASSIGN_OR_RETURN(run_task_index_, RunTaskIndex(config_.tasks));
  TACO_ASSIGN_OR_RETURN(paco_options_, PacoOptionsFromConfig(config_));
  if (config_.trainer.threads > 0) torch::set_num_threads(config_.trainer.threads);
  auto learner = paco::Learner::Create(paco_options_);
  if (!learner.ok()) return FromPaco(learner.status());
  learner_ = std::move(*learner);
  sync_every_ = config_.trainer.policy_sync_every_updates > 0
                    ? config_.trainer.policy_sync_every_updates
                    : (learner_->device().is_cuda() ? 10 : 1);
  result_.policy_sync_every_updates = sync_every_;
  paco::PacoOptions cpu = paco_options_;
  cpu.device = "cpu";
  auto policy = paco::PolicyInference::Create(cpu);
  if (!policy.ok()) return FromPaco(policy.status());
  policy_ = std::move(*policy);
  policy_->Reseed(static_cast<uint64_t>(config_.run.seed) * 7919 + 1);

  const std::string ckpt = config_.CheckpointDir() + "/learner.ckpt";
  const bool resuming = options_.resume && std::filesystem::exists(ckpt);
  if (config_.transfer.enabled) TACO_RETURN_IF_ERROR(SetupTransfer(resuming));
  if (resuming) {
    TACO_RETURN_IF_ERROR(Annotate(FromPaco(learner_->Load(ckpt)), "resuming"));
    std::ifstream state(config_.CheckpointDir() + "/trainer.state");
    if (!(state >> env_steps_)) {
      return absl::DataLossError(
          absl::StrCat(config_.CheckpointDir(), "/trainer.state is missing or damaged"));
    }
    TACO_LOG(INFO) << "resumed from " << ckpt << " at " << env_steps_ << " env steps, "
                   << learner_->num_updates() << " updates; refilling the replay first";
    step_base_ = env_steps_;
    update_base_ = learner_->num_updates();
  }
  TACO_RETURN_IF_ERROR(SyncPolicy());

  TACO_ASSIGN_OR_RETURN(task_probabilities_, TaskProbabilities(config_));
  // A resumed online run groups its trained tasks at once instead of
  // sampling uniformly until the next regrouping.
  if (config_.task_distribution.kind == "online" && learner_->num_updates() > 0) {
    TACO_RETURN_IF_ERROR(Regroup());
  }
  ExportLearnerCounts(config_.tasks, task_probabilities_, learner_->MaskCounts(),
                      learner_->ResetCounts());
  for (const std::string& task : config_.tasks) {
    step_counters_.push_back(
        &Metrics::Process().Counter("taco_env_steps_total", "Environment steps", {{"task", task}}));
  }
  envs::EnvPoolConfig pool_config;
  // The paper's parallel envs: each draws the task of every episode from P
  // (the first episodes deal the tasks round-robin, so all start at once).
  for (int i = 0; i < config_.trainer.num_envs; ++i) {
    pool_config.tasks.push_back(config_.tasks[i % num_tasks_]);
  }
  pool_config.task_choices = config_.tasks;
  pool_config.task_weights = task_probabilities_;
  pool_config.env = RunEnvConfig(config_, static_cast<uint32_t>(config_.run.seed * 1000));
  pool_config.num_threads = PoolThreads();
  TACO_ASSIGN_OR_RETURN(pool_, envs::EnvPool::Create(pool_config));
  TACO_RETURN_IF_ERROR(pool_->Reset(&obs_));
  const int64_t per_task = std::max<int64_t>(1, config_.trainer.replay_capacity / num_tasks_);
  TACO_ASSIGN_OR_RETURN(replay_,
                        ReplayBuffer::Create(config_.tasks, TransitionShape{kObs, kAct}, per_task));
  rng_.seed(static_cast<uint64_t>(config_.run.seed));

  std::filesystem::create_directories(config_.RunDir());
  std::filesystem::create_directories(config_.CheckpointDir());
  TACO_RETURN_IF_ERROR(WriteRunDescription(config_, config_.transfer.enabled ? "transfer" : "train",
                                           LibraryVersions()));
  progress_csv_ = std::make_unique<CsvLog>(
      config_.RunDir() + "/progress.csv",
      "env_steps,updates,wall_s,env_steps_per_s,updates_per_s,episodes,mean_return,"
      "mean_success,actor_loss,critic_loss,alpha_loss,entropy,masked_total,resets_total");
  eval_csv_ =
      std::make_unique<CsvLog>(config_.RunDir() + "/eval.csv", "env_steps,task,success_rate");
  auto summaries = RunSummaries::Open(config_.RunDir(), "train-local");
  if (summaries.ok()) {
    summaries_ = std::move(*summaries);
  } else {
    TACO_LOG(WARNING) << summaries.status().message() << "; no TensorBoard scalars";
  }
  next_eval_ = env_steps_ + config_.trainer.eval_interval_env_steps;
  next_log_ = env_steps_ + config_.trainer.log_interval_env_steps;
  return absl::OkStatus();
}

absl::Status Trainer::SetupTransfer(bool resumed) {
  const TransferConfig& t = config_.transfer;
  TACO_ASSIGN_OR_RETURN(std::unique_ptr<paco::TransferSource> source,
                        StartTransfer(config_, resumed, learner_.get()));
  const int64_t source_tasks = source->task_weights.size(1);
  auto explore =
      paco::ExplorationPolicy::Create(paco_options_, std::move(*source), config_.trainer.num_envs,
                                      static_cast<uint64_t>(config_.run.seed));
  if (!explore.ok()) return FromPaco(explore.status());
  explore_ = std::move(*explore);
  TACO_LOG(INFO) << "transfer from " << t.source_checkpoint << " (" << source_tasks
                 << " source tasks): " << t.exploration_steps
                 << " exploration steps with pi_explore training the value functions, then "
                 << (t.mode == "fixed_phi" ? "w only (fixed Phi)" : "Phi and w") << "; new w "
                 << t.new_task_weights;
  return absl::OkStatus();
}

absl::Status Trainer::SyncPolicy() {
  TACO_RETURN_IF_ERROR(
      FromPaco(policy_->SetParameters(learner_->ExportActorParameters(), learner_->num_updates())));
  policy_version_ = learner_->num_updates();
  ++result_.policy_syncs;
  return absl::OkStatus();
}

absl::Status Trainer::MaybeSyncPolicy() {
  if (learner_->num_updates() - policy_version_ < sync_every_) return absl::OkStatus();
  return SyncPolicy();
}

absl::Status Trainer::Regroup() {
  TACO_ASSIGN_OR_RETURN(
      paco::TaskGrouping grouping,
      RegroupTasks(config_, learner_->ExportActorParameters(), learner_->num_updates()));
  task_probabilities_ = std::move(grouping.p);
  if (pool_ != nullptr) TACO_RETURN_IF_ERROR(pool_->SetTaskWeights(task_probabilities_));
  return absl::OkStatus();
}

absl::Status Trainer::CollectStep() {
  const int n = pool_->size();
  torch::Tensor task = torch::empty({n}, torch::kInt64);
  const bool exploring = Exploring();
  for (int i = 0; i < n; ++i) {
    // π_explore has one column per env; the learner's policy one per task.
    task.data_ptr<int64_t>()[i] = exploring ? i : run_task_index_[pool_->task_ids()[i]];
  }
  auto action = exploring ? explore_->Act(ObsTensor(obs_, n))
                          : policy_->Act(ObsTensor(obs_, n), task, /*deterministic=*/false);
  if (!action.ok()) return FromPaco(action.status());
  torch::Tensor a = action->to(torch::kFloat64).contiguous();
  TACO_RETURN_IF_ERROR(pool_->Step(absl::MakeConstSpan(a.data_ptr<double>(), n * kAct), &step_));
  const float* af = action->contiguous().data_ptr<float>();
  for (int i = 0; i < n; ++i) {
    Transitions t;
    t.shape = TransitionShape{kObs, kAct};
    float o[kObs], next[kObs];
    for (int d = 0; d < kObs; ++d) {
      o[d] = static_cast<float>(obs_[i * kObs + d]);
      next[d] = static_cast<float>(step_.final_obs[i * kObs + d]);
    }
    t.Append(o, af + i * kAct, static_cast<float>(step_.reward[i]), next, step_.terminal[i] != 0,
             step_.truncated[i] != 0, static_cast<uint64_t>(policy_version_));
    const int64_t run_task = run_task_index_[step_.task_id[i]];
    TACO_RETURN_IF_ERROR(replay_->Insert(config_.tasks[run_task], t));
    step_counters_[run_task]->Increment();
    if (step_.done[i]) {
      episode_return_sum_ += step_.episode_return[i];
      episode_success_sum_ += step_.episode_success[i];
      ++episodes_;
      ExportEpisode(config_.tasks[run_task], step_.episode_return[i], step_.episode_length[i],
                    step_.episode_success[i] != 0);
    }
  }
  obs_ = step_.obs;
  env_steps_ += n;
  if (exploring) {
    // A fresh β for every new episode (the paper does not say how often).
    std::vector<int> ended;
    for (int i = 0; i < n; ++i) {
      if (step_.done[i]) ended.push_back(i);
    }
    if (!ended.empty()) TACO_RETURN_IF_ERROR(FromPaco(explore_->Redraw(ended)));
    if (!Exploring()) {
      TACO_LOG(INFO) << "transfer: " << env_steps_
                     << " exploration steps done; the policy is released ("
                     << (config_.transfer.mode == "fixed_phi" ? "w only, Phi stays fixed"
                                                              : "Phi and w")
                     << ")";
    }
  }
  return absl::OkStatus();
}

absl::Status Trainer::TrainUpTo() {
  // Updates start once the exploration steps are collected (again after a
  // resume, which starts with an empty replay) and then follow the ratio,
  // without catching up on the exploration phase.
  const int64_t trained_steps = env_steps_ - step_base_ - config_.trainer.exploration_steps;
  if (trained_steps < 0) return absl::OkStatus();
  const int64_t due = update_base_ + trained_steps / config_.trainer.env_steps_per_update;
  if (learner_->num_updates() >= due) return absl::OkStatus();
  // The batch follows P over the tasks that have data.
  std::vector<double> p = task_probabilities_;
  bool any = false;
  for (int64_t t = 0; t < num_tasks_; ++t) {
    if (replay_->table(config_.tasks[t])->size() == 0) p[t] = 0.0;
    any = any || p[t] > 0.0;
  }
  if (!any) return absl::OkStatus();
  const std::vector<int64_t> rows = paco::BatchCounts(p, config_.trainer.batch_size);
  std::vector<TaskCount> counts;
  for (int64_t t = 0; t < num_tasks_; ++t) {
    if (rows[t] > 0) counts.push_back({config_.tasks[t], rows[t]});
  }
  std::vector<int64_t> task_of_row;
  for (const TaskCount& c : counts) {
    const int64_t index =
        std::find(config_.tasks.begin(), config_.tasks.end(), c.task) - config_.tasks.begin();
    task_of_row.insert(task_of_row.end(), c.count, index);
  }
  const torch::Tensor task = torch::tensor(task_of_row, torch::kInt64);
  if (config_.transfer.enabled) {
    learner_->set_train_scope(Exploring()                            ? paco::TrainScope::kValueOnly
                              : config_.transfer.mode == "fixed_phi" ? paco::TrainScope::kFixedPhi
                                                                     : paco::TrainScope::kAll);
  }
  while (learner_->num_updates() < due) {
    TACO_ASSIGN_OR_RETURN(Transitions t, replay_->Sample(counts, rng_));
    paco::TransitionBatch b;
    const int64_t rows = t.size;
    b.obs = torch::from_blob(t.obs.data(), {rows, kObs}, torch::kFloat32);
    b.action = torch::from_blob(t.action.data(), {rows, kAct}, torch::kFloat32);
    b.reward = torch::from_blob(t.reward.data(), {rows}, torch::kFloat32);
    b.next_obs = torch::from_blob(t.next_obs.data(), {rows, kObs}, torch::kFloat32);
    b.terminal = torch::from_blob(t.terminal.data(), {rows}, torch::kFloat32);
    b.truncated = torch::from_blob(t.truncated.data(), {rows}, torch::kFloat32);
    b.task = task;
    // Statistics wait for the device: read them with the update that the
    // acting policy syncs after, or the last of this call's.
    const bool want_stats = learner_->num_updates() + 1 == due &&
                            learner_->num_updates() + 1 - policy_version_ >= sync_every_;
    TACO_RETURN_IF_ERROR(FromPaco(learner_->Update(b, want_stats ? &last_stats_ : nullptr)));
    updates_counter_->Increment();
    ExportRunUpdates(learner_->num_updates());
    // The rest of this call's batches keep their composition; the next
    // call's follow the new p.
    if (RegroupDue(config_, learner_->num_updates())) TACO_RETURN_IF_ERROR(Regroup());
  }
  ExportUpdateMetrics(config_.tasks, task_probabilities_, last_stats_);
  version_gauge_->Set(static_cast<double>(learner_->num_updates()));
  return MaybeSyncPolicy();
}

absl::StatusOr<EvalPoint> Trainer::Evaluate() {
  // The evaluation, and the best policy kept from it, see the newest update.
  if (policy_version_ != learner_->num_updates()) TACO_RETURN_IF_ERROR(SyncPolicy());
  TACO_ASSIGN_OR_RETURN(
      EvalResult result,
      EvaluatePolicy(config_, *policy_, static_cast<uint32_t>(7'000'000 + env_steps_ % 1'000'003)));
  EvalPoint point;
  point.env_steps = env_steps_;
  point.mean_success = result.mean_success;
  point.task_success = result.task_success;
  ExportEvaluation(result, static_cast<uint64_t>(learner_->num_updates()), env_steps_);
  for (const std::string& task : config_.tasks) {
    eval_csv_->Row(absl::StrFormat("%d,%s,%.4f", env_steps_, task, result.task_success[task]));
  }
  eval_csv_->Row(absl::StrFormat("%d,mean,%.4f", env_steps_, point.mean_success));
  summaries_.Add(env_steps_, SuccessScalars(result));
  TACO_RETURN_IF_ERROR(KeepBestPolicy(config_, learner_->ExportActorParameters(), result,
                                      static_cast<uint64_t>(learner_->num_updates())));
  return point;
}

absl::Status Trainer::Checkpoint() {
  const std::string dir = config_.CheckpointDir();
  const absl::Time start = absl::Now();
  TACO_RETURN_IF_ERROR(FromPaco(learner_->Save(dir + "/learner.ckpt")));
  ExportCheckpointMetrics(absl::Now() - start);
  // The learner file is complete before the step count that refers to it.
  const std::string tmp = dir + "/trainer.state.tmp";
  {
    std::ofstream state(tmp, std::ios::trunc);
    state << env_steps_ << "\n";
    if (!state.good()) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, dir + "/trainer.state", ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot publish trainer state: ", ec.message()));
  last_checkpoint_ = Clock::now();
  return absl::OkStatus();
}

void Trainer::Progress() {
  const double dt = std::max(1e-9, Since(last_log_time_));
  const double steps_per_s = static_cast<double>(env_steps_ - last_log_steps_) / dt;
  const double updates_per_s =
      static_cast<double>(learner_->num_updates() - last_log_updates_) / dt;
  const double mean_return =
      episodes_ > 0 ? episode_return_sum_ / static_cast<double>(episodes_) : 0;
  const double mean_success =
      episodes_ > 0 ? episode_success_sum_ / static_cast<double>(episodes_) : 0;
  int64_t masked = 0, resets = 0;
  for (int64_t c : last_stats_.mask_count) masked += c;
  for (int64_t c : last_stats_.reset_count) resets += c;
  if (display_ != nullptr) {
    RunStatus status;
    status.title =
        absl::StrFormat("%s %s: %d tasks, %s, seed %d",
                        config_.transfer.enabled ? "transfer" : "train-local", config_.run.name,
                        num_tasks_, paco::AlgorithmName(paco_options_.algorithm), config_.run.seed);
    status.env_steps = env_steps_;
    status.total_env_steps = config_.trainer.total_env_steps;
    status.elapsed_s = Since(start_);
    status.env_steps_per_s = steps_per_s;
    status.updates = learner_->num_updates();
    status.updates_per_s = updates_per_s;
    status.details.push_back(
        absl::StrFormat("episodes since the last report %d: return %.1f, success %.2f", episodes_,
                        mean_return, mean_success));
    status.details.push_back(absl::StrFormat("losses: critic %.3g, actor %.3g | entropy %.2f",
                                             last_stats_.critic_loss, last_stats_.actor_loss,
                                             last_stats_.entropy));
    if (!result_.evaluations.empty()) {
      const EvalPoint& last = result_.evaluations.back();
      status.eval_env_steps = last.env_steps;
      status.eval_mean_success = last.mean_success;
      status.eval_task_success = last.task_success;
    }
    display_->Show(
        status, {absl::StrFormat(
                    "[train] %d/%d env steps (%.0f/s) | %d updates (%.1f/s) | %d episodes: return "
                    "%.1f, success %.2f | critic %.3g actor %.3g | entropy %.2f",
                    env_steps_, config_.trainer.total_env_steps, steps_per_s,
                    learner_->num_updates(), updates_per_s, episodes_, mean_return, mean_success,
                    last_stats_.critic_loss, last_stats_.actor_loss, last_stats_.entropy)});
  }
  progress_csv_->Row(absl::StrFormat("%d,%d,%.2f,%.1f,%.2f,%d,%.3f,%.4f,%.5g,%.5g,%.5g,%.4f,%d,%d",
                                     env_steps_, learner_->num_updates(), Since(start_),
                                     steps_per_s, updates_per_s, episodes_, mean_return,
                                     mean_success, last_stats_.actor_loss, last_stats_.critic_loss,
                                     last_stats_.alpha_loss, last_stats_.entropy, masked, resets));
  std::vector<std::pair<std::string, double>> scalars = {
      {"rate/env_steps_per_s", steps_per_s},
      {"rate/updates_per_s", updates_per_s},
      {"updates", static_cast<double>(learner_->num_updates())}};
  if (episodes_ > 0) {
    scalars.emplace_back("episodes/return", mean_return);
    scalars.emplace_back("episodes/success", mean_success);
  }
  if (last_stats_.update > 0) {
    for (auto& scalar : UpdateScalars(config_.tasks, last_stats_)) scalars.push_back(scalar);
  }
  summaries_.Add(env_steps_, scalars);
  last_log_time_ = Clock::now();
  last_log_steps_ = env_steps_;
  last_log_updates_ = learner_->num_updates();
  episode_return_sum_ = episode_success_sum_ = 0.0;
  episodes_ = 0;
}

absl::StatusOr<TrainLocalResult> Trainer::Run() {
  TACO_RETURN_IF_ERROR(Setup());
  if (options_.progress) {
    display_ = std::make_unique<StatusDisplay>(stdout, StatusDisplay::IsLiveTerminal(stdout));
  }
  start_ = last_checkpoint_ = last_log_time_ = Clock::now();
  last_log_steps_ = env_steps_;
  last_log_updates_ = learner_->num_updates();
  TACO_LOG(INFO) << "train-local: " << num_tasks_ << " tasks, " << pool_->size() << " envs, "
                 << paco::AlgorithmName(paco_options_.algorithm) << " on "
                 << learner_->device().str() << ", replay " << replay_->MemoryBytes() / (1 << 20)
                 << " MiB, run folder " << config_.RunDir()
                 << "; the acting policy follows the learner every " << sync_every_
                 << (sync_every_ == 1 ? " update" : " updates");
  const double checkpoint_s = config_.checkpoint.interval_minutes * 60.0;
  bool interrupted = false;
  while (env_steps_ < config_.trainer.total_env_steps) {
    TACO_RETURN_IF_ERROR(CollectStep());
    TACO_RETURN_IF_ERROR(TrainUpTo());
    if (env_steps_ >= next_log_) {
      Progress();
      next_log_ += config_.trainer.log_interval_env_steps;
    }
    if (env_steps_ >= next_eval_ && config_.trainer.eval_episodes_per_task > 0) {
      TACO_ASSIGN_OR_RETURN(EvalPoint point, Evaluate());
      if (display_ != nullptr) {
        display_->Message(absl::StrFormat("[eval] %d env steps: mean success %.3f", env_steps_,
                                          point.mean_success));
      }
      const bool reached =
          options_.stop_at_success > 0.0 && point.LowestSuccess() >= options_.stop_at_success;
      result_.evaluations.push_back(std::move(point));
      next_eval_ += config_.trainer.eval_interval_env_steps;
      if (reached) break;
    }
    if (Since(last_checkpoint_) > checkpoint_s) TACO_RETURN_IF_ERROR(Checkpoint());
    if (WaitForTerminationSignal(absl::ZeroDuration()) != 0) {
      TACO_LOG(INFO) << "interrupted: checkpointing at " << env_steps_ << " env steps";
      interrupted = true;
      break;
    }
  }
  if (!interrupted && env_steps_ >= config_.trainer.total_env_steps &&
      config_.trainer.eval_episodes_per_task > 0 &&
      (result_.evaluations.empty() || result_.evaluations.back().env_steps != env_steps_)) {
    TACO_ASSIGN_OR_RETURN(EvalPoint point, Evaluate());
    if (display_ != nullptr) {
      display_->Message(absl::StrFormat("[eval] %d env steps: mean success %.3f", env_steps_,
                                        point.mean_success));
    }
    result_.evaluations.push_back(std::move(point));
  }
  TACO_RETURN_IF_ERROR(Checkpoint());
  result_.env_steps = env_steps_;
  result_.updates = learner_->num_updates();
  result_.wall_s = Since(start_);
  TACO_LOG(INFO) << "the acting policy took the learner's parameters " << result_.policy_syncs
                 << " times (every " << sync_every_ << (sync_every_ == 1 ? " update" : " updates")
                 << ", and before each evaluation)";
  return result_;
}

}  // namespace

absl::StatusOr<TrainLocalResult> TrainLocal(const RunConfig& config,
                                            const TrainLocalOptions& options) {
  paco::TuneHostAllocator();
  if (config.metrics.enabled) {
    // One process plays every role: it serves on the learner's port.
    // One process: when another run holds the configured port, a port the
    // OS picks serves as well (the log names it), so runs can go side by side.
    absl::Status served = Metrics::Process().Serve(config.metrics.bind, config.metrics.base_port);
    if (!served.ok() && config.metrics.base_port != 0) {
      TACO_LOG(WARNING) << served.message() << "; serving metrics on a free port instead";
      served = Metrics::Process().Serve(config.metrics.bind, 0);
    }
    TACO_RETURN_IF_ERROR(served);
    TACO_LOG(INFO) << "metrics on " << config.metrics.bind << ":" << Metrics::Process().port();
  }
  Metrics::Process()
      .Gauge("taco_process_up", "1 while the process runs", {{"role", "train-local"}})
      .Set(1);
  Trainer trainer(config, options);
  return trainer.Run();
}

}  // namespace taco
