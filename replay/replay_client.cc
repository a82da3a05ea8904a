#include "replay/replay_client.h"

#include <future>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status.h"
#include "replay/replay_service.h"
#include "replay/shard_map.h"
#include "replay/wire.h"

namespace taco {
namespace {

// Errors that re-sending cannot fix: the data, the routing or the
// credentials are wrong.
bool IsPermanent(grpc::StatusCode code) {
  return code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::UNAUTHENTICATED ||
         code == grpc::StatusCode::PERMISSION_DENIED ||
         code == grpc::StatusCode::FAILED_PRECONDITION || code == grpc::StatusCode::NOT_FOUND ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::UNIMPLEMENTED;
}

}  // namespace

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, int max_message_bytes) {
  return ClientSecurity().Channel(address, max_message_bytes);
}

bool AwaitConnected(grpc::Channel& channel, absl::Duration timeout,
                    const std::function<bool()>& stop) {
  const absl::Time until = absl::Now() + timeout;
  while (!stop()) {
    const absl::Time now = absl::Now();
    if (now >= until) return false;
    // Short slices, so that `stop` is seen promptly.
    if (channel.WaitForConnected(
            absl::ToChronoTime(std::min(until, now + absl::Milliseconds(100))))) {
      return true;
    }
  }
  return false;
}

