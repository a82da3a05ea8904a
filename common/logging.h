// Leveled, thread-safe logging to stderr.
//
//   TACO_LOG(INFO) << "replay shard " << index << " serving on " << address;
//
// Each statement is formatted into one buffer and written with one call so
// lines from different threads never interleave.
#ifndef TACO_COMMON_LOGGING_H_
#define TACO_COMMON_LOGGING_H_

#include <functional>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace taco {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Parses "debug", "info", "warning" or "error".
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name);
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// A short tag printed on every line, e.g. the process role "replay-0".
void SetLogTag(absl::string_view tag);
// Where finished lines (without their newline) go instead of stderr, e.g. a
// terminal status display that keeps them above its block; an empty function
// restores stderr. Called with one line at a time, from any thread.
void SetLogSink(std::function<void(const std::string&)> sink);

namespace internal {

class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line);
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  ~LogMessage();
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

// Swallows the stream expression of a disabled log statement.
struct LogVoidify {
  void operator&(std::ostream&) {}
};

}  // namespace internal
}  // namespace taco

#define TACO_LOG_LEVEL_DEBUG ::taco::LogLevel::kDebug
#define TACO_LOG_LEVEL_INFO ::taco::LogLevel::kInfo
#define TACO_LOG_LEVEL_WARNING ::taco::LogLevel::kWarning
#define TACO_LOG_LEVEL_ERROR ::taco::LogLevel::kError

#define TACO_LOG(severity)                            \
  (TACO_LOG_LEVEL_##severity < ::taco::GetLogLevel()) \
      ? (void)0                                       \
      : ::taco::internal::LogVoidify() &              \
            ::taco::internal::LogMessage(TACO_LOG_LEVEL_##severity, __FILE__, __LINE__).stream()

#endif  // TACO_COMMON_LOGGING_H_
