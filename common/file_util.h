// Whole-file writes that a reader never sees half done.
#ifndef TACO_COMMON_FILE_UTIL_H_
#define TACO_COMMON_FILE_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace taco {

// Writes `bytes` to `path` through a temporary file beside it and a rename,
// so the path holds either its old content or all of the new. On failure the
// temporary file is removed and the error names the path.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view bytes);

}  // namespace taco

#endif  // TACO_COMMON_FILE_UTIL_H_
