// A self-checking container of named arrays, written atomically.
//
// Layout (little-endian):
//   header  "TACOPACO" | u32 format version | u64 payload bytes
//   payload u32 record count, then per record:
//           u32 name length | name | u8 dtype | u8 rank | i64 dims[rank] |
//           u64 data bytes | data
//   footer  u32 CRC-32 (IEEE) of the payload | "END!"
// A truncated, extended or corrupted file fails the size, footer or CRC check
// before any record is parsed. Writing goes to a temporary file in the same
// folder, is fsync'ed and then renamed over the target, so a crash leaves
// either the old file or the new one.
#ifndef TACO_LEARNER_PACO_CHECKPOINT_H_
#define TACO_LEARNER_PACO_CHECKPOINT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "learner/paco/status.h"

namespace paco {

enum class RecordType : uint8_t { kFloat32 = 1, kInt64 = 2, kUInt8 = 3 };

// CRC-32 (IEEE 802.3 polynomial, reflected) of `size` bytes, continuing from
// `crc` (0 to start).
uint32_t Crc32(const void* data, size_t size, uint32_t crc = 0);

class CheckpointWriter {
 public:
  // The data is not copied: it must stay alive and unchanged until Commit.
  void Add(std::string name, RecordType type, std::vector<int64_t> shape, const void* data,
           size_t bytes);
  // Stores a string (e.g. serialised options) as a uint8 record.
  void AddString(std::string name, const std::string& value);
  Status Commit(const std::string& path) const;

 private:
  struct Entry {
    std::string name;
    RecordType type;
    std::vector<int64_t> shape;
    const void* data;
    size_t bytes;
    int owned = -1;  // index into owned_strings_, resolved at Commit
  };
  std::vector<Entry> entries_;
  std::vector<std::string> owned_strings_;
};

struct CheckpointRecord {
  RecordType type = RecordType::kUInt8;
  std::vector<int64_t> shape;
  std::string data;  // raw bytes
};

// Reads and verifies a whole file; DataLoss on any damage, NotFound when the
// file does not exist.
StatusOr<std::map<std::string, CheckpointRecord>> ReadCheckpointFile(const std::string& path);

}  // namespace paco

#endif  // TACO_LEARNER_PACO_CHECKPOINT_H_
