// Reads TensorBoard event files without taco's writer: the framing and
// CRC-32C are checked with a bit-by-bit CRC of its own, and each record is
// decoded as bare protobuf wire data by field number (what TensorBoard relies
// on), not with the generated Event class. For tests.
#ifndef TACO_PROTO_TESTING_EVENT_FILE_READER_H_
#define TACO_PROTO_TESTING_EVENT_FILE_READER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace taco::testing {

uint32_t BitwiseCrc32c(const std::string& bytes);

struct DecodedEvent {
  double wall_time = 0;
  int64_t step = -1;
  std::string file_version;
  std::map<std::string, float> scalars;
};

// Every record of the file, in order; DataLoss names the first frame whose
// length or CRC is wrong or a record that is not an Event as TensorBoard
// reads it.
absl::StatusOr<std::vector<DecodedEvent>> ReadEventFile(const std::string& path);

}  // namespace taco::testing

#endif  // TACO_PROTO_TESTING_EVENT_FILE_READER_H_
