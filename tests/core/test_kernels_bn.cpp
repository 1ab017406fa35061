// BatchNorm kernels: simd:: equals the scalar reference within float rounding, and both
// match a double-precision implementation of the textbook graph (two-pass statistics,
// step-by-step backward through dvar and dmean) on many shapes, odd ones included.
// Not here: running statistics, traces, PyTorch fixtures (the layer tests own those).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "core/kernels/kernels.h"
#include "kernels_test_util.h"

namespace {

using nl::Index;
namespace kt = nl::kernels_test;

struct Shape {
  Index N, C, S;
};

// Odd sizes on purpose: C, S, N not multiples of 4, N = 2, N = 1 with S > 1.
const std::vector<Shape> kShapes = {
    {2, 1, 1},  {2, 3, 1},  {5, 7, 1},  {32, 16, 1}, {33, 17, 1}, {256, 64, 1}, {1024, 256, 1},
    {2, 3, 2},  {3, 5, 3},  {4, 4, 4},  {7, 3, 5},   {2, 2, 17},  {3, 5, 33},  {1, 3, 4},
    {2, 6, 9},  {32, 16, 256}};

struct Forward {
  std::vector<float> mean, var, inv_std, xhat, y;
  Forward(Index N, Index C, Index S)
      : mean(C), var(C), inv_std(C), xhat(N * C * S), y(N * C * S) {}
};

struct ForwardD {
  std::vector<double> mean, var, inv_std, xhat, y;
};

// Double reference: two-pass mean and biased variance, eps inside the square root.
ForwardD forward_double(const std::vector<float>& x, Index N, Index C, Index S, double eps,
                        const std::vector<float>& gamma, const std::vector<float>& beta) {
  ForwardD r{std::vector<double>(C), std::vector<double>(C), std::vector<double>(C),
             std::vector<double>(N * C * S), std::vector<double>(N * C * S)};
  const double m = static_cast<double>(N * S);
  for (Index c = 0; c < C; ++c) {
    double sum = 0.0;
    for (Index n = 0; n < N; ++n)
      for (Index s = 0; s < S; ++s) sum += x[(n * C + c) * S + s];
    r.mean[c] = sum / m;
    double sq = 0.0;
    for (Index n = 0; n < N; ++n)
      for (Index s = 0; s < S; ++s) {
        const double d = x[(n * C + c) * S + s] - r.mean[c];
        sq += d * d;
      }
    r.var[c] = sq / m;
    r.inv_std[c] = 1.0 / std::sqrt(r.var[c] + eps);
    for (Index n = 0; n < N; ++n)
      for (Index s = 0; s < S; ++s) {
        const Index i = (n * C + c) * S + s;
        r.xhat[i] = (x[i] - r.mean[c]) * r.inv_std[c];
        r.y[i] = gamma[c] * r.xhat[i] + beta[c];
      }
  }
  return r;
}

// Double reference backward, the step-by-step graph (not the compact formula):
//   dxhat = gamma*dy;  dvar = sum dxhat*(x - mean) * -1/2 (var + eps)^(-3/2)
//   dmean = -inv_std*sum dxhat + dvar * (-2/m) sum (x - mean)
//   dx = dxhat*inv_std + dvar*2(x - mean)/m + dmean/m
std::vector<double> backward_double(const std::vector<float>& x, const std::vector<float>& dy,
                                    const ForwardD& f, Index N, Index C, Index S, double eps,
                                    const std::vector<float>& gamma) {
  std::vector<double> dx(N * C * S);
  const double m = static_cast<double>(N * S);
  for (Index c = 0; c < C; ++c) {
    double dvar = 0.0, sum_dxhat = 0.0, sum_dev = 0.0;
    for (Index n = 0; n < N; ++n)
      for (Index s = 0; s < S; ++s) {
        const Index i = (n * C + c) * S + s;
        const double dxhat = gamma[c] * static_cast<double>(dy[i]);
        dvar += dxhat * (x[i] - f.mean[c]) * -0.5 * std::pow(f.var[c] + eps, -1.5);
        sum_dxhat += dxhat;
        sum_dev += x[i] - f.mean[c];
      }
    const double dmean = -f.inv_std[c] * sum_dxhat + dvar * (-2.0 / m) * sum_dev;
    for (Index n = 0; n < N; ++n)
      for (Index s = 0; s < S; ++s) {
        const Index i = (n * C + c) * S + s;
        const double dxhat = gamma[c] * static_cast<double>(dy[i]);
        dx[i] = dxhat * f.inv_std[c] + dvar * 2.0 * (x[i] - f.mean[c]) / m + dmean / m;
      }
  }
  return dx;
}

using TrainForwardFn = void (*)(const float*, Index, Index, Index, float, const float*,
                                const float*, float*, float*, float*, float*, float*);
using BackwardFn = void (*)(const float*, const float*, const float*, const float*, Index, Index,
                            Index, float*, float*, float*);

Forward run_forward(TrainForwardFn fn, const std::vector<float>& x, const Shape& sh, float eps,
                    const std::vector<float>& gamma, const std::vector<float>& beta) {
  Forward f(sh.N, sh.C, sh.S);
  fn(x.data(), sh.N, sh.C, sh.S, eps, gamma.data(), beta.data(), f.mean.data(), f.var.data(),
     f.inv_std.data(), f.xhat.data(), f.y.data());
  return f;
}

// Checks one implementation's forward against the double reference.
void check_forward_vs_double(const char* impl, const Forward& f, const ForwardD& r,
                             const std::vector<float>& x, float offset, float sd) {
  INFO(impl);
  const std::size_t C = r.mean.size(), D = r.xhat.size();
  // The mean can only be as exact as float around the offset: a few ulp of |offset| + sd.
  const double ulp = (std::abs(offset) + 4.0 * sd) * 1.2e-7;
  NL_CHECK_CLOSE("mean", f.mean.data(), r.mean.data(), C, ulp + 1e-7 * sd, 0.0);
  NL_CHECK_CLOSE("var", f.var.data(), r.var.data(), C, 0.0, 4e-6);
  NL_CHECK_CLOSE("inv_std", f.inv_std.data(), r.inv_std.data(), C, 0.0, 4e-6);
  // xhat inherits the float rounding of the mean: ulp(mean)*inv_std absolute.
  double inv_std_max = 0.0;
  for (double v : r.inv_std) inv_std_max = std::max(inv_std_max, v);
  NL_CHECK_CLOSE("xhat", f.xhat.data(), r.xhat.data(), D, ulp * inv_std_max + 1e-6, 1e-6);
  (void)x;
}

}  // namespace

