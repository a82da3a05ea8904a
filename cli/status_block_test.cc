#include "cli/status_block.h"

#include <cstdio>
#include <string>

#include "common/logging.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

RunStatus Example() {
  RunStatus s;
  s.title = "train-local mt10: 10 tasks, paco, seed 1";
  s.env_steps = 250'000;
  s.total_env_steps = 1'000'000;
  s.elapsed_s = 125;
  s.env_steps_per_s = 2000;
  s.updates = 25'000;
  s.updates_per_s = 200;
  s.details = {"losses: critic 0.5"};
  return s;
}

TEST(FormatEtaTest, ReadsLikeADuration) {
  EXPECT_EQ(FormatEta(42), "42s");
  EXPECT_EQ(FormatEta(375), "6m 15s");
  EXPECT_EQ(FormatEta(3 * 3600 + 120), "3h 2m");
  EXPECT_EQ(FormatEta(-1), "-");
}

TEST(FormatStatusBlockTest, BudgetEtaRatesAndSuccessPerTask) {
  RunStatus s = Example();
  std::vector<std::string> lines = FormatStatusBlock(s, 100);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], s.title);
  // 750k steps left at 2000/s.
  EXPECT_THAT(lines[1], HasSubstr(" 25.0%  250000 / 1000000 env steps  ETA 6m 15s"));
  EXPECT_THAT(lines[1], HasSubstr("[##########"));
  EXPECT_THAT(lines[2], HasSubstr("2000 env steps/s | 25000 updates (200.0/s) | 2m 5s elapsed"));
  EXPECT_EQ(lines[3], "  losses: critic 0.5");
  EXPECT_EQ(lines.back(), "  success: no evaluation yet");

  s.eval_env_steps = 200'000;
  s.eval_mean_success = 0.45;
  for (const char* task : {"reach-v2", "push-v2", "pick-place-v2", "door-open-v2", "drawer-open-v2",
                           "drawer-close-v2"}) {
    s.eval_task_success[task] = 0.5;
  }
  lines = FormatStatusBlock(s, 100);
  EXPECT_THAT(lines[4], HasSubstr("success at 200000 env steps: mean 0.45"));
  std::string all;
  for (const std::string& line : lines) {
    EXPECT_LE(line.size(), 100u) << line;
    all += line + "\n";
  }
  for (const auto& [task, rate] : s.eval_task_success) EXPECT_THAT(all, HasSubstr(task + " "));
  // A narrow terminal: more rows, never a line wider than it.
  const std::vector<std::string> narrow = FormatStatusBlock(s, 40);
  EXPECT_GT(narrow.size(), lines.size());
  for (const std::string& line : narrow) EXPECT_LE(line.size(), 40u) << line;
}

TEST(FormatStatusBlockTest, ADoneRunHasNoEta) {
  RunStatus s = Example();
  s.env_steps = s.total_env_steps;
  EXPECT_THAT(FormatStatusBlock(s, 100)[1], HasSubstr("100.0%"));
  EXPECT_THAT(FormatStatusBlock(s, 100)[1], HasSubstr("ETA 0s"));
  s.env_steps = 10;
  s.env_steps_per_s = 0;  // no rate yet: no guess
  EXPECT_THAT(FormatStatusBlock(s, 100)[1], HasSubstr("ETA -"));
}

std::string Written(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0) text.append(buffer, n);
  return text;
}

TEST(StatusDisplayTest, PlainOutputIsTheCallersLinesWithoutEscapes) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    StatusDisplay display(f, /*live=*/false);
    display.Show(Example(), {"[train] 1/2 env steps"});
    display.Message("[eval] 2 env steps: mean success 0.5");
    display.Show(Example(), {"[train] 2/2 env steps"});
  }
  const std::string text = Written(f);
  EXPECT_EQ(text,
            "[train] 1/2 env steps\n[eval] 2 env steps: mean success 0.5\n[train] 2/2 env steps\n");
  std::fclose(f);
}

TEST(StatusDisplayTest, LiveOutputRedrawsOneBlockWithMessagesAndLogsAboveIt) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  const size_t block = FormatStatusBlock(Example(), 100).size();
  {
    StatusDisplay display(f, /*live=*/true);
    display.Show(Example(), {"unused in a terminal"});
    display.Message("[eval] done");
    TACO_LOG(WARNING) << "a log line while the block shows";
    display.Show(Example(), {});
  }
  const std::string text = Written(f);
  EXPECT_THAT(text, Not(HasSubstr("unused in a terminal")));
  // Every redraw first goes back over the whole block and clears it.
  const std::string back = "\x1b[" + std::to_string(block) + "F\x1b[J";
  size_t count = 0;
  for (size_t at = text.find(back); at != std::string::npos; at = text.find(back, at + 1)) ++count;
  EXPECT_EQ(count, 3u) << text;
  // The message and the log line stay, above the block that follows them.
  const size_t eval = text.find("[eval] done\n");
  const size_t log = text.find("a log line while the block shows\n");
  ASSERT_NE(eval, std::string::npos);
  ASSERT_NE(log, std::string::npos);
  EXPECT_LT(eval, log);
  EXPECT_NE(text.find(Example().title, log), std::string::npos);
  std::fclose(f);
}

}  // namespace
}  // namespace taco
