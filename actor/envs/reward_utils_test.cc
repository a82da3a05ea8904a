#include "actor/envs/reward_utils.h"

#include <gtest/gtest.h>

namespace taco::envs {
namespace {

TEST(ToleranceTest, OneInsideBounds) {
  EXPECT_EQ(Tolerance(0.03, 0, 0.05, 1.0), 1.0);
  EXPECT_EQ(Tolerance(0.0, 0, 0.05, 1.0), 1.0);
  EXPECT_EQ(Tolerance(0.05, 0, 0.05, 1.0), 1.0);
}

TEST(ToleranceTest, WorthOneTenthAtOneMargin) {
  EXPECT_NEAR(Tolerance(1.05, 0, 0.05, 1.0), 0.1, 1e-12);
  EXPECT_NEAR(Tolerance(-1.0, 0, 0.05, 1.0), 0.1, 1e-12);
  EXPECT_NEAR(Tolerance(1.05, 0, 0.05, 1.0, Sigmoid::kGaussian), 0.1, 1e-12);
}

TEST(ToleranceTest, LongTailAndGaussianShapes) {
  // Half a margin out: long tail 1/(1 + 9/4), gaussian 0.1^(1/4).
  EXPECT_NEAR(Tolerance(0.5, 0, 0, 1.0), 1.0 / (1.0 + 9.0 / 4), 1e-12);
  EXPECT_NEAR(Tolerance(0.5, 0, 0, 1.0, Sigmoid::kGaussian), std::pow(0.1, 0.25), 1e-12);
}

// [quirk] Margins computed as "distance − threshold" can go negative, which
// makes the original raise; here they act as a zero margin.
TEST(ToleranceTest, NegativeOrZeroMarginIsAHardIndicator) {
  EXPECT_EQ(Tolerance(0.2, 0, 0.1, 0.0), 0.0);
  EXPECT_EQ(Tolerance(0.2, 0, 0.1, -0.3), 0.0);
  EXPECT_EQ(Tolerance(0.05, 0, 0.1, -0.3), 1.0);
}

TEST(PadCagingTest, MarginIsMeasuredFromTheCurrentGap) {
  EXPECT_DOUBLE_EQ(PadCaging(0.03, 0.02, 0.05, 0.05), 1.0);
  // Farther than the threshold: exactly one margin out, however far.
  EXPECT_DOUBLE_EQ(PadCaging(0.08, 0.02, 0.05, 0.05), 0.1);
  EXPECT_DOUBLE_EQ(PadCaging(0.4, 0.02, 0.05, 0.05), 0.1);
  // Touching the object: (0.02 - 0) / 0.05 = 0.4 margins below the band.
  EXPECT_NEAR(PadCaging(0.0, 0.02, 0.05, 0.05), 1 / (0.4 * 0.4 * 9 + 1), 1e-12);
  // The narrower "gripping" band keeps the caging threshold for its margin.
  EXPECT_NEAR(PadCaging(0.03, 0.02, 0.025, 0.05), 1 / (0.25 * 0.25 * 9 + 1), 1e-12);
  // On the wrong side of the object.
  EXPECT_NEAR(PadCaging(-0.01, 0.02, 0.05, 0.05), 1 / (0.75 * 0.75 * 9 + 1), 1e-12);
}

TEST(HamacherTest, Values) {
  EXPECT_EQ(Hamacher(0, 0), 0.0);
  EXPECT_EQ(Hamacher(1, 1), 1.0);
  EXPECT_EQ(Hamacher(1, 0.3), 0.3);
  EXPECT_NEAR(Hamacher(0.5, 0.5), 0.25 / 0.75, 1e-12);
}

TEST(RectPrismToleranceTest, InsideIsProductOfFractionsOutsideIsOne) {
  const Vec3 zero = {0, 0, 0};
  const Vec3 one = {1, 2, 4};
  EXPECT_NEAR(RectPrismTolerance({0.5, 1, 1}, zero, one), 0.5 * 0.5 * 0.25, 1e-12);
  EXPECT_EQ(RectPrismTolerance({1.5, 1, 1}, zero, one), 1.0);
  // Either corner ordering.
  EXPECT_NEAR(RectPrismTolerance({0.5, 1, 1}, one, zero), 0.5 * 0.5 * 0.75, 1e-12);
}

TEST(GripperCagingRewardTest, CagedAndClosedGripperScoresOne) {
  CagingInputs in;
  in.obj = {0, 0.6, 0.02};
  in.obj_init = in.obj;
  in.tcp = in.obj;
  in.init_tcp = {0, 0.6, 0.15};
  in.left_pad_y = 0.6 + 0.03;
  in.right_pad_y = 0.6 - 0.03;
  in.grip_action = 1;
  const CagingParams params{0.015, 0.05, 0.005, false};
  EXPECT_NEAR(GripperCagingReward(in, params), 1.0, 1e-12);
  in.grip_action = -1;  // Open: caged but not gripping.
  EXPECT_EQ(GripperCagingReward(in, params), 0.0);
  EXPECT_NEAR(GripperCagingReward(in, {0.015, 0.05, 0.005, true}), 0.5, 1e-12);
}

}  // namespace
}  // namespace taco::envs
