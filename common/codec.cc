#include "common/codec.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "absl/base/config.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace taco {
namespace {

constexpr bool kHostIsLittleEndian =
#ifdef ABSL_IS_LITTLE_ENDIAN
    true;
#else
    false;
#endif

uint32_t ByteSwap(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

void CopyLittleEndian(const void* src, void* dst, size_t count) {
  if (count == 0) return;  // empty spans may carry null pointers
  if (kHostIsLittleEndian) {
    std::memcpy(dst, src, count * sizeof(float));
    return;
  }
  const auto* in = static_cast<const unsigned char*>(src);
  auto* out = static_cast<unsigned char*>(dst);
  for (size_t i = 0; i < count; ++i) {
    uint32_t word;
    std::memcpy(&word, in + 4 * i, 4);
    word = ByteSwap(word);
    std::memcpy(out + 4 * i, &word, 4);
  }
}

absl::Status NonFiniteError(absl::string_view field, int64_t index, float value) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, " holds a non-finite value (", value, ") at element ", index));
}

}  // namespace

absl::StatusOr<int64_t> ElementCount(absl::Span<const int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape ", ShapeString(shape), " has a negative dimension"));
    }
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / dim) {
      return absl::InvalidArgumentError(absl::StrCat("shape ", ShapeString(shape), " overflows"));
    }
    count *= dim;
  }
  return count;
}

int64_t FirstNonFinite(absl::Span<const float> values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) return static_cast<int64_t>(i);
  }
  return -1;
}

std::string ShapeString(absl::Span<const int64_t> shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

absl::StatusOr<std::string> EncodeFloat32(absl::Span<const float> values,
                                          absl::Span<const int64_t> shape, NonFinite non_finite,
                                          absl::string_view field) {
  auto count = ElementCount(shape);
  if (!count.ok()) return count.status();
  if (*count != static_cast<int64_t>(values.size())) {
    return absl::InvalidArgumentError(absl::StrCat(field, " has ", values.size(),
                                                   " values but shape ", ShapeString(shape),
                                                   " needs ", *count));
  }
  if (non_finite == NonFinite::kReject) {
    const int64_t bad = FirstNonFinite(values);
    if (bad >= 0) return NonFiniteError(field, bad, values[bad]);
  }
  std::string bytes(values.size() * sizeof(float), '\0');
  CopyLittleEndian(values.data(), bytes.data(), values.size());
  return bytes;
}

absl::Status DecodeFloat32Into(absl::string_view bytes, absl::Span<const int64_t> shape,
                               absl::Span<float> out, NonFinite non_finite,
                               absl::string_view field) {
  auto count = ElementCount(shape);
  if (!count.ok()) return count.status();
  if (bytes.size() % sizeof(float) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " has ", bytes.size(), " bytes, not a whole number of float32"));
  }
  const int64_t have = static_cast<int64_t>(bytes.size() / sizeof(float));
  if (have != *count) {
    return absl::InvalidArgumentError(absl::StrCat(field, " holds ", have,
                                                   " float32 values but its shape ",
                                                   ShapeString(shape), " needs ", *count));
  }
  if (static_cast<int64_t>(out.size()) != *count) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": destination holds ", out.size(),
                                                   " values but shape ", ShapeString(shape),
                                                   " needs ", *count));
  }
  CopyLittleEndian(bytes.data(), out.data(), out.size());
  if (non_finite == NonFinite::kReject) {
    const int64_t bad = FirstNonFinite(out);
    if (bad >= 0) return NonFiniteError(field, bad, out[bad]);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<float>> DecodeFloat32(absl::string_view bytes,
                                                 absl::Span<const int64_t> shape,
                                                 NonFinite non_finite, absl::string_view field) {
  auto count = ElementCount(shape);
  if (!count.ok()) return count.status();
  // Check the byte size before allocating: a hostile shape must not make us
  // reserve memory the payload does not back.
  if (static_cast<int64_t>(bytes.size() / sizeof(float)) != *count ||
      bytes.size() % sizeof(float) != 0) {
    // In values, not bytes: four times a huge count overflows.
    return absl::InvalidArgumentError(absl::StrCat(field, " holds ", bytes.size(),
                                                   " bytes but its shape ", ShapeString(shape),
                                                   " needs ", *count, " float32 values"));
  }
  std::vector<float> values(static_cast<size_t>(*count));
  absl::Status status = DecodeFloat32Into(bytes, shape, absl::MakeSpan(values), non_finite, field);
  if (!status.ok()) return status;
  return values;
}

}  // namespace taco
