// The CPU kernels against LibTorch's ops: the direct BLAS call (every
// transposition, leading dimensions wider than the matrices, alpha and
// beta) and the element-wise loops (sizes off the vector width, NaN).
#include "learner/paco/cpu_kernels.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <torch/version.h>

namespace paco {
namespace {

// Debian's LibTorch links the system BLAS, so the learner's CPU layers use
// it; a silent fall back to ATen's ops would only show as a slower update.
TEST(CpuKernelsTest, AvailableWithDebiansLibTorch) {
  if (TORCH_VERSION_MAJOR >= 2) GTEST_SKIP() << "not Debian's LibTorch 1.13";
  EXPECT_TRUE(DirectCpuGemmAvailable());
  EXPECT_TRUE(DirectCpuGemmEnabled());
  SetDirectCpuGemmEnabled(false);
  EXPECT_FALSE(DirectCpuGemmEnabled());
  SetDirectCpuGemmEnabled(true);
  EXPECT_TRUE(DirectCpuGemmEnabled());
}

TEST(CpuKernelsTest, RowMajorSgemmMatchesMatmul) {
  if (!DirectCpuGemmAvailable()) GTEST_SKIP() << "no BLAS sgemm in this process";
  torch::manual_seed(5);
  const int64_t m = 7, n = 5, k = 9, pad = 3;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      SCOPED_TRACE(std::to_string(ta) + std::to_string(tb));
      // Stored wider than used: the leading dimension is the stored width.
      torch::Tensor a_store = torch::randn({ta ? k : m, (ta ? m : k) + pad});
      torch::Tensor b_store = torch::randn({tb ? n : k, (tb ? k : n) + pad});
      torch::Tensor c_store = torch::randn({m, n + pad});
      torch::Tensor a = a_store.narrow(1, 0, ta ? m : k);
      torch::Tensor b = b_store.narrow(1, 0, tb ? k : n);
      torch::Tensor op_a = (ta ? a.t() : a).to(torch::kDouble);
      torch::Tensor op_b = (tb ? b.t() : b).to(torch::kDouble);
      torch::Tensor c0 = c_store.narrow(1, 0, n).to(torch::kDouble);
      const float alpha = 0.75f, beta = -0.5f;
      torch::Tensor expected = alpha * op_a.mm(op_b) + beta * c0;
      RowMajorSgemm(ta, tb, m, n, k, alpha, a_store.data_ptr<float>(), a_store.size(1),
                    b_store.data_ptr<float>(), b_store.size(1), beta, c_store.data_ptr<float>(),
                    c_store.size(1));
      EXPECT_TRUE(
          torch::allclose(c_store.narrow(1, 0, n).to(torch::kDouble), expected, 1e-5, 1e-5));
      // Columns past n are untouched.
      EXPECT_EQ(c_store.narrow(1, n, pad).abs().sum().item<float>() > 0, true);
    }
  }
  // beta = 0 does not read C: NaN there leaves no trace.
  torch::Tensor a = torch::randn({m, k}), b = torch::randn({k, n});
  torch::Tensor c = torch::full({m, n}, NAN);
  RowMajorSgemm(false, false, m, n, k, 1.f, a.data_ptr<float>(), k, b.data_ptr<float>(), n, 0.f,
                c.data_ptr<float>(), n);
  EXPECT_TRUE(torch::allclose(c, a.mm(b), 1e-5, 1e-5));
}

TEST(CpuKernelsTest, ElementwiseLoopsMatchTorch) {
  torch::manual_seed(6);
  for (int64_t size : {1, 7, 8, 37, 1000}) {
    SCOPED_TRACE(size);
    torch::Tensor y = torch::randn({size});
    torch::Tensor incoming = torch::randn({size});
    y[0] = NAN;
    if (size > 3) y[3] = 0.f;
    torch::Tensor relu = y.clone();
    ReluInPlace(relu.data_ptr<float>(), size);
    torch::Tensor expected = torch::relu(y);
    EXPECT_TRUE(torch::equal(relu.isnan(), expected.isnan()));
    EXPECT_TRUE(torch::equal(relu.nan_to_num(0), expected.nan_to_num(0)));
    torch::Tensor grad = torch::empty({size});
    ReluGrad(relu.data_ptr<float>(), incoming.data_ptr<float>(), grad.data_ptr<float>(), size);
    EXPECT_TRUE(torch::equal(grad, torch::threshold_backward(incoming, relu, 0)));
  }
  torch::Tensor x = torch::randn({13, 9});
  torch::Tensor sums = torch::empty({9});
  ColumnSums(x.data_ptr<float>(), 13, 9, sums.data_ptr<float>());
  EXPECT_TRUE(torch::allclose(sums, x.sum(0), 1e-5, 1e-6));
}

TEST(CpuKernelsTest, AdamStepFollowsTheFormula) {
  torch::manual_seed(7);
  const float b1 = 0.9f, b2 = 0.999f, eps = 1e-7f, step = 3e-4f;
  for (bool with_grad : {true, false}) {
    SCOPED_TRACE(with_grad);
    const int64_t size = 45;
    torch::Tensor p = torch::randn({size}), m = torch::randn({size}) * 0.1;
    torch::Tensor v = torch::rand({size}) * 0.01, g = torch::randn({size});
    torch::Tensor gd = with_grad ? g.to(torch::kDouble) : torch::zeros({size}, torch::kDouble);
    torch::Tensor m_ref = b1 * m.to(torch::kDouble) + (1 - b1) * gd;
    torch::Tensor v_ref = b2 * v.to(torch::kDouble) + (1 - b2) * gd * gd;
    torch::Tensor p_ref = p.to(torch::kDouble) - step * m_ref / (v_ref.sqrt() + eps);
    AdamStep(p.data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(),
             with_grad ? g.data_ptr<float>() : nullptr, size, b1, b2, eps, step);
    EXPECT_TRUE(torch::allclose(m.to(torch::kDouble), m_ref, 1e-6, 1e-7));
    EXPECT_TRUE(torch::allclose(v.to(torch::kDouble), v_ref, 1e-6, 1e-9));
    EXPECT_TRUE(torch::allclose(p.to(torch::kDouble), p_ref, 1e-6, 1e-7));
  }
}

}  // namespace
}  // namespace paco
