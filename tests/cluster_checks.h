// What the multi-process tests read back from a run's files.
#ifndef TACO_TESTS_CLUSTER_CHECKS_H_
#define TACO_TESTS_CLUSTER_CHECKS_H_

#include <cstdint>
#include <filesystem>
#include <string>

namespace taco {

// The largest number the one group of `pattern` captures in `text`, or -1.
int64_t LargestMatch(const std::string& text, const std::string& pattern);

// The newest complete checkpoint folder of a replay shard ("ckpt-<n>" with
// the largest n), or an empty path when there is none.
std::filesystem::path NewestCheckpoint(const std::filesystem::path& shard_dir);

// Transitions held by the newest complete checkpoint of a replay shard.
int64_t CheckpointedTransitions(const std::filesystem::path& shard_dir);

}  // namespace taco

#endif  // TACO_TESTS_CLUSTER_CHECKS_H_
