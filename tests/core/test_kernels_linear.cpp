// Linear kernels: y = W x + b and its backward (dW = dy x^T, db = sum dy, dx = W^T dy).
// simd:: sums in the scalar reference's order, so the two agree bit for bit; both are held
// to a double-precision product. Odd sizes, the network's 2-wide layers, nullptr outputs.
#include <cmath>
#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>

#include "core/kernels/kernels.h"
#include "kernels_test_util.h"

namespace {

using nl::Index;
namespace kt = nl::kernels_test;

struct Dims {
  Index out, in, N;
};

const std::vector<Dims> kDims = {{1, 1, 1},   {2, 2, 5},   {3, 5, 7},   {8, 2, 32},
                                 {13, 7, 9},  {64, 64, 256}, {2, 64, 33}, {17, 9, 4},
                                 {16, 16, 3}, {64, 2, 6},   {5, 3, 2}};

// Double references, straight from the definitions.
std::vector<double> forward_double(const std::vector<float>& W, const std::vector<float>& b,
                                   const std::vector<float>& x, const Dims& d) {
  std::vector<double> y(d.out * d.N);
  for (Index n = 0; n < d.N; ++n)
    for (Index o = 0; o < d.out; ++o) {
      double acc = b[o];
      for (Index i = 0; i < d.in; ++i) acc += double(W[o + i * d.out]) * x[i + n * d.in];
      y[o + n * d.out] = acc;
    }
  return y;
}

// Scale of a product's terms, for an absolute tolerance: sum_k |a_k b_k| ~ k * |a| * |b|.
double term_scale(Index k) { return 4.0 * static_cast<double>(k); }

}  // namespace

TEST_CASE("kernels linear: hand-computable product", "[kernels][linear]") {
  // W = [[1, 2], [3, 4], [5, 6]] (out 3, in 2), column-major: {1, 3, 5, 2, 4, 6}.
  // x = [1, -1] (one sample), b = [0.5, 0, -1]: y = [1-2+0.5, 3-4, 5-6-1] = [-0.5, -1, -2].
  const std::vector<float> W = {1, 3, 5, 2, 4, 6}, b = {0.5f, 0, -1}, x = {1, -1};
  std::vector<float> y(3);
  nl::kernels::linear_forward(W.data(), b.data(), x.data(), 2, 3, 1, y.data());
  CHECK(y == std::vector<float>{-0.5f, -1.0f, -2.0f});
  // dy = [1, 0, 2]: dW = dy x^T = [[1, -1], [0, 0], [2, -2]]; db = dy; dx = W^T dy = [11, 14].
  const std::vector<float> dy = {1, 0, 2};
  std::vector<float> dW(6), db(3), dx(2);
  nl::kernels::linear_backward(W.data(), x.data(), dy.data(), 2, 3, 1, dx.data(), dW.data(),
                               db.data());
  CHECK(dW == std::vector<float>{1, 0, 2, -1, 0, -2});
  CHECK(db == dy);
  CHECK(dx == std::vector<float>{11, 14});
}

