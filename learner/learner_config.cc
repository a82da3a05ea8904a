#include "learner/learner_config.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace taco {

absl::Status FromPaco(const paco::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.code()), status.message());
}

absl::StatusOr<paco::PacoOptions> PacoOptionsFromConfig(const RunConfig& config) {
  const AlgorithmConfig& a = config.algorithm;
  paco::PacoOptions o;
  auto algorithm = paco::ParseAlgorithm(a.name);
  if (!algorithm.ok()) return FromPaco(algorithm.status());
  o.algorithm = *algorithm;
  auto path = paco::ParseComputePath(a.compute_path);
  if (!path.ok()) return FromPaco(path.status());
  o.compute_path = *path;
  auto reset = paco::ParseWResetWeights(a.w_reset_weights);
  if (!reset.ok()) return FromPaco(reset.status());
  o.w_reset_weights = *reset;
  auto entropy = paco::ParseTargetEntropyRule(a.target_entropy);
  if (!entropy.ok()) return FromPaco(entropy.status());
  o.target_entropy = *entropy;

  o.num_tasks = static_cast<int64_t>(config.tasks.size());
  o.num_components = a.num_components;
  o.hidden_sizes.assign(a.hidden_sizes.begin(), a.hidden_sizes.end());
  o.actor_lr = a.actor_lr;
  o.critic_lr = a.critic_lr;
  o.w_lr = a.w_lr;
  o.alpha_lr = a.alpha_lr;
  o.discount = a.discount;
  o.target_update_tau = a.target_update_tau;
  o.loss_threshold = a.loss_threshold;
  o.mask_extreme_tasks = a.mask_extreme_tasks;
  o.reset_extreme_w = a.reset_extreme_w;
  o.initial_log_alpha = a.initial_log_alpha;
  o.min_log_alpha = a.min_log_alpha;
  o.max_log_alpha = a.max_log_alpha;
  o.batch_size = config.trainer.batch_size;
  o.device = config.trainer.device;
  o.seed = static_cast<uint64_t>(config.run.seed);
  TACO_RETURN_IF_ERROR(
      Annotate(FromPaco(o.Validate()), absl::StrCat(config.source, ": algorithm")));
  return o;
}

}  // namespace taco
