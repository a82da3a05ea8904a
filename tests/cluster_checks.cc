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

int64_t CheckpointedTransitions(const fs::path& shard_dir) {
  std::error_code ec;
  if (!fs::is_directory(shard_dir, ec)) return 0;
  fs::path newest;
  for (const auto& e : fs::directory_iterator(shard_dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ckpt-", 0) == 0 && name.find(".tmp") == std::string::npos &&
        (newest.empty() || e.path() > newest)) {
      newest = e.path();
    }
  }
  if (newest.empty()) return 0;
  int64_t total = 0;
  for (const auto& e : fs::directory_iterator(newest)) {
    if (e.path().extension() != ".table") continue;
    auto contents = ReadTableFile(e.path().string());
    if (contents.ok()) total += contents->transitions.size;
  }
  return total;
}

}  // namespace taco
