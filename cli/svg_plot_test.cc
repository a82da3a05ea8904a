#include "cli/svg_plot.h"

#include <cmath>
#include <iterator>
#include <string>
#include <vector>

#include "cli/xml_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using ::taco::testing_xml::Count;
using ::taco::testing_xml::XmlProblem;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(XmlCheckTest, AcceptsWellFormedAndRejectsBroken) {
  EXPECT_THAT(XmlProblem("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t &amp; u</a>\n"), IsEmpty());
  EXPECT_THAT(XmlProblem("<a><b></a></b>"), HasSubstr("does not match"));
  EXPECT_THAT(XmlProblem("<a>"), HasSubstr("never closed"));
  EXPECT_THAT(XmlProblem("<a>x & y</a>"), HasSubstr("unescaped '&'"));
  EXPECT_THAT(XmlProblem("<a x=1/>"), HasSubstr("quoted value"));
  EXPECT_THAT(XmlProblem("<a x=\"<\"/>"), HasSubstr("'<' in an attribute"));
  EXPECT_THAT(XmlProblem("<a/><b/>"), HasSubstr("second root"));
  EXPECT_THAT(XmlProblem("<a>x < y</a>"), HasSubstr("bad tag name"));
}

TEST(XmlEscapeTest, EscapesMarkupCharacters) {
  EXPECT_EQ(XmlEscape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  EXPECT_EQ(XmlEscape("reach-v2"), "reach-v2");
  EXPECT_EQ(XmlEscape(std::string("a\x01") + "b"), "a?b");
}

TEST(NiceTicksTest, RoundStepsInsideTheRange) {
  EXPECT_THAT(NiceTicks(400, 800, 8), ElementsAre(400, 500, 600, 700, 800));
  const std::vector<double> unit = NiceTicks(0, 1, 6);
  ASSERT_EQ(unit.size(), 6u);
  for (size_t i = 0; i < unit.size(); ++i) EXPECT_THAT(unit[i], DoubleNear(0.2 * i, 1e-12));
  // 0.77 / 7 = 0.11 rounds up to steps of 0.2.
  EXPECT_THAT(
      NiceTicks(-0.35, 0.42, 8),
      ElementsAre(DoubleNear(-0.2, 1e-12), 0.0, DoubleNear(0.2, 1e-12), DoubleNear(0.4, 1e-12)));
  EXPECT_THAT(NiceTicks(3, 3, 8), ElementsAre(3));
  EXPECT_THAT(NiceTicks(0, NAN, 8).size(), 1u);
}

TEST(FormatTickTest, ShortLabels) {
  EXPECT_EQ(FormatTick(0), "0");
  EXPECT_EQ(FormatTick(0.25), "0.25");
  EXPECT_EQ(FormatTick(2500), "2500");
  EXPECT_EQ(FormatTick(25000), "25k");
  EXPECT_EQ(FormatTick(1500000), "1.5M");
  EXPECT_EQ(FormatTick(-2e7), "-20M");
}

TEST(LineChartSvgTest, WellFormedWithEveryLabelAndLine) {
  ChartOptions options;
  options.title = "Success <per> task & mean";
  options.x_label = "env steps";
  options.y_label = "success rate";
  options.y_min = 0.0;
  options.y_max = 1.0;
  std::vector<LineSeries> series = {
      {"reach-v2", {0, 1000, 2000}, {0.0, 0.5, 1.0}, "", 1.5},
      {"push<&>v2", {0, 1000, 2000}, {0.0, 0.0, 0.2}, "", 1.5},
      {"mean", {0, 1000, 2000}, {0.0, 0.25, NAN}, "#000000", 4.0},
  };
  const std::string svg = LineChartSvg(options, series);
  EXPECT_THAT(XmlProblem(svg), IsEmpty()) << svg;
  EXPECT_EQ(Count(svg, "<polyline"), 3);
  EXPECT_THAT(svg, HasSubstr(">reach-v2</text>"));
  EXPECT_THAT(svg, HasSubstr(">push&lt;&amp;&gt;v2</text>"));
  EXPECT_THAT(svg, HasSubstr(">mean</text>"));
  EXPECT_THAT(svg, HasSubstr(">Success &lt;per&gt; task &amp; mean</text>"));
  EXPECT_THAT(svg, HasSubstr(">env steps</text>"));
  EXPECT_THAT(svg, HasSubstr(">success rate</text>"));
  EXPECT_THAT(svg, HasSubstr("stroke-width=\"4.0\""));
  EXPECT_THAT(svg, HasSubstr("width=\"800\" height=\"600\""));
  // Ticks on both axes.
  EXPECT_THAT(svg, HasSubstr(">0.2</text>"));
  EXPECT_THAT(svg, HasSubstr(">1000</text>"));
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
}

TEST(LineChartSvgTest, DegenerateDataStillDraws) {
  const std::string empty = LineChartSvg(ChartOptions{}, {});
  EXPECT_THAT(XmlProblem(empty), IsEmpty()) << empty;
  // One evaluation is a point, not a line: it gets a marker.
  const std::string one = LineChartSvg(ChartOptions{}, {{"reach-v2", {400}, {0.5}, "", 1.5}});
  EXPECT_THAT(XmlProblem(one), IsEmpty()) << one;
  EXPECT_THAT(one, HasSubstr("<circle"));
  EXPECT_THAT(one, Not(HasSubstr("nan")));
  EXPECT_THAT(one, Not(HasSubstr("inf")));
}

TEST(LineChartSvgTest, BandsAreClosedShapesUnderTheLines) {
  ChartOptions options;
  options.width = 400;
  options.height = 300;
  options.x_min = 0.0;
  options.x_max = 100.0;
  options.y_min = 0.0;
  options.y_max = 1.0;
  const std::vector<LineSeries> lines = {{"a", {0, 100}, {0.5, 0.5}, "#ff0000", 1.5}};
  const std::vector<BandSeries> bands = {
      {"a <spread>", {0, 50, 100}, {0.0, NAN, 0.0}, {1.0, 0.9, 1.0}, "#ff0000", 0.25},
      {"empty", {}, {}, {}, "", 0.2}};
  const std::string svg = LineChartSvg(options, lines, bands);
  EXPECT_THAT(XmlProblem(svg), IsEmpty()) << svg;
  // The empty band draws nothing; the other is one polygon, before the line.
  EXPECT_EQ(Count(svg, "<polygon"), 1);
  EXPECT_LT(svg.find("<polygon"), svg.find("<polyline"));
  EXPECT_THAT(svg, HasSubstr("fill-opacity=\"0.25\""));
  EXPECT_THAT(svg, HasSubstr("<title>a &lt;spread&gt;</title></polygon>"));
  // The NaN point is left out: two upper and two lower corners remain. The
  // plot area spans x 80..190 and y 50..240 (margins 80/210 and 50/60).
  EXPECT_THAT(svg, HasSubstr("points=\"80.0,50.0 190.0,50.0 190.0,240.0 80.0,240.0\""));
  // Only the line has a legend row.
  EXPECT_EQ(Count(svg, ">a</text>"), 1);
  EXPECT_THAT(svg, Not(HasSubstr(">empty</text>")));
}

TEST(ChartGridSvgTest, PanelsAreNestedRowByRow) {
  ChartOptions options;
  options.width = 300;
  options.height = 200;
  std::vector<std::string> charts;
  for (const char* title : {"one", "two", "three"}) {
    options.title = title;
    charts.push_back(LineChartSvg(options, {{"s", {0, 1}, {0, 1}, "", 1.5}}));
  }
  const std::string svg = ChartGridSvg(charts, 2, 300, 200);
  EXPECT_THAT(XmlProblem(svg), IsEmpty()) << svg;
  EXPECT_EQ(Count(svg, "<?xml"), 1);
  EXPECT_EQ(Count(svg, "<svg "), 4);
  EXPECT_THAT(svg, HasSubstr("width=\"600\" height=\"400\""));
  EXPECT_THAT(svg, HasSubstr("<svg x=\"0\" y=\"0\" "));
  EXPECT_THAT(svg, HasSubstr("<svg x=\"300\" y=\"0\" "));
  EXPECT_THAT(svg, HasSubstr("<svg x=\"0\" y=\"200\" "));
  EXPECT_LT(svg.find(">one</text>"), svg.find(">three</text>"));
  const std::string none = ChartGridSvg({}, 2, 300, 200);
  EXPECT_THAT(XmlProblem(none), IsEmpty()) << none;
}

TEST(ScatterChartSvgTest, WellFormedWithLabelsAndGroupLegend) {
  ChartOptions options;
  options.title = "PCA";
  options.x_label = "PC1 (80.0% variance)";
  options.y_label = "PC2 (20.0% variance)";
  const std::vector<ScatterGroup> groups = {{"group 0 (2 tasks)", "#1f77b4"},
                                            {"noise (1 task)", "#7f7f7f"}};
  const std::vector<ScatterPoint> points = {{-1.0, 0.5, "reach-v2", 0},
                                            {-0.8, 0.4, "push-v2", 0},
                                            {2.0, -1.0, "a\"b'c", 1},
                                            {0.1, 0.1, "outsider", 7}};
  const std::string svg = ScatterChartSvg(options, points, groups);
  EXPECT_THAT(XmlProblem(svg), IsEmpty()) << svg;
  for (const char* label : {">reach-v2</text>", ">push-v2</text>", ">a&quot;b&apos;c</text>",
                            ">group 0 (2 tasks)</text>", ">noise (1 task)</text>",
                            ">PC1 (80.0% variance)</text>", ">PC2 (20.0% variance)</text>"}) {
    EXPECT_THAT(svg, HasSubstr(label));
  }
  // Four markers plus two legend markers; the unknown group is grey.
  EXPECT_EQ(Count(svg, "<circle"), 6);
  EXPECT_THAT(svg, HasSubstr("fill=\"#7f7f7f\"><title>outsider</title>"));
  // Dashed lines through the origin, which is in range.
  EXPECT_EQ(Count(svg, "stroke-dasharray"), 2);
}

TEST(ScatterChartSvgTest, SinglePointStaysFinite) {
  const std::string svg = ScatterChartSvg(ChartOptions{}, {{0.0, 0.0, "only", 0}}, {{"g", "red"}});
  EXPECT_THAT(XmlProblem(svg), IsEmpty()) << svg;
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
  EXPECT_THAT(svg, Not(HasSubstr("inf")));
}

}  // namespace
}  // namespace taco
