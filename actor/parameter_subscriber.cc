#include "actor/parameter_subscriber.h"

#include "common/logging.h"
#include "proto/parameter_chunks.h"
#include "replay/replay_client.h"

namespace taco {

ParameterSubscriber::ParameterSubscriber(const ParameterSubscriberOptions& options)
    : options_(options),
      channel_(options.security.Channel(options.address, options.max_message_bytes)),
      stub_(v1::ParameterService::NewStub(channel_)) {
  thread_ = std::thread([this] { Run(); });
}

ParameterSubscriber::~ParameterSubscriber() { Stop(); }

void ParameterSubscriber::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const ParameterSet> ParameterSubscriber::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

std::shared_ptr<const ParameterSet> ParameterSubscriber::WaitNewer(uint64_t version,
                                                                   absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto newer = [this, version]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return stopping_ || (latest_ != nullptr && latest_->version > version);
  };
  mu_.AwaitWithTimeout(absl::Condition(&newer), timeout);
  return latest_ != nullptr && latest_->version > version ? latest_ : nullptr;
}

std::shared_ptr<const ParameterSet> ParameterSubscriber::WaitOther(const ParameterSet* current,
                                                                   absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto other = [this, current]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return stopping_ || (latest_ != nullptr && latest_.get() != current);
  };
  mu_.AwaitWithTimeout(absl::Condition(&other), timeout);
  return latest_ != nullptr && latest_.get() != current ? latest_ : nullptr;
}

int64_t ParameterSubscriber::versions_received() const {
  absl::MutexLock lock(&mu_);
  return received_;
}

int64_t ParameterSubscriber::damaged_versions() const {
  absl::MutexLock lock(&mu_);
  return damaged_;
}

void ParameterSubscriber::Run() {
  absl::Duration backoff = options_.initial_backoff;
  while (true) {
    grpc::ClientContext context;
    options_.security.Prepare(&context);
    v1::SubscribeRequest request;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      context_ = &context;
      request.set_min_version(latest_ != nullptr ? latest_->version + 1 : 0);
      request.set_incarnation(latest_ != nullptr ? latest_->incarnation : 0);
    }
    request.set_max_chunk_bytes(static_cast<uint32_t>(options_.max_chunk_bytes));
    auto reader = stub_->Subscribe(&context, request);
    ParameterAssembler assembler;
    v1::ParameterChunk chunk;
    while (reader->Read(&chunk)) {
      bool complete = false;
      ParameterSet set;
      absl::Status status = assembler.Add(chunk, &complete, &set);
      absl::MutexLock lock(&mu_);
      if (!status.ok()) {
        ++damaged_;
        TACO_LOG(WARNING) << "dropping a damaged parameter version: " << status.message();
        continue;
      }
      if (!complete) continue;
      // A restarted learner (another incarnation) counts versions from its
      // checkpoint again: its versions supersede the old run's at once.
      if (latest_ == nullptr || set.incarnation != latest_->incarnation ||
          set.version > latest_->version) {
        latest_ = std::make_shared<const ParameterSet>(std::move(set));
        ++received_;
        backoff = options_.initial_backoff;
      }
    }
    const grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
      if (stopping_) return;
      TACO_LOG(WARNING) << "parameter stream from " << options_.address
                        << " ended: " << status.error_message() << "; retrying in "
                        << absl::FormatDuration(backoff);
    }
    if (channel_->GetState(false) != GRPC_CHANNEL_READY) {
      // The learner is away: carry on as soon as it is back.
      AwaitConnected(*channel_, backoff, [this] {
        absl::MutexLock lock(&mu_);
        return stopping_;
      });
    } else {
      absl::MutexLock lock(&mu_);
      auto stop = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
      mu_.AwaitWithTimeout(absl::Condition(&stop), backoff);
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace taco
