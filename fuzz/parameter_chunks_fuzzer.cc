// Reassembly of chunked parameter versions (proto/parameter_chunks.h), as
// an actor's parameter subscriber feeds it from the learner's stream.
//
// Input: one flags byte (bit 0: the subscriber's default element limit,
// else a limit of 4096; bits 1-7: the chunk size, in floats, used to
// re-chunk a finished version), then chunks, each a little-endian uint16
// length and that many bytes of a serialized taco.v1.ParameterChunk.
#include <cstdint>
#include <cstring>
#include <set>
#include <string>

#include "common/codec.h"
#include "fuzz/fuzz_util.h"
#include "proto/parameter_chunks.h"

namespace {

void CheckComplete(const taco::ParameterSet& set, int64_t limit) {
  int64_t total = 0;
  std::set<std::string> names;
  for (const taco::NamedArray& a : set.arrays) {
    TACO_FUZZ_CHECK(names.insert(a.name).second);
    auto count = taco::ElementCount(a.shape);
    TACO_FUZZ_CHECK(count.ok() && *count == static_cast<int64_t>(a.values.size()));
    TACO_FUZZ_CHECK(taco::FirstNonFinite(a.values) < 0);
    total += *count;
  }
  TACO_FUZZ_CHECK(total <= limit);
}

bool SameSet(const taco::ParameterSet& a, const taco::ParameterSet& b) {
  if (a.version != b.version || a.updates != b.updates || a.tasks != b.tasks ||
      a.arrays.size() != b.arrays.size()) {
    return false;
  }
  for (size_t i = 0; i < a.arrays.size(); ++i) {
    const taco::NamedArray &x = a.arrays[i], &y = b.arrays[i];
    if (x.name != y.name || x.shape != y.shape || x.values != y.values) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = *data++;
  --size;
  const int64_t limit = flags & 1 ? int64_t{1} << 30 : 4096;
  const int64_t rechunk_bytes = 4 * (1 + (flags >> 1));
  taco::ParameterAssembler assembler(limit);
  while (size >= 2) {
    uint16_t n;
    std::memcpy(&n, data, 2);
    data += 2;
    size -= 2;
    n = static_cast<uint16_t>(std::min<size_t>(n, size));
    taco::v1::ParameterChunk chunk;
    const bool parsed = chunk.ParseFromArray(data, n);
    data += n;
    size -= n;
    if (!parsed) continue;
    bool complete = false;
    taco::ParameterSet set;
    const absl::Status status = assembler.Add(chunk, &complete, &set);
    if (!status.ok()) {
      TACO_FUZZ_CHECK(!complete);
      continue;
    }
    if (!complete) continue;
    CheckComplete(set, limit);
    // A finished version survives another trip through the chunker.
    taco::ParameterAssembler again(limit);
    const auto chunks = taco::ChunkParameters(set, rechunk_bytes);
    taco::ParameterSet round;
    for (size_t i = 0; i < chunks.size(); ++i) {
      bool done = false;
      TACO_FUZZ_CHECK(again.Add(chunks[i], &done, &round).ok());
      TACO_FUZZ_CHECK(done == (i + 1 == chunks.size()));
    }
    TACO_FUZZ_CHECK(SameSet(set, round));
  }
  return 0;
}
