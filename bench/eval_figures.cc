#include "bench/eval_figures.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace taco {
namespace {

constexpr size_t kHeldEvaluations = 3;

}  // namespace

EvalFigures PrintEvalFigures(const std::string& name, const EvalHistory& h) {
  EvalFigures figures;
  std::printf("\n%s: success per task at each evaluation (env steps)\n%-26s", name.c_str(), "");
  for (double x : h.mean.x) std::printf(" %6.0fk", x / 1000);
  std::printf("\n");
  auto learnt = [](double s) { return s >= kLearntSuccess; };
  std::vector<std::string> per_task;
  for (const EvalCurve& curve : h.tasks) {
    std::printf("%-26s", curve.task.c_str());
    for (double s : curve.success) std::printf(" %7.2f", s);
    std::printf("\n");
    if (curve.success.empty()) continue;
    if (learnt(curve.success.back())) ++figures.tasks_at_0_8;
    if (std::any_of(curve.success.begin(), curve.success.end(), learnt)) {
      ++figures.tasks_ever_at_0_8;
    }
    if (curve.success.size() >= kHeldEvaluations &&
        std::all_of(curve.success.end() - kHeldEvaluations, curve.success.end(), learnt)) {
      ++figures.tasks_held_at_0_8;
    }
    per_task.push_back(absl::StrCat("\"", curve.task, "\": ", curve.success.back()));
  }
  std::printf("%-26s", "mean");
  for (double s : h.mean.success) std::printf(" %7.2f", s);
  std::printf("\n");
  std::vector<std::string> curve;
  for (size_t i = 0; i < h.mean.x.size(); ++i) {
    curve.push_back(
        absl::StrCat("[", static_cast<int64_t>(h.mean.x[i]), ", ", h.mean.success[i], "]"));
  }
  figures.mean_success = h.mean.success.empty() ? 0 : h.mean.success.back();
  figures.json_members =
      absl::StrCat("\"mean_success\": ", figures.mean_success, ", \"per_task_success\": {",
                   absl::StrJoin(per_task, ", "), "}, \"tasks_at_0_8\": ", figures.tasks_at_0_8,
                   ", \"tasks_ever_at_0_8\": ", figures.tasks_ever_at_0_8,
                   ", \"tasks_held_at_0_8\": ", figures.tasks_held_at_0_8, ", \"curve\": [",
                   absl::StrJoin(curve, ", "), "]");
  return figures;
}

}  // namespace taco
