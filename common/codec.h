// Packing float arrays into little-endian float32 bytes for the wire.
//
// Non-finite values: decoding rejects NaN and ±Inf by default, naming the
// field and the first offending element, because a single NaN in a replay
// table poisons every later update that samples it. Callers that carry
// values where NaN is meaningful pass NonFinite::kAllow.
#ifndef TACO_COMMON_CODEC_H_
#define TACO_COMMON_CODEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace taco {

enum class NonFinite { kReject, kAllow };

// Number of elements of `shape`; an error for a negative dimension or an
// overflowing product.
absl::StatusOr<int64_t> ElementCount(absl::Span<const int64_t> shape);

// Packs `values` (row-major, prod(shape) elements) into little-endian bytes.
absl::StatusOr<std::string> EncodeFloat32(absl::Span<const float> values,
                                          absl::Span<const int64_t> shape,
                                          NonFinite non_finite = NonFinite::kReject,
                                          absl::string_view field = "tensor");

// Unpacks `bytes` that must hold exactly prod(shape) float32 values into
// `out` (same size). `field` names the data in error messages.
absl::Status DecodeFloat32Into(absl::string_view bytes, absl::Span<const int64_t> shape,
                               absl::Span<float> out, NonFinite non_finite = NonFinite::kReject,
                               absl::string_view field = "tensor");

absl::StatusOr<std::vector<float>> DecodeFloat32(absl::string_view bytes,
                                                 absl::Span<const int64_t> shape,
                                                 NonFinite non_finite = NonFinite::kReject,
                                                 absl::string_view field = "tensor");

// Index of the first NaN or ±Inf, or -1.
int64_t FirstNonFinite(absl::Span<const float> values);

// "[2, 39]"
std::string ShapeString(absl::Span<const int64_t> shape);

}  // namespace taco

#endif  // TACO_COMMON_CODEC_H_
