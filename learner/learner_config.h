// The learner's hyper-parameters from a run config, and paco's status type
// in absl's terms.
#ifndef TACO_LEARNER_LEARNER_CONFIG_H_
#define TACO_LEARNER_LEARNER_CONFIG_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/run_config.h"
#include "learner/paco/options.h"
#include "learner/paco/status.h"

namespace taco {

absl::StatusOr<paco::PacoOptions> PacoOptionsFromConfig(const RunConfig& config);

absl::Status FromPaco(const paco::Status& status);

// p_τ over config.tasks from task_distribution (uniform, groups, weights;
// tasks a weights map leaves out weigh 1). Online starts uniform: its groups
// come from the learner's parameters later (learner/online_grouping.h).
absl::StatusOr<std::vector<double>> TaskProbabilities(const RunConfig& config);

}  // namespace taco

#endif  // TACO_LEARNER_LEARNER_CONFIG_H_