TEST_CASE("kernels bn: hand-computable batch", "[kernels][bn]") {
  // x = [[1, 2], [3, 6], [5, 10]] (N = 3 samples, C = 2 features):
  // mean = [3, 6]; biased var = [(4+0+4)/3, (16+0+16)/3] = [8/3, 32/3].
  const std::vector<float> x = {1, 2, 3, 6, 5, 10};
  const std::vector<float> gamma = {2.0f, 1.0f}, beta = {0.5f, -1.0f};
  const Forward f = run_forward(nl::kernels::batchnorm_train_forward, x, {3, 2, 1}, 1e-5f,
                                gamma, beta);
  CHECK(f.mean[0] == 3.0f);
  CHECK(f.mean[1] == 6.0f);
  CHECK_THAT(f.var[0], Catch::Matchers::WithinRel(8.0f / 3.0f, 1e-6f));
  CHECK_THAT(f.var[1], Catch::Matchers::WithinRel(32.0f / 3.0f, 1e-6f));
  // xhat of sample 0, feature 0: (1 - 3)/sqrt(8/3 + 1e-5) = -1.2247426; y = 2*xhat + 0.5.
  CHECK_THAT(f.xhat[0], Catch::Matchers::WithinAbs(-1.2247426, 1e-6));
  CHECK_THAT(f.y[0], Catch::Matchers::WithinAbs(2.0 * -1.2247426 + 0.5, 2e-6));
  // Sample 1 sits on the mean: xhat 0, y = beta.
  CHECK(f.xhat[2] == 0.0f);
  CHECK(f.y[3] == -1.0f);
}

