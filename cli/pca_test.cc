#include "cli/pca.h"

#include <cmath>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace taco {
namespace {

using Matrix = std::vector<std::vector<double>>;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kTol = 1e-9;

TEST(EigenSymmetricTest, TwoByTwoHasKnownPairs) {
  auto e = EigenSymmetric({{2.0, 1.0}, {1.0, 2.0}});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_THAT(e->values, ElementsAre(DoubleNear(3.0, kTol), DoubleNear(1.0, kTol)));
  const double r = std::sqrt(0.5);
  EXPECT_THAT(e->vectors[0], ElementsAre(DoubleNear(r, kTol), DoubleNear(r, kTol)));
  // A tie in magnitude: the first entry is made positive.
  EXPECT_THAT(e->vectors[1], ElementsAre(DoubleNear(r, kTol), DoubleNear(-r, kTol)));
}

TEST(EigenSymmetricTest, DiagonalIsSortedLargestFirst) {
  auto e = EigenSymmetric({{1.0, 0.0, 0.0}, {0.0, -2.0, 0.0}, {0.0, 0.0, 5.0}});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_THAT(e->values,
              ElementsAre(DoubleNear(5.0, kTol), DoubleNear(1.0, kTol), DoubleNear(-2.0, kTol)));
  EXPECT_THAT(e->vectors[0], ElementsAre(0.0, 0.0, 1.0));
}

TEST(EigenSymmetricTest, ReconstructsARandomMatrixWithOrthonormalVectors) {
  std::mt19937 rng(7);
  std::normal_distribution<double> normal;
  const size_t n = 6;
  Matrix a(n, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j <= i; ++j) a[i][j] = a[j][i] = normal(rng);
  }
  auto e = EigenSymmetric(a);
  ASSERT_TRUE(e.ok()) << e.status();
  for (size_t i = 0; i + 1 < n; ++i) EXPECT_GE(e->values[i], e->values[i + 1]);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      double rebuilt = 0.0, dot = 0.0;
      for (size_t m = 0; m < n; ++m) {
        rebuilt += e->values[m] * e->vectors[m][i] * e->vectors[m][j];
        dot += e->vectors[i][m] * e->vectors[j][m];
      }
      EXPECT_NEAR(rebuilt, a[i][j], 1e-9) << i << "," << j;
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-9) << i << "," << j;
    }
  }
}

TEST(EigenSymmetricTest, RejectsBadMatrices) {
  EXPECT_FALSE(EigenSymmetric({}).ok());
  EXPECT_THAT(EigenSymmetric({{1.0, 2.0}}).status().message(), HasSubstr("square"));
  EXPECT_THAT(EigenSymmetric({{1.0, 2.0}, {0.0, 1.0}}).status().message(), HasSubstr("symmetric"));
  EXPECT_THAT(EigenSymmetric({{NAN}}).status().message(), HasSubstr("NaN"));
}

// Points on a grid spanned by u = (1, 1, 0)/√2 (spread ±1, ±3) and
// v = (0, 0, 1) (spread ±1), around a mean far from the origin.
TEST(PcaTest, FindsKnownPrincipalAxes) {
  const double r = std::sqrt(0.5);
  const std::vector<double> mean = {5.0, -2.0, 7.0};
  Matrix points;
  std::vector<std::pair<double, double>> coeffs;
  for (double a : {-3.0, -1.0, 1.0, 3.0}) {
    for (double b : {-1.0, 1.0}) {
      points.push_back({mean[0] + a * r, mean[1] + a * r, mean[2] + b});
      coeffs.push_back({a, b});
    }
  }
  auto pca = Pca(points, 2);
  ASSERT_TRUE(pca.ok()) << pca.status();
  EXPECT_THAT(pca->axes[0],
              ElementsAre(DoubleNear(r, kTol), DoubleNear(r, kTol), DoubleNear(0, kTol)));
  EXPECT_THAT(pca->axes[1],
              ElementsAre(DoubleNear(0, kTol), DoubleNear(0, kTol), DoubleNear(1, kTol)));
  // Σa² = 40 and Σb² = 8 over 8 points, sample variance divides by 7.
  EXPECT_THAT(pca->variance, ElementsAre(DoubleNear(40.0 / 7, kTol), DoubleNear(8.0 / 7, kTol)));
  EXPECT_THAT(pca->explained, ElementsAre(DoubleNear(40.0 / 48, kTol), DoubleNear(8.0 / 48, kTol)));
  ASSERT_EQ(pca->projected.size(), points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_THAT(pca->projected[i],
                ElementsAre(DoubleNear(coeffs[i].first, kTol), DoubleNear(coeffs[i].second, kTol)));
  }
}

TEST(PcaTest, ExtraComponentsOfLowDimensionalPointsAreZero) {
  auto pca = Pca({{1.0}, {3.0}}, 2);
  ASSERT_TRUE(pca.ok()) << pca.status();
  EXPECT_THAT(pca->explained, ElementsAre(DoubleNear(1.0, kTol), 0.0));
  EXPECT_THAT(pca->projected[0], ElementsAre(DoubleNear(-1.0, kTol), 0.0));
  EXPECT_THAT(pca->projected[1], ElementsAre(DoubleNear(1.0, kTol), 0.0));
}

TEST(PcaTest, IdenticalPointsExplainNothing) {
  auto pca = Pca({{1.0, 2.0}, {1.0, 2.0}}, 2);
  ASSERT_TRUE(pca.ok()) << pca.status();
  EXPECT_THAT(pca->explained, ElementsAre(0.0, 0.0));
  EXPECT_THAT(pca->projected[1], ElementsAre(DoubleNear(0.0, kTol), DoubleNear(0.0, kTol)));
}

TEST(PcaTest, RejectsBadInput) {
  EXPECT_FALSE(Pca({}, 2).ok());
  EXPECT_FALSE(Pca({{1.0}}, 0).ok());
  EXPECT_FALSE(Pca({{}}, 1).ok());
  EXPECT_THAT(Pca({{1.0, 2.0}, {1.0}}, 2).status().message(), HasSubstr("point 1 has 1"));
  EXPECT_THAT(Pca({{1.0}, {INFINITY}}, 1).status().message(), HasSubstr("NaN or inf"));
}

TEST(CosineSimilarityMatrixTest, HandMadeVectors) {
  const Matrix cos =
      CosineSimilarityMatrix({{2, 0, 0}, {0, 3, 0}, {1, 1, 0}, {-4, 0, 0}, {0, 0, 0}});
  const double r = std::sqrt(0.5);
  EXPECT_THAT(cos[0], ElementsAre(DoubleNear(1, kTol), DoubleNear(0, kTol), DoubleNear(r, kTol),
                                  DoubleNear(-1, kTol), 0.0));
  EXPECT_THAT(cos[2], ElementsAre(DoubleNear(r, kTol), DoubleNear(r, kTol), DoubleNear(1, kTol),
                                  DoubleNear(-r, kTol), 0.0));
  // A zero vector is like nothing, itself included.
  EXPECT_THAT(cos[4], ElementsAre(0.0, 0.0, 0.0, 0.0, 0.0));
  for (size_t i = 0; i < cos.size(); ++i) {
    for (size_t j = 0; j < cos.size(); ++j) EXPECT_EQ(cos[i][j], cos[j][i]);
  }
}

}  // namespace
}  // namespace taco
