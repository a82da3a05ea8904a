// What the multi-process tests read back from a run's files.
#ifndef TACO_TESTS_CLUSTER_CHECKS_H_
#define TACO_TESTS_CLUSTER_CHECKS_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "replay/transitions.h"

namespace taco {

// The whole content of a text file ("" when it cannot be read).
std::string ReadText(const std::filesystem::path& path);

// The largest number the one group of `pattern` captures in `text`, or -1.
int64_t LargestMatch(const std::string& text, const std::string& pattern);

// The newest complete checkpoint folder of a replay shard ("ckpt-<n>" with
// the largest n), or an empty path when there is none.
std::filesystem::path NewestCheckpoint(const std::filesystem::path& shard_dir);

// Rows of `t` whose obs, action and next_obs all repeat an earlier row's
// (with continuous random actions, only a row stored twice does).
int64_t DuplicateRows(const Transitions& t);

// Transitions held by the newest complete checkpoint of a replay shard.
int64_t CheckpointedTransitions(const std::filesystem::path& shard_dir);

// A small cluster for the multi-process tests: reach-v2 and push-v2, 32×32
// networks, 50-step episodes, 2 shards and 2 actors on free loopback ports,
// the run folder dir/name. `extra` is appended (sections the base leaves
// out: checkpoint, security, ...); change the base's values with --set.
struct SmallCluster {
  std::filesystem::path config;
  int metrics_port = 0;  // metrics.base_port
};
SmallCluster WriteSmallClusterConfig(const std::filesystem::path& dir, const std::string& name,
                                     const std::string& extra = "");

}  // namespace taco

#endif  // TACO_TESTS_CLUSTER_CHECKS_H_
