// A parameter version as plain arrays: what the learner broadcasts and
// actors install (Φ of the actor and W), independent of torch and gRPC.
#ifndef TACO_COMMON_PARAMETERS_H_
#define TACO_COMMON_PARAMETERS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace taco {

struct NamedArray {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;  // row-major, prod(shape) elements
};

struct ParameterSet {
  uint64_t version = 0;
  uint64_t updates = 0;
  // One run of the learner process: versions compare within it only.
  uint64_t incarnation = 0;
  // The run is complete: this is the last version.
  bool final = false;
  std::vector<std::string> tasks;  // column order of W
  std::vector<NamedArray> arrays;

  int64_t TotalElements() const {
    int64_t n = 0;
    for (const NamedArray& a : arrays) n += static_cast<int64_t>(a.values.size());
    return n;
  }
};

}  // namespace taco

#endif  // TACO_COMMON_PARAMETERS_H_
