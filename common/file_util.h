// Whole-file writes that a reader never sees half done.
#ifndef TACO_COMMON_FILE_UTIL_H_
#define TACO_COMMON_FILE_UTIL_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace taco {

// Writes `bytes` to `path` through a temporary file beside it and a rename,
// so the path holds either its old content or all of the new. On failure the
// temporary file is removed and the error names the path.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view bytes);

// The whole content of a small file (at most `max_bytes`; a larger one is an
// error naming it, so a wrong path cannot exhaust memory).
absl::StatusOr<std::string> ReadSmallFile(const std::string& path, int64_t max_bytes = 1 << 20);

}  // namespace taco

#endif  // TACO_COMMON_FILE_UTIL_H_
