// Scalars for TensorBoard: an append-only event file in a folder that
// `tensorboard --logdir` reads. Each record is TFRecord-framed — u64 length,
// u32 masked CRC-32C of the length, the serialised Event, u32 masked CRC-32C
// of the Event — and the first record names the file version. Every process
// writes a file of its own (TensorBoard merges a folder's files), so roles
// and restarts never share one.
#ifndef TACO_PROTO_EVENT_FILE_WRITER_H_
#define TACO_PROTO_EVENT_FILE_WRITER_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace taco {

// CRC-32C (Castagnoli) of `size` bytes, and TFRecord's masking of it.
uint32_t Crc32c(const void* data, size_t size);
uint32_t MaskCrc32c(uint32_t crc);

class EventFileWriter {
 public:
  // Creates `dir` and events.out.tfevents.<unix seconds>.<host>.<suffix>
  // inside it (the suffix tells roles and restarts apart).
  static absl::StatusOr<std::unique_ptr<EventFileWriter>> Create(const std::string& dir,
                                                                 absl::string_view suffix);
  ~EventFileWriter();
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  // One Event at `step` holding every (tag, value); non-finite values are
  // left out (TensorBoard would draw them as gaps anyway). Written through
  // at once: a reader sees whole records only, and a crash loses nothing
  // acknowledged.
  absl::Status AddScalars(int64_t step, const std::vector<std::pair<std::string, double>>& values);

  const std::string& path() const { return path_; }

 private:
  EventFileWriter(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  absl::Status WriteRecord(const std::string& event);

  std::FILE* file_;
  std::string path_;
};

// A role's scalars in <run folder>/tensorboard, where `tensorboard --logdir`
// on the run folder (or on the folder of many runs) finds them. Curves are
// secondary to training: a write that fails is logged once and ends the
// writing, the run goes on.
class RunSummaries {
 public:
  // An unopened RunSummaries writes nothing.
  RunSummaries() = default;
  static absl::StatusOr<RunSummaries> Open(const std::string& run_dir, absl::string_view role);

  void Add(int64_t step, const std::vector<std::pair<std::string, double>>& values);
  bool active() const { return writer_ != nullptr; }

 private:
  std::unique_ptr<EventFileWriter> writer_;
};

}  // namespace taco

#endif  // TACO_PROTO_EVENT_FILE_WRITER_H_
