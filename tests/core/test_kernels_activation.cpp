// Activation kernels: forward and backward of ReLU, LeakyReLU, Tanh, Sigmoid, identity.
// simd:: uses its own exp/tanh polynomials (Cephes); they must agree with the scalar
// reference (std::exp, std::tanh) to a few float ulp, and the piecewise-linear ones exactly.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>

#include "core/kernels/kernels.h"
#include "kernels_test_util.h"

namespace {

using nl::Activation;
using nl::Index;
namespace kt = nl::kernels_test;

const Activation kAll[] = {Activation::kIdentity, Activation::kReLU, Activation::kLeakyReLU,
                           Activation::kTanh, Activation::kSigmoid};

// Inputs that cover each branch: exact zeros, tiny, the tanh switch at 0.625, saturation.
std::vector<float> probe_inputs(std::size_t n, unsigned seed) {
  auto v = kt::random_normal(n, 0.0f, 4.0f, seed);
  const float special[] = {0.0f,  -0.0f, 1e-8f, -1e-8f, 0.624f, 0.626f, -0.625f, 9.0f,
                           -9.0f, 20.0f, -20.0f, 88.0f, -88.0f, 100.0f, -100.0f, 0.5f};
  for (std::size_t i = 0; i < n && i < std::size(special); ++i) v[i * 3 % n] = special[i];
  return v;
}

}  // namespace

TEST_CASE("kernels activation: hand-computable values", "[kernels][activation]") {
  const std::vector<float> x = {-2.0f, 0.0f, 3.0f};
  std::vector<float> y(3), dx(3);
  const std::vector<float> dy = {1.0f, 1.0f, 1.0f};
  nl::kernels::activation_forward(Activation::kReLU, x.data(), 3, y.data());
  CHECK(y == std::vector<float>{0.0f, 0.0f, 3.0f});
  nl::kernels::activation_backward(Activation::kReLU, x.data(), y.data(), dy.data(), 3, dx.data());
  CHECK(dx == std::vector<float>{0.0f, 0.0f, 1.0f});  // gradient 0 at x = 0, as PyTorch
  nl::kernels::activation_forward(Activation::kLeakyReLU, x.data(), 3, y.data());
  CHECK(y == std::vector<float>{-0.02f, 0.0f, 3.0f});
  nl::kernels::activation_backward(Activation::kLeakyReLU, x.data(), y.data(), dy.data(), 3,
                                   dx.data());
  CHECK(dx == std::vector<float>{0.01f, 0.01f, 1.0f});  // slope at x = 0, as PyTorch
  nl::kernels::activation_forward(Activation::kSigmoid, x.data(), 3, y.data());
  // sigmoid(0) = 1/2; sigmoid'(0) = 1/4; tanh(0) = 0, tanh'(0) = 1.
  CHECK(y[1] == 0.5f);
  nl::kernels::activation_backward(Activation::kSigmoid, x.data(), y.data(), dy.data(), 3,
                                   dx.data());
  CHECK(dx[1] == 0.25f);
  nl::kernels::activation_forward(Activation::kTanh, x.data(), 3, y.data());
  CHECK(y[1] == 0.0f);
  CHECK_THAT(y[2], Catch::Matchers::WithinRel(0.99505475f, 1e-6f));  // tanh(3)
}

TEST_CASE("kernels activation: default kernels match double math", "[kernels][activation]") {
  for (const std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1001}}) {
    const auto x = probe_inputs(n, static_cast<unsigned>(n));
    const auto dy = kt::random_normal(n, 0.0f, 1.0f, 3);
    std::vector<double> want(n), want_dx(n);
    std::vector<float> y(n), dx(n);
    for (const Activation a : {Activation::kTanh, Activation::kSigmoid}) {
      INFO("activation " << static_cast<int>(a) << " n=" << n);
      for (std::size_t i = 0; i < n; ++i) {
        want[i] = a == Activation::kTanh ? std::tanh(double(x[i])) : 1.0 / (1.0 + std::exp(-double(x[i])));
      }
      nl::kernels::activation_forward(a, x.data(), static_cast<Index>(n), y.data());
      NL_CHECK_CLOSE("y", y.data(), want.data(), n, 1e-7, 4e-7);
      nl::kernels::activation_backward(a, x.data(), y.data(), dy.data(), static_cast<Index>(n),
                                       dx.data());
      for (std::size_t i = 0; i < n; ++i) {
        const double yv = y[i];
        want_dx[i] = dy[i] * (a == Activation::kTanh ? 1.0 - yv * yv : yv * (1.0 - yv));
      }
      NL_CHECK_CLOSE("dx", dx.data(), want_dx.data(), n, 1e-7, 1e-6);
    }
  }
}

#if NL_KERNELS_HAVE_SIMD
TEST_CASE("kernels activation: simd equals the scalar reference", "[kernels][activation]") {
  namespace ks = nl::kernels::scalar;
  namespace kv = nl::kernels::simd;
  for (std::size_t n = 0; n <= 37; ++n) {
    const std::size_t len = n == 37 ? 4099 : n;  // every tail length, and a long buffer
    const auto x = probe_inputs(len > 0 ? len : 1, static_cast<unsigned>(n + 1));
    const auto dy = kt::random_normal(len > 0 ? len : 1, 0.0f, 1.0f, static_cast<unsigned>(n + 2));
    for (const Activation a : kAll) {
      INFO("activation " << static_cast<int>(a) << " n=" << len);
      const Index m = static_cast<Index>(len);
      std::vector<float> ya(x.size(), 9.0f), yb(x.size(), 9.0f);
      ks::activation_forward(a, x.data(), m, ya.data());
      kv::activation_forward(a, x.data(), m, yb.data());
      std::vector<float> dxa(x.size(), 9.0f), dxb(x.size(), 9.0f);
      ks::activation_backward(a, x.data(), ya.data(), dy.data(), m, dxa.data());
      kv::activation_backward(a, x.data(), ya.data(), dy.data(), m, dxb.data());
      if (a == Activation::kTanh || a == Activation::kSigmoid) {
        NL_CHECK_CLOSE("y", yb.data(), ya.data(), x.size(), 1e-7, 4e-7);
        CHECK(dxa == dxb);  // same formula from the same y
      } else {
        CHECK(ya == yb);
        CHECK(dxa == dxb);
      }
      // In place (y aliases x) gives the same values.
      std::vector<float> inplace = x;
      kv::activation_forward(a, inplace.data(), m, inplace.data());
      CHECK(std::equal(inplace.begin(), inplace.begin() + m, yb.begin()));
    }
  }
}
#endif
