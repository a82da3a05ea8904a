#include "proto/parameter_chunks.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

ParameterSet Example() {
  ParameterSet set;
  set.version = 7;
  set.updates = 7000;
  set.tasks = {"reach-v2", "push-v2"};
  NamedArray a{"actor.fc0.weight", {5, 4, 3}, {}};
  for (int i = 0; i < 60; ++i) a.values.push_back(0.5f * static_cast<float>(i) - 3.0f);
  NamedArray w{"task_weights", {5, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}};
  NamedArray scalar{"actor.scale", {}, {0.25f}};
  set.arrays = {a, w, scalar};
  return set;
}

ParameterSet Assemble(const std::vector<v1::ParameterChunk>& chunks) {
  ParameterAssembler assembler;
  ParameterSet out;
  for (size_t i = 0; i < chunks.size(); ++i) {
    bool complete = false;
    absl::Status status = assembler.Add(chunks[i], &complete, &out);
    EXPECT_TRUE(status.ok()) << status;
    EXPECT_EQ(complete, i + 1 == chunks.size());
  }
  return out;
}

void ExpectEqual(const ParameterSet& a, const ParameterSet& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.updates, b.updates);
  EXPECT_EQ(a.tasks, b.tasks);
  ASSERT_EQ(a.arrays.size(), b.arrays.size());
  for (size_t i = 0; i < a.arrays.size(); ++i) {
    EXPECT_EQ(a.arrays[i].name, b.arrays[i].name);
    EXPECT_EQ(a.arrays[i].shape, b.arrays[i].shape);
    EXPECT_EQ(a.arrays[i].values, b.arrays[i].values);
  }
}

TEST(ParameterChunksTest, RoundTripAtEveryChunkSize) {
  const ParameterSet set = Example();
  for (int64_t bytes : {4, 12, 40, 100, 240, 1 << 20}) {
    const auto chunks = ChunkParameters(set, bytes);
    for (const auto& c : chunks) {
      int64_t payload = 0;
      for (const auto& s : c.slices()) payload += static_cast<int64_t>(s.tensor().data().size());
      EXPECT_LE(payload, std::max<int64_t>(bytes, 4));
    }
    ExpectEqual(Assemble(chunks), set);
  }
  EXPECT_EQ(ChunkParameters(set, 1 << 20).size(), 1u);
  EXPECT_EQ(ChunkParameters(set, 4).size(), 71u);
}

TEST(ParameterChunksTest, OutOfOrderOrMixedVersionsAreRejectedAndTheAssemblerRecovers) {
  const auto chunks = ChunkParameters(Example(), 40);
  ParameterAssembler assembler;
  ParameterSet out;
  bool complete;
  EXPECT_FALSE(assembler.Add(chunks[1], &complete, &out).ok()) << "must start at chunk 0";
  ASSERT_TRUE(assembler.Add(chunks[0], &complete, &out).ok());
  absl::Status skipped = assembler.Add(chunks[2], &complete, &out);
  EXPECT_THAT(std::string(skipped.message()), HasSubstr("expected chunk 1"));
  v1::ParameterChunk other = chunks[1];
  other.set_version(8);
  ASSERT_TRUE(assembler.Add(chunks[0], &complete, &out).ok());
  EXPECT_FALSE(assembler.Add(other, &complete, &out).ok());
  ExpectEqual(Assemble(chunks), Example());
}

TEST(ParameterChunksTest, DamagedSlicesAreRejected) {
  const auto good = ChunkParameters(Example(), 1 << 20);
  ASSERT_EQ(good.size(), 1u);
  auto assemble_one = [](const v1::ParameterChunk& c) {
    ParameterAssembler assembler(1000);
    ParameterSet out;
    bool complete;
    return assembler.Add(c, &complete, &out);
  };
  v1::ParameterChunk nan = good[0];
  std::string data = nan.slices(1).tensor().data();
  const float bad = std::nanf("");
  std::memcpy(&data[8], &bad, 4);
  nan.mutable_slices(1)->mutable_tensor()->set_data(data);
  EXPECT_THAT(std::string(assemble_one(nan).message()), HasSubstr("non-finite"));

  v1::ParameterChunk wrong_total = good[0];
  wrong_total.mutable_slices(0)->set_total_elements(61);
  EXPECT_FALSE(assemble_one(wrong_total).ok());

  v1::ParameterChunk short_data = good[0];
  short_data.mutable_slices(1)->mutable_tensor()->set_data(data.substr(0, 8));
  EXPECT_THAT(std::string(assemble_one(short_data).message()), HasSubstr("incomplete"));

  v1::ParameterChunk duplicate = good[0];
  *duplicate.add_slices() = good[0].slices(1);
  EXPECT_THAT(std::string(assemble_one(duplicate).message()), HasSubstr("twice"));

  v1::ParameterChunk huge = good[0];
  huge.mutable_slices(0)->mutable_tensor()->set_shape(0, 1 << 20);
  huge.mutable_slices(0)->set_total_elements(uint64_t{12} << 20);
  EXPECT_FALSE(assemble_one(huge).ok());

  v1::ParameterChunk bad_index = good[0];
  bad_index.set_chunk_index(3);
  EXPECT_FALSE(assemble_one(bad_index).ok());
}

// Adds `chunk` to a fresh assembler in a process that may map only 256 MiB
// more than it does now, then exits 0 when the chunk was accepted.
void AddUnderAddressSpaceLimit(const v1::ParameterChunk& chunk) {
  long pages = 0;
  std::ifstream("/proc/self/statm") >> pages;
  const rlim_t limit = static_cast<rlim_t>(pages) * sysconf(_SC_PAGESIZE) + (256 << 20);
  rlimit as;
  as.rlim_cur = limit;
  as.rlim_max = limit;
  if (setrlimit(RLIMIT_AS, &as) != 0) std::_Exit(2);
  ParameterAssembler assembler;
  ParameterSet out;
  bool complete = true;
  const bool ok = assembler.Add(chunk, &complete, &out).ok();
  std::_Exit(ok && !complete ? 0 : 1);
}

// Found by fuzz/parameter_chunks_fuzzer.cc (its 512 MiB allocation limit):
// the first slice of a tensor reserved room for the whole declared shape,
// so one small chunk made an actor reserve up to 4 GiB.
TEST(ParameterChunksTest, ADeclaredShapeAloneAllocatesNothing) {
  if (kAddressSanitizer) {
    GTEST_SKIP() << "an address-space limit leaves AddressSanitizer no room for its shadow";
  }
  v1::ParameterChunk chunk;
  chunk.set_version(1);
  chunk.set_chunk_count(2);
  v1::TensorSlice* slice = chunk.add_slices();
  slice->mutable_tensor()->set_name("actor.fc0.weight");
  slice->mutable_tensor()->add_shape(int64_t{1} << 29);  // 2 GiB of float32
  slice->mutable_tensor()->set_data(std::string("\x00\x00\x80\x3f", 4));
  slice->set_total_elements(uint64_t{1} << 29);
  EXPECT_EXIT(AddUnderAddressSpaceLimit(chunk), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace taco
