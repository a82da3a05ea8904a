#include "cli/inspect.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/eval_csv.h"
#include "cli/inspect_report.h"
#include "cli/pca.h"
#include "cli/run_report.h"
#include "cli/svg_plot.h"
#include "common/file_util.h"
#include "common/run_description.h"
#include "common/status.h"
#include "learner/learner_config.h"
#include "learner/online_grouping.h"
#include "learner/paco/learner.h"
#include "learner/paco/policy_checkpoint.h"
#include "learner/paco/task_grouping.h"

namespace taco {
namespace {

// W [K, T] from the checkpoint at `path`, as T rows of K (one per task).
absl::StatusOr<std::vector<std::vector<double>>> LoadTaskVectors(const RunConfig& config,
                                                                 const std::string& path,
                                                                 int64_t* updates) {
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat("checkpoint ", path,
                                            " does not exist (train the run first, or name "
                                            "another with --checkpoint)"));
  }
  // The saved options first: they tell a config written for another task
  // list or algorithm apart from a merely different model, and say it in
  // those terms.
  auto saved = paco::Learner::ReadCheckpointOptions(path);
  if (!saved.ok()) return FromPaco(saved.status());
  const int64_t num_tasks = static_cast<int64_t>(config.tasks.size());
  if (saved->num_tasks != num_tasks) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint ", path, " holds ", saved->num_tasks, " tasks but ", config.source,
                     " lists ", num_tasks, " (", absl::StrJoin(config.tasks, ", "),
                     "): inspect it with the config it was trained with"));
  }
  if (saved->algorithm != paco::Algorithm::kPaco) {
    return absl::FailedPreconditionError(absl::StrCat(
        "checkpoint ", path, " is a ", paco::AlgorithmName(saved->algorithm),
        " learner, which has no compositional vectors w; inspect reads PaCo checkpoints"));
  }
  TACO_ASSIGN_OR_RETURN(paco::PacoOptions options, PacoOptionsFromConfig(config));
  // Inspection reads a few kilobytes of W: no reason to wait for a GPU.
  options.device = "cpu";
  auto learner = paco::Learner::Create(options);
  if (!learner.ok()) return FromPaco(learner.status());
  TACO_RETURN_IF_ERROR(
      Annotate(FromPaco((*learner)->Load(path)), absl::StrCat("with config ", config.source)));
  *updates = (*learner)->num_updates();

  const torch::Tensor w =
      (*learner)->task_weights().detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const double* data = w.data_ptr<double>();
  return TaskVectorsFromW(std::vector<double>(data, data + w.numel()),
                          static_cast<size_t>(w.size(0)), static_cast<size_t>(w.size(1)));
}

}  // namespace

absl::StatusOr<RunConfig> ConfigOfCheckpoint(const std::string& checkpoint) {
  const std::filesystem::path run_dir =
      std::filesystem::absolute(checkpoint).parent_path().parent_path();
  const std::string description = (run_dir / "run.json").string();
  std::ifstream in(description);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("no ", description, " beside checkpoint ", checkpoint,
                     ": pass the run's config as well (taco inspect|eval CONFIG --checkpoint ",
                     checkpoint, "; taco export|render ... --config CONFIG)"));
  }
  // The run's own settings where run.json has them (every run since it
  // records its resolved config); the tasks and the checkpoint's shape else.
  if (auto resolved = ReadRunConfig(run_dir.string(), {}); resolved.ok()) {
    resolved->checkpoint.dir = std::filesystem::path(checkpoint).parent_path().string();
    return resolved;
  }
  std::stringstream text;
  text << in.rdbuf();
  TACO_ASSIGN_OR_RETURN(RunRecord run, ParseRunDescription(text.str(), description));
  auto options = paco::Learner::ReadCheckpointOptions(checkpoint);
  if (!options.ok()) return FromPaco(options.status());
  RunConfig config;
  config.source = description;
  config.tasks = run.tasks;
  config.run.name = run_dir.filename().string();
  config.run.output_dir = run_dir.parent_path().string();
  config.checkpoint.dir = std::filesystem::path(checkpoint).parent_path().string();
  config.algorithm.name = paco::AlgorithmName(options->algorithm);
  config.algorithm.num_components = static_cast<int>(options->num_components);
  config.algorithm.hidden_sizes.assign(options->hidden_sizes.begin(), options->hidden_sizes.end());
  config.algorithm.num_critic_replicas = static_cast<int>(options->num_critic_replicas);
  return config;
}

