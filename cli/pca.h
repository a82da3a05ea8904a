// Small dense linear algebra for looking at PaCo's compositional vectors
// w_τ (K is about 5, T at most 50): principal components and cosine
// similarities. Plain C++ so that it is tested without LibTorch.
#ifndef TACO_CLI_PCA_H_
#define TACO_CLI_PCA_H_

#include <vector>

#include "absl/status/statusor.h"

namespace taco {

// Eigenvalues (largest first) and unit eigenvectors (vectors[i] belongs to
// values[i]) of a symmetric matrix. Each vector's entry of largest magnitude
// is positive, so the result does not depend on rounding.
struct SymmetricEigen {
  std::vector<double> values;
  std::vector<std::vector<double>> vectors;
};

// Cyclic Jacobi rotations: slow for large matrices, exact enough and simple
// for the handful of dimensions here. InvalidArgument unless `matrix` is
// square and symmetric (to 1e-9 relative).
absl::StatusOr<SymmetricEigen> EigenSymmetric(const std::vector<std::vector<double>>& matrix);

struct PcaResult {
  // Unit principal axes in the input space, strongest first: axes[c][d].
  std::vector<std::vector<double>> axes;
  // Sample variance (divisor N − 1, N when N is 1) along each axis.
  std::vector<double> variance;
  // variance[c] as a share of the total variance (all 0 when it is 0).
  std::vector<double> explained;
  // Each centred point's coordinates on the axes: projected[i][c].
  std::vector<std::vector<double>> projected;
};

// Centres `points` (N ≥ 1 rows of one dimension D ≥ 1) and projects them on
// the `num_components` leading eigenvectors of their D×D covariance. Asking
// for more components than D gives zero axes (and coordinates) for the rest,
// so a 2-D plot of 1-D vectors still works.
absl::StatusOr<PcaResult> Pca(const std::vector<std::vector<double>>& points, int num_components);

// cos(v_i, v_j) for every pair; 0 where either vector is zero.
std::vector<std::vector<double>> CosineSimilarityMatrix(
    const std::vector<std::vector<double>>& vectors);

}  // namespace taco

#endif  // TACO_CLI_PCA_H_
