#include "replay/shard_map.h"

namespace taco {
namespace {

// FNV-1a, then a 64-bit finaliser so that nearby inputs spread well.
uint64_t Hash(absl::string_view task, int shard) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](unsigned char byte) {
    h ^= byte;
    h *= 1099511628211ULL;
  };
  for (char c : task) mix(static_cast<unsigned char>(c));
  mix(0xff);
  for (int i = 0; i < 4; ++i) mix(static_cast<unsigned char>((shard >> (8 * i)) & 0xff));
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

int ShardForTask(absl::string_view task, int shard_count) {
  int best = 0;
  uint64_t best_weight = 0;
  for (int shard = 0; shard < shard_count; ++shard) {
    const uint64_t weight = Hash(task, shard);
    if (shard == 0 || weight > best_weight) {
      best = shard;
      best_weight = weight;
    }
  }
  return best;
}

std::vector<std::string> TasksOfShard(const std::vector<std::string>& tasks, int shard_index,
                                      int shard_count) {
  std::vector<std::string> owned;
  for (const std::string& task : tasks) {
    if (ShardForTask(task, shard_count) == shard_index) owned.push_back(task);
  }
  return owned;
}

}  // namespace taco
