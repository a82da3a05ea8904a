// The one config file that describes a run, as typed structs.
//
// Every default follows the TaCo paper (Tables VI and VII) or, where the
// paper is silent, the official PaCo code; see configs/README.md for the
// meaning of each key.
#ifndef TACO_COMMON_RUN_CONFIG_H_
#define TACO_COMMON_RUN_CONFIG_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace taco {

// MT10 in the index order of the official code (one-hot / column of W).
const std::vector<std::string>& Mt10Tasks();

struct RunSection {
  std::string name = "mt10";
  int64_t seed = 1;
  // The run folder is output_dir/name: logs, checkpoints, evaluation CSVs.
  std::string output_dir = "runs";
};

struct EnvConfig {
  // Empty: search TACO_METAWORLD_ASSETS, ../shared/metaworld-assets, the user cache.
  std::string assets_dir;
  int max_episode_steps = 150;
  // "variants": each task owns num_variants fixed goals and a reset picks one
  // (MT10-rand); "fresh": a new goal is drawn at every reset.
  std::string goals = "variants";
  int num_variants = 50;
  // Whose draw order makes the fixed goals from run.seed: "mt10" gives MT10's
  // (tasks outside MT10 follow), "mt50" MT50's; the same seed gives a task
  // different goals in Meta-World's two benchmarks.
  std::string variant_order = "mt10";
};

struct AlgorithmConfig {
  std::string name = "paco";  // paco | mtsac | mhsac
  int num_components = 5;     // K
  std::vector<int> hidden_sizes = {400, 400, 400};
  double actor_lr = 3e-4;
  double critic_lr = 3e-4;
  double w_lr = 3e-4;
  double alpha_lr = 1e-4;
  double discount = 0.99;
  double target_update_tau = 0.005;
  double loss_threshold = 3e3;  // ε of the loss mask-out
  bool mask_extreme_tasks = true;
  bool reset_extreme_w = true;
  std::string w_reset_weights = "simplex";  // simplex | l1_uniform
  std::string target_entropy = "alf";       // alf (−6.438 for 4-d) | action_dim (−4)
  double initial_log_alpha = 0.0;
  double min_log_alpha = -10.0;
  double max_log_alpha = 0.0;
  std::string compute_path = "composed";  // composed | output_space
  // The rest follow the official code where the paper is silent.
  int num_critic_replicas = 2;
  bool identical_component_init = true;
  std::string w_init = "normal";  // normal (N(0, w_init_std²)) | simplex (Dirichlet(1))
  double w_init_std = 1.0;
  double dqda_clipping = 0.0;  // 0: off (official); else ∂Q/∂a clamped to [−c, c]
  double max_grad_norm = 0.0;  // 0: off (official); else each optimizer's global grad norm
  double projection_init_gain = 0.3;
  double critic_output_init = 0.003;
  double log_std_min = -10.0;
  double log_std_max = 2.0;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-7;
  int target_update_period = 1;
  double target_entropy_value = -6.438;                // with target_entropy: explicit
  std::string loss_aggregation = "sum_of_task_means";  // | mean_over_entries (official)
  bool w_reset_includes_absent_tasks = true;
};

struct TrainerConfig {
  int64_t total_env_steps = 20'000'000;
  int64_t exploration_steps = 1500;
  int batch_size = 1280;
  int env_steps_per_update = 10;
  int num_envs = 10;
  int64_t replay_capacity = 1'000'000;  // transitions in total, split over tasks
  int64_t eval_interval_env_steps = 500'000;
  int eval_episodes_per_task = 5;
  std::string device = "auto";  // auto | cpu | cuda
  bool cuda_graphs = true;      // on CUDA: replay captured updates (PacoOptions::cuda_graphs)
  bool tf32 = false;            // on CUDA: TF32 matrix products (PacoOptions::tf32)
  // train-local: the acting policy takes the learner's parameters every this
  // many updates (and before each evaluation). 0: every update with a CPU
  // learner, where the copy is cheap, and every 10 with a GPU learner, where
  // each copy waits for the device.
  int policy_sync_every_updates = 0;
  int threads = 0;  // 0: all cores
  int64_t log_interval_env_steps = 10'000;
};

