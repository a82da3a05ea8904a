// The learner's CPU kernels on raw float32 pointers: a GEMM called straight
// into the process's BLAS, and the element-wise loops around it (ReLU and its
// gradient, bias gradients, the fused TF-Adam step).
//
// A composed layer runs one GEMM per task group (20 groups of 32 × 128 × 128
// for the twin critics of the CPU proxy), and an ATen op costs a few
// microseconds of dispatch, views and output checks around each — at these
// sizes as much as the multiply itself. LibTorch already loads a BLAS
// (Debian's links libblas.so.3, OpenBLAS), so its Fortran `sgemm_` is looked up
// at run time and called on raw pointers. Where the process exports none (a
// LibTorch with a static, hidden MKL, such as PyTorch's wheels), callers keep
// to ATen's ops; nothing here needs more than LibTorch and the C library.
#ifndef TACO_LEARNER_PACO_CPU_KERNELS_H_
#define TACO_LEARNER_PACO_CPU_KERNELS_H_

#include <cstdint>

namespace paco {

// True when a BLAS sgemm was found in the process and direct calls are
// enabled (the default).
bool DirectCpuGemmEnabled();
// True when a BLAS sgemm was found in the process.
bool DirectCpuGemmAvailable();
// Turns direct calls off (callers then use ATen's ops) or back on; for tests
// and comparisons. Process-wide; set it between updates, not during one.
void SetDirectCpuGemmEnabled(bool enabled);

// C[m, n] = alpha · op(A) · op(B) + beta · C, every matrix row-major with
// leading dimensions lda, ldb, ldc; op(X) = Xᵀ where trans_x. With beta = 0, C
// is not read. Requires DirectCpuGemmAvailable(); sizes must fit an int.
void RowMajorSgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                   const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                   int64_t ldc);

// The loops below are restrict-qualified, select without branches (a ReLU's
// sign pattern is random: a branch per element mispredicts half the time)
// and are built without errno on sqrt, so that the compiler vectorises them.

// y ← max(y, 0) in place; a NaN stays NaN, as torch::relu leaves it.
void ReluInPlace(float* y, int64_t size);
// grad = incoming where out > 0, else 0 (threshold_backward at 0).
void ReluGrad(const float* out, const float* incoming, float* grad, int64_t size);
// sum [n] = Σ over the rows of x [rows, n].
void ColumnSums(const float* x, int64_t rows, int64_t n, float* sum);
// One TF-Adam step (ALF's AdamTF) over `size` entries: m ← β₁m + (1−β₁)g,
// v ← β₂v + (1−β₂)g², p ← p − step_size·m/(√v + ε). `g` null is a zero gradient.
void AdamStep(float* p, float* m, float* v, const float* g, int64_t size, float beta1, float beta2,
              float eps, float step_size);

}  // namespace paco

#endif  // TACO_LEARNER_PACO_CPU_KERNELS_H_
