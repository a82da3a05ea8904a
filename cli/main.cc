// The one taco binary: every role and tool is a subcommand.
//
// Exit codes: 0 success, 1 runtime failure, 2 bad command line or config,
// 3 a subcommand that is not built yet.
#include <grpcpp/grpcpp.h>
#include <mujoco/mujoco.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/debugging/failure_signal_handler.h"
#include "absl/debugging/symbolize.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "actor/actor_role.h"
#include "actor/envs/asset_locator.h"
#include "actor/envs/task_registry.h"
#include "cli/cluster.h"
#include "cli/health.h"
#include "cli/inspect.h"
#include "cli/known_tasks.h"
#include "cli/policy_commands.h"
#include "cli/run_report.h"
#include "cli/train_local.h"
#include "common/file_util.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/run_config.h"
#include "common/run_folder.h"
#include "common/signals.h"
#include "common/version.h"
#include "google/protobuf/stubs/common.h"
#include "learner/learner_role.h"
#include "learner/paco/learner.h"
#include "replay/replay_role.h"
#ifdef TACO_HAVE_RENDER
#include "actor/envs/render.h"
#endif

namespace taco {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitUnimplemented = 3;

int ExitFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  std::fprintf(stderr, "taco: %s\n", std::string(status.message()).c_str());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
      return kExitBadInput;
    case absl::StatusCode::kUnimplemented:
      return kExitUnimplemented;
    default:
      return kExitFailure;
  }
}

void PrintVersion() {
  const std::map<std::string, std::string> libraries = LibraryVersions();
  std::printf("taco %s (%s)\n", TACO_VERSION, GitCommit());
  std::printf("  LibTorch %s\n", TACO_TORCH_VERSION);
  std::printf("  MuJoCo %s\n", libraries.at("mujoco").c_str());
  std::printf("  gRPC %s\n", libraries.at("grpc").c_str());
  std::printf("  protobuf %s\n", libraries.at("protobuf").c_str());
  // What trainer.device "auto" gives the learner: scripts/run picks its
  // config from this line.
  auto device = paco::ResolveDevice("auto");
  if (device.ok() && device->is_cuda()) {
    std::printf("  learner device: cuda (%d CUDA devices visible)\n",
                static_cast<int>(torch::cuda::device_count()));
  } else {
    std::printf("  learner device: cpu (this LibTorch sees no CUDA device)\n");
  }
}

// Options every run-config subcommand takes.
struct ConfigArgs {
  std::string path;
  std::vector<std::string> overrides;
};

void AddConfigArgs(CLI::App* app, ConfigArgs* args, bool required = true) {
  app->add_option("config", args->path, "run config (YAML), e.g. configs/mt10.yaml")
      ->required(required)
      ->check(CLI::ExistingFile);
  app->add_option("--set", args->overrides,
                  "override a config value, e.g. --set trainer.batch_size=256 (repeatable)");
}

// --resume / --fresh of the commands that start a run (common/run_folder.h).
struct RunFolderFlags {
  bool resume = false;
  bool fresh = false;
};

void AddRunFolderFlags(CLI::App* app, RunFolderFlags* flags, bool add_resume = true) {
  if (add_resume) {
    app->add_flag("--resume", flags->resume,
                  "continue the run in the run folder (by default a folder that holds a run is "
                  "refused)");
  }
  app->add_flag("--fresh", flags->fresh,
                "delete what the run folder holds and start the run again");
}

absl::Status ApplyRunFolderFlags(const RunConfig& config, const RunFolderFlags& flags) {
  if (flags.resume && flags.fresh) {
    return absl::InvalidArgumentError("--resume and --fresh exclude each other");
  }
  return PrepareRunFolder(config, flags.fresh    ? RunFolderMode::kFresh
                                  : flags.resume ? RunFolderMode::kResume
                                                 : RunFolderMode::kNew);
}

// `taco transfer --from`: a checkpoint file as given; a run folder (or its
// checkpoints folder) stands for its best evaluated policy, or its last
// learner checkpoint where it kept none.
std::string SourceCheckpoint(const std::string& from) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(from, ec)) return from;
  for (const char* candidate : {"checkpoints/best-policy.ckpt", "best-policy.ckpt",
                                "checkpoints/learner.ckpt", "learner.ckpt"}) {
    const fs::path path = fs::path(from) / candidate;
    if (fs::exists(path, ec)) return path.string();
  }
  return (fs::path(from) / "checkpoints/best-policy.ckpt").string();  // named in the error
}