// TaCo-online (task_distribution.kind online, PaCo only): every
// regroup_every_updates updates the learner clusters the tasks with DBSCAN
// over their features and spreads the samples evenly over the groups found
// (learner/paco/task_grouping.h). Until the first regrouping p is uniform.
struct OnlineGroupingConfig {
  // theta: the composed policy parameters θ_τ = Σ_k w_τ,k φ_k (the paper's
  // choice); w: the compositional vectors w_τ alone.
  std::string features = "theta";
  // Distances are Euclidean between features scaled to unit length,
  // sqrt(2 − 2·cos), so eps ∈ [0, 2] does not depend on the parameters'
  // scale: tasks are neighbours when cos >= 1 − eps²/2 (0.5 ↔ cos >= 0.875).
  double eps = 0.5;
  // Neighbours (the task itself included) that make a task a core point;
  // tasks in no cluster form groups of their own.
  int min_samples = 2;
  int64_t regroup_every_updates = 10'000;
};

struct ReplayConfig {
  // How actors are held back when the learner falls behind the paper's
  // ratio. -1 (default): the learner paces them, granting each shard room
  // for at most max_insert_lead transitions beyond what its next updates
  // need, which cannot stall (replay/README.md); 0: actors are never held
  // back; positive: in addition, Reverb's samples-per-insert limiter on the
  // shard, accepted only where it cannot stall (one shard and an error
  // buffer that covers the warm-up).
  double samples_per_insert = -1.0;
  int64_t min_size_to_sample = 1;
  double error_buffer = 0.0;  // 0: the smallest buffer that cannot deadlock
  // Transitions the cluster may store ahead of the learner's needs
  // (0: 2 × max_insert_batch); bounds the actors' policy lag.
  int64_t max_insert_lead = 0;
  double rate_limiter_timeout_s = 10.0;
  int max_message_mb = 64;
  int max_insert_batch = 4096;
  // Minutes after which a shard forgets an idle actor's sequence numbers.
  double actor_idle_expiry_minutes = 30.0;

  int64_t InsertLead() const {
    return max_insert_lead > 0 ? max_insert_lead : 2 * static_cast<int64_t>(max_insert_batch);
  }
};

struct TaskDistributionConfig {
  std::string kind = "uniform";  // uniform | groups | weights | online
  std::vector<std::vector<std::string>> groups;
  std::map<std::string, double> weights;
  OnlineGroupingConfig online;
};

struct TopologyConfig {
  // Where the processes of `taco up` listen and where the roles find each
  // other unless the addresses below say otherwise.
  std::string host = "127.0.0.1";
  // Explicit addresses for runs across machines (empty: host and ports).
  std::string learner_address;
  std::vector<std::string> replay_addresses;
  int replay_shards = 2;
  int replay_base_port = 50100;
  int learner_port = 50090;
  int actors = 2;
  int envs_per_actor = 5;
  // Transitions an actor collects per task before it sends them.
  int actor_batch = 64;
  // The learner publishes parameters every this many updates.
  int publish_every_updates = 10;

  std::string LearnerAddress() const;
  std::vector<std::string> ReplayAddresses() const;
};

struct MetricsConfig {
  bool enabled = true;
  std::string bind = "127.0.0.1";
  // Each process takes base_port + its offset (see docs/metrics.md); 0 picks a free port.
  int base_port = 9400;
};

struct CheckpointConfig {
  std::string dir;  // empty: <run folder>/checkpoints
  double interval_minutes = 10.0;
  int keep = 3;
};

// See proto/security.h for what each field turns on.
struct SecurityConfig {
  std::string tls_cert;         // PEM: this process's certificate (servers; clients with mTLS)
  std::string tls_key;          // PEM: its private key
  std::string client_ca;        // PEM: servers require client certificates signed by it
  std::string ca_cert;          // PEM: clients verify the servers' certificates with it
  std::string tls_server_name;  // name clients check in server certificates (default: host)
  std::string token_file;       // bearer token every call carries and every server checks
  bool allow_insecure_remote = false;
};

