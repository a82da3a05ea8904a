#include "cli/eval_csv.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <numeric>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace taco {
namespace {

constexpr absl::string_view kMeanTask = "mean";

// Orders a curve by x; a resumed run appends, so rows are normally in order
// already, and stable sorting keeps repeated evaluations as written.
void SortByX(EvalCurve* curve) {
  std::vector<size_t> order(curve->x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [curve](size_t a, size_t b) { return curve->x[a] < curve->x[b]; });
  EvalCurve sorted{curve->task, {}, {}};
  for (size_t i : order) {
    sorted.x.push_back(curve->x[i]);
    sorted.success.push_back(curve->success[i]);
  }
  *curve = std::move(sorted);
}

}  // namespace

absl::StatusOr<EvalHistory> ParseEvalCsv(absl::string_view text, absl::string_view file) {
  EvalHistory history;
  std::map<std::string, size_t> index;  // task → position in history.tasks
  bool have_mean_rows = false;
  int line_number = 0;
  bool header_seen = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(file, ":", line_number, ": ", what));
    };
    if (!header_seen) {
      header_seen = true;
      if (line == "env_steps,task,success_rate") {
        history.x_column = "env_steps";
      } else if (line == "updates,task,success_rate") {
        history.x_column = "updates";
      } else {
        return error(absl::StrCat("header is '", line,
                                  "', expected 'env_steps,task,success_rate' or "
                                  "'updates,task,success_rate'"));
      }
      continue;
    }
    std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
    if (fields.size() != 3) {
      return error(absl::StrCat("row '", line, "' has ", fields.size(), " fields, expected 3"));
    }
    double x = 0.0, success = 0.0;
    if (!absl::SimpleAtod(fields[0], &x) || !std::isfinite(x) || x < 0.0) {
      return error(
          absl::StrCat(history.x_column, " '", fields[0], "' is not a non-negative number"));
    }
    const std::string task(absl::StripAsciiWhitespace(fields[1]));
    if (task.empty()) return error("empty task name");
    if (!absl::SimpleAtod(fields[2], &success) || !(success >= 0.0 && success <= 1.0)) {
      return error(absl::StrCat("success_rate '", fields[2], "' of task ", task,
                                " is not a number in [0, 1]"));
    }
    EvalCurve* curve = nullptr;
    if (task == kMeanTask) {
      have_mean_rows = true;
      curve = &history.mean;
    } else {
      auto [it, added] = index.emplace(task, history.tasks.size());
      if (added) history.tasks.push_back(EvalCurve{task, {}, {}});
      curve = &history.tasks[it->second];
    }
    curve->x.push_back(x);
    curve->success.push_back(success);
  }
  if (!header_seen) return absl::InvalidArgumentError(absl::StrCat(file, ": empty file"));
  if (history.tasks.empty() && !have_mean_rows) {
    return absl::FailedPreconditionError(
        absl::StrCat(file, " holds no evaluations yet (only its header)"));
  }
  history.mean.task = std::string(kMeanTask);
  if (!have_mean_rows) {
    std::map<double, std::pair<double, int>> by_x;  // x → (sum, count)
    for (const EvalCurve& curve : history.tasks) {
      for (size_t i = 0; i < curve.x.size(); ++i) {
        by_x[curve.x[i]].first += curve.success[i];
        ++by_x[curve.x[i]].second;
      }
    }
    for (const auto& [x, sum_count] : by_x) {
      history.mean.x.push_back(x);
      history.mean.success.push_back(sum_count.first / sum_count.second);
    }
  }
  for (EvalCurve& curve : history.tasks) SortByX(&curve);
  SortByX(&history.mean);
  return history;
}

absl::StatusOr<EvalHistory> ReadEvalCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot open ", path, " (the run has not been evaluated yet?)"));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseEvalCsv(text, path);
}

}  // namespace taco
