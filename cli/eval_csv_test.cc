#include "cli/eval_csv.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseEvalCsvTest, TrainLocalFormWithMeanRows) {
  auto h = ParseEvalCsv(
      "env_steps,task,success_rate\n"
      "400,reach-v2,0.0000\n400,push-v2,0.0000\n400,mean,0.0000\n"
      "800,reach-v2,1.0000\n800,push-v2,0.5000\n800,mean,0.7500\n",
      "run/eval.csv");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->x_column, "env_steps");
  ASSERT_EQ(h->tasks.size(), 2u);
  EXPECT_EQ(h->tasks[0].task, "reach-v2");
  EXPECT_EQ(h->tasks[1].task, "push-v2");
  EXPECT_THAT(h->tasks[0].x, ElementsAre(400, 800));
  EXPECT_THAT(h->tasks[1].success, ElementsAre(0.0, 0.5));
  EXPECT_EQ(h->mean.task, "mean");
  EXPECT_THAT(h->mean.x, ElementsAre(400, 800));
  EXPECT_THAT(h->mean.success, ElementsAre(0.0, 0.75));
}

TEST(ParseEvalCsvTest, EvaluatorFormWithoutMeanRowsGetsAComputedMean) {
  // CRLF line ends, rows out of order and a trailing blank line.
  auto h = ParseEvalCsv(
      "updates,task,success_rate\r\n"
      "200,push-v2,1\r\n200,reach-v2,0\r\n100,reach-v2,0.2\r\n100,push-v2,0.4\r\n\r\n",
      "eval.csv");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->x_column, "updates");
  ASSERT_EQ(h->tasks.size(), 2u);
  EXPECT_EQ(h->tasks[0].task, "push-v2");
  EXPECT_THAT(h->tasks[1].x, ElementsAre(100, 200));
  EXPECT_THAT(h->tasks[1].success, ElementsAre(0.2, 0.0));
  EXPECT_THAT(h->mean.x, ElementsAre(100, 200));
  EXPECT_THAT(h->mean.success, ElementsAre(DoubleNear(0.3, 1e-12), DoubleNear(0.5, 1e-12)));
}

struct BadCase {
  const char* text;
  const char* message;
};

TEST(ParseEvalCsvTest, ErrorsNameFileAndLine) {
  const BadCase cases[] = {
      {"step,task,success_rate\n1,a,0\n", "f.csv:1: header is 'step,task,success_rate'"},
      {"env_steps,task,success_rate\n1,a,0\n\n2,a\n", "f.csv:4: row '2,a' has 2 fields"},
      {"env_steps,task,success_rate\nabc,a,0\n", "f.csv:2: env_steps 'abc' is not a non-negative"},
      {"updates,task,success_rate\n-5,a,0\n", "f.csv:2: updates '-5' is not a non-negative"},
      {"env_steps,task,success_rate\n1,a,0\n2,b,1.5\n",
       "f.csv:3: success_rate '1.5' of task b is not a number in [0, 1]"},
      {"env_steps,task,success_rate\n1,a,nan\n", "f.csv:2: success_rate 'nan'"},
      {"env_steps,task,success_rate\n1, ,0\n", "f.csv:2: empty task name"},
      {"env_steps,task,success_rate\n1,a,0,9\n", "f.csv:2: row '1,a,0,9' has 4 fields"},
      {"", "f.csv: empty file"},
  };
  for (const BadCase& c : cases) {
    auto h = ParseEvalCsv(c.text, "f.csv");
    ASSERT_FALSE(h.ok()) << c.text;
    EXPECT_EQ(h.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(h.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(ParseEvalCsvTest, HeaderOnlyMeansNoEvaluationsYet) {
  auto h = ParseEvalCsv("env_steps,task,success_rate\n", "f.csv");
  EXPECT_EQ(h.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(h.status().message(), HasSubstr("f.csv holds no evaluations yet"));
}

TEST(ReadEvalCsvTest, ReadsAFileAndNamesAMissingOne) {
  const std::string path = ::testing::TempDir() + "/eval_csv_test.csv";
  std::ofstream(path) << "env_steps,task,success_rate\n10,reach-v2,0.5\n10,mean,0.5\n";
  auto h = ReadEvalCsv(path);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->tasks.size(), 1u);
  auto missing = ReadEvalCsv("/nonexistent/eval.csv");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/eval.csv"));
}

}  // namespace
}  // namespace taco
