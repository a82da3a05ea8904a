// Loading a learner checkpoint up to the point where LibTorch takes over:
// the container (learner/paco/checkpoint.h) and the options record it
// carries (PacoOptions::Parse), which Learner::Load and
// Learner::ReadCheckpointOptions read before any tensor is touched.
//
// Input: a checkpoint file. It is loaded as it is, and once more with the
// payload size, CRC-32 and footer made to match, so that the record parser
// behind those checks is reached.
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "fuzz/fuzz_util.h"
#include "learner/paco/checkpoint.h"
#include "learner/paco/options.h"

namespace {

constexpr size_t kHeaderBytes = 8 + 4 + 8;
constexpr size_t kFooterBytes = 4 + 4;

size_t ElementBytes(paco::RecordType type) {
  switch (type) {
    case paco::RecordType::kFloat32:
      return 4;
    case paco::RecordType::kInt64:
      return 8;
    case paco::RecordType::kUInt8:
      return 1;
  }
  return 0;
}

std::string Repaired(std::string file) {
  if (file.size() < kHeaderBytes + kFooterBytes) return file;
  const uint64_t payload = file.size() - kHeaderBytes - kFooterBytes;
  std::memcpy(&file[12], &payload, 8);
  const uint32_t crc = paco::Crc32(file.data() + kHeaderBytes, payload);
  std::memcpy(&file[kHeaderBytes + payload], &crc, 4);
  std::memcpy(&file[kHeaderBytes + payload + 4], "END!", 4);
  return file;
}

void Load(const std::string& bytes) {
  const std::string path = taco::fuzz::ScratchDir() + "/learner.ckpt";
  taco::fuzz::WriteFile(path, bytes);
  auto records = paco::ReadCheckpointFile(path);
  if (!records.ok()) {
    TACO_FUZZ_CHECK(records.status().code() == paco::StatusCode::kDataLoss);
    return;
  }
  for (const auto& [name, r] : *records) {
    // Every accepted record's bytes are exactly what its shape and type
    // need: Learner::Load hands them to torch::from_blob with that shape.
    TACO_FUZZ_CHECK(r.shape.size() <= 8);
    const size_t element = ElementBytes(r.type);
    TACO_FUZZ_CHECK(element > 0);
    uint64_t need = element;
    for (int64_t d : r.shape) {
      TACO_FUZZ_CHECK(d >= 0);
      if (d != 0 && need > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d)) {
        TACO_FUZZ_CHECK(false && "element count overflows");
      }
      need *= static_cast<uint64_t>(d);
    }
    TACO_FUZZ_CHECK(need == r.data.size());
  }
  auto options = records->find("options");
  if (options == records->end()) return;
  auto parsed = paco::PacoOptions::Parse(options->second.data);
  if (!parsed.ok()) return;
  // What Load does with them before building tensors.
  const paco::Status valid = parsed->Validate();
  paco::PacoOptions defaults;
  defaults.StructuralMismatch(*parsed);
  if (!valid.ok()) return;
  parsed->TargetEntropy();
  // Options that parse come back unchanged through Serialize.
  auto again = paco::PacoOptions::Parse(parsed->Serialize());
  TACO_FUZZ_CHECK(again.ok() && again->Serialize() == parsed->Serialize());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  Load(bytes);
  const std::string repaired = Repaired(bytes);
  if (repaired != bytes) Load(repaired);
  return 0;
}
