#include "replay/replay_role.h"

#include "absl/strings/str_cat.h"
#include "common/health_file.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/signals.h"
#include "common/status.h"

namespace taco {

absl::StatusOr<ReplayServerOptions> ReplayOptionsFromConfig(const RunConfig& config, int index,
                                                            const std::string& listen) {
  const int shards = config.topology.replay_shards;
  if (index < 0 || index >= shards) {
    return absl::InvalidArgumentError(absl::StrCat("--shard ", index, " is outside 0..", shards - 1,
                                                   " (topology.replay_shards)"));
  }
  ReplayServerOptions o;
  ReplayShardOptions& s = o.shard;
  s.shard_index = index;
  s.shard_count = shards;
  s.tasks = config.tasks;
  s.shape = TransitionShape{39, 4};
  s.capacity_per_task = std::max<int64_t>(
      1, config.trainer.replay_capacity / static_cast<int64_t>(config.tasks.size()));
  s.max_insert_batch = config.replay.max_insert_batch;
  s.max_sample_batch = std::max<int64_t>(config.trainer.batch_size, 1);
  const ReplayConfig& r = config.replay;
  if (r.samples_per_insert > 0.0) {
    // Only on one shard (the config check refuses more), with a buffer that
    // covers the learner's warm-up unless set.
    const double spi = r.samples_per_insert;
    const double needed = config.MinimumErrorBuffer();
    const double buffer = r.error_buffer > 0.0 ? r.error_buffer : needed;
    s.rate_limiter = RateLimiterOptions::SampleToInsertRatio(spi, r.min_size_to_sample, buffer);
  } else {
    s.rate_limiter = RateLimiterOptions::MinSize(r.min_size_to_sample);
  }
  // Until the learner grants more: the warm-up it waits for plus the lead.
  // (Never past the budget, but at least one insert's worth.)
  if (r.samples_per_insert != 0.0) {
    s.initial_insert_lead = std::max(
        std::min(config.trainer.exploration_steps + r.InsertLead(), config.trainer.total_env_steps),
        config.LargestActorInsert());
  }
  s.actor_idle_expiry = absl::Seconds(r.actor_idle_expiry_minutes * 60.0);
  s.checkpoint_dir = absl::StrCat(config.RunDir(), "/replay");
  s.checkpoint_interval = absl::Seconds(config.checkpoint.interval_minutes * 60.0);
  s.keep_checkpoints = config.checkpoint.keep;
  s.seed = static_cast<uint64_t>(config.run.seed);
  o.service.rate_limiter_timeout = absl::Seconds(r.rate_limiter_timeout_s);
  o.max_message_bytes = r.max_message_mb << 20;
  o.address = listen.empty() ? absl::StrCat(config.topology.host, ":",
                                            config.topology.replay_base_port + index)
                             : listen;
  TACO_ASSIGN_OR_RETURN(o.security, MakeServerSecurity(config.security, o.address));
  return o;
}

absl::Status RunReplayRole(const RunConfig& config, int index, const std::string& listen) {
  SetLogTag(absl::StrCat("replay-", index));
  TACO_ASSIGN_OR_RETURN(ReplayServerOptions options,
                        ReplayOptionsFromConfig(config, index, listen));
  if (config.metrics.enabled) {
    const int port = config.metrics.base_port == 0 ? 0 : config.metrics.base_port + 10 + index;
    TACO_RETURN_IF_ERROR(Metrics::Process().Serve(config.metrics.bind, port));
    options.metrics = &Metrics::Process();
    TACO_LOG(INFO) << "metrics on " << config.metrics.bind << ":" << Metrics::Process().port();
  }
  TACO_ASSIGN_OR_RETURN(auto server, ReplayServer::Start(options));
  TACO_RETURN_IF_ERROR(AnnounceHealthTarget(GrpcHealthTarget(
      options.address.substr(0, options.address.rfind(':')), server->port(), config.security)));
  int sig = 0;
  while (sig == 0 && !server->shard()->run_complete()) {
    sig = WaitForTerminationSignal(absl::Milliseconds(200));
  }
  if (sig != 0) {
    TACO_LOG(INFO) << "signal " << sig << ": checkpointing and stopping";
  } else {
    TACO_LOG(INFO) << "the learner reports the run complete: checkpointing and stopping";
  }
  server->Shutdown(/*final_checkpoint=*/true);
  return absl::OkStatus();
}

}  // namespace taco
