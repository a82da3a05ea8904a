// The learner's hyper-parameters from a run config, and paco's status type
// in absl's terms.
#ifndef TACO_LEARNER_LEARNER_CONFIG_H_
#define TACO_LEARNER_LEARNER_CONFIG_H_

#include "absl/status/statusor.h"
#include "common/run_config.h"
#include "learner/paco/options.h"
#include "learner/paco/status.h"

namespace taco {

absl::StatusOr<paco::PacoOptions> PacoOptionsFromConfig(const RunConfig& config);

absl::Status FromPaco(const paco::Status& status);

}  // namespace taco

#endif  // TACO_LEARNER_LEARNER_CONFIG_H_
