// One table's checkpoint file: contents, counters and the per-actor
// sequence numbers that belong to it, with a CRC32 over everything.
//
// Files are written to "<path>.tmp", flushed with fsync and renamed, so a
// reader sees either the previous complete file or the new complete one.
// One file per table keeps each file far below any single-file limit.
#ifndef TACO_REPLAY_TABLE_FILE_H_
#define TACO_REPLAY_TABLE_FILE_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "replay/transitions.h"

namespace taco {

struct TableFileContents {
  std::string task;
  int64_t capacity = 0;
  int64_t inserted_total = 0;
  int64_t sampled_total = 0;
  std::map<std::string, uint64_t> last_sequence;  // actor id → last stored sequence
  Transitions transitions;                        // oldest first
};

absl::Status WriteTableFile(const std::string& path, const TableFileContents& contents);
// Fails with DataLoss on a truncated, corrupted or foreign file.
absl::StatusOr<TableFileContents> ReadTableFile(const std::string& path);

// Writes `data` to path atomically (temp file, fsync, rename, fsync dir).
absl::Status WriteFileAtomically(const std::string& path, const std::string& data);

}  // namespace taco

#endif  // TACO_REPLAY_TABLE_FILE_H_
