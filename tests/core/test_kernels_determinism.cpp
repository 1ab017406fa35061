// The SIMD kernels give bit-identical results on every SIMD target (SSE natively, WASM SIMD
// in the browser): same operations in the same order, no FMA, own exp/tanh polynomials.
// A hash of every kernel's outputs on fixed inputs must equal the committed constant in
// both the native and the wasm build of this test. Scalar-only builds skip it.
#include <cstdint>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

#include "core/kernels/kernels.h"

#if NL_KERNELS_HAVE_SIMD
namespace {

using nl::Index;

// Inputs from a fixed LCG (std:: distributions differ between standard libraries).
struct Lcg {
  std::uint32_t state = 12345;
  float next() {
    state = state * 1664525u + 1013904223u;
    return static_cast<float>(state >> 8) * (1.0f / 16777216.0f) * 6.0f - 3.0f;
  }
};

// FNV-1a over the bit patterns.
struct Hash {
  std::uint64_t h = 1469598103934665603ull;
  void add(const std::vector<float>& v) {
    for (float f : v) {
      std::uint32_t b = 0;
      std::memcpy(&b, &f, sizeof b);
      h = (h ^ b) * 1099511628211ull;
    }
  }
};

// Regenerate by running this test natively and copying the printed hash (only when a
// kernel's arithmetic changes on purpose).
constexpr std::uint64_t kExpectedHash = 0xb56856cae5ce5375ull;

}  // namespace

TEST_CASE("kernels: SIMD results are bit-identical across targets (committed hash)",
          "[kernels][determinism]") {
  Lcg rng;
  Hash hash;
  const Index shapes[][3] = {{32, 16, 1}, {33, 17, 1}, {256, 64, 1},
                             {7, 3, 5},   {32, 16, 256}, {2, 5, 3}};
  for (const auto& s : shapes) {
    const Index N = s[0], C = s[1], S = s[2], D = N * C * S;
    std::vector<float> x(D), dy(D), g(C), b(C), mean(C), var(C), is(C), xh(D), y(D), dx(D);
    std::vector<float> dg(C), db(C);
    for (auto& v : x) v = rng.next() + 10.0f;
    for (auto& v : dy) v = rng.next();
    for (auto& v : g) v = rng.next();
    for (auto& v : b) v = rng.next();
    nl::kernels::batchnorm_train_forward(x.data(), N, C, S, 1e-5f, g.data(), b.data(),
                                         mean.data(), var.data(), is.data(), xh.data(), y.data());
    nl::kernels::batchnorm_backward(dy.data(), xh.data(), g.data(), is.data(), N, C, S, dx.data(),
                                    dg.data(), db.data());
    for (const auto* v : {&mean, &var, &is, &y, &dx, &dg, &db}) hash.add(*v);
  }
  for (const Index out : {2, 13, 64})
    for (const Index in : {2, 9, 64})
      for (const Index N : {5, 32}) {
        std::vector<float> W(out * in), b(out), x(in * N), y(out * N), dy(out * N);
        std::vector<float> dW(out * in), db(out), dx(in * N);
        for (auto* v : {&W, &b, &x, &dy})
          for (auto& e : *v) e = rng.next();
        nl::kernels::linear_forward(W.data(), b.data(), x.data(), in, out, N, y.data());
        nl::kernels::linear_backward(W.data(), x.data(), dy.data(), in, out, N, dx.data(),
                                     dW.data(), db.data());
        for (const auto* v : {&y, &dW, &db, &dx}) hash.add(*v);
      }
  const Index n = 10001;
  std::vector<float> x(n), y(n), dy(n), dx(n);
  for (auto& v : x) v = rng.next() * 5.0f;
  for (auto& v : dy) v = rng.next();
  for (const auto a : {nl::Activation::kReLU, nl::Activation::kLeakyReLU, nl::Activation::kTanh,
                       nl::Activation::kSigmoid}) {
    nl::kernels::activation_forward(a, x.data(), n, y.data());
    nl::kernels::activation_backward(a, x.data(), y.data(), dy.data(), n, dx.data());
    hash.add(y);
    hash.add(dx);
  }
  INFO("kernels " << nl::kernels::simd_name() << " hash 0x" << std::hex << hash.h);
  CHECK(hash.h == kExpectedHash);
}
#endif
