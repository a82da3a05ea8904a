// A vector of Meta-World envs of mixed tasks stepped across a thread pool
// with batched arrays in and out (in the manner of EnvPool): auto-reset, a
// task id per env and per-episode statistics.
#ifndef TACO_ACTOR_ENVS_ENV_POOL_H_
#define TACO_ACTOR_ENVS_ENV_POOL_H_

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "actor/envs/sawyer_env.h"

namespace taco::envs {

struct EnvPoolConfig {
  // One task name per env; the pool's size is tasks.size().
  std::vector<std::string> tasks;
  // Applied to every env; env i is seeded with env.seed + i.
  EnvConfig env;
  // Worker threads including the caller's; 1 steps everything inline.
  int num_threads = 1;
  // The task of each episode (Algorithm 1 of the TaCo paper): when not empty,
  // every env draws its next task from these names, with probability
  // proportional to task_weights, at each auto-reset; `tasks` then only sets
  // the first episode's.
  std::vector<std::string> task_choices;
  std::vector<double> task_weights;
  // With task_choices: how many instances of the tasks it is not running an
  // env keeps for their next episodes, the most recently run ones. An older
  // one is closed (its scene, ~10 MB, freed) and made again from the scene
  // when its task is drawn, with its goal generator where it stopped, so the
  // episodes are the same whatever this is; only memory and scene loads
  // change. 9 keeps every MT10 task; without a bound, an MT50 env would keep
  // 50 instances and a pool of 50 envs about 30 GB.
  int max_parked_per_env = 9;
};

// Batched results of one Step, row i belonging to env i.
struct PoolStep {
  // N×39: the observation to act on next; after an episode ended this is the
  // first observation of the next episode (the env was reset).
  std::vector<double> obs;
  // N×39: the observation the action led to (differs from obs only where
  // done), for building transitions.
  std::vector<double> final_obs;
  std::vector<double> reward;
  std::vector<uint8_t> terminal;
  std::vector<uint8_t> truncated;
  std::vector<uint8_t> success;
  // terminal || truncated: the env was reset after this step.
  std::vector<uint8_t> done;
  // Index into AllTasks(): the task this step ran.
  std::vector<int> task_id;
  // The task of the observation in `obs`: differs from task_id only where
  // an episode ended and the env drew another task.
  std::vector<int> next_task_id;
  // Episode statistics, meaningful where done: summed reward, steps, and
  // whether success was reached at any step.
  std::vector<double> episode_return;
  std::vector<int> episode_length;
  std::vector<uint8_t> episode_success;
};

class EnvPool {
 public:
  static absl::StatusOr<std::unique_ptr<EnvPool>> Create(const EnvPoolConfig& config);
  ~EnvPool();
  EnvPool(const EnvPool&) = delete;
  EnvPool& operator=(const EnvPool&) = delete;

  int size() const { return static_cast<int>(envs_.size()); }
  const std::vector<int>& task_ids() const { return task_ids_; }
  SawyerEnv& env(int i) { return *envs_[i]; }

  // Resets every env; `obs` receives N×39 numbers.
  absl::Status Reset(std::vector<double>* obs);
  // Steps every env with its row of `actions` (N×4). A wrong size or a
  // non-finite number is rejected before any env moves.
  absl::Status Step(absl::Span<const double> actions, PoolStep* out);

  // Replaces the weights of task_choices (e.g. a new task distribution);
  // takes effect at the next resets. Call between Steps.
  absl::Status SetTaskWeights(const std::vector<double>& weights);

 private:
  class Workers;

  EnvPool() = default;
  // Runs fn(i) for every env across the workers; the first error wins.
  absl::Status ForEachEnv(const std::function<absl::Status(int)>& fn);
  absl::Status StepOne(int i, absl::Span<const double> action, PoolStep* out);

  // Switches env i to a task drawn from task_choices (at an episode end).
  absl::Status DrawNextTask(int i);

  std::vector<std::unique_ptr<SawyerEnv>> envs_;
  std::vector<int> task_ids_;
  EnvConfig env_config_;
  std::vector<int> choice_ids_;  // AllTasks() index of each task choice
  std::vector<double> cumulative_weights_;
  std::vector<uint64_t> draw_state_;  // per-env generator state for task draws
  // Instances of the other tasks an env has run, by AllTasks() index, and
  // those tasks from the most recently run (kept to max_parked_per_env).
  std::vector<std::map<int, std::unique_ptr<SawyerEnv>>> parked_;
  std::vector<std::list<int>> parked_order_;
  // The goal generators of the instances an env closed, by AllTasks() index.
  std::vector<std::map<int, NumpyRandom>> closed_random_;
  int max_parked_per_env_ = 0;
  std::vector<double> running_return_;
  std::vector<int> running_length_;
  std::vector<uint8_t> running_success_;
  std::unique_ptr<Workers> workers_;
};

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_ENV_POOL_H_
