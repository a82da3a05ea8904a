#include "learner/online_grouping.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/status.h"
#include "learner/learner_config.h"

namespace taco {

bool RegroupDue(const RunConfig& config, int64_t updates) {
  return config.task_distribution.kind == "online" && updates > 0 &&
         updates % config.task_distribution.online.regroup_every_updates == 0;
}

absl::StatusOr<paco::TaskGrouping> GroupTasksOnline(const RunConfig& config,
                                                    const paco::NamedTensors& actor_params) {
  const OnlineGroupingConfig& online = config.task_distribution.online;
  auto kind = paco::ParseGroupingFeatures(online.features);
  if (!kind.ok()) return FromPaco(kind.status());
  auto features = paco::TaskFeatures(actor_params, *kind);
  if (!features.ok()) return Annotate(FromPaco(features.status()), "online task grouping");
  if (features->size() != config.tasks.size()) {
    return absl::FailedPreconditionError(
        absl::StrCat("online task grouping: the parameters describe ", features->size(),
                     " tasks, the config lists ", config.tasks.size()));
  }
  auto grouping = paco::GroupTasks(*features, online.eps, online.min_samples);
  if (!grouping.ok()) return FromPaco(grouping.status());
  return std::move(grouping).value();
}

absl::StatusOr<paco::TaskGrouping> RegroupTasks(const RunConfig& config,
                                                const paco::NamedTensors& actor_params,
                                                int64_t updates) {
  const OnlineGroupingConfig& online = config.task_distribution.online;
  auto grouping = taco::GroupTasksOnline(config, actor_params);
  if (!grouping.ok()) return grouping.status();
  TACO_LOG(INFO) << "task groups at " << updates << " updates (" << online.features << ", eps "
                 << online.eps << ", min_samples " << online.min_samples
                 << "): " << grouping->groups.size()
                 << " groups: " << DescribeGroups(config.tasks, *grouping);
  Metrics& m = Metrics::Process();
  for (size_t t = 0; t < config.tasks.size(); ++t) {
    const prometheus::Labels labels = {{"task", config.tasks[t]}};
    m.Gauge("taco_task_group", "Group of the task in the last online regrouping", labels)
        .Set(grouping->group_of_task[t]);
    m.Gauge("taco_task_probability", "Current task distribution p_task", labels)
        .Set(grouping->p[t]);
  }
  return std::move(grouping).value();
}

std::string DescribeGroups(const std::vector<std::string>& tasks,
                           const paco::TaskGrouping& grouping) {
  std::vector<std::string> parts;
  for (const std::vector<int64_t>& group : grouping.groups) {
    std::vector<std::string> names;
    for (int64_t t : group) {
      names.push_back(t < static_cast<int64_t>(tasks.size()) ? tasks[t] : absl::StrCat(t));
    }
    const double p = group.empty() || group[0] >= static_cast<int64_t>(grouping.p.size())
                         ? 0.0
                         : grouping.p[group[0]];
    parts.push_back(absl::StrFormat("{%s} p=%.4g%s", absl::StrJoin(names, ", "), p,
                                    group.size() > 1 ? " each" : ""));
  }
  return absl::StrJoin(parts, "; ");
}

NamedArray TaskProbabilitiesArray(const std::vector<double>& p) {
  NamedArray a;
  a.name = kTaskProbabilitiesArray;
  a.shape = {static_cast<int64_t>(p.size())};
  a.values.assign(p.begin(), p.end());
  return a;
}

absl::StatusOr<std::optional<std::vector<double>>> FindTaskProbabilities(const ParameterSet& set) {
  for (const NamedArray& a : set.arrays) {
    if (a.name != kTaskProbabilitiesArray) continue;
    if (a.values.size() != set.tasks.size()) {
      return absl::InvalidArgumentError(absl::StrCat("parameter '", kTaskProbabilitiesArray,
                                                     "' has ", a.values.size(), " values for ",
                                                     set.tasks.size(), " tasks"));
    }
    std::vector<double> p;
    for (float v : a.values) {
      if (!std::isfinite(v) || v < 0.0f) {
        return absl::InvalidArgumentError(absl::StrCat("parameter '", kTaskProbabilitiesArray,
                                                       "' holds a negative or non-finite value"));
      }
      p.push_back(v);
    }
    return std::optional<std::vector<double>>(std::move(p));
  }
  return std::optional<std::vector<double>>();
}

}  // namespace taco
