#include "actor/envs/env_pool.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "actor/envs/task_registry.h"
#include "common/status.h"

namespace taco::envs {

// Persistent threads that, on each Run(), pull env indices from a shared
// counter, so envs of uneven cost (contact-heavy tasks) balance out. The
// calling thread works too, so num_threads == 1 needs no thread at all.
class EnvPool::Workers {
 public:
  Workers(int num_threads, int num_items) : num_items_(num_items) {
    for (int i = 1; i < num_threads; ++i) {
      threads_.emplace_back([this] { Loop(); });
    }
  }

  ~Workers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    start_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  void Run(const std::function<void(int)>& fn) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn_ = &fn;
      next_.store(0);
      busy_ = static_cast<int>(threads_.size());
      ++generation_;
    }
    start_.notify_all();
    Drain(fn);
    std::unique_lock<std::mutex> lock(mutex_);
    finished_.wait(lock, [this] { return busy_ == 0; });
    fn_ = nullptr;
  }

 private:
  void Drain(const std::function<void(int)>& fn) {
    for (int i = next_.fetch_add(1); i < num_items_; i = next_.fetch_add(1)) {
      fn(i);
    }
  }

  void Loop() {
    uint64_t seen = 0;
    while (true) {
      const std::function<void(int)>* fn;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        fn = fn_;
      }
      Drain(*fn);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--busy_ == 0) finished_.notify_one();
      }
    }
  }

  const int num_items_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable finished_;
  const std::function<void(int)>* fn_ = nullptr;
  std::atomic<int> next_{0};
  int busy_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
};

absl::StatusOr<std::unique_ptr<EnvPool>> EnvPool::Create(const EnvPoolConfig& config) {
  if (config.tasks.empty()) {
    return absl::InvalidArgumentError("an env pool needs at least one task");
  }
  if (config.num_threads < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_threads must be at least 1, got ", config.num_threads));
  }
  if (config.max_parked_per_env < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_parked_per_env must be at least 0, got ", config.max_parked_per_env));
  }
  std::unique_ptr<EnvPool> pool(new EnvPool());
  const int n = static_cast<int>(config.tasks.size());
  pool->envs_.resize(n);
  pool->task_ids_.resize(n);
  const absl::Span<const TaskDef* const> all = AllTasks();
  for (int i = 0; i < n; ++i) {
    TACO_ASSIGN_OR_RETURN(const TaskDef* def, FindTask(config.tasks[i]));
    pool->task_ids_[i] = static_cast<int>(std::find(all.begin(), all.end(), def) - all.begin());
  }
  if (!config.task_choices.empty()) {
    for (const std::string& name : config.task_choices) {
      TACO_ASSIGN_OR_RETURN(const TaskDef* def, FindTask(name));
      pool->choice_ids_.push_back(
          static_cast<int>(std::find(all.begin(), all.end(), def) - all.begin()));
    }
    const std::vector<double> weights = config.task_weights.empty()
                                            ? std::vector<double>(config.task_choices.size(), 1.0)
                                            : config.task_weights;
    TACO_RETURN_IF_ERROR(pool->SetTaskWeights(weights));
  }
  pool->env_config_ = config.env;
  pool->parked_.resize(n);
  pool->parked_order_.resize(n);
  pool->closed_random_.resize(n);
  pool->max_parked_per_env_ = config.max_parked_per_env;
  pool->draw_state_.resize(n);
  for (int i = 0; i < n; ++i) {
    pool->draw_state_[i] = 0x9e3779b97f4a7c15ULL * (config.env.seed + 1) + static_cast<uint64_t>(i);
  }
  pool->running_return_.assign(n, 0);
  pool->running_length_.assign(n, 0);
  pool->running_success_.assign(n, 0);
  pool->workers_ = std::make_unique<Workers>(std::min(config.num_threads, n), n);
  // Scene loading dominates construction, so it is spread over the workers
  // too.
  TACO_RETURN_IF_ERROR(pool->ForEachEnv([&](int i) -> absl::Status {
    EnvConfig env_config = config.env;
    env_config.seed = config.env.seed + static_cast<uint32_t>(i);
    TACO_ASSIGN_OR_RETURN(pool->envs_[i], MakeEnv(config.tasks[i], env_config));
    return absl::OkStatus();
  }));
  return pool;
}

EnvPool::~EnvPool() = default;