absl::Status RunInspect(const RunConfig& config, const InspectOptions& options) {
  const std::string checkpoint =
      options.checkpoint.empty() ? config.CheckpointDir() + "/learner.ckpt" : options.checkpoint;
  const std::string out_dir = options.out_dir.empty() ? config.RunDir() : options.out_dir;
  int64_t updates = 0;
  TACO_ASSIGN_OR_RETURN(const std::vector<std::vector<double>> w,
                        LoadTaskVectors(config, checkpoint, &updates));
  const size_t k = w.empty() ? 0 : w[0].size();

  std::printf("checkpoint %s: PaCo, K=%zu components, T=%zu tasks, %lld updates\n\n",
              checkpoint.c_str(), k, w.size(), static_cast<long long>(updates));
  std::printf("compositional vectors w (columns of W):\n%s\n",
              FormatTaskVectors(config.tasks, w).c_str());
  std::printf("task similarity (cosine of the compositional vectors w, columns of W):\n%s\n",
              FormatSimilarityTable(config.tasks, CosineSimilarityMatrix(w)).c_str());
  // The groups the trainer used — those of the config, or TaCo-online's from
  // these parameters (what a resumed run regroups to) — never a grouping of
  // inspect's own.
  auto policy = paco::LoadSavedPolicy(checkpoint);
  if (!policy.ok()) return FromPaco(policy.status());
  TACO_ASSIGN_OR_RETURN(const paco::TaskGrouping online_groups,
                        GroupTasksOnline(config, policy->actor_parameters));
  const TaskDistributionConfig& distribution = config.task_distribution;
  const OnlineGroupingConfig& online = distribution.online;
  const std::string online_settings =
      absl::StrFormat("features %s, eps %g, min_samples %d from task_distribution.online",
                      online.features, online.eps, online.min_samples);
  std::vector<int> labels = online_groups.labels;
  if (distribution.kind == "online") {
    std::printf(
        "task groups TaCo-online forms from this checkpoint (%s; a resumed run "
        "regroups to these):\n%s\n",
        online_settings.c_str(), FormatTaskGroups(config.tasks, labels).c_str());
  } else if (distribution.kind == "groups") {
    labels.assign(config.tasks.size(), -1);
    for (size_t g = 0; g < distribution.groups.size(); ++g) {
      for (const std::string& task : distribution.groups[g]) {
        auto it = std::find(config.tasks.begin(), config.tasks.end(), task);
        if (it != config.tasks.end()) labels[it - config.tasks.begin()] = static_cast<int>(g);
      }
    }
    std::printf("task groups of this run (task_distribution.groups):\n%s\n",
                FormatTaskGroups(config.tasks, labels).c_str());
  } else {
    std::printf(
        "task groups: none (task_distribution.kind %s samples without groups); "
        "TaCo-online would form (%s):\n%s\n",
        distribution.kind.c_str(), online_settings.c_str(),
        FormatTaskGroups(config.tasks, labels).c_str());
  }
  std::fflush(stdout);

  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create the output folder ", out_dir, ": ", error.message()));
  }
  TACO_ASSIGN_OR_RETURN(const PcaResult pca, Pca(w, 2));
  const std::string pca_path = out_dir + "/w_pca.svg";
  TACO_RETURN_IF_ERROR(WriteFileAtomically(
      pca_path, WPcaSvg(config.tasks, pca, labels,
                        absl::StrFormat("PCA of the compositional vectors w (run %s, K=%d)",
                                        config.run.name, k))));
  std::printf("wrote %s (PC1 %.1f%%, PC2 %.1f%% of the variance)\n", pca_path.c_str(),
              100.0 * pca.explained[0], 100.0 * pca.explained[1]);
  std::fflush(stdout);

  TACO_ASSIGN_OR_RETURN(const EvalHistory history, ReadEvalCsv(config.RunDir() + "/eval.csv"));
  const std::string curves_path = out_dir + "/learning_curves.svg";
  TACO_RETURN_IF_ERROR(WriteFileAtomically(
      curves_path, LearningCurvesSvg(history, absl::StrCat("Evaluation success per task (run ",
                                                           config.run.name, ")"))));
  std::printf("wrote %s (%zu tasks, %zu evaluations by %s)\n", curves_path.c_str(),
              history.tasks.size(), history.mean.x.size(), history.x_column.c_str());
  return absl::OkStatus();
}

}  // namespace taco
