// Scripted-expert success per task with the spec's harness: no noise over the
// 50 fixed variants, and 10 % action noise over 100 fresh episodes, against
// Meta-World v2.0.0's expected rates. Prints one JSON object as its last line.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "actor/envs/scripted_experts.h"
#include "actor/envs/task_registry.h"

namespace taco::envs {
namespace {

struct Rates {
  double noise_0 = 0;
  double noise_0_1 = 0;
};

int Main() {
  const std::vector<std::string> tasks = TaskNames();
  const int threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  std::printf(
      "experts bench: %zu tasks, noise 0 on the 50 fixed variants and noise "
      "0.1 (std 0.2) on 100 fresh episodes, up to 500 steps, success at any "
      "step; %d threads\n",
      tasks.size(), threads);
  std::vector<Rates> rates(tasks.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i = next++; i < tasks.size(); i = next++) {
      ExpertEvalOptions options;
      const auto clean = ExpertSuccessRate(tasks[i], options);
      options.noise_pct = 0.1;
      options.episodes = 100;
      const auto noisy = ExpertSuccessRate(tasks[i], options);
      if (!clean.ok() || !noisy.ok()) {
        std::fprintf(stderr, "%s: %s %s\n", tasks[i].c_str(), clean.status().ToString().c_str(),
                     noisy.status().ToString().c_str());
        failed = true;
        continue;
      }
      rates[i] = {*clean, *noisy};
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (failed) return 1;

  double min_margin = 1;
  int below = 0;
  std::vector<std::string> per_task;
  std::vector<std::string> expected_json;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const ExpectedSuccess expected = ExpectedExpertSuccess(tasks[i]).value();
    const double margin =
        std::min(rates[i].noise_0 - expected.noise_0, rates[i].noise_0_1 - expected.noise_0_1);
    min_margin = std::min(min_margin, margin);
    below += margin < 0 ? 1 : 0;
    std::printf(
        "  %-24s noise 0: %.2f (expected %.2f)  noise 0.1: %.2f "
        "(expected %.2f)  %s\n",
        tasks[i].c_str(), rates[i].noise_0, expected.noise_0, rates[i].noise_0_1,
        expected.noise_0_1, margin >= 0 ? "ok" : "BELOW");
    per_task.push_back(absl::StrCat("\"", tasks[i], "\":{\"noise_0\":", rates[i].noise_0,
                                    ",\"noise_0_1\":", rates[i].noise_0_1, "}"));
    expected_json.push_back(absl::StrCat("\"", tasks[i], "\":{\"noise_0\":", expected.noise_0,
                                         ",\"noise_0_1\":", expected.noise_0_1, "}"));
  }
  std::printf("%s\n", absl::StrCat("{\"bench\":\"experts\",\"tasks\":", tasks.size(),
                                   ",\"tasks_below_expected\":", below,
                                   ",\"min_margin_vs_expected\":", min_margin,
                                   ",\"per_task_success\":{", absl::StrJoin(per_task, ","),
                                   "},\"expected\":{", absl::StrJoin(expected_json, ","), "}}")
                          .c_str());
  return 0;
}

}  // namespace
}  // namespace taco::envs

int main() { return taco::envs::Main(); }
