// Splitting a parameter version into taco.v1.ParameterChunk messages under a
// size limit, and putting it back together with every field checked.
#ifndef TACO_PROTO_PARAMETER_CHUNKS_H_
#define TACO_PROTO_PARAMETER_CHUNKS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/parameters.h"
#include "taco/v1/parameters.pb.h"

namespace taco {

// Chunks whose float payload stays within `max_chunk_bytes` (at least 4);
// large arrays are cut into slices.
std::vector<v1::ParameterChunk> ChunkParameters(const ParameterSet& set, int64_t max_chunk_bytes);

// Collects the chunks of one version in order. Any inconsistency (a chunk
// out of order, another version mid-way, a slice that does not continue its
// array, a shape that changes, NaN or Inf, too many elements) is an error
// naming it, and the assembler starts over.
class ParameterAssembler {
 public:
  explicit ParameterAssembler(int64_t max_total_elements = int64_t{1} << 30)
      : max_total_elements_(max_total_elements) {}

  // OK with `complete` set once the last chunk of a version arrived; the
  // finished set is then in `out`.
  absl::Status Add(const v1::ParameterChunk& chunk, bool* complete, ParameterSet* out);

 private:
  void Restart();

  const int64_t max_total_elements_;
  bool active_ = false;
  ParameterSet building_;
  uint32_t next_chunk_ = 0;
  uint32_t chunk_count_ = 0;
  int64_t total_elements_ = 0;
};

}  // namespace taco

#endif  // TACO_PROTO_PARAMETER_CHUNKS_H_
