#include "proto/testing/event_file_reader.h"

#include <google/protobuf/unknown_field_set.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace taco::testing {
namespace {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

uint32_t Masked(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u; }

uint64_t LittleEndian(const std::string& bytes, size_t at, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  }
  return v;
}

absl::Status DecodeValue(const std::string& bytes, DecodedEvent* event) {
  UnknownFieldSet value;
  if (!value.ParseFromString(bytes)) return absl::DataLossError("a summary value does not parse");
  std::string tag;
  float simple = std::numeric_limits<float>::quiet_NaN();
  for (int k = 0; k < value.field_count(); ++k) {
    const UnknownField& f = value.field(k);
    if (f.number() == 1 && f.type() == UnknownField::TYPE_LENGTH_DELIMITED) {
      tag = f.length_delimited();
    } else if (f.number() == 2 && f.type() == UnknownField::TYPE_FIXED32) {
      const uint32_t bits = f.fixed32();
      std::memcpy(&simple, &bits, sizeof(float));
    } else {
      return absl::DataLossError(absl::StrCat("summary value field ", f.number()));
    }
  }
  event->scalars[tag] = simple;
  return absl::OkStatus();
}

absl::StatusOr<DecodedEvent> Decode(const std::string& record) {
  UnknownFieldSet fields;
  if (!fields.ParseFromString(record)) return absl::DataLossError("an event does not parse");
  DecodedEvent event;
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    if (f.number() == 1 && f.type() == UnknownField::TYPE_FIXED64) {
      const uint64_t bits = f.fixed64();
      std::memcpy(&event.wall_time, &bits, sizeof(double));
    } else if (f.number() == 2 && f.type() == UnknownField::TYPE_VARINT) {
      event.step = static_cast<int64_t>(f.varint());
    } else if (f.number() == 3 && f.type() == UnknownField::TYPE_LENGTH_DELIMITED) {
      event.file_version = f.length_delimited();
    } else if (f.number() == 5 && f.type() == UnknownField::TYPE_LENGTH_DELIMITED) {
      UnknownFieldSet summary;
      if (!summary.ParseFromString(f.length_delimited())) {
        return absl::DataLossError("a summary does not parse");
      }
      for (int v = 0; v < summary.field_count(); ++v) {
        if (summary.field(v).number() != 1 ||
            summary.field(v).type() != UnknownField::TYPE_LENGTH_DELIMITED) {
          return absl::DataLossError("a summary holds something other than values");
        }
        absl::Status decoded = DecodeValue(summary.field(v).length_delimited(), &event);
        if (!decoded.ok()) return decoded;
      }
    } else {
      return absl::DataLossError(absl::StrCat("unexpected event field ", f.number()));
    }
  }
  return event;
}

}  // namespace

uint32_t BitwiseCrc32c(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

absl::StatusOr<std::vector<DecodedEvent>> ReadEventFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<DecodedEvent> events;
  size_t at = 0;
  while (at < bytes.size()) {
    if (bytes.size() - at < 16) return absl::DataLossError(absl::StrCat("truncated frame at ", at));
    const uint64_t length = LittleEndian(bytes, at, 8);
    if (LittleEndian(bytes, at + 8, 4) != Masked(BitwiseCrc32c(bytes.substr(at, 8)))) {
      return absl::DataLossError(absl::StrCat("length CRC mismatch at ", at));
    }
    if (length > bytes.size() - at - 16) {
      return absl::DataLossError(absl::StrCat("record at ", at, " runs past the end"));
    }
    const std::string data = bytes.substr(at + 12, length);
    if (LittleEndian(bytes, at + 12 + length, 4) != Masked(BitwiseCrc32c(data))) {
      return absl::DataLossError(absl::StrCat("data CRC mismatch at ", at));
    }
    auto event = Decode(data);
    if (!event.ok()) return event.status();
    events.push_back(std::move(*event));
    at += 16 + length;
  }
  return events;
}

}  // namespace taco::testing
