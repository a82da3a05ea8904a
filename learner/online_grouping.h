// TaCo-online in the training processes (task_distribution.kind online): the
// learner of `taco learner` and `taco train-local` regroups the tasks every
// task_distribution.online.regroup_every_updates updates from its current
// actor parameters, composes its batches with the new p and hands p to the
// envs (train-local's pool; the actors through the parameter broadcast).
//
// Regrouping is rare and costs one parameter export and O(T²·|θ|) distance
// work, so nothing here is on a per-step path.
#ifndef TACO_LEARNER_ONLINE_GROUPING_H_
#define TACO_LEARNER_ONLINE_GROUPING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/parameters.h"
#include "common/run_config.h"
#include "learner/paco/task_grouping.h"

namespace taco {

// The ParameterSet array [T] that carries the learner's p to the actors
// (float32, config.tasks order). Published only for kind online.
inline constexpr char kTaskProbabilitiesArray[] = "task_probabilities";

// True for kind online when a learner that has done `updates` updates (> 0)
// is due to regroup.
bool RegroupDue(const RunConfig& config, int64_t updates);

// The grouping the trainer forms from `actor_params`
// (Learner::ExportActorParameters) with the task_distribution.online
// settings — also what `taco inspect` shows — without logging or metrics.
absl::StatusOr<paco::TaskGrouping> GroupTasksOnline(const RunConfig& config,
                                                    const paco::NamedTensors& actor_params);

// Groups config.tasks by DBSCAN over the features of `actor_params`
// (Learner::ExportActorParameters) with the task_distribution.online
// settings, logs the groups by task name in one INFO line, and sets the
// gauges taco_task_group and taco_task_probability.
absl::StatusOr<paco::TaskGrouping> RegroupTasks(const RunConfig& config,
                                                const paco::NamedTensors& actor_params,
                                                int64_t updates);

// "{reach-v2, push-v2} p=0.25 each; {pick-place-v2} p=0.5": each group's
// tasks by name and the probability of each of its tasks.
std::string DescribeGroups(const std::vector<std::string>& tasks,
                           const paco::TaskGrouping& grouping);

NamedArray TaskProbabilitiesArray(const std::vector<double>& p);
// p from a broadcast parameter set; nullopt when the set carries none.
// Errors when it carries one that does not fit the set's tasks.
absl::StatusOr<std::optional<std::vector<double>>> FindTaskProbabilities(const ParameterSet& set);

}  // namespace taco

#endif  // TACO_LEARNER_ONLINE_GROUPING_H_
