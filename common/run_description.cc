#include "common/run_description.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/file_util.h"
#include "common/status.h"
#include "common/version.h"

namespace taco {
namespace {

using nlohmann::json;

// Every key of the run config with the value in force (defaults, file and
// --set overrides resolved), section by section as the YAML spells them.
json ResolvedConfig(const RunConfig& c) {
  const AlgorithmConfig& a = c.algorithm;
  const TrainerConfig& t = c.trainer;
  const ReplayConfig& r = c.replay;
  const TopologyConfig& p = c.topology;
  const TaskDistributionConfig& d = c.task_distribution;
  const TransferConfig& x = c.transfer;
  const SecurityConfig& s = c.security;
  return json{
      {"run", {{"name", c.run.name}, {"seed", c.run.seed}, {"output_dir", c.run.output_dir}}},
      {"tasks", c.tasks},
      {"env",
       {{"assets_dir", c.env.assets_dir},
        {"max_episode_steps", c.env.max_episode_steps},
        {"goals", c.env.goals},
        {"num_variants", c.env.num_variants}}},
      {"algorithm",
       {{"name", a.name},
        {"num_components", a.num_components},
        {"hidden_sizes", a.hidden_sizes},
        {"actor_lr", a.actor_lr},
        {"critic_lr", a.critic_lr},
        {"w_lr", a.w_lr},
        {"alpha_lr", a.alpha_lr},
        {"discount", a.discount},
        {"target_update_tau", a.target_update_tau},
        {"loss_threshold", a.loss_threshold},
        {"mask_extreme_tasks", a.mask_extreme_tasks},
        {"reset_extreme_w", a.reset_extreme_w},
        {"w_reset_weights", a.w_reset_weights},
        {"target_entropy", a.target_entropy},
        {"initial_log_alpha", a.initial_log_alpha},
        {"min_log_alpha", a.min_log_alpha},
        {"max_log_alpha", a.max_log_alpha},
        {"compute_path", a.compute_path},
        {"num_critic_replicas", a.num_critic_replicas},
        {"identical_component_init", a.identical_component_init},
        {"w_init", a.w_init},
        {"w_init_std", a.w_init_std},
        {"projection_init_gain", a.projection_init_gain},
        {"critic_output_init", a.critic_output_init},
        {"log_std_min", a.log_std_min},
        {"log_std_max", a.log_std_max},
        {"adam_beta1", a.adam_beta1},
        {"adam_beta2", a.adam_beta2},
        {"adam_epsilon", a.adam_epsilon},
        {"dqda_clipping", a.dqda_clipping},
        {"max_grad_norm", a.max_grad_norm},
        {"target_update_period", a.target_update_period},
        {"target_entropy_value", a.target_entropy_value},
        {"loss_aggregation", a.loss_aggregation},
        {"w_reset_includes_absent_tasks", a.w_reset_includes_absent_tasks}}},
      {"trainer",
       {{"total_env_steps", t.total_env_steps},
        {"exploration_steps", t.exploration_steps},
        {"batch_size", t.batch_size},
        {"env_steps_per_update", t.env_steps_per_update},
        {"num_envs", t.num_envs},
        {"replay_capacity", t.replay_capacity},
        {"eval_interval_env_steps", t.eval_interval_env_steps},
        {"eval_episodes_per_task", t.eval_episodes_per_task},
        {"device", t.device},
        {"cuda_graphs", t.cuda_graphs},
        {"tf32", t.tf32},
        {"policy_sync_every_updates", t.policy_sync_every_updates},
        {"threads", t.threads},
        {"log_interval_env_steps", t.log_interval_env_steps}}},
      {"replay",
       {{"samples_per_insert", r.samples_per_insert},
        {"min_size_to_sample", r.min_size_to_sample},
        {"error_buffer", r.error_buffer},
        {"max_insert_lead", r.max_insert_lead},
        {"rate_limiter_timeout_s", r.rate_limiter_timeout_s},
        {"max_message_mb", r.max_message_mb},
        {"max_insert_batch", r.max_insert_batch},
        {"actor_idle_expiry_minutes", r.actor_idle_expiry_minutes}}},
      {"task_distribution",
       {{"kind", d.kind},
        {"groups", d.groups},
        {"weights", d.weights},
        {"online",
         {{"features", d.online.features},
          {"eps", d.online.eps},
          {"min_samples", d.online.min_samples},
          {"regroup_every_updates", d.online.regroup_every_updates}}}}},
      {"topology",
       {{"host", p.host},
        {"learner_address", p.learner_address},
        {"replay_addresses", p.replay_addresses},
        {"replay_shards", p.replay_shards},
        {"replay_base_port", p.replay_base_port},
        {"learner_port", p.learner_port},
        {"actors", p.actors},
        {"envs_per_actor", p.envs_per_actor},
        {"actor_batch", p.actor_batch},
        {"publish_every_updates", p.publish_every_updates}}},
      {"metrics",
       {{"enabled", c.metrics.enabled},
        {"bind", c.metrics.bind},
        {"base_port", c.metrics.base_port}}},
      {"checkpoint",
       {{"dir", c.checkpoint.dir},
        {"interval_minutes", c.checkpoint.interval_minutes},
        {"keep", c.checkpoint.keep}}},
      // Paths only: no key or token material is read here.
      {"security",
       {{"tls_cert", s.tls_cert},
        {"tls_key", s.tls_key},
        {"client_ca", s.client_ca},
        {"ca_cert", s.ca_cert},
        {"tls_server_name", s.tls_server_name},
        {"token_file", s.token_file},
        {"allow_insecure_remote", s.allow_insecure_remote}}},
      {"transfer",
       {{"enabled", x.enabled},
        {"source_checkpoint", x.source_checkpoint},
        {"exploration_steps", x.exploration_steps},
        {"mode", x.mode},
        {"new_task_weights", x.new_task_weights},
        {"success_threshold", x.success_threshold},
        {"max_env_steps", x.max_env_steps}}},
      {"logging", {{"level", c.logging.level}}}};
}

}  // namespace

absl::Status WriteRunDescription(const RunConfig& config, const std::string& kind,
                                 const std::map<std::string, std::string>& libraries) {
  const TransferConfig& t = config.transfer;
  // The keys `taco report` reads stay at the top.
  json description = {{"name", config.run.name},
                      {"kind", kind},
                      {"algorithm", config.algorithm.name},
                      {"task_distribution", config.task_distribution.kind},
                      {"tasks", config.tasks},
                      {"seed", config.run.seed},
                      {"env_steps_per_update", config.trainer.env_steps_per_update},
                      {"exploration_env_steps", config.trainer.exploration_steps},
                      {"success_threshold", t.success_threshold},
                      {"max_env_steps", t.max_env_steps}};
  if (kind == "transfer") {
    description["source_checkpoint"] = t.source_checkpoint;
    description["exploration_steps"] = t.exploration_steps;
    description["mode"] = t.mode;
    description["new_task_weights"] = t.new_task_weights;
  }
  description["taco_version"] = TACO_VERSION;
  description["git_commit"] = GitCommit();
  json libs = {{"libtorch", TACO_TORCH_VERSION}};
  for (const auto& [name, version] : libraries) libs[name] = version;
  description["libraries"] = libs;
  description["started"] = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  description["config_file"] = config.source;
  description["config"] = ResolvedConfig(config);
  std::error_code ec;
  std::filesystem::create_directories(config.RunDir(), ec);
  return WriteFileAtomically(config.RunDir() + "/run.json", description.dump(2) + "\n");
}

absl::StatusOr<RunConfig> ReadRunConfig(const std::string& run_dir,
                                        const std::vector<std::string>& known_tasks) {
  namespace fs = std::filesystem;
  const std::string path = (fs::path(run_dir) / "run.json").string();
  if (!fs::exists(path)) return absl::NotFoundError(absl::StrCat("no run.json in ", run_dir));
  TACO_ASSIGN_OR_RETURN(const std::string text, ReadSmallFile(path, 16 << 20));
  const json description = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (description.is_discarded() || !description.is_object() || !description.contains("config") ||
      !description["config"].is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " holds no resolved config (written by an older taco?)"));
  }
  // JSON is YAML: the resolved config parses and validates as a config file.
  TACO_ASSIGN_OR_RETURN(RunConfig config,
                        ParseRunConfig(description["config"].dump(), path, known_tasks));
  const fs::path dir = fs::absolute(run_dir).lexically_normal();
  const fs::path folder = dir.filename().empty() ? dir.parent_path() : dir;
  config.run.name = folder.filename().string();
  config.run.output_dir = folder.parent_path().string();
  config.checkpoint.dir = (folder / "checkpoints").string();
  if (!config.env.assets_dir.empty() && !fs::is_directory(config.env.assets_dir)) {
    config.env.assets_dir.clear();
  }
  config.source = path;
  return config;
}

}  // namespace taco
