#include "cli/inspect_report.h"

#include <cmath>
#include <string>
#include <vector>

#include "cli/xml_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::taco::testing_xml::XmlProblem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::vector<std::string> kTasks = {"reach-v2", "push-v2", "pick-place-v2"};

// W [K=3, T=3], row-major: task columns (1, 0, 0), (0, 1, 0) and (1, 1, 0).
const std::vector<double> kW = {1, 0, 1,  //
                                0, 1, 1,  //
                                0, 0, 0};

TEST(TaskVectorsFromWTest, ColumnsBecomeRows) {
  const auto w = TaskVectorsFromW({1, 2, 3, 4, 5, 6}, 2, 3);
  EXPECT_THAT(w, ElementsAre(ElementsAre(1, 4), ElementsAre(2, 5), ElementsAre(3, 6)));
}

TEST(FormatTaskVectorsTest, ComponentsSumAndNormPerTask) {
  const std::string table = FormatTaskVectors({"a", "pick-place-v2"}, {{3, -4}, {-0.001, -1}});
  EXPECT_EQ(table,
            "task               w1      w2     sum    norm\n"
            "a                3.00   -4.00   -1.00    5.00\n"
            "pick-place-v2    0.00   -1.00   -1.00    1.00\n");
}

TEST(FormatSimilarityTableTest, CosineTableOfHandMadeW) {
  const std::string table =
      FormatSimilarityTable(kTasks, CosineSimilarityMatrix(TaskVectorsFromW(kW, 3, 3)));
  EXPECT_EQ(table,
            "               reach-v2  push-v2  pick-place-v2\n"
            "reach-v2           1.00     0.00           0.71\n"
            "push-v2            0.00     1.00           0.71\n"
            "pick-place-v2      0.71     0.71           1.00\n");
}

TEST(FormatSimilarityTableTest, NoNegativeZeroAndShortNamesGetFiveColumns) {
  const std::string table = FormatSimilarityTable({"a", "b"}, {{1.0, -0.001}, {-0.5, 1.0}});
  EXPECT_EQ(table,
            "       a      b\n"
            "a   1.00   0.00\n"
            "b  -0.50   1.00\n");
}

TEST(FormatTaskGroupsTest, GroupsThenNoise) {
  EXPECT_EQ(FormatTaskGroups({"a", "b", "c", "d"}, {0, 1, 0, -1}),
            "  group 0: a, c\n"
            "  group 1: b\n"
            "  noise: d\n");
  EXPECT_EQ(FormatTaskGroups({"a", "b"}, {0, 0}), "  group 0: a, b\n");
}

TEST(WPcaSvgTest, LabelsEveryTaskAndGroup) {
  auto pca = Pca(TaskVectorsFromW(kW, 3, 3), 2);
  ASSERT_TRUE(pca.ok()) << pca.status();
  const std::string svg = WPcaSvg(kTasks, *pca, {0, 0, -1}, "PCA of w & friends");
  EXPECT_THAT(XmlProblem(svg), IsEmpty()) << svg;
  for (const std::string& task : kTasks) EXPECT_THAT(svg, HasSubstr(">" + task + "</text>"));
  EXPECT_THAT(svg, HasSubstr(">group 0 (2 tasks)</text>"));
  EXPECT_THAT(svg, HasSubstr(">noise (1 task)</text>"));
  EXPECT_THAT(svg, HasSubstr(">PCA of w &amp; friends</text>"));
  // (1,0) and (0,1) lie apart along (1, −1): PC1, 3/4 of the variance;
  // (1,1) sits off their midpoint along (1, 1): PC2, the rest.
  EXPECT_THAT(svg, HasSubstr(">PC1 (75.0% variance)</text>"));
  EXPECT_THAT(svg, HasSubstr(">PC2 (25.0% variance)</text>"));
}

TEST(LearningCurvesSvgTest, LinesForEveryTaskAndTheMean) {
  auto history = ParseEvalCsv(
      "updates,task,success_rate\n"
      "100,reach-v2,0.2\n100,push-v2,0.4\n200,reach-v2,0.6\n200,push-v2,1\n",
      "eval.csv");
  ASSERT_TRUE(history.ok()) << history.status();
  const std::string svg = LearningCurvesSvg(*history, "run smoke");
  EXPECT_THAT(XmlProblem(svg), IsEmpty()) << svg;
  for (const char* label :
       {">reach-v2</text>", ">push-v2</text>", ">mean</text>", ">learner updates</text>",
        ">success rate</text>", ">run smoke</text>"}) {
    EXPECT_THAT(svg, HasSubstr(label));
  }
  EXPECT_THAT(svg, HasSubstr("stroke=\"#000000\" stroke-width=\"4.0\""));

  history->x_column = "env_steps";
  EXPECT_THAT(LearningCurvesSvg(*history, ""), HasSubstr(">env steps</text>"));
}

}  // namespace
}  // namespace taco