TEST_CASE("kernels bn: normalized channels have zero mean and unit variance", "[kernels][bn]") {
  const Shape sh{37, 5, 3};
  const auto x = kt::random_normal(sh.N * sh.C * sh.S, 2.0f, 5.0f, 11);
  const std::vector<float> ones(sh.C, 1.0f), zeros(sh.C, 0.0f);
  const Forward f = run_forward(nl::kernels::batchnorm_train_forward, x, sh, 1e-5f, ones, zeros);
  for (Index c = 0; c < sh.C; ++c) {
    double sum = 0.0, sq = 0.0;
    for (Index n = 0; n < sh.N; ++n)
      for (Index s = 0; s < sh.S; ++s) sum += f.y[(n * sh.C + c) * sh.S + s];
    const double mu = sum / static_cast<double>(sh.N * sh.S);
    for (Index n = 0; n < sh.N; ++n)
      for (Index s = 0; s < sh.S; ++s) {
        const double d = f.y[(n * sh.C + c) * sh.S + s] - mu;
        sq += d * d;
      }
    CHECK_THAT(mu, Catch::Matchers::WithinAbs(0.0, 1e-6));
    CHECK_THAT(sq / static_cast<double>(sh.N * sh.S), Catch::Matchers::WithinAbs(1.0, 1e-4));
  }
}

TEST_CASE("kernels bn: train forward and backward match a double reference", "[kernels][bn]") {
  struct Data {
    float offset, sd;
  };
  const Data datas[] = {{0.0f, 1.0f}, {3.0f, 5.0f}, {1000.0f, 0.01f}, {-50.0f, 0.2f}};
  const float eps = 1e-5f;
  unsigned seed = 1;
  for (const Shape& sh : kShapes) {
    for (const Data& data : datas) {
      const std::size_t D = static_cast<std::size_t>(sh.N * sh.C * sh.S);
      INFO("N=" << sh.N << " C=" << sh.C << " S=" << sh.S << " offset=" << data.offset
                << " sd=" << data.sd);
      const auto x = kt::random_normal(D, data.offset, data.sd, ++seed);
      const auto dy = kt::random_normal(D, 0.1f, 1.0f, ++seed);
      const auto gamma = kt::random_normal(sh.C, 1.0f, 0.5f, ++seed);
      const auto beta = kt::random_normal(sh.C, 0.0f, 0.5f, ++seed);
      const ForwardD ref = forward_double(x, sh.N, sh.C, sh.S, eps, gamma, beta);

      const Forward fs = run_forward(nl::kernels::scalar::batchnorm_train_forward, x, sh, eps,
                                     gamma, beta);
      check_forward_vs_double("scalar", fs, ref, x, data.offset, data.sd);
      const Forward fa = run_forward(nl::kernels::batchnorm_train_forward, x, sh, eps, gamma,
                                     beta);
      check_forward_vs_double(nl::kernels::simd_name(), fa, ref, x, data.offset, data.sd);

      // Backward: each implementation from its own forward cache, vs the step-by-step graph.
      const auto dx_ref = backward_double(x, dy, ref, sh.N, sh.C, sh.S, eps, gamma);
      // dx is a difference of terms of size |gamma|*inv_std*|dy|: tolerances scale with
      // that, plus the float rounding xhat inherits from the mean (ulp(mean)*inv_std).
      double g_max = 0.0, inv_std_max = 0.0, dy_max = 0.0, dy_sum = 0.0;
      for (float v : gamma) g_max = std::max(g_max, double(std::abs(v)));
      for (double v : ref.inv_std) inv_std_max = std::max(inv_std_max, v);
      for (float v : dy) dy_max = std::max(dy_max, double(std::abs(v))), dy_sum += std::abs(v);
      const double ulp = (std::abs(data.offset) + 4.0 * data.sd) * 1.2e-7;
      const double xhat_err = ulp * inv_std_max;
      const double dx_scale = g_max * inv_std_max * dy_max;
      for (const auto& [name, fn, fw] :
           {std::tuple<const char*, BackwardFn, const Forward*>{
                "scalar", nl::kernels::scalar::batchnorm_backward, &fs},
            std::tuple<const char*, BackwardFn, const Forward*>{
                nl::kernels::simd_name(), nl::kernels::batchnorm_backward, &fa}}) {
        INFO(name);
        std::vector<float> dx(D), dgamma(sh.C), dbeta(sh.C);
        fn(dy.data(), fw->xhat.data(), gamma.data(), fw->inv_std.data(), sh.N, sh.C, sh.S,
           dx.data(), dgamma.data(), dbeta.data());
        NL_CHECK_CLOSE("dx", dx.data(), dx_ref.data(), D, dx_scale * (2e-6 + 4.0 * xhat_err), 1e-5);
        std::vector<double> dbeta_ref(sh.C, 0.0), dgamma_ref(sh.C, 0.0);
        for (Index n = 0; n < sh.N; ++n)
          for (Index c = 0; c < sh.C; ++c)
            for (Index s = 0; s < sh.S; ++s) {
              const Index i = (n * sh.C + c) * sh.S + s;
              dbeta_ref[c] += dy[i];
              dgamma_ref[c] += dy[i] * ref.xhat[i];
            }
        NL_CHECK_CLOSE("dbeta", dbeta.data(), dbeta_ref.data(), sh.C, 1e-6 * dy_sum / sh.C, 1e-6);
        NL_CHECK_CLOSE("dgamma", dgamma.data(), dgamma_ref.data(), sh.C,
                       (1e-6 + 2.0 * xhat_err) * dy_sum / sh.C, 1e-6);
      }
    }
  }
}

