// Loading replay checkpoints: table files (replay/table_file.h) and a
// shard's restore from a checkpoint folder (ReplayShard::Create).
//
// Input: an optional MANIFEST (everything before the first "TACOTBL1"; a
// one-table manifest for reach-v2 when empty), then table files, each
// starting at its "TACOTBL1". The i-th file is written for the i-th
// "table <task>" line of the manifest that names a task of the shard. Each file's last four bytes
// are replaced by its CRC-32 so that the parser behind the checksum is reached; the checksum itself
// is covered by the unit tests.
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "fuzz/fuzz_util.h"
#include "replay/replay_shard.h"
#include "replay/table_file.h"

namespace {

namespace fs = std::filesystem;

constexpr char kMagic[] = "TACOTBL1";
constexpr taco::TransitionShape kShape{3, 2};
// Below the seeds' row count, so restores also take the path that keeps
// only the newest rows.
constexpr int64_t kCapacity = 3;

const std::vector<std::string>& Tasks() {
  static const auto* tasks = new std::vector<std::string>{"reach-v2", "push-v2"};
  return *tasks;
}

bool Owned(const std::string& task) {
  for (const std::string& t : Tasks()) {
    if (t == task) return true;
  }
  return false;
}

std::string WithCrc(std::string file) {
  if (file.size() < 12) return file;
  const size_t body = file.size() - 4;
  const uint32_t crc = static_cast<uint32_t>(crc32(
      crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(file.data()), static_cast<uInt>(body)));
  std::memcpy(&file[body], &crc, 4);
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  taco::SetLogLevel(taco::LogLevel::kError);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  size_t first = input.find(kMagic);
  std::string manifest = input.substr(0, first);
  if (manifest.empty()) manifest = "taco-replay-checkpoint 1\nshard 0 1\ntable reach-v2\n";
  std::vector<std::string> files;
  while (first != std::string::npos) {
    const size_t next = input.find(kMagic, first + 1);
    files.push_back(WithCrc(input.substr(first, next - first)));
    first = next;
  }

  const fs::path root = taco::fuzz::ScratchDir();
  const fs::path folder = root / "shard-0" / "ckpt-1";
  std::error_code ec;
  fs::remove_all(root / "shard-0", ec);
  fs::create_directories(folder, ec);
  TACO_FUZZ_CHECK(!ec);
  taco::fuzz::WriteFile((folder / "MANIFEST").string(), manifest);

  // What each table file holds, as ReadTableFile sees it.
  std::map<std::string, taco::TableFileContents> readable;
  std::set<std::string> listed;
  size_t next_file = 0;
  for (absl::string_view line : absl::StrSplit(manifest, '\n')) {
    if (!absl::StartsWith(line, "table ")) continue;
    const std::string task(line.substr(6));
    // Only owned tasks are read back; other names are not paths to write.
    if (!Owned(task)) continue;
    listed.insert(task);
    if (next_file >= files.size()) continue;
    const std::string path = (folder / (task + ".table")).string();
    taco::fuzz::WriteFile(path, files[next_file++]);
    auto contents = taco::ReadTableFile(path);
    if (!contents.ok()) continue;
    const taco::TableFileContents& c = *contents;
    TACO_FUZZ_CHECK(c.transitions.Validate().ok());
    TACO_FUZZ_CHECK(c.transitions.size <= c.capacity);
    readable[task] = *contents;
  }

  taco::ReplayShardOptions o;
  o.tasks = Tasks();
  o.shape = kShape;
  o.capacity_per_task = kCapacity;
  o.checkpoint_dir = root.string();
  o.rate_limiter = taco::RateLimiterOptions::MinSize(1);
  // A damaged checkpoint is skipped, never fatal.
  auto shard = taco::ReplayShard::Create(o);
  TACO_FUZZ_CHECK(shard.ok());

  // All or nothing: once any table holds restored state, every table of
  // the manifest holds what its file says.
  const taco::ShardInfo info = (*shard)->Info();
  bool restored = false;
  for (const taco::TaskStats& t : info.tasks) {
    restored = restored || t.size > 0 || t.inserted_total > 0 || t.sampled_total > 0;
  }
  if (!restored) return 0;
  for (const taco::TaskStats& t : info.tasks) {
    if (!listed.count(t.task)) continue;
    auto it = readable.find(t.task);
    TACO_FUZZ_CHECK(it != readable.end());
    const taco::TableFileContents& c = it->second;
    TACO_FUZZ_CHECK(t.size == std::min(c.transitions.size, kCapacity));
    TACO_FUZZ_CHECK(t.inserted_total == c.inserted_total);
    TACO_FUZZ_CHECK(t.sampled_total == c.sampled_total);
    if (t.size > 0) {
      auto sampled = (*shard)->Sample({{t.task, 2}}, absl::ZeroDuration());
      TACO_FUZZ_CHECK(sampled.ok() && sampled->Validate().ok());
    }
  }
  return 0;
}