// TACO_SET="key=value key=value" overrides as --set does, before the
// command line's --set: containers change a mounted config this way (the
// compose TLS overlay sets the security keys of every role at once).
std::vector<std::string> Overrides(const ConfigArgs& args) {
  std::vector<std::string> overrides;
  if (const char* env = std::getenv("TACO_SET"); env != nullptr) {
    for (absl::string_view item :
         absl::StrSplit(env, absl::ByAnyChar(" \t\n"), absl::SkipEmpty())) {
      overrides.emplace_back(item);
    }
  }
  overrides.insert(overrides.end(), args.overrides.begin(), args.overrides.end());
  return overrides;
}

absl::StatusOr<RunConfig> LoadConfig(const ConfigArgs& args) {
  auto config = LoadRunConfig(args.path, Overrides(args), KnownTaskNames());
  if (!config.ok()) return config.status();
  auto level = ParseLogLevel(config->logging.level);
  if (level.ok()) SetLogLevel(*level);
  // Every series names its run: one Prometheus scrapes many runs and seeds.
  Metrics::Process().SetConstantLabels(
      {{"run", config->run.name}, {"seed", absl::StrCat(config->run.seed)}});
  return config;
}

absl::Status CheckConfig(const ConfigArgs& args) {
  auto config = LoadConfig(args);
  if (!config.ok()) return config.status();
  std::printf("%s: OK\n", args.path.c_str());
  std::printf("  run %s, %zu tasks: %s\n", config->run.name.c_str(), config->tasks.size(),
              absl::StrJoin(config->tasks, ", ").c_str());
  std::printf("  algorithm %s, K=%d, hidden [%s], batch %d\n", config->algorithm.name.c_str(),
              config->algorithm.num_components,
              absl::StrJoin(config->algorithm.hidden_sizes, ", ").c_str(),
              config->trainer.batch_size);
  std::printf("  %lld env steps, task distribution %s, run folder %s\n",
              static_cast<long long>(config->trainer.total_env_steps),
              config->task_distribution.kind.c_str(), config->RunDir().c_str());
  return absl::OkStatus();
}

// The config for a saved policy: CONFIG (overrides applied) when given or
// when it is a config file, else the run folder's run.json beside the
// checkpoint.
absl::StatusOr<RunConfig> ConfigFor(const ConfigArgs& args, const std::string& checkpoint) {
  if (!args.path.empty() && !absl::EndsWith(args.path, ".ckpt")) return LoadConfig(args);
  return ConfigOfCheckpoint(checkpoint);
}

absl::Status NotBuilt(absl::string_view command, absl::string_view issue) {
  return absl::UnimplementedError(absl::StrCat("'taco ", command, "' is not implemented yet (",
                                               issue, "); see README.md for what runs"));
}

}  // namespace
}  // namespace taco

