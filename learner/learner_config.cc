#include "learner/learner_config.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "learner/paco/task_distribution.h"

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
  auto w_init = paco::ParseWInit(a.w_init);
  if (!w_init.ok()) return FromPaco(w_init.status());
  o.w_init = *w_init;
  auto entropy = paco::ParseTargetEntropyRule(a.target_entropy);
  if (!entropy.ok()) return FromPaco(entropy.status());
  o.target_entropy = *entropy;

  auto aggregation = paco::ParseLossAggregation(a.loss_aggregation);
  if (!aggregation.ok()) return FromPaco(aggregation.status());
  o.loss_aggregation = *aggregation;
  o.target_entropy_value = a.target_entropy_value;
  o.num_critic_replicas = a.num_critic_replicas;
  o.identical_component_init = a.identical_component_init;
  o.w_init_std = a.w_init_std;
  o.projection_init_gain = a.projection_init_gain;
  o.critic_output_init = a.critic_output_init;
  o.log_std_min = a.log_std_min;
  o.log_std_max = a.log_std_max;
  o.adam_beta1 = a.adam_beta1;
  o.adam_beta2 = a.adam_beta2;
  o.adam_epsilon = a.adam_epsilon;
  o.dqda_clipping = a.dqda_clipping;
  o.max_grad_norm = a.max_grad_norm;
  o.target_update_period = a.target_update_period;
  o.w_reset_includes_absent_tasks = a.w_reset_includes_absent_tasks;
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
  o.cuda_graphs = config.trainer.cuda_graphs;
  o.tf32 = config.trainer.tf32;
  o.seed = static_cast<uint64_t>(config.run.seed);
  TACO_RETURN_IF_ERROR(
      Annotate(FromPaco(o.Validate()), absl::StrCat(config.source, ": algorithm")));
  return o;
}

absl::StatusOr<std::vector<double>> TaskProbabilities(const RunConfig& config) {
  const TaskDistributionConfig& d = config.task_distribution;
  const int64_t n = static_cast<int64_t>(config.tasks.size());
  auto index_of = [&config](const std::string& task) -> int64_t {
    auto it = std::find(config.tasks.begin(), config.tasks.end(), task);
    return it == config.tasks.end() ? -1 : it - config.tasks.begin();
  };
  // Online grouping starts without groups: uniform until the learner's first
  // regrouping (learner/online_grouping.h).
  if (d.kind == "uniform" || d.kind == "online") return paco::UniformDistribution(n);
  if (d.kind == "groups") {
    std::vector<std::vector<int64_t>> groups;
    for (const auto& names : d.groups) {
      std::vector<int64_t> group;
      for (const std::string& name : names) group.push_back(index_of(name));
      groups.push_back(std::move(group));
    }
    auto p = paco::GroupDistribution(groups, n);
    if (!p.ok()) return FromPaco(p.status());
    return *p;
  }
  if (d.kind == "weights") {
    std::vector<double> weights(static_cast<size_t>(n), 1.0);
    for (const auto& [task, weight] : d.weights) {
      const int64_t i = index_of(task);
      if (i < 0)
        return absl::InvalidArgumentError(absl::StrCat("task weight for unknown task ", task));
      weights[i] = weight;
    }
    auto p = paco::WeightDistribution(weights);
    if (!p.ok()) return FromPaco(p.status());
    return *p;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("task_distribution.kind '", d.kind, "' is unknown"));
}

}  // namespace taco
