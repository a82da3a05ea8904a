#include "tests/cluster_checks.h"

#include <algorithm>
#include <regex>

#include "replay/table_file.h"

namespace taco {

namespace fs = std::filesystem;

int64_t LargestMatch(const std::string& text, const std::string& pattern) {
  int64_t best = -1;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    best = std::max<int64_t>(best, std::stoll((*it)[1].str()));
  }
  return best;
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

}  // namespace taco
