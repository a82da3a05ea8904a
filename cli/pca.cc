#include "cli/pca.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace taco {
namespace {

using Matrix = std::vector<std::vector<double>>;

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace

absl::StatusOr<SymmetricEigen> EigenSymmetric(const Matrix& matrix) {
  const size_t n = matrix.size();
  if (n == 0) return absl::InvalidArgumentError("eigen-decomposition of an empty matrix");
  double scale = 0.0;
  for (const auto& row : matrix) {
    if (row.size() != n) {
      return absl::InvalidArgumentError(
          absl::StrCat("eigen-decomposition needs a square matrix; a row has ", row.size(),
                       " entries, expected ", n));
    }
    for (double x : row) {
      if (!std::isfinite(x)) {
        return absl::InvalidArgumentError("eigen-decomposition of a matrix with NaN or inf");
      }
      scale = std::max(scale, std::abs(x));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (std::abs(matrix[i][j] - matrix[j][i]) > 1e-9 * std::max(1.0, scale)) {
        return absl::InvalidArgumentError(
            absl::StrCat("eigen-decomposition needs a symmetric matrix; entries (", i, ",", j,
                         ") and (", j, ",", i, ") differ"));
      }
    }
  }

  Matrix a = matrix;
  Matrix v(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) v[i][i] = 1.0;
  double total = 0.0;
  for (const auto& row : a) {
    for (double x : row) total += x * x;
  }
  // Jacobi sweeps converge quadratically, so a handful reach rounding level;
  // the cap only guards against a pathological input.
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    for (size_t p = 0; p < n; ++p) {
      for (size_t q = p + 1; q < n; ++q) off += a[p][q] * a[p][q];
    }
    if (off <= 1e-30 * total) break;
    for (size_t p = 0; p < n; ++p) {
      for (size_t q = p + 1; q < n; ++q) {
        if (a[p][q] == 0.0) continue;
        const double theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
        // The smaller root of t² + 2θt − 1 = 0 keeps the rotation below 45°,
        // which is what makes the sweeps converge.
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::hypot(theta, 1.0));
        const double c = 1.0 / std::hypot(t, 1.0);
        const double s = t * c;
        for (size_t k = 0; k < n; ++k) {
          const double kp = a[k][p], kq = a[k][q];
          a[k][p] = c * kp - s * kq;
          a[k][q] = s * kp + c * kq;
        }
        for (size_t k = 0; k < n; ++k) {
          const double pk = a[p][k], qk = a[q][k];
          a[p][k] = c * pk - s * qk;
          a[q][k] = s * pk + c * qk;
        }
        for (size_t k = 0; k < n; ++k) {
          const double kp = v[k][p], kq = v[k][q];
          v[k][p] = c * kp - s * kq;
          v[k][q] = s * kp + c * kq;
        }
      }
    }
  }

  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&a](size_t i, size_t j) { return a[i][i] > a[j][j]; });
  SymmetricEigen result;
  for (size_t i : order) {
    result.values.push_back(a[i][i]);
    std::vector<double> vec(n);
    size_t largest = 0;
    for (size_t k = 0; k < n; ++k) {
      vec[k] = v[k][i];
      if (std::abs(vec[k]) > std::abs(vec[largest]) + 1e-12) largest = k;
    }
    if (vec[largest] < 0) {
      for (double& x : vec) x = -x;
    }
    result.vectors.push_back(std::move(vec));
  }
  return result;
}

absl::StatusOr<PcaResult> Pca(const Matrix& points, int num_components) {
  if (points.empty()) return absl::InvalidArgumentError("PCA of no points");
  if (num_components < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("PCA needs at least one component, asked for ", num_components));
  }
  const size_t n = points.size();
  const size_t dim = points[0].size();
  if (dim == 0) return absl::InvalidArgumentError("PCA of zero-dimensional points");
  for (size_t i = 0; i < n; ++i) {
    if (points[i].size() != dim) {
      return absl::InvalidArgumentError(absl::StrCat("PCA: point ", i, " has ", points[i].size(),
                                                     " coordinates, point 0 has ", dim));
    }
    for (double x : points[i]) {
      if (!std::isfinite(x)) {
        return absl::InvalidArgumentError(absl::StrCat("PCA: point ", i, " has NaN or inf"));
      }
    }
  }

  std::vector<double> mean(dim, 0.0);
  for (const auto& p : points) {
    for (size_t d = 0; d < dim; ++d) mean[d] += p[d] / static_cast<double>(n);
  }
  Matrix centred = points;
  for (auto& p : centred) {
    for (size_t d = 0; d < dim; ++d) p[d] -= mean[d];
  }
  const double divisor = static_cast<double>(std::max<size_t>(n - 1, 1));
  Matrix cov(dim, std::vector<double>(dim, 0.0));
  for (const auto& p : centred) {
    for (size_t r = 0; r < dim; ++r) {
      for (size_t c = 0; c < dim; ++c) cov[r][c] += p[r] * p[c] / divisor;
    }
  }
  auto eigen = EigenSymmetric(cov);
  if (!eigen.ok()) return eigen.status();

  PcaResult result;
  double total = 0.0;
  for (double value : eigen->values) total += std::max(value, 0.0);
  for (int c = 0; c < num_components; ++c) {
    const size_t index = static_cast<size_t>(c);
    if (index < dim) {
      result.axes.push_back(eigen->vectors[index]);
      result.variance.push_back(std::max(eigen->values[index], 0.0));
    } else {
      result.axes.emplace_back(dim, 0.0);
      result.variance.push_back(0.0);
    }
    result.explained.push_back(total > 0.0 ? result.variance.back() / total : 0.0);
  }
  for (const auto& p : centred) {
    std::vector<double> coords;
    for (const auto& axis : result.axes) coords.push_back(Dot(p, axis));
    result.projected.push_back(std::move(coords));
  }
  return result;
}

Matrix CosineSimilarityMatrix(const Matrix& vectors) {
  const size_t n = vectors.size();
  std::vector<double> norms(n);
  for (size_t i = 0; i < n; ++i) norms[i] = std::sqrt(Dot(vectors[i], vectors[i]));
  Matrix cos(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (norms[i] == 0.0 || norms[j] == 0.0) continue;
      // Rounding can leave |cos| a hair above 1, which a printed table
      // should never show.
      cos[i][j] = std::clamp(Dot(vectors[i], vectors[j]) / (norms[i] * norms[j]), -1.0, 1.0);
    }
  }
  return cos;
}

}  // namespace taco
