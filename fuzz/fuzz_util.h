// Helpers shared by the libFuzzer targets in this folder.
#ifndef TACO_FUZZ_FUZZ_UTIL_H_
#define TACO_FUZZ_FUZZ_UTIL_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

// A property every accepted input must have. A broken one aborts, which
// libFuzzer records as a crash together with the input.
#define TACO_FUZZ_CHECK(cond)                                                               \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)

namespace taco::fuzz {

// A folder private to this process for the files a target loads, under
// $TACO_FUZZ_SCRATCH or else on tmpfs where there is one: targets rewrite
// their files on every input. Removed at a normal exit.
const std::string& ScratchDir();

// Writes `data` to `path` (no fsync: the file lives only for one input).
void WriteFile(const std::string& path, const std::string& data);

}  // namespace taco::fuzz

#endif  // TACO_FUZZ_FUZZ_UTIL_H_
