#include "learner/paco/cpu_kernels.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <string>

namespace paco {
namespace {

// The reference BLAS interface (column-major, 32-bit integers): what
// Debian's libblas.so.3 alternatives, OpenBLAS among them, export.
using FortranSgemm = void (*)(const char* transa, const char* transb, const int* m, const int* n,
                              const int* k, const float* alpha, const float* a, const int* lda,
                              const float* b, const int* ldb, const float* beta, float* c,
                              const int* ldc);

FortranSgemm FindSgemm() {
  static const FortranSgemm sgemm = reinterpret_cast<FortranSgemm>(dlsym(RTLD_DEFAULT, "sgemm_"));
  return sgemm;
}

// TACO_DIRECT_CPU_GEMM=0 starts a process with ATen's ops, for comparisons.
bool EnabledAtStart() {
  const char* v = std::getenv("TACO_DIRECT_CPU_GEMM");
  return v == nullptr || std::string(v) != "0";
}

std::atomic<bool> enabled{EnabledAtStart()};

}  // namespace

bool DirectCpuGemmAvailable() { return FindSgemm() != nullptr; }

bool DirectCpuGemmEnabled() { return enabled.load(std::memory_order_relaxed) && FindSgemm(); }

void SetDirectCpuGemmEnabled(bool on) { enabled.store(on, std::memory_order_relaxed); }

void RowMajorSgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                   int64_t ldc) {
  // A row-major C is a column-major Cᵀ = op(B)ᵀ op(A)ᵀ: swap the operands and
  // keep each one's transposition flag.
  const char tb = trans_b ? 'T' : 'N';
  const char ta = trans_a ? 'T' : 'N';
  const int im = static_cast<int>(n), in = static_cast<int>(m), ik = static_cast<int>(k);
  const int ia = static_cast<int>(ldb), ib = static_cast<int>(lda), ic = static_cast<int>(ldc);
  FindSgemm()(&tb, &ta, &im, &in, &ik, &alpha, b, &ia, a, &ib, &beta, c, &ic);
}

void ReluInPlace(float* __restrict y, int64_t size) {
  for (int64_t i = 0; i < size; ++i) {
    const float v = y[i];
    y[i] = v < 0.f ? 0.f : v;
  }
}

void ReluGrad(const float* __restrict out, const float* __restrict incoming, float* __restrict grad,
              int64_t size) {
  for (int64_t i = 0; i < size; ++i) {
    const float o = out[i], g = incoming[i];  // both loaded, so the select needs no branch
    grad[i] = o <= 0.f ? 0.f : g;
  }
}

void ColumnSums(const float* __restrict x, int64_t rows, int64_t n, float* __restrict sum) {
  std::fill(sum, sum + n, 0.f);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < n; ++j) sum[j] += x[r * n + j];
  }
}

void AdamStep(float* __restrict p, float* __restrict m, float* __restrict v,
              const float* __restrict g, int64_t size, float beta1, float beta2, float eps,
              float step_size) {
  if (g == nullptr) {
    for (int64_t i = 0; i < size; ++i) {
      m[i] *= beta1;
      v[i] *= beta2;
      p[i] -= step_size * m[i] / (std::sqrt(v[i]) + eps);
    }
    return;
  }
  for (int64_t i = 0; i < size; ++i) {
    const float mi = beta1 * m[i] + (1.f - beta1) * g[i];
    const float vi = beta2 * v[i] + (1.f - beta2) * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    p[i] -= step_size * mi / (std::sqrt(vi) + eps);
  }
}

}  // namespace paco