#if NL_KERNELS_HAVE_SIMD
TEST_CASE("kernels bn: simd equals the scalar reference within float rounding",
          "[kernels][bn]") {
  namespace ks = nl::kernels::scalar;
  namespace kv = nl::kernels::simd;
  unsigned seed = 100;
  for (const Shape& sh : kShapes) {
    for (const float offset : {0.0f, 1000.0f}) {
      const float sd = offset > 0.0f ? 0.01f : 2.0f;
      const std::size_t D = static_cast<std::size_t>(sh.N * sh.C * sh.S);
      INFO("N=" << sh.N << " C=" << sh.C << " S=" << sh.S << " offset=" << offset);
      const auto x = kt::random_normal(D, offset, sd, ++seed);
      const auto dy = kt::random_normal(D, 0.0f, 1.0f, ++seed);
      const auto gamma = kt::random_normal(sh.C, 1.0f, 0.5f, ++seed);
      const auto beta = kt::random_normal(sh.C, 0.0f, 0.5f, ++seed);
      const Forward a = run_forward(ks::batchnorm_train_forward, x, sh, 1e-5f, gamma, beta);
      const Forward b = run_forward(kv::batchnorm_train_forward, x, sh, 1e-5f, gamma, beta);
      // Float lane partials (simd) vs double sums (scalar): the mean within an ulp of its
      // magnitude, the variance to a few parts in 1e6; xhat and y inherit ulp(mean)*inv_std.
      const double ulp_x = (std::abs(offset) + 4.0 * sd) * 1.2e-7;
      double inv_std_max = 0.0;
      for (float v : a.inv_std) inv_std_max = std::max(inv_std_max, double(v));
      NL_CHECK_CLOSE("mean", b.mean.data(), a.mean.data(), sh.C, ulp_x, 0.0);
      NL_CHECK_CLOSE("var", b.var.data(), a.var.data(), sh.C, 0.0, 4e-6);
      NL_CHECK_CLOSE("inv_std", b.inv_std.data(), a.inv_std.data(), sh.C, 0.0, 4e-6);
      NL_CHECK_CLOSE("xhat", b.xhat.data(), a.xhat.data(), D, ulp_x * inv_std_max + 1e-6, 4e-6);
      NL_CHECK_CLOSE("y", b.y.data(), a.y.data(), D, 2.0 * (ulp_x * inv_std_max + 1e-6), 4e-6);

      // Backward and eval backward, from the same (scalar) cache.
      std::vector<float> dx_a(D), dx_b(D), dg_a(sh.C), dg_b(sh.C), db_a(sh.C), db_b(sh.C);
      ks::batchnorm_backward(dy.data(), a.xhat.data(), gamma.data(), a.inv_std.data(), sh.N,
                             sh.C, sh.S, dx_a.data(), dg_a.data(), db_a.data());
      kv::batchnorm_backward(dy.data(), a.xhat.data(), gamma.data(), a.inv_std.data(), sh.N,
                             sh.C, sh.S, dx_b.data(), dg_b.data(), db_b.data());
      // Sums of m terms of size ~|dy|: a few parts in 1e7 of sum|dy|, relative to the
      // terms |gamma|*inv_std*|dy| for dx.
      double g_max = 0.0, dy_sum = 0.0, dy_max = 0.0;
      for (float v : gamma) g_max = std::max(g_max, double(std::abs(v)));
      for (float v : dy) dy_max = std::max(dy_max, double(std::abs(v))), dy_sum += std::abs(v);
      const double per_channel = dy_sum / static_cast<double>(sh.C);
      NL_CHECK_CLOSE("dx", dx_b.data(), dx_a.data(), D, 2e-6 * g_max * inv_std_max * dy_max, 4e-6);
      NL_CHECK_CLOSE("dgamma", dg_b.data(), dg_a.data(), sh.C, 4e-7 * per_channel, 1e-6);
      NL_CHECK_CLOSE("dbeta", db_b.data(), db_a.data(), sh.C, 4e-7 * per_channel, 1e-6);

      ks::batchnorm_eval_backward(dy.data(), a.xhat.data(), gamma.data(), a.inv_std.data(),
                                  sh.N, sh.C, sh.S, dx_a.data(), dg_a.data(), db_a.data());
      kv::batchnorm_eval_backward(dy.data(), a.xhat.data(), gamma.data(), a.inv_std.data(),
                                  sh.N, sh.C, sh.S, dx_b.data(), dg_b.data(), db_b.data());
      CHECK(dx_a == dx_b);  // dx = gamma*inv_std*dy: one product, exact in both
      NL_CHECK_CLOSE("eval dgamma", dg_b.data(), dg_a.data(), sh.C, 4e-7 * per_channel, 1e-6);

      // Eval forward with the batch statistics, with and without xhat, without gamma/beta.
      std::vector<float> y_a(D), y_b(D), h_b(D);
      ks::batchnorm_eval_forward(x.data(), sh.N, sh.C, sh.S, nullptr, nullptr, a.mean.data(),
                                 a.inv_std.data(), nullptr, y_a.data());
      kv::batchnorm_eval_forward(x.data(), sh.N, sh.C, sh.S, nullptr, nullptr, a.mean.data(),
                                 a.inv_std.data(), h_b.data(), y_b.data());
      CHECK(y_a == y_b);  // same per-element formula: bit-identical
      CHECK(h_b == y_b);  // identity affine: y = xhat
      CHECK(y_a == a.xhat);
    }
  }
}

