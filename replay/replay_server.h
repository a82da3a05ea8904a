// A running replay shard: the shard, its gRPC server and its metrics.
#ifndef TACO_REPLAY_REPLAY_SERVER_H_
#define TACO_REPLAY_REPLAY_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "common/metrics.h"
#include "proto/health_service.h"
#include "proto/security.h"
#include "replay/replay_service.h"
#include "replay/replay_shard.h"

namespace taco {

struct ReplayServerOptions {
  ReplayShardOptions shard;
  ReplayServiceOptions service;
  std::string address = "127.0.0.1:0";  // port 0 picks a free port
  // TLS and the token check (default: plaintext, no token).
  ServerSecurity security;
  int max_message_bytes = 64 << 20;
  // nullptr: no metrics. Gauges refresh every metrics_interval.
  Metrics* metrics = nullptr;
  absl::Duration metrics_interval = absl::Seconds(1);
};

class ReplayServer {
 public:
  static absl::StatusOr<std::unique_ptr<ReplayServer>> Start(const ReplayServerOptions& options);
  ~ReplayServer();

  int port() const { return port_; }
  ReplayShard* shard() { return shard_.get(); }
  // Stops serving; with `final_checkpoint`, checkpoints first.
  void Shutdown(bool final_checkpoint);
  // Blocks until Shutdown.
  void Wait();

 private:
  ReplayServer() = default;
  void PublishMetrics();

  ReplayServerOptions options_;
  std::unique_ptr<ReplayShard> shard_;
  std::unique_ptr<ReplayService> service_;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  absl::Notification stopped_;
  std::thread metrics_thread_;
  std::map<std::string, std::pair<int64_t, int64_t>> published_;  // task → inserted, sampled
  std::pair<double, double> published_blocked_{0.0, 0.0};         // insert, sample seconds
};

}  // namespace taco

#endif  // TACO_REPLAY_REPLAY_SERVER_H_
