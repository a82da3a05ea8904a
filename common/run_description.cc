#include "common/run_description.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/file_util.h"

namespace taco {
namespace {

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", static_cast<int>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

absl::Status WriteRunDescription(const RunConfig& config, const std::string& kind) {
  std::string tasks;
  for (const std::string& task : config.tasks) {
    absl::StrAppend(&tasks, tasks.empty() ? "" : ", ", JsonString(task));
  }
  const TransferConfig& t = config.transfer;
  std::string json = absl::StrCat(
      "{\n  \"name\": ", JsonString(config.run.name), ",\n  \"kind\": ", JsonString(kind),
      ",\n  \"algorithm\": ", JsonString(config.algorithm.name),
      ",\n  \"task_distribution\": ", JsonString(config.task_distribution.kind),
      ",\n  \"tasks\": [", tasks, "],\n  \"seed\": ", config.run.seed,
      ",\n  \"env_steps_per_update\": ", config.trainer.env_steps_per_update,
      ",\n  \"success_threshold\": ", t.success_threshold,
      ",\n  \"max_env_steps\": ", t.max_env_steps);
  if (kind == "transfer") {
    absl::StrAppend(&json, ",\n  \"source_checkpoint\": ", JsonString(t.source_checkpoint),
                    ",\n  \"exploration_steps\": ", t.exploration_steps,
                    ",\n  \"mode\": ", JsonString(t.mode),
                    ",\n  \"new_task_weights\": ", JsonString(t.new_task_weights));
  }
  json += "\n}\n";
  std::error_code ec;
  std::filesystem::create_directories(config.RunDir(), ec);
  return WriteFileAtomically(config.RunDir() + "/run.json", json);
}

}  // namespace taco
