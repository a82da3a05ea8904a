// What `taco inspect` prints and draws, given the numbers: the task
// similarity table, the task groups and the two SVG plots. Separate from the
// checkpoint loading so that it is tested without LibTorch.
#ifndef TACO_CLI_INSPECT_REPORT_H_
#define TACO_CLI_INSPECT_REPORT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "cli/eval_csv.h"
#include "cli/pca.h"

namespace taco {

// W [K, T] (row-major, as LibTorch stores it) as T rows of K: the
// compositional vector w_τ of each task.
std::vector<std::vector<double>> TaskVectorsFromW(const std::vector<double>& w, size_t k, size_t t);

// The compositional vectors themselves: one line per task with its K
// components, their sum and the vector's norm. The sum is worth seeing: with
// identical component init every layer of a task's networks starts as the
// shared layer times Σ_k w_τk, so a sum near zero or below it is a task whose
// networks start nearly silent or sign-flipped.
std::string FormatTaskVectors(const std::vector<std::string>& tasks,
                              const std::vector<std::vector<double>>& w);

// The T×T matrix with the task names as row and column labels, 2 decimals,
// one line per task, each line ending in a newline.
std::string FormatSimilarityTable(const std::vector<std::string>& tasks,
                                  const std::vector<std::vector<double>>& similarity);

// "  group 0: a, b" per DBSCAN cluster, then "  noise: c" when there is
// noise (label −1).
std::string FormatTaskGroups(const std::vector<std::string>& tasks, const std::vector<int>& labels);

// The tasks' first two principal coordinates (pca.projected[i][0..1]) as a
// scatter plot labelled by task and coloured by DBSCAN label, axes named with
// the share of variance they explain.
std::string WPcaSvg(const std::vector<std::string>& tasks, const PcaResult& pca,
                    const std::vector<int>& labels, const std::string& title);

// Success rate per task over time, the mean as a thick black line.
std::string LearningCurvesSvg(const EvalHistory& history, const std::string& title);

}  // namespace taco

#endif  // TACO_CLI_INSPECT_REPORT_H_
