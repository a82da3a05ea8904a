// The progress a person reads while a run goes: in a terminal one status
// block — budget done, ETA, rates, success per task — redrawn in place;
// anywhere else (a log file, CI) plain lines, one report after another, that
// tools can grep.
#ifndef TACO_CLI_STATUS_BLOCK_H_
#define TACO_CLI_STATUS_BLOCK_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace taco {

struct RunStatus {
  std::string title;  // e.g. "train-local mt10 (seed 1)"
  int64_t env_steps = 0;
  int64_t total_env_steps = 0;
  double elapsed_s = 0;
  double env_steps_per_s = 0;  // since the previous report
  int64_t updates = 0;
  double updates_per_s = 0;
  // Lines of the caller's own (losses, versions), shown under the rates.
  std::vector<std::string> details;
  // The last evaluation, if any: its env step, mean and per-task success.
  int64_t eval_env_steps = -1;
  double eval_mean_success = 0;
  std::map<std::string, double> eval_task_success;
};

// "12m 5s", "3h 2m", "-" for an unknown (non-positive rate) duration.
std::string FormatEta(double seconds);

// The block's lines, none wider than `width` columns (a narrow terminal
// gets fewer task columns, never wrapped lines).
std::vector<std::string> FormatStatusBlock(const RunStatus& status, int width);

class StatusDisplay {
 public:
  // True when `out` is a terminal that understands cursor movement.
  static bool IsLiveTerminal(std::FILE* out);

  // `live`: redraw the block in place, with the process's log lines (which
  // would otherwise cut into it) printed above it; else each Show prints
  // what `plain_lines` gives.
  StatusDisplay(std::FILE* out, bool live);
  // Leaves the last block on screen and gives the log lines back to stderr.
  ~StatusDisplay();
  StatusDisplay(const StatusDisplay&) = delete;
  StatusDisplay& operator=(const StatusDisplay&) = delete;
  bool live() const { return live_; }

  // Live: replaces the block on screen. Plain: prints `plain_lines`.
  void Show(const RunStatus& status, const std::vector<std::string>& plain_lines);
  // A line that must stay (an event, an evaluation): above the block when
  // live, so the block stays last.
  void Message(const std::string& line);

 private:
  void Erase();
  void Draw();

  std::mutex mu_;  // log lines arrive from any thread
  std::FILE* out_;
  bool live_;
  std::vector<std::string> block_;  // on screen now (live)
};

}  // namespace taco

#endif  // TACO_CLI_STATUS_BLOCK_H_
