#include "proto/event_file_writer.h"

#include <unistd.h>

#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "tensorboard/event.pb.h"

namespace taco {
namespace {

std::array<uint32_t, 256> MakeCrc32cTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}

double WallTime() { return absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()); }

}  // namespace

uint32_t Crc32c(const void* data, size_t size) {
  static const std::array<uint32_t, 256> table = MakeCrc32cTable();
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u; }

absl::StatusOr<std::unique_ptr<EventFileWriter>> EventFileWriter::Create(const std::string& dir,
                                                                         absl::string_view suffix) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create TensorBoard folder ", dir, ": ", error.message()));
  }
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) std::strcpy(host, "localhost");
  const std::string path =
      absl::StrCat(dir, "/events.out.tfevents.", absl::ToUnixSeconds(absl::Now()), ".", host, ".",
                   suffix, ".", getpid());
  std::FILE* file = std::fopen(path.c_str(), "ab");
  if (file == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat("cannot open ", path, " for writing"));
  }
  std::unique_ptr<EventFileWriter> writer(new EventFileWriter(file, path));
  tensorboard::Event event;
  event.set_wall_time(WallTime());
  event.set_file_version("brain.Event:2");
  absl::Status written = writer->WriteRecord(event.SerializeAsString());
  if (!written.ok()) return written;
  return writer;
}

EventFileWriter::~EventFileWriter() { std::fclose(file_); }

absl::Status EventFileWriter::AddScalars(
    int64_t step, const std::vector<std::pair<std::string, double>>& values) {
  tensorboard::Event event;
  event.set_wall_time(WallTime());
  event.set_step(step);
  tensorboard::Summary* summary = event.mutable_summary();
  for (const auto& [tag, value] : values) {
    if (!std::isfinite(value)) continue;
    tensorboard::Summary::Value* v = summary->add_value();
    v->set_tag(tag);
    v->set_simple_value(static_cast<float>(value));
  }
  if (summary->value_size() == 0) return absl::OkStatus();
  return WriteRecord(event.SerializeAsString());
}

absl::Status EventFileWriter::WriteRecord(const std::string& event) {
  // Little-endian fields, as every TFRecord reader expects.
  unsigned char header[12];
  const uint64_t length = event.size();
  for (int i = 0; i < 8; ++i) header[i] = static_cast<unsigned char>(length >> (8 * i));
  const uint32_t length_crc = MaskCrc32c(Crc32c(header, 8));
  for (int i = 0; i < 4; ++i) header[8 + i] = static_cast<unsigned char>(length_crc >> (8 * i));
  unsigned char footer[4];
  const uint32_t data_crc = MaskCrc32c(Crc32c(event.data(), event.size()));
  for (int i = 0; i < 4; ++i) footer[i] = static_cast<unsigned char>(data_crc >> (8 * i));
  std::string record(reinterpret_cast<const char*>(header), sizeof(header));
  record.append(event);
  record.append(reinterpret_cast<const char*>(footer), sizeof(footer));
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size() ||
      std::fflush(file_) != 0) {
    return absl::DataLossError(absl::StrCat("writing ", path_, " failed"));
  }
  return absl::OkStatus();
}

absl::StatusOr<RunSummaries> RunSummaries::Open(const std::string& run_dir,
                                                absl::string_view role) {
  RunSummaries summaries;
  auto writer = EventFileWriter::Create(run_dir + "/tensorboard", role);
  if (!writer.ok()) return writer.status();
  summaries.writer_ = std::move(*writer);
  return summaries;
}

void RunSummaries::Add(int64_t step, const std::vector<std::pair<std::string, double>>& values) {
  if (writer_ == nullptr) return;
  absl::Status written = writer_->AddScalars(step, values);
  if (written.ok()) return;
  TACO_LOG(WARNING) << written.message() << "; no more TensorBoard scalars from this process";
  writer_.reset();
}

}  // namespace taco
