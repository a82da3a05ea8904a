#include "common/codec.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

TEST(CodecTest, RoundTripKeepsEveryBit) {
  const std::vector<float> values = {0.0f,       -0.0f, 1.5f,
                                     -3.25e-20f, 7e30f, std::numeric_limits<float>::denorm_min()};
  auto bytes = EncodeFloat32(values, {2, 3});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(bytes->size(), values.size() * 4);
  auto decoded = DecodeFloat32(*bytes, {2, 3});
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), values.size());
  EXPECT_EQ(std::memcmp(decoded->data(), values.data(), values.size() * 4), 0);
}

TEST(CodecTest, BytesAreLittleEndian) {
  auto bytes = EncodeFloat32(std::vector<float>{1.0f}, {1});
  ASSERT_TRUE(bytes.ok());
  // 1.0f is 0x3f800000: least significant byte first.
  EXPECT_EQ(*bytes, std::string("\x00\x00\x80\x3f", 4));
}

TEST(CodecTest, EncodeRejectsShapeMismatch) {
  auto bytes = EncodeFloat32(std::vector<float>{1, 2, 3}, {2, 2}, NonFinite::kReject, "obs");
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("obs has 3 values"));
  EXPECT_THAT(std::string(bytes.status().message()), HasSubstr("[2, 2]"));
}

TEST(CodecTest, DecodeRejectsWrongByteCount) {
  const std::string bytes(4 * 5, '\0');
  auto decoded = DecodeFloat32(bytes, {2, 3}, NonFinite::kReject, "next_obs");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(decoded.status().message()), HasSubstr("next_obs"));
}

TEST(CodecTest, DecodeRejectsPartialFloat) {
  auto decoded = DecodeFloat32(std::string(7, '\0'), {2});
  EXPECT_FALSE(decoded.ok());
}

TEST(CodecTest, NegativeOrOverflowingShapeIsAnError) {
  EXPECT_FALSE(ElementCount({2, -1}).ok());
  EXPECT_FALSE(ElementCount({1LL << 40, 1LL << 40}).ok());
  EXPECT_EQ(*ElementCount({}), 1);
  EXPECT_EQ(*ElementCount({3, 0}), 0);
  // A hostile shape must fail on size, not by allocating.
  EXPECT_FALSE(DecodeFloat32(std::string(8, '\0'), {1LL << 40}).ok());
}

// Found by fuzz/codec_fuzzer.cc: the error message multiplied the element
// count by four, a signed overflow for counts above 2^61.
TEST(CodecTest, HugeShapeWithShortPayloadIsAnErrorWithoutOverflow) {
  auto decoded = DecodeFloat32(std::string(8, '\0'), {int64_t{1} << 61, 3});
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(std::string(decoded.status().message()), HasSubstr("6917529027641081856"));
  EXPECT_FALSE(DecodeFloat32(std::string(4, '\0'), {std::numeric_limits<int64_t>::max()}).ok());
}

TEST(CodecTest, NaNAndInfAreRejectedByDefaultWithTheirIndex) {
  const std::vector<float> values = {1.0f, std::nanf(""), 2.0f};
  auto encoded = EncodeFloat32(values, {3}, NonFinite::kReject, "reward");
  ASSERT_FALSE(encoded.ok());
  EXPECT_THAT(std::string(encoded.status().message()), HasSubstr("reward"));
  EXPECT_THAT(std::string(encoded.status().message()), HasSubstr("element 1"));

  auto allowed = EncodeFloat32(values, {3}, NonFinite::kAllow);
  ASSERT_TRUE(allowed.ok());
  auto rejected = DecodeFloat32(*allowed, {3}, NonFinite::kReject, "reward");
  ASSERT_FALSE(rejected.ok());
  EXPECT_THAT(std::string(rejected.status().message()), HasSubstr("element 1"));

  auto kept = DecodeFloat32(*allowed, {3}, NonFinite::kAllow);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(std::isnan((*kept)[1]));

  const std::vector<float> inf = {std::numeric_limits<float>::infinity()};
  EXPECT_FALSE(EncodeFloat32(inf, {1}).ok());
}

TEST(CodecTest, DecodeIntoChecksDestinationSize) {
  auto bytes = EncodeFloat32(std::vector<float>{1, 2}, {2});
  ASSERT_TRUE(bytes.ok());
  std::vector<float> out(3);
  EXPECT_FALSE(DecodeFloat32Into(*bytes, {2}, absl::MakeSpan(out)).ok());
  out.resize(2);
  EXPECT_TRUE(DecodeFloat32Into(*bytes, {2}, absl::MakeSpan(out)).ok());
  EXPECT_EQ(out[1], 2.0f);
}

}  // namespace
}  // namespace taco
