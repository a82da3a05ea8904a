#include "tests/cluster_checks.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <unordered_set>

#include "replay/table_file.h"
#include "tests/subprocess.h"

namespace taco {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int64_t LargestMatch(const std::string& text, const std::string& pattern) {
  int64_t best = -1;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    best = std::max<int64_t>(best, std::stoll((*it)[1].str()));
  }
  return best;
}

int64_t DuplicateRows(const Transitions& t) {
  const size_t o = t.shape.obs_dim, a = t.shape.action_dim;
  std::unordered_set<std::string> seen;
  int64_t duplicates = 0;
  for (int64_t i = 0; i < t.size; ++i) {
    std::string key(reinterpret_cast<const char*>(&t.obs[i * o]), o * sizeof(float));
    key.append(reinterpret_cast<const char*>(&t.action[i * a]), a * sizeof(float));
    key.append(reinterpret_cast<const char*>(&t.next_obs[i * o]), o * sizeof(float));
    if (!seen.insert(std::move(key)).second) ++duplicates;
  }
  return duplicates;
}

fs::path NewestCheckpoint(const fs::path& shard_dir) {
  std::error_code ec;
  fs::path newest;
  int64_t newest_number = -1;
  if (!fs::is_directory(shard_dir, ec)) return newest;
  // Compared by number: "ckpt-10" is newer than "ckpt-9".
  const std::regex complete("ckpt-(\\d+)");
  for (const auto& e : fs::directory_iterator(shard_dir, ec)) {
    std::smatch m;
    const std::string name = e.path().filename().string();
    if (!std::regex_match(name, m, complete)) continue;
    const int64_t number = std::stoll(m[1].str());
    if (number > newest_number) {
      newest_number = number;
      newest = e.path();
    }
  }
  return newest;
}

int64_t CheckpointedTransitions(const fs::path& shard_dir) {
  const fs::path newest = NewestCheckpoint(shard_dir);
  if (newest.empty()) return 0;
  int64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(newest, ec)) {
    if (e.path().extension() != ".table") continue;
    auto contents = ReadTableFile(e.path().string());
    if (contents.ok()) total += contents->transitions.size;
  }
  return total;
}

SmallCluster WriteSmallClusterConfig(const std::filesystem::path& dir, const std::string& name,
                                     const std::string& extra) {
  SmallCluster cluster;
  cluster.config = dir / (name + ".yaml");
  // Metrics: learner, evaluator, two shards, two actors (docs/metrics.md).
  cluster.metrics_port = FreePortBlock({0, 1, 10, 11, 100, 101});
  // Two shards and the learner, as the config below lays them out.
  const int port = FreePortBlock({0, 1, 2});
  std::ofstream(cluster.config)
      << "run: {name: " << name << ", output_dir: " << dir.string() << "}\n"
      << "tasks: [reach-v2, push-v2]\n"
      << "env: {max_episode_steps: 50}\n"
      << "algorithm: {hidden_sizes: [32, 32]}\n"
      << "trainer: {batch_size: 32, exploration_steps: 400, env_steps_per_update: 2, "
         "replay_capacity: 20000, eval_interval_env_steps: 400, eval_episodes_per_task: 1, "
         "threads: 1}\n"
      << "topology: {replay_shards: 2, actors: 2, envs_per_actor: 1, actor_batch: 16, "
         "publish_every_updates: 5, replay_base_port: "
      << port << ", learner_port: " << port + 2 << "}\n"
      << "metrics: {base_port: " << cluster.metrics_port << "}\n"
      << extra;
  return cluster;
}

}  // namespace taco