TEST_CASE("kernels linear: forward and backward match a double reference", "[kernels][linear]") {
  unsigned seed = 1;
  for (const Dims& d : kDims) {
    INFO("out=" << d.out << " in=" << d.in << " N=" << d.N);
    const auto W = kt::random_normal(d.out * d.in, 0.0f, 1.0f, ++seed);
    const auto b = kt::random_normal(d.out, 0.0f, 1.0f, ++seed);
    const auto x = kt::random_normal(d.in * d.N, 0.5f, 1.0f, ++seed);
    const auto dy = kt::random_normal(d.out * d.N, 0.0f, 1.0f, ++seed);
    const auto y_ref = forward_double(W, b, x, d);
    std::vector<double> dW_ref(d.out * d.in, 0.0), db_ref(d.out, 0.0), dx_ref(d.in * d.N, 0.0);
    for (Index n = 0; n < d.N; ++n)
      for (Index o = 0; o < d.out; ++o) {
        db_ref[o] += dy[o + n * d.out];
        for (Index i = 0; i < d.in; ++i) {
          dW_ref[o + i * d.out] += double(dy[o + n * d.out]) * x[i + n * d.in];
          dx_ref[i + n * d.in] += double(W[o + i * d.out]) * dy[o + n * d.out];
        }
      }
    for (const bool use_scalar : {true, false}) {
      INFO((use_scalar ? "scalar" : nl::kernels::simd_name()));
      const auto fwd = use_scalar ? nl::kernels::scalar::linear_forward
                                  : nl::kernels::linear_forward;
      const auto bwd = use_scalar ? nl::kernels::scalar::linear_backward
                                  : nl::kernels::linear_backward;
      std::vector<float> y(d.out * d.N), dW(d.out * d.in), db(d.out), dx(d.in * d.N);
      fwd(W.data(), b.data(), x.data(), d.in, d.out, d.N, y.data());
      NL_CHECK_CLOSE("y", y.data(), y_ref.data(), y.size(), 1e-6 * term_scale(d.in + 1), 1e-6);
      bwd(W.data(), x.data(), dy.data(), d.in, d.out, d.N, dx.data(), dW.data(), db.data());
      NL_CHECK_CLOSE("dW", dW.data(), dW_ref.data(), dW.size(), 1e-6 * term_scale(d.N), 1e-6);
      NL_CHECK_CLOSE("db", db.data(), db_ref.data(), db.size(), 1e-6 * term_scale(d.N), 1e-6);
      NL_CHECK_CLOSE("dx", dx.data(), dx_ref.data(), dx.size(), 1e-6 * term_scale(d.out), 1e-6);
    }
  }
}

#if NL_KERNELS_HAVE_SIMD
TEST_CASE("kernels linear: simd equals the scalar reference bit for bit", "[kernels][linear]") {
  namespace ks = nl::kernels::scalar;
  namespace kv = nl::kernels::simd;
  unsigned seed = 50;
  for (const Dims& d : kDims) {
    INFO("out=" << d.out << " in=" << d.in << " N=" << d.N);
    const auto W = kt::random_normal(d.out * d.in, 0.0f, 1.0f, ++seed);
    const auto b = kt::random_normal(d.out, 0.0f, 1.0f, ++seed);
    const auto x = kt::random_normal(d.in * d.N, 0.0f, 3.0f, ++seed);
    const auto dy = kt::random_normal(d.out * d.N, 0.0f, 1.0f, ++seed);
    std::vector<float> ya(d.out * d.N), yb(d.out * d.N);
    ks::linear_forward(W.data(), b.data(), x.data(), d.in, d.out, d.N, ya.data());
    kv::linear_forward(W.data(), b.data(), x.data(), d.in, d.out, d.N, yb.data());
    CHECK(ya == yb);  // bias + products in input order, in both
    ks::linear_forward(W.data(), nullptr, x.data(), d.in, d.out, d.N, ya.data());
    kv::linear_forward(W.data(), nullptr, x.data(), d.in, d.out, d.N, yb.data());
    CHECK(ya == yb);  // no bias
    std::vector<float> dWa(d.out * d.in), dWb(d.out * d.in), dba(d.out), dbb(d.out);
    std::vector<float> dxa(d.in * d.N), dxb(d.in * d.N);
    ks::linear_backward(W.data(), x.data(), dy.data(), d.in, d.out, d.N, dxa.data(), dWa.data(),
                        dba.data());
    kv::linear_backward(W.data(), x.data(), dy.data(), d.in, d.out, d.N, dxb.data(), dWb.data(),
                        dbb.data());
    CHECK(dWa == dWb);
    CHECK(dba == dbb);
    CHECK(dxa == dxb);
    // nullptr outputs are skipped; the others are still written.
    std::vector<float> dWc(d.out * d.in, -7.0f);
    kv::linear_backward(W.data(), x.data(), dy.data(), d.in, d.out, d.N, nullptr, dWc.data(),
                        nullptr);
    CHECK(dWc == dWa);
  }
}
#endif
