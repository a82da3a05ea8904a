// The float32 wire codec (common/codec.h) on arbitrary payloads and shapes.
//
// Input: one flags byte (bits 0-2: rank mod 5, bit 3: allow non-finite
// values), then per dimension one byte: below 0xF0 the dimension itself,
// else eight more bytes hold it as a little-endian int64 (negative and huge
// shapes come from there); the rest is the payload.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "common/codec.h"
#include "fuzz/fuzz_util.h"

namespace {

bool NextDim(const uint8_t*& data, size_t& size, int64_t* dim) {
  if (size < 1) return false;
  const uint8_t b = *data++;
  --size;
  if (b < 0xF0) {
    *dim = b;
    return true;
  }
  if (size < 8) return false;
  std::memcpy(dim, data, 8);
  data += 8;
  size -= 8;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = *data++;
  --size;
  const int rank = (flags & 7) % 5;
  const taco::NonFinite mode = flags & 8 ? taco::NonFinite::kAllow : taco::NonFinite::kReject;
  std::vector<int64_t> shape;
  for (int i = 0; i < rank; ++i) {
    int64_t dim;
    if (!NextDim(data, size, &dim)) return 0;
    shape.push_back(dim);
  }
  const std::string bytes(reinterpret_cast<const char*>(data), size);

  const auto count = taco::ElementCount(shape);
  auto decoded = taco::DecodeFloat32(bytes, shape, mode, "fuzz");
  if (!decoded.ok()) {
    TACO_FUZZ_CHECK(!decoded.status().message().empty());
  } else {
    TACO_FUZZ_CHECK(count.ok() && *count == static_cast<int64_t>(decoded->size()));
    TACO_FUZZ_CHECK(bytes.size() == decoded->size() * sizeof(float));
    if (mode == taco::NonFinite::kReject) TACO_FUZZ_CHECK(taco::FirstNonFinite(*decoded) < 0);
    // Encoding is a byte copy, so every accepted payload comes back as it was.
    auto encoded = taco::EncodeFloat32(*decoded, shape, taco::NonFinite::kAllow, "fuzz");
    TACO_FUZZ_CHECK(encoded.ok() && *encoded == bytes);
  }

  // A destination of the wrong size must be refused, never written past.
  const size_t floats = bytes.size() / sizeof(float);
  for (size_t out_size : {floats, floats + 1, floats > 0 ? floats - 1 : 0}) {
    std::vector<float> out(out_size, 0.0f);
    const absl::Status into =
        taco::DecodeFloat32Into(bytes, shape, absl::MakeSpan(out), mode, "fuzz");
    if (into.ok()) {
      // Compared as bytes: NaN payloads pass through when allowed.
      TACO_FUZZ_CHECK(decoded.ok() && out.size() == decoded->size() &&
                      (out.empty() ||
                       std::memcmp(out.data(), decoded->data(), out.size() * sizeof(float)) == 0));
    }
  }

  // Encoding arbitrary values against an arbitrary shape.
  std::vector<float> values(floats);
  if (floats > 0) std::memcpy(values.data(), bytes.data(), floats * sizeof(float));
  auto encoded = taco::EncodeFloat32(values, shape, mode, "fuzz");
  if (encoded.ok()) TACO_FUZZ_CHECK(encoded->size() == floats * sizeof(float));
  taco::ShapeString(shape);
  return 0;
}
