// Command-line overrides ("--set key.path=value", ConfigReader::Override)
// applied to a valid config file, as `taco CMD CONFIG --set ...` loads it.
//
// Input: one assignment per line.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/config_reader.h"
#include "common/run_config.h"
#include "fuzz/fuzz_util.h"

namespace {

// configs/smoke.yaml, inlined so that the target runs from any folder.
constexpr char kBase[] = R"(run:
  name: smoke
tasks: [reach-v2, push-v2]
algorithm:
  hidden_sizes: [64, 64]
trainer:
  total_env_steps: 6000
  exploration_steps: 1000
  batch_size: 64
  env_steps_per_update: 2
  num_envs: 2
  replay_capacity: 20000
  eval_interval_env_steps: 3000
  eval_episodes_per_task: 1
  log_interval_env_steps: 1000
topology:
  replay_shards: 2
  actors: 2
  envs_per_actor: 1
)";

const std::string& BasePath() {
  static const auto* path = [] {
    auto* p = new std::string(taco::fuzz::ScratchDir() + "/base.yaml");
    taco::fuzz::WriteFile(*p, kBase);
    return p;
  }();
  return *path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> overrides = absl::StrSplit(text, '\n', absl::SkipEmpty());

  // The reader alone: every assignment either applies or is refused.
  auto reader = taco::ConfigReader::FromString(kBase, "base.yaml");
  TACO_FUZZ_CHECK(reader.ok());
  for (const std::string& assignment : overrides) {
    const absl::Status status = reader->Override(assignment);
    if (!status.ok()) TACO_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  }
  reader->Root().Child("trainer").Has("batch_size");
  (void)reader->Finish();

  // The whole load, as the command line does it.
  auto config = taco::LoadRunConfig(BasePath(), overrides, taco::Mt10Tasks());
  if (!config.ok()) {
    TACO_FUZZ_CHECK(config.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  TACO_FUZZ_CHECK(!config->tasks.empty());
  TACO_FUZZ_CHECK(config->trainer.batch_size >= static_cast<int>(config->tasks.size()));
  return 0;
}