// The TaCo transfer phase (paper Algorithm 2, Table VII): `taco transfer`
// trains the run's tasks starting from a multi-task checkpoint.
struct TransferConfig {
  // The run is a transfer phase: `taco transfer` sets it; with it `taco up`
  // (and its learner and actors) run the transfer phase on the cluster.
  bool enabled = false;
  std::string source_checkpoint;            // a PaCo learner checkpoint of the multi-task run
  int64_t exploration_steps = 20'000;       // n_e: π_explore acts, only the value functions train
  std::string mode = "full";                // full | fixed_phi (Φ stays, only the new w train)
  std::string new_task_weights = "random";  // random (paper) | convex (W_source β)
  double success_threshold = 0.9;           // a task is learnt at this eval success (paper: 0.9)
  int64_t max_env_steps = 6'000'000;        // n_max: budget within which it must be learnt
};

struct LoggingConfig {
  std::string level = "info";
};

struct RunConfig {
  std::string source;  // the file it came from
  RunSection run;
  std::vector<std::string> tasks = Mt10Tasks();
  EnvConfig env;
  AlgorithmConfig algorithm;
  TrainerConfig trainer;
  ReplayConfig replay;
  TaskDistributionConfig task_distribution;
  TopologyConfig topology;
  MetricsConfig metrics;
  CheckpointConfig checkpoint;
  SecurityConfig security;
  TransferConfig transfer;
  LoggingConfig logging;

  std::string RunDir() const;
  std::string CheckpointDir() const;
  // Written by the learner when the run reached trainer.total_env_steps.
  std::string RunCompleteMarker() const;
  // The smallest replay.error_buffer with which a samples-per-insert limiter
  // lets in everything the learner waits for: the warm-up, one update's env
  // steps and the largest insert, plus three batches in flight.
  double MinimumErrorBuffer() const {
    return replay.samples_per_insert *
               static_cast<double>(trainer.exploration_steps + trainer.env_steps_per_update +
                                   replay.max_insert_batch) +
           3.0 * static_cast<double>(trainer.batch_size);
  }
  // The largest batch an actor inserts: the transitions it keeps of a task
  // while that task's shard is away, sent at once when it returns.
  int64_t LargestActorInsert() const {
    return std::min<int64_t>(16 * static_cast<int64_t>(topology.actor_batch),
                             replay.max_insert_batch);
  }
  // Batches an actor may have unacknowledged per shard. Under the learner's
  // grant (samples_per_insert -1) held-back batches wait on the stream while
  // the actor steps on until its window is full; sized so that all actors'
  // windows together hold at most replay.max_insert_lead transitions, the
  // actors run at most that far ahead of what is stored. 2..64.
  int64_t ActorInsertWindow() const {
    if (replay.samples_per_insert == 0.0) return 64;
    const int64_t in_flight_per_batch = std::max<int64_t>(1, topology.actors) *
                                        std::max<int64_t>(1, topology.replay_shards) *
                                        std::max<int64_t>(1, topology.actor_batch);
    return std::clamp<int64_t>(replay.InsertLead() / in_flight_per_batch, 2, 64);
  }
};

// Loads and validates `path`, applying "key.path=value" overrides first.
// `known_tasks` is the list of valid task names (empty: names unchecked).
// Any problem → InvalidArgument listing each one with file, line and key.
absl::StatusOr<RunConfig> LoadRunConfig(const std::string& path,
                                        const std::vector<std::string>& overrides,
                                        const std::vector<std::string>& known_tasks);
absl::StatusOr<RunConfig> ParseRunConfig(absl::string_view yaml, absl::string_view name,
                                         const std::vector<std::string>& known_tasks);

}  // namespace taco

#endif  // TACO_COMMON_RUN_CONFIG_H_
