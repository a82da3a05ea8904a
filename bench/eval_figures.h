// What a learning bench reports from one run's evaluations: each task's
// success curve printed as a table, and the figures at the last evaluation as
// JSON members. A task counts as learnt at success >= 0.8; beside the count at
// the last evaluation, tasks_ever_at_0_8 (any evaluation) and
// tasks_held_at_0_8 (each of the last three) show how much of what was learnt
// stayed learnt.
#ifndef TACO_BENCH_EVAL_FIGURES_H_
#define TACO_BENCH_EVAL_FIGURES_H_

#include <string>

#include "cli/eval_csv.h"

namespace taco {

inline constexpr double kLearntSuccess = 0.8;

struct EvalFigures {
  double mean_success = 0;  // at the last evaluation
  int tasks_at_0_8 = 0;
  int tasks_ever_at_0_8 = 0;
  int tasks_held_at_0_8 = 0;
  // "\"mean_success\": …, \"per_task_success\": {…}, \"tasks_at_0_8\": …,
  // \"tasks_ever_at_0_8\": …, \"tasks_held_at_0_8\": …, \"curve\": [[x, mean], …]"
  std::string json_members;
};

// Prints `name`'s per-task curves (x in env steps) to stdout and returns the
// figures. `history` must hold at least one evaluation.
EvalFigures PrintEvalFigures(const std::string& name, const EvalHistory& history);

}  // namespace taco

#endif  // TACO_BENCH_EVAL_FIGURES_H_