int main(int argc, char** argv) {
  // OpenMP reads its settings when the library loads, before main: the
  // passive wait policy (idle threads sleep instead of spinning, which on a
  // shared or small machine costs the envs and the learner several times
  // their speed) needs a re-exec to take effect.
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);
  }
  using namespace taco;  // NOLINT(google-build-using-namespace): file-local entry point
  BlockTerminationSignals();
  // A crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) prints the failing
  // thread's stack to stderr, which is the role's log under `taco up` and
  // in containers. SIGTERM and SIGINT are blocked above in every thread,
  // so their orderly handling is unaffected.
  absl::InitializeSymbolizer(argv[0]);
  absl::InstallFailureSignalHandler(absl::FailureSignalHandlerOptions());
  CLI::App app{
      "taco: multi-task and transfer reinforcement learning (PaCo-SAC / TaCo) on Meta-World"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("taco ") + TACO_VERSION);

  CLI::App* version = app.add_subcommand("version", "print taco's version and its libraries'");
  CLI::App* tasks = app.add_subcommand("tasks", "list the Meta-World task names taco knows");
  ConfigArgs tasks_args;
  AddConfigArgs(tasks, &tasks_args, /*required=*/false);
  bool tasks_scenes = false;
  tasks->add_flag("--scenes", tasks_scenes,
                  "also the scene file each task loads, in the scenes folder a run would use");

  ConfigArgs check_args;
  CLI::App* check = app.add_subcommand("check-config", "validate a run config and summarise it");
  AddConfigArgs(check, &check_args);

  struct Pending {
    const char* name;
    const char* help;
    const char* issue;
    ConfigArgs args;
  };
  std::vector<Pending> pending = {};
  std::vector<CLI::App*> pending_apps;
  for (Pending& p : pending) {
    CLI::App* sub = app.add_subcommand(p.name, p.help);
    AddConfigArgs(sub, &p.args);
    pending_apps.push_back(sub);
  }

  ConfigArgs train_args;
  bool train_resume = false;
  RunFolderFlags train_folder;
  CLI::App* train = app.add_subcommand(
      "train-local", "train in one process: env pool, in-process replay and learner");
  AddConfigArgs(train, &train_args);
  AddRunFolderFlags(train, &train_folder, /*add_resume=*/false);
  train->add_flag("--resume", train_resume,
                  "continue from the run's checkpoint (the replay refills first)");

  ConfigArgs transfer_args;
  bool transfer_resume = false;
  std::string transfer_from;
  CLI::App* transfer = app.add_subcommand(
      "transfer",
      "train the config's (new) tasks from a multi-task checkpoint: the TaCo transfer phase");
  AddConfigArgs(transfer, &transfer_args);
  transfer->add_option("--from", transfer_from,
                       "the multi-task run's learner checkpoint (sets transfer.source_checkpoint)");
  transfer->add_flag("--resume", transfer_resume, "continue this transfer run from its checkpoint");
  RunFolderFlags transfer_folder;
  AddRunFolderFlags(transfer, &transfer_folder, /*add_resume=*/false);
  bool transfer_cluster = false;
  double transfer_duration_s = 0.0;
  transfer->add_flag("--cluster", transfer_cluster,
                     "run it as `taco up` does: replay shards, learner, actors and evaluator");
  transfer->add_option("--duration", transfer_duration_s,
                       "with --cluster: stop after this many seconds (0: never)");

  std::vector<std::string> report_runs;
  CLI::App* report = app.add_subcommand(
      "report", "print the paper's multi-task and transfer tables from run folders");
  report->add_option("runs", report_runs, "run folders (each with run.json and eval.csv)")
      ->required();
  std::string report_curves;
  report->add_option("--curves", report_curves,
                     "also write an SVG of success against env steps per task: each method's "
                     "mean over seeds with its min-max band");

  ConfigArgs up_args;
  ClusterOptions up_options;
  CLI::App* up = app.add_subcommand(
      "up", "run the whole cluster here: replay shards, learner, actors and evaluator");
  AddConfigArgs(up, &up_args);
  up->add_option("--duration", up_options.duration_s, "stop after this many seconds (0: never)");
  RunFolderFlags up_folder;
  AddRunFolderFlags(up, &up_folder);
  up->add_option("--progress-every", up_options.progress_interval_s,
                 "seconds between progress lines")
      ->check(CLI::Range(0.5, 3600.0));

  ConfigArgs learner_args;
  int64_t learner_max_updates = 0;
  CLI::App* learner = app.add_subcommand("learner", "run the learner process");
  AddConfigArgs(learner, &learner_args);
  learner->add_option("--max-updates", learner_max_updates,
                      "stop after this many updates (0: never)");

  ConfigArgs actor_args;
  ActorRoleOptions actor_options;
  CLI::App* actor = app.add_subcommand("actor", "run one actor process");
  AddConfigArgs(actor, &actor_args);
  std::string actor_index;
  actor
      ->add_option("--index", actor_index,
                   "actor index 0..topology.actors-1, or auto for replicas started alike: "
                   "from TACO_ACTOR_INDEX, JOB_COMPLETION_INDEX or --index-dir")
      ->required();
  actor
      ->add_option("--index-dir", actor_options.index_dir,
                   "with --index auto: a folder the replicas on this host share, where each "
                   "claims the lowest free index (default: TACO_ACTOR_INDEX_DIR)")
      ->envname("TACO_ACTOR_INDEX_DIR");
  actor
      ->add_option("--metrics-port", actor_options.metrics_port,
                   "serve metrics on this port (default: metrics.base_port + 100 + index; in "
                   "a container of its own every actor can use one port)")
      ->check(CLI::Range(1, 65535));
  actor->add_option("--max-env-steps", actor_options.max_env_steps,
                    "stop after this many env steps (0: never)");

  ConfigArgs eval_args;
  EvalRoleOptions eval_options;
  CLI::App* eval = app.add_subcommand(
      "eval", "evaluate the learner's parameters (deterministic policy, episodes per task)");
  AddConfigArgs(eval, &eval_args);
  eval->add_flag("--once", eval_options.once, "evaluate the newest parameters once and exit");
  CheckpointEvalOptions checkpoint_eval;
  eval->add_option("--checkpoint", checkpoint_eval.checkpoint,
                   "evaluate this saved policy (best-policy.ckpt or learner.ckpt) instead, with "
                   "no cluster; CONFIG may be the checkpoint itself inside its run folder");
  eval->add_option("--episodes", checkpoint_eval.episodes_per_task,
                   "with --checkpoint: episodes per task (default trainer.eval_episodes_per_task)")
      ->check(CLI::Range(1, 10000));
  uint32_t checkpoint_eval_seed = 0;
  CLI::Option* eval_seed =
      eval->add_option("--seed", checkpoint_eval_seed,
                       "with --checkpoint: the seed that picks the goals (default: the "
                       "evaluator's for the checkpoint's update count)");
  eval->add_option("--csv", checkpoint_eval.csv,
                   "with --checkpoint: append rows here (default <run>/checkpoint-eval.csv)");

  std::string export_checkpoint, export_config, export_out;
  CLI::App* export_app = app.add_subcommand(
      "export", "write a saved PaCo policy as a file Python loads with PyTorch alone");
  export_app
      ->add_option("checkpoint", export_checkpoint,
                   "best-policy.ckpt or learner.ckpt (task names from its run folder's run.json)")
      ->required();
  export_app->add_option("--config", export_config,
                         "the run's config, for a checkpoint outside its run folder");
  export_app->add_option("--out", export_out, "output file (default CHECKPOINT with .pt)");

  ConfigArgs inspect_args;
  InspectOptions inspect_options;
  CLI::App* inspect = app.add_subcommand(
      "inspect",
      "task similarity and groups from a PaCo checkpoint's w; PCA and learning-curve SVGs");
  // CONFIG, or a checkpoint inside a run folder (its run.json names the tasks).
  AddConfigArgs(inspect, &inspect_args);
  inspect->add_option("--checkpoint", inspect_options.checkpoint,
                      "learner checkpoint (default <run dir>/checkpoints/learner.ckpt)");
  inspect->add_option("--out", inspect_options.out_dir,
                      "folder for w_pca.svg and learning_curves.svg (default the run folder)");

  ConfigArgs replay_args;
  int replay_shard = 0;
  std::string replay_listen;
  CLI::App* replay = app.add_subcommand("replay", "serve one replay shard");
  AddConfigArgs(replay, &replay_args);
  replay->add_option("--shard", replay_shard, "shard index, 0..topology.replay_shards-1")
      ->required();
  replay->add_option("--listen", replay_listen,
                     "host:port to serve on (default topology.host:replay_base_port+shard)");

  HealthOptions health_options;
  std::string health_config;
  double health_timeout_s = 3.0;
  CLI::App* health = app.add_subcommand(
      "health", "exit 0 when a taco process serves (container health checks and probes)");
  health->add_option("address", health_options.address,
                     "host:port of a learner or replay shard, asked over grpc.health.v1 "
                     "(default: what this container's role wrote to TACO_HEALTH_FILE)");
  health
      ->add_option("--metrics", health_options.metrics_port,
                   "probe the /metrics page on 127.0.0.1:PORT instead (actors, evaluator)")
      ->check(CLI::Range(1, 65535));
  health->add_option("--config", health_config,
                     "a run config whose security.ca_cert/tls_* reach a TLS server");
  health->add_option("--timeout", health_timeout_s, "seconds to wait for the answer")
      ->check(CLI::Range(0.1, 60.0));

  std::string render_task, render_policy = "expert", render_out;
  CLI::App* render = app.add_subcommand("render", "render one episode to images");
  render->add_option("task", render_task, "task name, e.g. reach-v2")->required();
  render->add_option("--policy", render_policy,
                     "expert | random | a saved policy (best-policy.ckpt, learner.ckpt)");
  std::string render_config;
  render->add_option("--config", render_config,
                     "with a saved policy outside its run folder: the run's config");
  render
      ->add_option("--out", render_out,
                   "an animated PNG (NAME.png, NAME.apng) or a folder for frame_00000.png, ...")
      ->required();
  std::string render_format = "auto";
  render
      ->add_option("--format", render_format,
                   "auto (from --out's name) | apng | frames (a folder of PNG files)")
      ->check(CLI::IsMember({"auto", "apng", "frames"}));
  int render_frames = 150, render_size = 480, render_seed = 0;
  std::string render_assets;
  render->add_option("--frames", render_frames, "number of frames (env steps)")
      ->check(CLI::Range(1, 100000));
  render->add_option("--size", render_size, "image width and height in pixels")
      ->check(CLI::Range(16, 4096));
  render->add_option("--seed", render_seed, "variant seed")->check(CLI::Range(0, 1 << 30));
  render->add_option("--assets", render_assets, "Meta-World assets folder (default: searched)");
  std::string render_camera = "free";
  render->add_option("--camera", render_camera,
                     "free (a three-quarter view) or a scene camera: corner, corner2, corner3, "
                     "topview, behindGripper, gripperPOV");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  if (version->parsed()) {
    PrintVersion();
    return kExitOk;
  }
  if (tasks->parsed()) {
    // A config's tasks (and its env.assets_dir), or every task taco knows.
    std::vector<std::string> names = KnownTaskNames();
    std::string assets;
    if (!tasks_args.path.empty()) {
      auto config = LoadConfig(tasks_args);
      if (!config.ok()) return ExitFor(config.status());
      names = config->tasks;
      assets = config->env.assets_dir;
    }
    if (tasks_scenes && assets.empty()) {
      auto located = envs::LocateMetaWorldAssets();
      if (!located.ok()) return ExitFor(located.status());
      assets = *located;
    }
    for (const std::string& name : names) {
      if (!tasks_scenes) {
        std::printf("%s\n", name.c_str());
        continue;
      }
      auto task = envs::FindTask(name);
      if (!task.ok()) return ExitFor(task.status());
      const std::string scene =
          (std::filesystem::absolute(assets) / "sawyer_xyz" / (*task)->scene).lexically_normal();
      std::printf("%s %s\n", name.c_str(), scene.c_str());
    }
    return kExitOk;
  }
  if (check->parsed()) return ExitFor(CheckConfig(check_args));
  if (health->parsed()) {
    if (!health_config.empty()) {
      ConfigArgs args;
      args.path = health_config;
      auto config = LoadConfig(args);
      if (!config.ok()) return ExitFor(config.status());
      health_options.tls = config->security;
    }
    health_options.timeout = absl::Seconds(health_timeout_s);
    const absl::Status status = CheckHealth(health_options);
    if (status.code() == absl::StatusCode::kUnavailable) {
      // Unhealthy is an answer, not a usage error: exit 1, as probes expect.
      std::fprintf(stderr, "taco health: %s\n", std::string(status.message()).c_str());
      return kExitFailure;
    }
    return ExitFor(status);
  }
  if (train->parsed()) {
    auto config = LoadConfig(train_args);
    if (!config.ok()) return ExitFor(config.status());
    train_folder.resume = train_resume;
    if (absl::Status folder = ApplyRunFolderFlags(*config, train_folder); !folder.ok()) {
      return ExitFor(folder);
    }
    TrainLocalOptions options;
    options.resume = train_resume;
    auto result = TrainLocal(*config, options);
    if (!result.ok()) return ExitFor(result.status());
    std::printf("done: %lld env steps, %lld updates in %.0f s; final mean success %.3f\n",
                static_cast<long long>(result->env_steps), static_cast<long long>(result->updates),
                result->wall_s,
                result->evaluations.empty() ? 0.0 : result->evaluations.back().mean_success);
    return kExitOk;
  }
  if (report->parsed()) {
    std::vector<RunRecord> runs;
    for (const std::string& dir : report_runs) {
      auto run = ReadRun(dir);
      if (!run.ok()) return ExitFor(absl::InvalidArgumentError(run.status().message()));
      runs.push_back(std::move(*run));
    }
    std::printf("%s", FormatReport(runs).c_str());
    if (!report_curves.empty()) {
      auto svg = SuccessCurvesSvg(runs);
      if (!svg.ok()) return ExitFor(svg.status());
      if (absl::Status written = WriteFileAtomically(report_curves, *svg); !written.ok()) {
        return ExitFor(written);
      }
      std::printf("success curves written to %s\n", report_curves.c_str());
    }
    return kExitOk;
  }
  if (transfer->parsed()) {
    if (!transfer_from.empty()) {
      transfer_args.overrides.push_back("transfer.source_checkpoint=" +
                                        SourceCheckpoint(transfer_from));
    }
    transfer_args.overrides.push_back("transfer.enabled=true");
    auto config = LoadConfig(transfer_args);
    if (!config.ok()) return ExitFor(config.status());
    transfer_folder.resume = transfer_resume;
    if (absl::Status folder = ApplyRunFolderFlags(*config, transfer_folder); !folder.ok()) {
      return ExitFor(folder);
    }
    if (transfer_cluster) {
      ClusterOptions cluster;
      cluster.config_path = transfer_args.path;
      cluster.overrides = transfer_args.overrides;
      cluster.duration_s = transfer_duration_s;
      return ExitFor(RunCluster(*config, cluster));
    }
    TrainLocalOptions options;
    options.resume = transfer_resume;
    // The paper's measure: env steps until the new tasks reach the threshold.
    options.stop_at_success = config->transfer.success_threshold;
    auto result = TrainLocal(*config, options);
    if (!result.ok()) return ExitFor(result.status());
    const bool reached = !result->evaluations.empty() &&
                         result->evaluations.back().LowestSuccess() >= options.stop_at_success;
    std::printf("done: %lld env steps, %lld updates in %.0f s; %s\n",
                static_cast<long long>(result->env_steps), static_cast<long long>(result->updates),
                result->wall_s,
                reached ? absl::StrFormat("every task's success at least %.3f at %lld env steps",
                                          result->evaluations.back().LowestSuccess(),
                                          static_cast<long long>(result->env_steps))
                              .c_str()
                        : "the success threshold was not reached");
    return kExitOk;
  }
  if (up->parsed()) {
    auto config = LoadConfig(up_args);
    if (!config.ok()) return ExitFor(config.status());
    if (absl::Status folder = ApplyRunFolderFlags(*config, up_folder); !folder.ok()) {
      return ExitFor(folder);
    }
    up_options.config_path = up_args.path;
    up_options.overrides = up_args.overrides;
    return ExitFor(RunCluster(*config, up_options));
  }
  if (learner->parsed()) {
    auto config = LoadConfig(learner_args);
    if (!config.ok()) return ExitFor(config.status());
    LearnerRoleOptions options;
    options.max_updates = learner_max_updates;
    return ExitFor(RunLearnerRole(*config, options));
  }
  if (eval->parsed()) {
    if (checkpoint_eval.checkpoint.empty() && absl::EndsWith(eval_args.path, ".ckpt")) {
      checkpoint_eval.checkpoint = eval_args.path;
    }
    if (checkpoint_eval.checkpoint.empty()) {
      auto config = LoadConfig(eval_args);
      if (!config.ok()) return ExitFor(config.status());
      return ExitFor(RunEvalRole(*config, eval_options));
    }
    if (eval_options.once) {
      return ExitFor(
          absl::InvalidArgumentError("--once evaluates a live learner's parameters; "
                                     "--checkpoint a saved policy: pick one"));
    }
    auto config = ConfigFor(eval_args, checkpoint_eval.checkpoint);
    if (!config.ok()) return ExitFor(config.status());
    if (eval_seed->count() > 0) checkpoint_eval.seed = checkpoint_eval_seed;
    return ExitFor(EvaluateCheckpoint(*config, checkpoint_eval));
  }
  if (export_app->parsed()) {
    ConfigArgs args;
    args.path = export_config;
    auto config = ConfigFor(args, export_checkpoint);
    if (!config.ok()) return ExitFor(config.status());
    if (export_out.empty()) {
      export_out = std::filesystem::path(export_checkpoint).replace_extension(".pt").string();
    }
    return ExitFor(ExportCheckpoint(*config, export_checkpoint, export_out));
  }
  if (inspect->parsed()) {
    // A checkpoint in a run folder stands for its run.
    if (absl::EndsWith(inspect_args.path, ".ckpt")) {
      auto config = ConfigOfCheckpoint(inspect_args.path);
      if (!config.ok()) return ExitFor(config.status());
      if (inspect_options.checkpoint.empty()) inspect_options.checkpoint = inspect_args.path;
      return ExitFor(RunInspect(*config, inspect_options));
    }
    auto config = LoadConfig(inspect_args);
    if (!config.ok()) return ExitFor(config.status());
    return ExitFor(RunInspect(*config, inspect_options));
  }
  if (actor->parsed()) {
    auto config = LoadConfig(actor_args);
    if (!config.ok()) return ExitFor(config.status());
    if (actor_index == "auto") {
      actor_options.index = ActorRoleOptions::kAutoIndex;
    } else if (!absl::SimpleAtoi(actor_index, &actor_options.index) || actor_options.index < 0 ||
               actor_options.index >= config->topology.actors) {
      return ExitFor(absl::InvalidArgumentError(
          absl::StrCat("--index ", actor_index, " is neither auto nor in 0..",
                       config->topology.actors - 1, " (topology.actors)")));
    }
    return ExitFor(RunActorRole(*config, actor_options));
  }
  if (replay->parsed()) {
    auto config = LoadConfig(replay_args);
    if (!config.ok()) return ExitFor(config.status());
    return ExitFor(RunReplayRole(*config, replay_shard, replay_listen));
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    if (!pending_apps[i]->parsed()) continue;
    // Validate the config first so a user learns about mistakes today.
    auto config = LoadConfig(pending[i].args);
    if (!config.ok()) return ExitFor(config.status());
    return ExitFor(NotBuilt(pending[i].name, pending[i].issue));
  }
  if (render->parsed()) {
#ifdef TACO_HAVE_RENDER
    envs::RenderOptions options;
    options.task = render_task;
    options.policy = render_policy;
    options.out = render_out;
    options.frames = render_frames;
    options.width = options.height = render_size;
    options.seed = static_cast<uint32_t>(render_seed);
    options.assets_dir = render_assets;
    options.camera = render_camera;
    if (render_policy != "expert" && render_policy != "random") {
      ConfigArgs args;
      args.path = render_config;
      auto config = ConfigFor(args, render_policy);
      if (!config.ok()) return ExitFor(config.status());
      if (render_assets.empty()) options.assets_dir = config->env.assets_dir;
      auto act = SavedPolicyFunction(*config, render_policy, render_task);
      if (!act.ok()) return ExitFor(act.status());
      options.act = std::move(*act);
    }
    options.format = render_format == "apng"     ? envs::RenderFormat::kAnimatedPng
                     : render_format == "frames" ? envs::RenderFormat::kPngFrames
                                                 : envs::RenderFormat::kAuto;
    const absl::StatusOr<envs::RenderSummary> summary = envs::RenderEpisode(options);
    if (summary.ok()) {
      std::printf("wrote %d frames to %s (%s); return %.1f, %s\n", summary->frames,
                  render_out.c_str(),
                  summary->format == envs::RenderFormat::kAnimatedPng ? "animated PNG, real time"
                                                                      : "PNG files",
                  summary->episode_return,
                  summary->first_success_step > 0
                      ? absl::StrCat("success at step ", summary->first_success_step).c_str()
                      : "no success");
    }
    return ExitFor(summary.status());
#else
    return ExitFor(absl::FailedPreconditionError(
        "this taco was built without EGL (install libegl-dev and rebuild) and cannot render"));
#endif
  }
  return kExitBadInput;
}