absl::Status EnvPool::ForEachEnv(const std::function<absl::Status(int)>& fn) {
  std::vector<absl::Status> statuses(envs_.size());
  workers_->Run([&](int i) { statuses[i] = fn(i); });
  for (const absl::Status& s : statuses) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status EnvPool::Reset(std::vector<double>* obs) {
  obs->resize(envs_.size() * kObsDim);
  return ForEachEnv([&](int i) -> absl::Status {
    TACO_ASSIGN_OR_RETURN(const Observation o, envs_[i]->Reset());
    std::copy(o.begin(), o.end(), obs->begin() + i * kObsDim);
    running_return_[i] = 0;
    running_length_[i] = 0;
    running_success_[i] = 0;
    return absl::OkStatus();
  });
}

absl::Status EnvPool::Step(absl::Span<const double> actions, PoolStep* out) {
  const size_t n = envs_.size();
  if (actions.size() != n * kActionDim) {
    return absl::InvalidArgumentError(absl::StrCat("pool of ", n, " envs needs ", n * kActionDim,
                                                   " action numbers, got ", actions.size()));
  }
  for (size_t k = 0; k < actions.size(); ++k) {
    if (!std::isfinite(actions[k])) {
      return absl::InvalidArgumentError(absl::StrCat("action of env ", k / kActionDim,
                                                     " has a NaN or ",
                                                     "infinite component; no env was stepped"));
    }
  }
  out->obs.resize(n * kObsDim);
  out->final_obs.resize(n * kObsDim);
  out->reward.resize(n);
  out->terminal.resize(n);
  out->truncated.resize(n);
  out->success.resize(n);
  out->done.resize(n);
  out->task_id = task_ids_;
  out->next_task_id = task_ids_;
  out->episode_return.resize(n);
  out->episode_length.resize(n);
  out->episode_success.resize(n);
  return ForEachEnv(
      [&](int i) { return StepOne(i, actions.subspan(i * kActionDim, kActionDim), out); });
}

absl::Status EnvPool::StepOne(int i, absl::Span<const double> action, PoolStep* out) {
  TACO_ASSIGN_OR_RETURN(const StepResult r, envs_[i]->Step(action));
  running_return_[i] += r.reward;
  running_length_[i] += 1;
  running_success_[i] |= r.success ? 1 : 0;
  const bool done = r.terminal || r.truncated;
  std::copy(r.obs.begin(), r.obs.end(), out->final_obs.begin() + i * kObsDim);
  out->reward[i] = r.reward;
  out->terminal[i] = r.terminal;
  out->truncated[i] = r.truncated;
  out->success[i] = r.success;
  out->done[i] = done;
  out->episode_return[i] = running_return_[i];
  out->episode_length[i] = running_length_[i];
  out->episode_success[i] = running_success_[i];
  if (!done) {
    std::copy(r.obs.begin(), r.obs.end(), out->obs.begin() + i * kObsDim);
    return absl::OkStatus();
  }
  if (!choice_ids_.empty()) {
    TACO_RETURN_IF_ERROR(DrawNextTask(i));
    out->next_task_id[i] = task_ids_[i];
  }
  TACO_ASSIGN_OR_RETURN(const Observation first, envs_[i]->Reset());
  std::copy(first.begin(), first.end(), out->obs.begin() + i * kObsDim);
  running_return_[i] = 0;
  running_length_[i] = 0;
  running_success_[i] = 0;
  return absl::OkStatus();
}

absl::Status EnvPool::SetTaskWeights(const std::vector<double>& weights) {
  if (choice_ids_.empty()) {
    return absl::FailedPreconditionError("this pool was built without task_choices");
  }
  if (weights.size() != choice_ids_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected ", choice_ids_.size(), " task weights, got ", weights.size()));
  }
  std::vector<double> cumulative;
  double total = 0.0;
  for (double w : weights) {
    if (!std::isfinite(w) || w < 0.0) {
      return absl::InvalidArgumentError(
          absl::StrCat("task weight ", w, " is not a finite number >= 0"));
    }
    total += w;
    cumulative.push_back(total);
  }
  if (total <= 0.0) return absl::InvalidArgumentError("task weights sum to zero");
  cumulative_weights_ = std::move(cumulative);
  return absl::OkStatus();
}

absl::Status EnvPool::DrawNextTask(int i) {
  // splitmix64: a small per-env generator, so draws do not depend on which
  // worker thread steps which env.
  uint64_t z = (draw_state_[i] += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  const double u = static_cast<double>(z >> 11) * 0x1.0p-53 * cumulative_weights_.back();
  const size_t pick = static_cast<size_t>(
      std::upper_bound(cumulative_weights_.begin(), cumulative_weights_.end(), u) -
      cumulative_weights_.begin());
  const int next = choice_ids_[std::min(pick, choice_ids_.size() - 1)];
  if (next == task_ids_[i]) return absl::OkStatus();
  auto& parked = parked_[i];
  auto& order = parked_order_[i];
  auto it = parked.find(next);
  std::unique_ptr<SawyerEnv> env;
  if (it != parked.end()) {
    env = std::move(it->second);
    parked.erase(it);
    order.remove(next);
  } else {
    EnvConfig config = env_config_;
    config.seed =
        env_config_.seed + static_cast<uint32_t>(i) + 7919u * static_cast<uint32_t>(next + 1);
    TACO_ASSIGN_OR_RETURN(env, MakeEnv(AllTasks()[next]->name, config));
    auto closed = closed_random_[i].find(next);
    if (closed != closed_random_[i].end()) {
      env->RestoreRandom(closed->second);
      closed_random_[i].erase(closed);
    }
  }
  const int current = task_ids_[i];
  parked[current] = std::move(envs_[i]);
  order.push_front(current);
  while (static_cast<int>(order.size()) > max_parked_per_env_) {
    const int oldest = order.back();
    order.pop_back();
    closed_random_[i].insert_or_assign(oldest, parked[oldest]->random());
    parked.erase(oldest);
  }
  envs_[i] = std::move(env);
  task_ids_[i] = next;
  return absl::OkStatus();
}

}  // namespace taco::envs