// One shard's insert stream and its unacknowledged batches.
class ReplayWriter::ShardStream {
 public:
  ShardStream(const ReplayWriterOptions& options, std::string address)
      : options_(options),
        address_(std::move(address)),
        channel_(options.security.Channel(address_, options.max_message_bytes)),
        stub_(v1::ReplayService::NewStub(channel_)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~ShardStream() { Close(); }

  absl::Status Enqueue(v1::InsertRequest request, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return closed_ || !error_.ok() ||
             static_cast<int64_t>(pending_.size()) < options_.max_unacked_batches;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&room), timeout)) {
      return absl::DeadlineExceededError(absl::StrCat(
          "replay shard ", address_, " holds ", pending_.size(),
          " unacknowledged batches; still full after ", absl::FormatDuration(timeout)));
    }
    if (!error_.ok()) return error_;
    if (closed_) return absl::CancelledError("replay writer closed");
    pending_.push_back(std::move(request));
    return absl::OkStatus();
  }

  absl::Status Flush(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto drained = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return pending_.empty() || !error_.ok() || closed_;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&drained), timeout)) {
      return absl::DeadlineExceededError(
          absl::StrCat(pending_.size(), " batches still unacknowledged by ", address_));
    }
    return error_;
  }

  // Not connected, with batches waiting: the shard is away (not merely
  // holding inserts back, which a connected stream does).
  bool Away() {
    if (channel_->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY) return false;
    absl::MutexLock lock(&mu_);
    return !pending_.empty();
  }

  void AddStats(ReplayWriterStats* s) {
    absl::MutexLock lock(&mu_);
    s->batches_acked += acked_;
    s->batches_resent += resent_;
    s->reconnects += reconnects_;
    s->unacked += static_cast<int64_t>(pending_.size());
    for (const v1::InsertRequest& request : pending_) s->unacked_rows += request.batch().size();
  }

  void Close() {
    {
      absl::MutexLock lock(&mu_);
      if (closed_) return;
      closed_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  // Connects, sends everything pending (again after a reconnect), then new
  // batches as they come; reads acks on a second thread.
  void Run() {
    absl::Duration backoff = options_.initial_backoff;
    bool first = true;
    while (true) {
      grpc::ClientContext context;
      options_.security.Prepare(&context);
      {
        absl::MutexLock lock(&mu_);
        if (closed_ || !error_.ok()) return;
        context_ = &context;
        if (!first) ++reconnects_;
        sent_ = 0;  // everything pending goes out again on this stream
      }
      first = false;
      auto stream = stub_->Insert(&context);
      std::thread reader([this, &stream] { ReadAcks(stream.get()); });
      bool stream_ok = true;
      while (stream_ok) {
        v1::InsertRequest next;
        {
          absl::MutexLock lock(&mu_);
          auto work = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
            return closed_ || stream_broken_ || sent_ < pending_.size();
          };
          mu_.Await(absl::Condition(&work));
          if (closed_ || stream_broken_) break;
          next = pending_[sent_];
          if (next.batch().sequence() <= resend_below_[Key(next)]) ++resent_;
          ++sent_;
        }
        stream_ok = stream->Write(next);
      }
      stream->WritesDone();
      reader.join();
      const grpc::Status status = stream->Finish();
      bool closed;
      {
        absl::MutexLock lock(&mu_);
        context_ = nullptr;
        stream_broken_ = false;
        closed = closed_;
        // Everything sent but not acknowledged is re-sent on the next stream.
        for (size_t i = 0; i < sent_ && i < pending_.size(); ++i) {
          auto& mark = resend_below_[Key(pending_[i])];
          mark = std::max(mark, pending_[i].batch().sequence());
        }
        if (!closed && IsPermanent(status.error_code())) {
          error_ = Annotate(FromGrpcStatus(status),
                            absl::StrCat("replay shard ", address_, " rejected a batch"));
          TACO_LOG(ERROR) << error_.message();
          return;
        }
      }
      if (closed) return;
      if (!status.ok()) {
        TACO_LOG(WARNING) << "replay shard " << address_
                          << " stream ended: " << status.error_message() << "; reconnecting in "
                          << absl::FormatDuration(backoff);
      }
      if (!status.ok() && channel_->GetState(false) != GRPC_CHANNEL_READY) {
        // The shard is away: carry on as soon as it is back.
        AwaitConnected(*channel_, backoff, [this] {
          absl::MutexLock lock(&mu_);
          return closed_;
        });
      } else {
        absl::MutexLock lock(&mu_);
        auto closing = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return closed_; };
        mu_.AwaitWithTimeout(absl::Condition(&closing), backoff);
      }
      backoff = std::min(backoff * 2, options_.max_backoff);
      if (status.ok()) backoff = options_.initial_backoff;
    }
  }

  void ReadAcks(grpc::ClientReaderWriter<v1::InsertRequest, v1::InsertAck>* stream) {
    v1::InsertAck ack;
    while (stream->Read(&ack)) {
      absl::MutexLock lock(&mu_);
      // Acks are cumulative per (actor, task): drop every batch up to it.
      for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->batch().task() == ack.task() && it->batch().sequence() <= ack.last_sequence()) {
          const size_t index = static_cast<size_t>(it - pending_.begin());
          if (index < sent_) --sent_;
          it = pending_.erase(it);
          ++acked_;
        } else {
          ++it;
        }
      }
    }
    absl::MutexLock lock(&mu_);
    stream_broken_ = true;
  }

  static std::string Key(const v1::InsertRequest& r) { return r.batch().task(); }

  const ReplayWriterOptions& options_;
  const std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ReplayService::Stub> stub_;
  std::thread thread_;

  absl::Mutex mu_;
  std::deque<v1::InsertRequest> pending_ ABSL_GUARDED_BY(mu_);
  size_t sent_ ABSL_GUARDED_BY(mu_) = 0;  // pending_[0, sent_) are on the current stream
  std::map<std::string, uint64_t> resend_below_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool stream_broken_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  int64_t acked_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t resent_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t reconnects_ ABSL_GUARDED_BY(mu_) = 0;
};

absl::StatusOr<std::unique_ptr<ReplayWriter>> ReplayWriter::Create(
    const ReplayWriterOptions& options) {
  if (options.shard_addresses.empty()) {
    return absl::InvalidArgumentError("the replay writer needs at least one shard address");
  }
  if (options.actor_id.empty())
    return absl::InvalidArgumentError("the replay writer needs an actor id");
  if (options.max_unacked_batches < 1) {
    return absl::InvalidArgumentError("max_unacked_batches must be at least 1");
  }
  std::unique_ptr<ReplayWriter> writer(new ReplayWriter(options));
  for (const std::string& address : options.shard_addresses) {
    writer->shards_.push_back(std::make_unique<ShardStream>(writer->options_, address));
  }
  return writer;
}

