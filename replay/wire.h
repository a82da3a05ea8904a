// Conversions between replay's columnar batches and the taco.v1 messages.
#ifndef TACO_REPLAY_WIRE_H_
#define TACO_REPLAY_WIRE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "replay/transitions.h"
#include "taco/v1/transition.pb.h"

namespace taco {

// Rows [first, first + count) of `t` as one message.
absl::StatusOr<v1::TransitionBatch> ToProto(const std::string& task, const std::string& actor_id,
                                            uint64_t sequence, const Transitions& t, int64_t first,
                                            int64_t count);
absl::StatusOr<v1::TransitionBatch> ToProto(const std::string& task, const std::string& actor_id,
                                            uint64_t sequence, const Transitions& t);

// Decodes and validates a message: shapes must match `expected`, every
// value must be finite, flags 0 or 1. The message names the offending field.
// The declared size and dimensions are checked against `max_rows` and every
// column's byte length before anything is allocated, so a message costs at
// most what its payload already holds.
absl::StatusOr<Transitions> FromProto(const v1::TransitionBatch& batch,
                                      const TransitionShape& expected,
                                      int64_t max_rows = int64_t{1} << 20);

// Decodes and validates `batch` straight into rows [first_row, first_row +
// batch.size()) of `out`, whose shape it must have.
absl::Status DecodeInto(const v1::TransitionBatch& batch, Transitions* out, int64_t first_row);

}  // namespace taco

#endif  // TACO_REPLAY_WIRE_H_