TEST_CASE("kernels bn: nullptr gamma/beta and gradient outputs", "[kernels][bn]") {
  const Shape sh{6, 5, 3};
  const std::size_t D = static_cast<std::size_t>(sh.N * sh.C * sh.S);
  const auto x = kt::random_normal(D, 1.0f, 2.0f, 5);
  const auto dy = kt::random_normal(D, 0.0f, 1.0f, 6);
  const std::vector<float> ones(sh.C, 1.0f), zeros(sh.C, 0.0f);
  for (auto fn : {nl::kernels::scalar::batchnorm_train_forward,
                  nl::kernels::simd::batchnorm_train_forward}) {
    Forward with = run_forward(fn, x, sh, 1e-5f, ones, zeros);
    Forward without(sh.N, sh.C, sh.S);
    fn(x.data(), sh.N, sh.C, sh.S, 1e-5f, nullptr, nullptr, without.mean.data(),
       without.var.data(), without.inv_std.data(), without.xhat.data(), without.y.data());
    CHECK(with.y == without.y);
    CHECK(with.xhat == without.xhat);
  }
  for (auto fn : {nl::kernels::scalar::batchnorm_backward, nl::kernels::simd::batchnorm_backward}) {
    const Forward f = run_forward(nl::kernels::scalar::batchnorm_train_forward, x, sh, 1e-5f,
                                  ones, zeros);
    std::vector<float> dx1(D), dx2(D), dg(sh.C), db(sh.C);
    fn(dy.data(), f.xhat.data(), ones.data(), f.inv_std.data(), sh.N, sh.C, sh.S, dx1.data(),
       dg.data(), db.data());
    fn(dy.data(), f.xhat.data(), nullptr, f.inv_std.data(), sh.N, sh.C, sh.S, dx2.data(),
       nullptr, nullptr);
    CHECK(dx1 == dx2);
  }
}
#endif
