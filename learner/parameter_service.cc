#include "learner/parameter_service.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "proto/parameter_chunks.h"

namespace taco {

absl::Status ParameterStore::Publish(ParameterSet set) {
  absl::MutexLock lock(&mu_);
  if (latest_ != nullptr && set.version <= latest_->version) {
    return absl::InvalidArgumentError(absl::StrCat(
        "parameter version ", set.version, " is not above the published ", latest_->version));
  }
  latest_ = std::make_shared<const ParameterSet>(std::move(set));
  return absl::OkStatus();
}

std::shared_ptr<const ParameterSet> ParameterStore::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

std::shared_ptr<const ParameterSet> ParameterStore::WaitNewer(uint64_t version,
                                                              absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto newer = [this, version]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return closed_ || (latest_ != nullptr && latest_->version > version);
  };
  mu_.AwaitWithTimeout(absl::Condition(&newer), timeout);
  if (closed_ || latest_ == nullptr || latest_->version <= version) return nullptr;
  return latest_;
}

bool ParameterStore::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

void ParameterStore::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

std::shared_ptr<const std::vector<v1::ParameterChunk>> ParameterService::Chunks(
    const std::shared_ptr<const ParameterSet>& set, int64_t bytes) {
  if (bytes != default_chunk_bytes_) {
    return std::make_shared<const std::vector<v1::ParameterChunk>>(ChunkParameters(*set, bytes));
  }
  absl::MutexLock lock(&cache_mu_);
  if (cached_set_ != set) {
    cached_chunks_ =
        std::make_shared<const std::vector<v1::ParameterChunk>>(ChunkParameters(*set, bytes));
    cached_set_ = set;
  }
  return cached_chunks_;
}

bool ParameterService::Send(const std::shared_ptr<const ParameterSet>& set,
                            const v1::SubscribeRequest& request,
                            grpc::ServerWriter<v1::ParameterChunk>* writer) {
  const int64_t asked = request.max_chunk_bytes() > 0
                            ? std::min<int64_t>(request.max_chunk_bytes(), default_chunk_bytes_)
                            : default_chunk_bytes_;
  const int64_t bytes = std::min(default_chunk_bytes_, std::max(asked, kMinChunkBytes));
  for (const v1::ParameterChunk& chunk : *Chunks(set, bytes)) {
    if (!writer->Write(chunk)) return false;
  }
  if (set->final) ++final_deliveries_;
  return true;
}

grpc::Status ParameterService::Subscribe(grpc::ServerContext* context,
                                         const v1::SubscribeRequest* request,
                                         grpc::ServerWriter<v1::ParameterChunk>* writer) {
  if (grpc::Status denied = authenticator_->Check(*context); !denied.ok()) return denied;
  // Each round sends the newest version above the last one sent: a
  // subscriber that falls behind skips to the newest, never replays. Its
  // min_version counts in its incarnation; a subscriber that followed an
  // earlier run of this learner gets the newest version at once.
  std::shared_ptr<const ParameterSet> latest = store_->Latest();
  const bool same_run = request->incarnation() == 0 ||
                        (latest != nullptr && latest->incarnation == request->incarnation());
  uint64_t sent = same_run && request->min_version() > 0 ? request->min_version() - 1 : 0;
  while (!context->IsCancelled() && !store_->closed()) {
    std::shared_ptr<const ParameterSet> set = store_->WaitNewer(sent, absl::Milliseconds(500));
    if (set == nullptr) continue;
    if (!Send(set, *request, writer)) break;
    sent = set->version;
  }
  return grpc::Status::OK;
}

grpc::Status ParameterService::ReportEvaluation(grpc::ServerContext* context,
                                                const v1::EvaluationReport* request,
                                                v1::EvaluationAck*) {
  if (grpc::Status denied = authenticator_->Check(*context); !denied.ok()) return denied;
  auto valid = [](double x) { return std::isfinite(x) && x >= 0.0 && x <= 1.0; };
  if (!valid(request->mean_success())) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("mean_success ", request->mean_success(), " is not in [0, 1]"));
  }
  if (request->tasks_size() > 100000) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "more than 100000 tasks in a report");
  }
  for (const v1::TaskSuccess& t : request->tasks()) {
    if (!valid(t.success())) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("success of '", t.task(), "' is not in [0, 1]"));
    }
  }
  if (!report_handler_) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "this server takes no evaluation reports");
  }
  const absl::Status handled = report_handler_(*request);
  if (handled.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(handled.code()),
                      std::string(handled.message()));
}

grpc::Status ParameterService::GetLatest(grpc::ServerContext* context,
                                         const v1::SubscribeRequest* request,
                                         grpc::ServerWriter<v1::ParameterChunk>* writer) {
  if (grpc::Status denied = authenticator_->Check(*context); !denied.ok()) return denied;
  std::shared_ptr<const ParameterSet> set = store_->Latest();
  if (set == nullptr || set->version < request->min_version()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no parameters published yet");
  }
  Send(set, *request, writer);
  return grpc::Status::OK;
}

}  // namespace taco
