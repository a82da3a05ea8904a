// A random source that draws uniforms exactly as NumPy's legacy RandomState
// does (MT19937 with init_genrand seeding, 53-bit doubles from two outputs),
// so task variants can follow Meta-World's draw order number for number.
#ifndef TACO_ACTOR_ENVS_NUMPY_RANDOM_H_
#define TACO_ACTOR_ENVS_NUMPY_RANDOM_H_

#include <cmath>
#include <cstdint>
#include <random>

namespace taco::envs {

class NumpyRandom {
 public:
  // Seeds exactly as NumPy's RandomState(seed).
  explicit NumpyRandom(uint32_t seed) : engine_(seed) {}
  // A generator for `seed` whose stream is independent of NumpyRandom(seed)
  // and of other `stream` values.
  static NumpyRandom Stream(uint32_t seed, uint32_t stream) {
    std::seed_seq seq{seed, stream};
    return NumpyRandom(seq);
  }

  // NumPy's random_sample(): uniform in [0, 1) with 53 random bits.
  double Uniform01() {
    const uint32_t a = static_cast<uint32_t>(engine_()) >> 5;
    const uint32_t b = static_cast<uint32_t>(engine_()) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform01(); }
  // Uniform index in [0, n).
  int Index(int n) { return static_cast<int>(Uniform01() * n); }
  // Standard normal draw (Marsaglia polar method, as NumPy's legacy gauss,
  // without its cached second value so that the stream is easy to reason
  // about).
  double Gaussian() {
    double x1, x2, r2;
    do {
      x1 = 2.0 * Uniform01() - 1.0;
      x2 = 2.0 * Uniform01() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    return x2 * std::sqrt(-2.0 * std::log(r2) / r2);
  }

 private:
  explicit NumpyRandom(std::seed_seq& seq) : engine_(seq) {}

  std::mt19937 engine_;
};

}  // namespace taco::envs

#endif  // TACO_ACTOR_ENVS_NUMPY_RANDOM_H_