ReplayWriter::ReplayWriter(const ReplayWriterOptions& options) : options_(options) {}

ReplayWriter::~ReplayWriter() { Close(); }

absl::Status ReplayWriter::Insert(const std::string& task, const Transitions& batch,
                                  absl::Duration timeout) {
  if (std::find(options_.tasks.begin(), options_.tasks.end(), task) == options_.tasks.end()) {
    return absl::InvalidArgumentError(absl::StrCat("task '", task, "' is not part of this run"));
  }
  uint64_t sequence;
  {
    absl::MutexLock lock(&mu_);
    sequence = ++next_sequence_[task];
  }
  v1::InsertRequest request;
  TACO_ASSIGN_OR_RETURN(*request.mutable_batch(),
                        ToProto(task, options_.actor_id, sequence, batch));
  const int shard = ShardForTask(task, options_.tasks, static_cast<int>(shards_.size()));
  absl::Status status = shards_[shard]->Enqueue(std::move(request), timeout);
  if (!status.ok()) {
    // The number was not used; the next batch may take it.
    absl::MutexLock lock(&mu_);
    if (next_sequence_[task] == sequence) --next_sequence_[task];
  }
  return status;
}

bool ReplayWriter::ShardAway(const std::string& task) {
  const int shard = ShardForTask(task, options_.tasks, static_cast<int>(shards_.size()));
  return shard >= 0 && shards_[static_cast<size_t>(shard)]->Away();
}

absl::Status ReplayWriter::Flush(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (auto& shard : shards_) {
    TACO_RETURN_IF_ERROR(shard->Flush(std::max(absl::ZeroDuration(), deadline - absl::Now())));
  }
  return absl::OkStatus();
}

ReplayWriterStats ReplayWriter::stats() const {
  ReplayWriterStats s;
  for (const auto& shard : shards_) shard->AddStats(&s);
  return s;
}

void ReplayWriter::Close() {
  for (auto& shard : shards_) shard->Close();
}

absl::StatusOr<std::unique_ptr<ReplaySampler>> ReplaySampler::Create(
    const ReplaySamplerOptions& options) {
  if (options.shard_addresses.empty()) {
    return absl::InvalidArgumentError("the replay sampler needs at least one shard address");
  }
  std::unique_ptr<ReplaySampler> sampler(new ReplaySampler(options));
  for (const std::string& address : options.shard_addresses) {
    sampler->stubs_.push_back(
        v1::ReplayService::NewStub(options.security.Channel(address, options.max_message_bytes)));
  }
  return sampler;
}

