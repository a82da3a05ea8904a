#include "common/run_config.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/config_reader.h"
#include "common/status.h"

namespace taco {
namespace {

constexpr int kMaxPort = 65535;

void ReadRun(ConfigSection s, RunSection* c) {
  s.ReadString("name", &c->name);
  s.ReadInt("seed", &c->seed, 0, INT64_MAX);
  s.ReadString("output_dir", &c->output_dir);
  if (c->name.find('/') != std::string::npos) s.AddError("name", "must not contain '/'");
}

void ReadEnv(ConfigSection s, EnvConfig* c) {
  s.ReadOptionalString("assets_dir", &c->assets_dir);
  s.ReadInt("max_episode_steps", &c->max_episode_steps, 1, 100000);
  s.ReadString("goals", &c->goals, {"variants", "fresh"});
  s.ReadInt("num_variants", &c->num_variants, 1, 100000);
  s.ReadString("variant_order", &c->variant_order, {"mt10", "mt50"});
}

void ReadAlgorithm(ConfigSection s, AlgorithmConfig* c) {
  s.ReadString("name", &c->name, {"paco", "mtsac", "mhsac"});
  s.ReadInt("num_components", &c->num_components, 1, 1024);
  s.ReadIntList("hidden_sizes", &c->hidden_sizes, 1, 65536);
  if (c->hidden_sizes.empty()) s.AddError("hidden_sizes", "must list at least one layer size");
  s.ReadDouble("actor_lr", &c->actor_lr, 0.0, 1.0);
  s.ReadDouble("critic_lr", &c->critic_lr, 0.0, 1.0);
  s.ReadDouble("w_lr", &c->w_lr, 0.0, 1.0);
  s.ReadDouble("alpha_lr", &c->alpha_lr, 0.0, 1.0);
  s.ReadDouble("discount", &c->discount, 0.0, 1.0);
  s.ReadDouble("target_update_tau", &c->target_update_tau, 0.0, 1.0);
  s.ReadDouble("loss_threshold", &c->loss_threshold, 0.0, 1e30);
  s.ReadBool("mask_extreme_tasks", &c->mask_extreme_tasks);
  s.ReadBool("reset_extreme_w", &c->reset_extreme_w);
  s.ReadString("w_reset_weights", &c->w_reset_weights, {"simplex", "l1_uniform"});
  s.ReadString("target_entropy", &c->target_entropy, {"alf", "action_dim", "explicit"});
  s.ReadDouble("target_entropy_value", &c->target_entropy_value, -1e6, 1e6);
  s.ReadInt("num_critic_replicas", &c->num_critic_replicas, 1, 16);
  s.ReadBool("identical_component_init", &c->identical_component_init);
  s.ReadString("w_init", &c->w_init, {"normal", "simplex"});
  s.ReadDouble("w_init_std", &c->w_init_std, 0.0, 1e3);
  s.ReadDouble("projection_init_gain", &c->projection_init_gain, 0.0, 1e3);
  s.ReadDouble("critic_output_init", &c->critic_output_init, 0.0, 1e3);
  s.ReadDouble("log_std_min", &c->log_std_min, -100.0, 100.0);
  s.ReadDouble("log_std_max", &c->log_std_max, -100.0, 100.0);
  s.ReadDouble("adam_beta1", &c->adam_beta1, 0.0, 0.999999);
  s.ReadDouble("adam_beta2", &c->adam_beta2, 0.0, 0.999999999);
  s.ReadDouble("adam_epsilon", &c->adam_epsilon, 0.0, 1.0);
  s.ReadDouble("dqda_clipping", &c->dqda_clipping, 0.0, 1e6);
  s.ReadDouble("max_grad_norm", &c->max_grad_norm, 0.0, 1e12);
  s.ReadInt("target_update_period", &c->target_update_period, 1, 1 << 20);
  s.ReadString("loss_aggregation", &c->loss_aggregation,
               {"sum_of_task_means", "mean_over_entries"});
  s.ReadBool("w_reset_includes_absent_tasks", &c->w_reset_includes_absent_tasks);
  if (c->log_std_min >= c->log_std_max) {
    s.AddError("log_std_min", "must be below log_std_max");
  }
  s.ReadDouble("initial_log_alpha", &c->initial_log_alpha, -100.0, 100.0);
  s.ReadDouble("min_log_alpha", &c->min_log_alpha, -100.0, 100.0);
  s.ReadDouble("max_log_alpha", &c->max_log_alpha, -100.0, 100.0);
  s.ReadString("compute_path", &c->compute_path, {"composed", "output_space"});
  if (c->min_log_alpha > c->max_log_alpha) {
    s.AddError("min_log_alpha",
               absl::StrCat("(", c->min_log_alpha, ") must not exceed max_log_alpha (",
                            c->max_log_alpha, ")"));
  }
}

void ReadTrainer(ConfigSection s, TrainerConfig* c) {
  s.ReadInt("total_env_steps", &c->total_env_steps, 1, int64_t{1} << 50);
  s.ReadInt("exploration_steps", &c->exploration_steps, 0, int64_t{1} << 50);
  s.ReadInt("batch_size", &c->batch_size, 1, 1 << 24);
  s.ReadInt("env_steps_per_update", &c->env_steps_per_update, 1, 1 << 20);
  s.ReadInt("num_envs", &c->num_envs, 1, 4096);
  s.ReadInt("replay_capacity", &c->replay_capacity, 1, int64_t{1} << 40);
  s.ReadInt("eval_interval_env_steps", &c->eval_interval_env_steps, 1, int64_t{1} << 50);
  s.ReadInt("eval_episodes_per_task", &c->eval_episodes_per_task, 0, 10000);
  s.ReadString("device", &c->device, {"auto", "cpu", "cuda"});
  s.ReadBool("cuda_graphs", &c->cuda_graphs);
  s.ReadBool("tf32", &c->tf32);
  s.ReadInt("policy_sync_every_updates", &c->policy_sync_every_updates, 0, 1 << 30);
  s.ReadInt("threads", &c->threads, 0, 4096);
  s.ReadInt("log_interval_env_steps", &c->log_interval_env_steps, 1, int64_t{1} << 50);
}

void ReadReplay(ConfigSection s, ReplayConfig* c) {
  s.ReadDouble("samples_per_insert", &c->samples_per_insert, -1.0, 1e9);
  if (c->samples_per_insert < 0.0 && c->samples_per_insert != -1.0) {
    s.AddError("samples_per_insert", "must be -1 (learner-paced), 0 (off) or positive");
  }
  s.ReadInt("min_size_to_sample", &c->min_size_to_sample, 1, int64_t{1} << 40);
  s.ReadDouble("error_buffer", &c->error_buffer, 0.0, 1e18);
  s.ReadInt("max_insert_lead", &c->max_insert_lead, 0, int64_t{1} << 40);
  s.ReadDouble("actor_idle_expiry_minutes", &c->actor_idle_expiry_minutes, 0.1, 1e6);
  s.ReadDouble("rate_limiter_timeout_s", &c->rate_limiter_timeout_s, 0.001, 3600.0);
  s.ReadInt("max_message_mb", &c->max_message_mb, 1, 1024);
  s.ReadInt("max_insert_batch", &c->max_insert_batch, 1, 1 << 20);
  if (c->max_insert_lead > 0 && c->max_insert_lead < c->max_insert_batch) {
    // An insert larger than the lead could never be let in.
    s.AddError("max_insert_lead",
               absl::StrCat("(", c->max_insert_lead, ") must be at least max_insert_batch (",
                            c->max_insert_batch, ")"));
  }
}

void ReadTaskDistribution(ConfigSection s, TaskDistributionConfig* c) {
  s.ReadString("kind", &c->kind, {"uniform", "groups", "weights", "online"});
  s.ReadStringListList("groups", &c->groups);
  s.ReadDoubleMap("weights", &c->weights, 0.0, 1e9);
  ConfigSection online = s.Child("online");
  online.ReadString("features", &c->online.features, {"theta", "w"});
  online.ReadDouble("eps", &c->online.eps, 0.0, 2.0);  // unit-length features
  online.ReadInt("min_samples", &c->online.min_samples, 1, 1 << 20);
  online.ReadInt("regroup_every_updates", &c->online.regroup_every_updates, 1, int64_t{1} << 50);
}

void ReadTopology(ConfigSection s, TopologyConfig* c) {
  s.ReadString("host", &c->host);
  s.ReadInt("replay_shards", &c->replay_shards, 1, 4096);
  s.ReadInt("replay_base_port", &c->replay_base_port, 1, kMaxPort);
  s.ReadInt("learner_port", &c->learner_port, 1, kMaxPort);
  s.ReadInt("actors", &c->actors, 0, 100000);
  s.ReadInt("envs_per_actor", &c->envs_per_actor, 1, 4096);
  s.ReadOptionalString("learner_address", &c->learner_address);
  s.ReadStringList("replay_addresses", &c->replay_addresses);
  s.ReadInt("actor_batch", &c->actor_batch, 1, 1 << 16);
  s.ReadInt("publish_every_updates", &c->publish_every_updates, 1, 1 << 30);
  if (!c->replay_addresses.empty() &&
      static_cast<int>(c->replay_addresses.size()) != c->replay_shards) {
    s.AddError("replay_addresses",
               absl::StrCat("lists ", c->replay_addresses.size(),
                            " addresses but replay_shards is ", c->replay_shards));
  }
  if (c->replay_base_port + c->replay_shards - 1 > kMaxPort) {
    s.AddError("replay_base_port", "leaves no room for a port per replay shard");
  }
  if (c->learner_port >= c->replay_base_port &&
      c->learner_port < c->replay_base_port + c->replay_shards) {
    s.AddError("learner_port",
               absl::StrCat("(", c->learner_port, ") collides with the replay shard ports ",
                            c->replay_base_port, "..", c->replay_base_port + c->replay_shards - 1));
  }
}

void ReadMetrics(ConfigSection s, MetricsConfig* c) {
  s.ReadBool("enabled", &c->enabled);
  s.ReadString("bind", &c->bind);
  s.ReadInt("base_port", &c->base_port, 0, kMaxPort);
}

void ReadCheckpoint(ConfigSection s, CheckpointConfig* c) {
  s.ReadOptionalString("dir", &c->dir);
  s.ReadDouble("interval_minutes", &c->interval_minutes, 0.01, 1e6);
  s.ReadInt("keep", &c->keep, 1, 1000);
}

void ReadTransfer(ConfigSection s, TransferConfig* c) {
  s.ReadBool("enabled", &c->enabled);
  s.ReadOptionalString("source_checkpoint", &c->source_checkpoint);
  if (c->enabled && c->source_checkpoint.empty()) {
    s.AddError("source_checkpoint",
               "is empty: name the multi-task run's learner checkpoint (or pass --from)");
  }
  s.ReadInt("exploration_steps", &c->exploration_steps, 0, int64_t{1} << 50);
  s.ReadString("mode", &c->mode, {"full", "fixed_phi"});
  s.ReadString("new_task_weights", &c->new_task_weights, {"random", "convex"});
  s.ReadDouble("success_threshold", &c->success_threshold, 0.0, 1.0);
  s.ReadInt("max_env_steps", &c->max_env_steps, 1, int64_t{1} << 50);
}

void ReadSecurity(ConfigSection s, SecurityConfig* c) {
  s.ReadOptionalString("tls_cert", &c->tls_cert);
  s.ReadOptionalString("tls_key", &c->tls_key);
  s.ReadOptionalString("client_ca", &c->client_ca);
  s.ReadOptionalString("ca_cert", &c->ca_cert);
  s.ReadOptionalString("tls_server_name", &c->tls_server_name);
  s.ReadOptionalString("token_file", &c->token_file);
  s.ReadBool("allow_insecure_remote", &c->allow_insecure_remote);
  if (c->tls_cert.empty() != c->tls_key.empty()) {
    s.AddError(c->tls_cert.empty() ? "tls_cert" : "tls_key",
               "is required when the other of tls_cert / tls_key is set");
  }
  if (!c->client_ca.empty() && c->tls_cert.empty()) {
    s.AddError("client_ca", "mutual TLS needs tls_cert and tls_key too");
  }
  if (!c->tls_cert.empty() && c->ca_cert.empty()) {
    s.AddError("ca_cert",
               "is required with tls_cert: the clients of this run verify the servers with it");
  }
}

void CheckTasks(ConfigSection root, const RunConfig& c, const std::vector<std::string>& known) {
  if (c.tasks.empty()) root.AddError("tasks", "must list at least one task");
  std::set<std::string> seen;
  for (const std::string& task : c.tasks) {
    if (!seen.insert(task).second) {
      root.AddError("tasks", absl::StrCat("lists '", task, "' twice"));
    }
    if (!known.empty() && std::find(known.begin(), known.end(), task) == known.end()) {
      root.AddError("tasks", absl::StrCat("names unknown task '", task,
                                          "' (valid: ", absl::StrJoin(known, ", "), ")"));
    }
  }
}

// The learner waits for trainer.exploration_steps stored transitions and
// then keeps its ratio to what the shards stored. A per-shard
// samples-per-insert limiter is a second pacer: it must let the whole
// warm-up in before the learner samples anything, and with several shards
// the tasks' shares drift apart from the batch's, which no buffer bounds.
void CheckPacing(ConfigSection root, const RunConfig& c) {
  const ReplayConfig& r = c.replay;
  if (!(r.samples_per_insert > 0.0)) return;
  ConfigSection replay = root.Child("replay");
  if (c.topology.replay_shards > 1) {
    replay.AddError(
        "samples_per_insert",
        absl::StrCat("(", r.samples_per_insert, ") limits each of the ", c.topology.replay_shards,
                     " shards (topology.replay_shards) on its own ratio, which can hold back "
                     "the transitions the learner waits for; use -1 (the learner paces the "
                     "actors) or one shard"));
    return;
  }
  const double spi = r.samples_per_insert;
  const double needed = c.MinimumErrorBuffer();
  if (r.error_buffer > 0.0 && r.error_buffer < needed) {
    replay.AddError(
        "error_buffer",
        absl::StrCat("(", r.error_buffer, ") is below ", needed, ": with samples_per_insert ", spi,
                     " the shard would hold back the trainer.exploration_steps (",
                     c.trainer.exploration_steps,
                     ") the learner waits for; raise it or leave it 0 (derived)"));
  }
}

void CheckCrossFields(ConfigSection root, RunConfig* c) {
  ConfigSection trainer = root.Child("trainer");
  if (c->trainer.batch_size < static_cast<int>(c->tasks.size())) {
    trainer.AddError("batch_size", absl::StrCat("(", c->trainer.batch_size,
                                                ") must be at least the number of tasks (",
                                                c->tasks.size(), ")"));
  }
  const TransferConfig& t = c->transfer;
  if (t.enabled && t.exploration_steps > 0 && t.exploration_steps <= c->trainer.exploration_steps) {
    // Updates start after trainer.exploration_steps: the value functions
    // would get none of their own before the policy is released.
    root.Child("transfer")
        .AddError(
            "exploration_steps",
            absl::StrCat("(", t.exploration_steps, ") must exceed trainer.exploration_steps (",
                         c->trainer.exploration_steps, "), or be 0 for no exploration phase"));
  }
  CheckPacing(root, *c);
  ConfigSection dist = root.Child("task_distribution");
  const std::set<std::string> tasks(c->tasks.begin(), c->tasks.end());
  if (c->task_distribution.kind == "groups") {
    std::set<std::string> covered;
    for (const auto& group : c->task_distribution.groups) {
      for (const std::string& task : group) {
        if (!tasks.count(task)) {
          dist.AddError("groups", absl::StrCat("names '", task, "', which is not in tasks"));
        } else if (!covered.insert(task).second) {
          dist.AddError("groups", absl::StrCat("puts '", task, "' in more than one group"));
        }
      }
    }
    for (const std::string& task : c->tasks) {
      if (!covered.count(task)) {
        dist.AddError("groups", absl::StrCat("leaves task '", task, "' in no group"));
      }
    }
  }
  if (c->task_distribution.kind == "online" && c->algorithm.name != "paco") {
    // The baselines have no compositional vectors w_τ to compose θ_τ from.
    dist.AddError("kind",
                  absl::StrCat("online needs algorithm paco, not '", c->algorithm.name, "'"));
  }
  if (c->task_distribution.kind == "weights") {
    // Tasks the map leaves out keep weight 1.
    double total = 0.0;
    for (const std::string& task : c->tasks) {
      auto it = c->task_distribution.weights.find(task);
      total += it == c->task_distribution.weights.end() ? 1.0 : it->second;
    }
    for (const auto& entry : c->task_distribution.weights) {
      if (!tasks.count(entry.first)) {
        dist.AddError("weights", absl::StrCat("names '", entry.first, "', which is not in tasks"));
      }
    }
    if (total <= 0.0) dist.AddError("weights", "give every task zero probability");
  }
}

absl::StatusOr<RunConfig> Read(ConfigReader& reader, const std::vector<std::string>& known_tasks) {
  RunConfig c;
  c.source = reader.file();
  ConfigSection root = reader.Root();
  ReadRun(root.Child("run"), &c.run);
  root.ReadStringList("tasks", &c.tasks);
  ReadEnv(root.Child("env"), &c.env);
  ReadAlgorithm(root.Child("algorithm"), &c.algorithm);
  ReadTrainer(root.Child("trainer"), &c.trainer);
  ReadReplay(root.Child("replay"), &c.replay);
  ReadTaskDistribution(root.Child("task_distribution"), &c.task_distribution);
  ReadTopology(root.Child("topology"), &c.topology);
  ReadMetrics(root.Child("metrics"), &c.metrics);
  ReadCheckpoint(root.Child("checkpoint"), &c.checkpoint);
  ReadSecurity(root.Child("security"), &c.security);
  ReadTransfer(root.Child("transfer"), &c.transfer);
  root.Child("logging").ReadString("level", &c.logging.level,
                                   {"debug", "info", "warning", "error"});
  CheckTasks(root, c, known_tasks);
  CheckCrossFields(root, &c);
  TACO_RETURN_IF_ERROR(reader.Finish());
  return c;
}

}  // namespace

const std::vector<std::string>& Mt10Tasks() {
  static const auto* tasks = new std::vector<std::string>{
      "reach-v2",       "push-v2",         "pick-place-v2",           "door-open-v2",
      "drawer-open-v2", "drawer-close-v2", "button-press-topdown-v2", "peg-insert-side-v2",
      "window-open-v2", "window-close-v2"};
  return *tasks;
}

std::string TopologyConfig::LearnerAddress() const {
  return learner_address.empty() ? absl::StrCat(host, ":", learner_port) : learner_address;
}

std::vector<std::string> TopologyConfig::ReplayAddresses() const {
  if (!replay_addresses.empty()) return replay_addresses;
  std::vector<std::string> out;
  for (int i = 0; i < replay_shards; ++i)
    out.push_back(absl::StrCat(host, ":", replay_base_port + i));
  return out;
}

std::string RunConfig::RunDir() const { return absl::StrCat(run.output_dir, "/", run.name); }

std::string RunConfig::CheckpointDir() const {
  return checkpoint.dir.empty() ? absl::StrCat(RunDir(), "/checkpoints") : checkpoint.dir;
}

std::string RunConfig::RunCompleteMarker() const { return CheckpointDir() + "/run-complete"; }

absl::StatusOr<RunConfig> LoadRunConfig(const std::string& path,
                                        const std::vector<std::string>& overrides,
                                        const std::vector<std::string>& known_tasks) {
  TACO_ASSIGN_OR_RETURN(ConfigReader reader, ConfigReader::FromFile(path));
  for (const std::string& assignment : overrides) {
    TACO_RETURN_IF_ERROR(Annotate(reader.Override(assignment), "--set"));
  }
  return Read(reader, known_tasks);
}

absl::StatusOr<RunConfig> ParseRunConfig(absl::string_view yaml, absl::string_view name,
                                         const std::vector<std::string>& known_tasks) {
  TACO_ASSIGN_OR_RETURN(ConfigReader reader, ConfigReader::FromString(yaml, name));
  return Read(reader, known_tasks);
}

}  // namespace taco
