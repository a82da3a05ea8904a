// Loading a run config (common/run_config.h) from arbitrary YAML text.
#include <cstdint>
#include <set>
#include <string>

#include "absl/strings/string_view.h"
#include "common/run_config.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = taco::ParseRunConfig(text, "fuzz.yaml", taco::Mt10Tasks());
  if (!config.ok()) {
    TACO_FUZZ_CHECK(config.status().code() == absl::StatusCode::kInvalidArgument);
    TACO_FUZZ_CHECK(!config.status().message().empty());
    return 0;
  }
  // What the roles rely on once a config loaded.
  const taco::RunConfig& c = *config;
  TACO_FUZZ_CHECK(!c.tasks.empty());
  TACO_FUZZ_CHECK(std::set<std::string>(c.tasks.begin(), c.tasks.end()).size() == c.tasks.size());
  TACO_FUZZ_CHECK(c.trainer.batch_size >= static_cast<int>(c.tasks.size()));
  TACO_FUZZ_CHECK(!c.algorithm.hidden_sizes.empty());
  TACO_FUZZ_CHECK(c.algorithm.log_std_min < c.algorithm.log_std_max);
  TACO_FUZZ_CHECK(c.topology.replay_base_port + c.topology.replay_shards - 1 <= 65535);
  TACO_FUZZ_CHECK(c.topology.ReplayAddresses().size() ==
                  static_cast<size_t>(c.topology.replay_shards));
  c.topology.LearnerAddress();
  c.CheckpointDir();
  return 0;
}
