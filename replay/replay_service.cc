#include "replay/replay_service.h"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "replay/wire.h"

namespace taco {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

grpc::Status ReplayService::Insert(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::InsertAck, v1::InsertRequest>* stream) {
  if (grpc::Status denied = options_.authenticator->Check(*context); !denied.ok()) return denied;
  // Within one stream an actor's sequence numbers only go up; across
  // reconnects a re-sent batch is acknowledged without being stored again.
  std::map<std::pair<std::string, std::string>, uint64_t> last_on_stream;
  v1::InsertRequest request;
  while (stream->Read(&request)) {
    if (context->IsCancelled()) return grpc::Status::CANCELLED;
    const v1::TransitionBatch& batch = request.batch();
    const auto key = std::make_pair(batch.actor_id(), batch.task());
    auto seen = last_on_stream.find(key);
    if (seen != last_on_stream.end() && batch.sequence() < seen->second) {
      return grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("sequence number goes backwards for actor '", batch.actor_id(), "' task '",
                       batch.task(), "': ", batch.sequence(), " after ", seen->second));
    }
    absl::Status owns = shard_->CheckOwns(batch.task());
    if (!owns.ok()) return ToGrpcStatus(owns);
    auto transitions =
        FromProto(batch, shard_->options().shape, shard_->options().max_insert_batch);
    if (!transitions.ok()) return ToGrpcStatus(transitions.status());
    // A batch the rate limiter holds back waits on the live stream, as long
    // as the caller stays: failing it would only make the writer reconnect
    // and send it again into the same wait.
    auto result = shard_->Insert(batch.task(), batch.actor_id(), batch.sequence(), *transitions,
                                 options_.rate_limiter_timeout);
    while (!result.ok() && absl::IsDeadlineExceeded(result.status()) && !context->IsCancelled() &&
           !shard_->closed()) {
      result = shard_->Insert(batch.task(), batch.actor_id(), batch.sequence(), *transitions,
                              options_.rate_limiter_timeout);
    }
    if (!result.ok()) return ToGrpcStatus(result.status());
    last_on_stream[key] = batch.sequence();
    v1::InsertAck ack;
    ack.set_actor_id(batch.actor_id());
    ack.set_task(batch.task());
    ack.set_last_sequence(result->last_sequence);
    ack.set_stored(static_cast<uint32_t>(result->stored));
    if (!stream->Write(ack)) break;
  }
  return grpc::Status::OK;
}

grpc::Status ReplayService::Sample(grpc::ServerContext* context, const v1::SampleRequest* request,
                                   grpc::ServerWriter<v1::SampleResponse>* writer) {
  if (grpc::Status denied = options_.authenticator->Check(*context); !denied.ok()) return denied;
  std::vector<TaskCount> counts;
  for (const v1::TaskCount& c : request->counts()) counts.push_back({c.task(), c.count()});
  auto batch = shard_->Sample(counts, options_.rate_limiter_timeout);
  if (!batch.ok()) return ToGrpcStatus(batch.status());
  const int64_t per_message =
      request->max_transitions_per_message() > 0
          ? std::min(request->max_transitions_per_message(), options_.max_transitions_per_message)
          : options_.max_transitions_per_message;
  // Pieces follow the request order; a task's rows may span messages.
  v1::SampleResponse response;
  int64_t in_message = 0;
  int64_t offset = 0;
  for (const TaskCount& c : counts) {
    int64_t left = c.count;
    while (left > 0) {
      const int64_t take = std::min(left, per_message - in_message);
      auto piece = ToProto(c.task, "", 0, *batch, offset, take);
      if (!piece.ok()) return ToGrpcStatus(piece.status());
      *response.add_pieces() = std::move(*piece);
      offset += take;
      left -= take;
      in_message += take;
      if (in_message == per_message) {
        if (!writer->Write(response)) return grpc::Status::CANCELLED;
        response.Clear();
        in_message = 0;
      }
    }
  }
  if (response.pieces_size() > 0 && !writer->Write(response)) return grpc::Status::CANCELLED;
  return grpc::Status::OK;
}

grpc::Status ReplayService::Info(grpc::ServerContext* context, const v1::InfoRequest* request,
                                 v1::InfoResponse* response) {
  if (grpc::Status denied = options_.authenticator->Check(*context); !denied.ok()) return denied;
  if (request->has_insert_limit()) {
    if (request->insert_limit() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("insert_limit ", request->insert_limit(), " is out of range"));
    }
    shard_->SetInsertLimit(static_cast<int64_t>(request->insert_limit()));
  }
  if (request->learner_version() > 0) shard_->SetLearnerVersion(request->learner_version());
  if (request->run_complete()) shard_->MarkRunComplete();
  const ShardInfo info = shard_->Info(request->counters_only());
  response->set_shard_index(static_cast<uint32_t>(info.shard_index));
  response->set_shard_count(static_cast<uint32_t>(info.shard_count));
  response->set_incarnation(info.incarnation);
  response->set_restored_inserted_total(static_cast<uint64_t>(info.restored_inserted_total));
  response->set_has_insert_limit(info.insert_limit >= 0);
  response->set_insert_limit(static_cast<uint64_t>(std::max<int64_t>(0, info.insert_limit)));
  response->set_closed(info.closed);
  for (const TaskStats& t : info.tasks) {
    v1::TaskInfo* task = response->add_tasks();
    task->set_task(t.task);
    task->set_size(static_cast<uint64_t>(t.size));
    task->set_capacity(static_cast<uint64_t>(t.capacity));
    task->set_inserted_total(static_cast<uint64_t>(t.inserted_total));
    task->set_sampled_total(static_cast<uint64_t>(t.sampled_total));
  }
  for (const auto& [key, seq] : info.sequences) {
    v1::ActorSequence* s = response->add_sequences();
    s->set_actor_id(key.first);
    s->set_task(key.second);
    s->set_last_sequence(seq);
  }
  response->set_memory_bytes(static_cast<uint64_t>(info.memory_bytes));
  response->set_last_checkpoint_unix_s(info.last_checkpoint_unix_s);
  return grpc::Status::OK;
}

grpc::Status ReplayService::Checkpoint(grpc::ServerContext* context, const v1::CheckpointRequest*,
                                       v1::CheckpointResponse* response) {
  if (grpc::Status denied = options_.authenticator->Check(*context); !denied.ok()) return denied;
  const absl::Time start = absl::Now();
  auto folder = shard_->Checkpoint();
  if (!folder.ok()) return ToGrpcStatus(folder.status());
  response->set_path(*folder);
  response->set_duration_s(absl::ToDoubleSeconds(absl::Now() - start));
  return grpc::Status::OK;
}

}  // namespace taco
