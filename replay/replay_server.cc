#include "replay/replay_server.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status.h"
#include "common/version.h"
#include "proto/health_probe.h"

namespace taco {

absl::StatusOr<std::unique_ptr<ReplayServer>> ReplayServer::Start(
    const ReplayServerOptions& options) {
  std::unique_ptr<ReplayServer> server(new ReplayServer());
  server->options_ = options;
  TACO_ASSIGN_OR_RETURN(server->shard_, ReplayShard::Create(options.shard));
  ReplayServiceOptions service = options.service;
  service.authenticator = options.security.authenticator;
  server->service_ = std::make_unique<ReplayService>(server->shard_.get(), service);
  server->health_ =
      std::make_unique<HealthService>("replay", TACO_VERSION, options.security.authenticator);
  EnableStandardHealthService();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, options.security.credentials, &server->port_);
  AcceptClientKeepalive(&builder);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.RegisterService(server->service_.get());
  builder.RegisterService(server->health_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    // The config's to change: restarting the shard would not free the port.
    return absl::InvalidArgumentError(absl::StrCat("replay shard cannot listen on ",
                                                   options.address,
                                                   " (topology.replay_base_port; another run?)"));
  }
  MarkNotServingUntilReady(server->server_.get());
  server->shard_->StartBackgroundCheckpoints();
  if (options.metrics != nullptr) {
    server->metrics_thread_ = std::thread([s = server.get()] {
      do {
        s->PublishMetrics();
      } while (!s->stopped_.WaitForNotificationWithTimeout(s->options_.metrics_interval));
    });
  }
  const ReplayShardOptions& o = options.shard;
  TACO_LOG(INFO) << "replay shard " << o.shard_index << "/" << o.shard_count << " serving "
                 << server->shard_->owned_tasks().size() << " tasks on port " << server->port_
                 << ", " << server->shard_->Info().memory_bytes / (1 << 20) << " MiB reserved for "
                 << o.capacity_per_task << " transitions per task";
  SetServing(server->server_.get(), true);
  return server;
}

ReplayServer::~ReplayServer() { Shutdown(/*final_checkpoint=*/false); }

void ReplayServer::PublishMetrics() {
  Metrics& m = *options_.metrics;
  const ShardInfo info = shard_->Info();
  const std::string shard = absl::StrCat(info.shard_index);
  for (const TaskStats& t : info.tasks) {
    const prometheus::Labels labels = {{"task", t.task}, {"shard", shard}};
    m.Gauge("taco_replay_items", "Transitions stored per task", labels)
        .Set(static_cast<double>(t.size));
    m.Gauge("taco_replay_capacity_items", "Capacity per task in transitions", labels)
        .Set(static_cast<double>(t.capacity));
    m.Gauge("taco_replay_fill_ratio", "Stored over capacity per task", labels)
        .Set(static_cast<double>(t.size) / static_cast<double>(t.capacity));
    auto& last = published_[t.task];
    m.Counter("taco_replay_inserted_transitions_total", "Transitions inserted", labels)
        .Increment(static_cast<double>(t.inserted_total - last.first));
    m.Counter("taco_replay_sampled_transitions_total", "Transitions sampled", labels)
        .Increment(static_cast<double>(t.sampled_total - last.second));
    const double bytes = static_cast<double>(options_.shard.shape.BytesPerTransition());
    m.Counter("taco_replay_inserted_bytes_total", "Bytes of transitions inserted", labels)
        .Increment(bytes * static_cast<double>(t.inserted_total - last.first));
    m.Counter("taco_replay_sampled_bytes_total", "Bytes of transitions sampled", labels)
        .Increment(bytes * static_cast<double>(t.sampled_total - last.second));
    last = {t.inserted_total, t.sampled_total};
  }
  const prometheus::Labels labels = {{"shard", shard}};
  m.Gauge("taco_replay_memory_bytes", "Memory reserved by the shard's tables", labels)
      .Set(static_cast<double>(info.memory_bytes));
  // Counters, so that rate() gives the share of time blocked; the limiter's
  // sums only grow while this server runs.
  m.Counter("taco_replay_rate_limiter_insert_blocked_seconds_total",
            "Seconds inserts waited for the rate limiter", labels)
      .Increment(std::max(0.0, info.insert_blocked_s - published_blocked_.first));
  m.Counter("taco_replay_rate_limiter_sample_blocked_seconds_total",
            "Seconds samples waited for the rate limiter", labels)
      .Increment(std::max(0.0, info.sample_blocked_s - published_blocked_.second));
  published_blocked_ = {std::max(published_blocked_.first, info.insert_blocked_s),
                        std::max(published_blocked_.second, info.sample_blocked_s)};
  m.Gauge("taco_replay_checkpoint_duration_seconds", "Duration of the last checkpoint", labels)
      .Set(info.last_checkpoint_duration_s);
  const double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  m.Gauge("taco_replay_checkpoint_age_seconds", "Seconds since the last checkpoint", labels)
      .Set(info.last_checkpoint_unix_s > 0 ? now - info.last_checkpoint_unix_s : -1);
  m.Gauge("taco_replay_insert_limit_items",
          "Transitions the learner lets this shard hold in total (-1: no limit)", labels)
      .Set(static_cast<double>(info.insert_limit));
  m.Gauge("taco_replay_actors_tracked", "Actor ids whose sequence numbers the shard keeps", labels)
      .Set(static_cast<double>(info.actors_tracked));
  static const prometheus::Histogram::BucketBoundaries kLagBuckets = {
      0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
  prometheus::Histogram& lag = m.Histogram(
      "taco_replay_policy_lag_updates",
      "Learner version minus the version that acted, per inserted batch, at insert time",
      kLagBuckets, labels);
  for (const auto& entry : shard_->DrainPolicyLags()) lag.Observe(static_cast<double>(entry.first));
  m.Gauge("taco_process_up", "1 while the process serves", {{"role", "replay"}}).Set(1);
}

void ReplayServer::Shutdown(bool final_checkpoint) {
  if (stopped_.HasBeenNotified()) return;
  SetServing(server_.get(), false);
  // Nothing is acknowledged after this, so the checkpoint below holds every
  // batch an actor was told is stored.
  if (shard_ != nullptr) shard_->Close();
  if (final_checkpoint && !options_.shard.checkpoint_dir.empty()) {
    auto folder = shard_->Checkpoint();
    if (folder.ok()) {
      TACO_LOG(INFO) << "final checkpoint " << *folder;
    } else {
      TACO_LOG(ERROR) << "final checkpoint failed: " << folder.status().message();
    }
  }
  stopped_.Notify();
  // A server whose start failed part way has no shard or no gRPC server.
  if (shard_ != nullptr) shard_->Stop();  // releases callers waiting in the rate limiter
  if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  if (metrics_thread_.joinable()) metrics_thread_.join();
}

void ReplayServer::Wait() { stopped_.WaitForNotification(); }

}  // namespace taco
