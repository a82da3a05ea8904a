#include "cli/status_block.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/logging.h"

namespace taco {
namespace {

int TerminalWidth(std::FILE* out) {
  winsize size{};
  if (ioctl(fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col >= 40) return size.ws_col;
  return 100;
}

std::string Clip(std::string line, int width) {
  if (static_cast<int>(line.size()) > width) line.resize(static_cast<size_t>(width));
  return line;
}

}  // namespace

std::string FormatEta(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "-";
  const int64_t s = static_cast<int64_t>(std::llround(seconds));
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrCat(s / 60, "m ", s % 60, "s");
  if (s < 86400) return absl::StrCat(s / 3600, "h ", s % 3600 / 60, "m");
  return absl::StrCat(s / 86400, "d ", s % 86400 / 3600, "h");
}

std::vector<std::string> FormatStatusBlock(const RunStatus& s, int width) {
  width = std::max(width, 40);
  std::vector<std::string> lines;
  const double done =
      s.total_env_steps > 0
          ? std::clamp(static_cast<double>(s.env_steps) / static_cast<double>(s.total_env_steps),
                       0.0, 1.0)
          : 0.0;
  const double eta = s.env_steps >= s.total_env_steps ? 0.0
                     : s.env_steps_per_s > 0
                         ? static_cast<double>(s.total_env_steps - s.env_steps) / s.env_steps_per_s
                         : -1.0;
  const std::string numbers = absl::StrFormat(" %5.1f%%  %d / %d env steps  ETA %s", 100.0 * done,
                                              s.env_steps, s.total_env_steps, FormatEta(eta));
  const int bar = std::clamp(width - static_cast<int>(numbers.size()) - 2, 10, 40);
  const int filled = static_cast<int>(std::floor(done * bar));
  lines.push_back(s.title);
  lines.push_back(
      Clip(absl::StrCat("[", std::string(static_cast<size_t>(filled), '#'),
                        std::string(static_cast<size_t>(bar - filled), '.'), "]", numbers),
           width));
  lines.push_back(
      Clip(absl::StrFormat("  %.0f env steps/s | %d updates (%.1f/s) | %s elapsed",
                           s.env_steps_per_s, s.updates, s.updates_per_s, FormatEta(s.elapsed_s)),
           width));
  for (const std::string& d : s.details) lines.push_back(Clip("  " + d, width));
  if (s.eval_env_steps < 0) {
    lines.push_back("  success: no evaluation yet");
    return lines;
  }
  lines.push_back(Clip(absl::StrFormat("  success at %d env steps: mean %.2f", s.eval_env_steps,
                                       s.eval_mean_success),
                       width));
  // Tasks in as many columns as fit: "name 0.80".
  size_t name_width = 4;
  for (const auto& [task, rate] : s.eval_task_success)
    name_width = std::max(name_width, task.size());
  const int cell = static_cast<int>(name_width) + 7;
  const int columns = std::max(1, (width - 4) / cell);
  std::string row;
  int in_row = 0;
  for (const auto& [task, rate] : s.eval_task_success) {
    absl::StrAppendFormat(&row, "%-*s %.2f  ", static_cast<int>(name_width), task, rate);
    if (++in_row == columns) {
      lines.push_back(Clip("    " + row, width));
      row.clear();
      in_row = 0;
    }
  }
  if (!row.empty()) lines.push_back(Clip("    " + row, width));
  return lines;
}

bool StatusDisplay::IsLiveTerminal(std::FILE* out) {
  if (!isatty(fileno(out))) return false;
  const char* term = std::getenv("TERM");
  return term != nullptr && std::strcmp(term, "dumb") != 0 && std::strlen(term) > 0;
}

StatusDisplay::StatusDisplay(std::FILE* out, bool live) : out_(out), live_(live) {
  if (live_) SetLogSink([this](const std::string& line) { Message(line); });
}

StatusDisplay::~StatusDisplay() {
  if (live_) SetLogSink(nullptr);
}

void StatusDisplay::Show(const RunStatus& status, const std::vector<std::string>& plain_lines) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!live_) {
    for (const std::string& line : plain_lines) std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
    return;
  }
  Erase();
  block_ = FormatStatusBlock(status, TerminalWidth(out_));
  Draw();
}

void StatusDisplay::Message(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!live_) {
    std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
    return;
  }
  Erase();
  std::fprintf(out_, "%s\n", line.c_str());
  Draw();
}

void StatusDisplay::Erase() {
  // To the block's first line, then clear everything below the cursor.
  if (!block_.empty()) std::fprintf(out_, "\x1b[%zuF\x1b[J", block_.size());
}

void StatusDisplay::Draw() {
  for (const std::string& line : block_) std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

}  // namespace taco