absl::StatusOr<Transitions> ReplaySampler::Sample(const std::vector<TaskCount>& counts,
                                                  TransitionShape shape, absl::Duration timeout) {
  const int shard_count = static_cast<int>(stubs_.size());
  std::vector<v1::SampleRequest> requests(shard_count);
  std::vector<int64_t> offsets;  // row of counts[i] in the assembled batch
  int64_t total = 0;
  for (const TaskCount& c : counts) {
    if (c.count < 0) return absl::InvalidArgumentError("negative sample count");
    if (ShardForTask(c.task, options_.tasks, shard_count) < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("task '", c.task, "' is not part of this run"));
    }
    offsets.push_back(total);
    total += c.count;
    v1::TaskCount* tc = requests[ShardForTask(c.task, options_.tasks, shard_count)].add_counts();
    tc->set_task(c.task);
    tc->set_count(static_cast<uint32_t>(c.count));
  }
  const absl::Time deadline = absl::Now() + timeout;
  Transitions out = Transitions::Zeros(shape, total);
  // Each shard's answer lands straight in its own rows of `out`.
  auto fetch = [this, &requests, &counts, &offsets, &out, shard_count, deadline](int s) {
    grpc::ClientContext context;
    options_.security.Prepare(&context);
    context.set_deadline(absl::ToChronoTime(deadline));
    auto reader = stubs_[s]->Sample(&context, requests[s]);
    std::vector<size_t> mine;  // entries of `counts` this shard answers, in order
    for (size_t i = 0; i < counts.size(); ++i) {
      if (ShardForTask(counts[i].task, options_.tasks, shard_count) == s) mine.push_back(i);
    }
    size_t k = 0;
    int64_t filled = 0;
    absl::Status status;
    v1::SampleResponse response;
    while (reader->Read(&response)) {
      for (const v1::TransitionBatch& piece : response.pieces()) {
        if (!status.ok()) break;
        while (k < mine.size() && filled == counts[mine[k]].count) {
          ++k;
          filled = 0;
        }
        if (k == mine.size() || piece.task() != counts[mine[k]].task ||
            filled + static_cast<int64_t>(piece.size()) > counts[mine[k]].count) {
          status = absl::DataLossError(
              absl::StrCat("replay shard ", s, " answered rows out of the requested order"));
          break;
        }
        status = DecodeInto(piece, &out, offsets[mine[k]] + filled);
        filled += piece.size();
      }
    }
    const grpc::Status finished = reader->Finish();
    if (status.ok()) status = FromGrpcStatus(finished);
    if (status.ok() &&
        (k + 1 < mine.size() || (k < mine.size() && filled != counts[mine[k]].count))) {
      status = absl::DataLossError(absl::StrCat("replay shard ", s, " returned too few rows"));
    }
    return Annotate(status, absl::StrCat("sampling from replay shard ", s, " (",
                                         options_.shard_addresses[s], ")"));
  };
  std::vector<std::future<absl::Status>> parts(shard_count);
  for (int s = 0; s < shard_count; ++s) {
    if (requests[s].counts_size() > 0) parts[s] = std::async(std::launch::async, fetch, s);
  }
  absl::Status first_error;
  for (auto& part : parts) {
    if (!part.valid()) continue;
    absl::Status status = part.get();
    if (first_error.ok()) first_error = status;
  }
  if (!first_error.ok()) return first_error;
  return out;
}

std::vector<absl::StatusOr<v1::InfoResponse>> ReplaySampler::InfoEach(
    const std::vector<v1::InfoRequest>& requests, absl::Duration timeout) {
  // Concurrent, so a shard that is away costs one timeout, not one per shard.
  auto ask = [this, &requests, timeout](size_t s) -> absl::StatusOr<v1::InfoResponse> {
    grpc::ClientContext context;
    options_.security.Prepare(&context);
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    v1::InfoResponse response;
    const v1::InfoRequest request = s < requests.size() ? requests[s] : v1::InfoRequest();
    TACO_RETURN_IF_ERROR(Annotate(
        FromGrpcStatus(stubs_[s]->Info(&context, request, &response)),
        absl::StrCat("info from replay shard ", s, " (", options_.shard_addresses[s], ")")));
    return response;
  };
  std::vector<std::future<absl::StatusOr<v1::InfoResponse>>> parts;
  for (size_t s = 0; s < stubs_.size(); ++s)
    parts.push_back(std::async(std::launch::async, ask, s));
  std::vector<absl::StatusOr<v1::InfoResponse>> out;
  for (auto& part : parts) out.push_back(part.get());
  return out;
}

absl::StatusOr<std::vector<v1::InfoResponse>> ReplaySampler::Info(absl::Duration timeout) {
  std::vector<v1::InfoResponse> infos;
  for (auto& info : InfoEach({}, timeout)) {
    if (!info.ok()) return info.status();
    infos.push_back(std::move(*info));
  }
  return infos;
}

}  // namespace taco
