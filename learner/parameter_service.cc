#include "learner/parameter_service.h"

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

bool ParameterService::Send(const ParameterSet& set, const v1::SubscribeRequest& request,
                            grpc::ServerWriter<v1::ParameterChunk>* writer) const {
  const int64_t bytes = request.max_chunk_bytes() > 0
                            ? std::min<int64_t>(request.max_chunk_bytes(), default_chunk_bytes_)
                            : default_chunk_bytes_;
  for (const v1::ParameterChunk& chunk : ChunkParameters(set, bytes)) {
    if (!writer->Write(chunk)) return false;
  }
  return true;
}

grpc::Status ParameterService::Subscribe(grpc::ServerContext* context,
                                         const v1::SubscribeRequest* request,
                                         grpc::ServerWriter<v1::ParameterChunk>* writer) {
  if (grpc::Status denied = authenticator_->Check(*context); !denied.ok()) return denied;
  // Each round sends the newest version above the last one sent: a
  // subscriber that falls behind skips to the newest, never replays.
  uint64_t sent = request->min_version() > 0 ? request->min_version() - 1 : 0;
  while (!context->IsCancelled() && !store_->closed()) {
    std::shared_ptr<const ParameterSet> set = store_->WaitNewer(sent, absl::Milliseconds(500));
    if (set == nullptr) continue;
    if (!Send(*set, *request, writer)) break;
    sent = set->version;
  }
  return grpc::Status::OK;
}

grpc::Status ParameterService::GetLatest(grpc::ServerContext* context,
                                         const v1::SubscribeRequest* request,
                                         grpc::ServerWriter<v1::ParameterChunk>* writer) {
  if (grpc::Status denied = authenticator_->Check(*context); !denied.ok()) return denied;
  std::shared_ptr<const ParameterSet> set = store_->Latest();
  if (set == nullptr || set->version < request->min_version()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no parameters published yet");
  }
  Send(*set, *request, writer);
  return grpc::Status::OK;
}

}  // namespace taco
