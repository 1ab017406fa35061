// BatchNorm: hand-computable cases, invariants, PyTorch conventions, error before state change.
// (PyTorch fixtures: test_golden.cpp; gradient checks: test_gradcheck.cpp.)
#include <catch2/catch.hpp>

#include "core/layers.h"
#include "test_util.h"

using namespace nl;
using nl::test::random_normal;

namespace {
Matrix hand_x() {
  // x = [[1,2],[3,6],[5,10]] as (N=3, C=2) in PyTorch; our layout is (C, N).
  Matrix x(2, 3);
  x << 1, 3, 5,
       2, 6, 10;
  return x;
}
}  // namespace

TEST_CASE("batchnorm: hand-computable running stats after one training step", "[core][bn]") {
  // Feature 0: 1,3,5 -> mean 3, biased var 8/3, unbiased var 4.
  // Feature 1: 2,6,10 -> mean 6, biased var 32/3, unbiased var 16.
  // momentum 0.1 weights the new batch: running_mean = 0.1*[3,6] = [0.3, 0.6];
  // running_var = 0.9*1 + 0.1*[4,16] = [1.3, 2.5].
  BatchNorm bn = BatchNorm::make(2, 1, NormOptions{});
  Matrix y;
  REQUIRE(bn.check_batch(3, true).ok());
  bn.forward(hand_x(), true, y);
  CHECK(bn.running_mean[0] == Approx(0.3).epsilon(1e-6));
  CHECK(bn.running_mean[1] == Approx(0.6).epsilon(1e-6));
  CHECK(bn.running_var[0] == Approx(1.3).epsilon(1e-6));
  CHECK(bn.running_var[1] == Approx(2.5).epsilon(1e-6));
  CHECK(bn.num_batches_tracked == 1);
  // Normalization uses the biased variance: y(0,0) = (1-3)/sqrt(8/3 + 1e-5) = -1.2247426...
  CHECK(y(0, 0) == Approx(-2.0 / std::sqrt(8.0 / 3.0 + 1e-5)).epsilon(1e-6));
  CHECK(y(1, 2) == Approx(4.0 / std::sqrt(32.0 / 3.0 + 1e-5)).epsilon(1e-6));
  CHECK(bn.var[0] == Approx(8.0 / 3.0).epsilon(1e-6));
}

TEST_CASE("batchnorm: momentum nullopt is a cumulative average", "[core][bn]") {
  // Two batches with per-feature means 3 and 13 (second batch = first + 10), unbiased var 4:
  // f = 1/1 then 1/2 -> running_mean = (3 + 13)/2 = 8; running_var = (4 + 4)/2 = 4
  // (f = 1 on the first batch replaces the initial 0 and 1).
  NormOptions o;
  o.momentum = std::nullopt;
  BatchNorm bn = BatchNorm::make(1, 1, o);
  Matrix a(1, 3), b(1, 3), y;
  a << 1, 3, 5;
  b << 11, 13, 15;
  bn.forward(a, true, y);
  CHECK(bn.running_mean[0] == Approx(3.0));
  CHECK(bn.running_var[0] == Approx(4.0));
  bn.forward(b, true, y);
  CHECK(bn.num_batches_tracked == 2);
  CHECK(bn.running_mean[0] == Approx(8.0));
  CHECK(bn.running_var[0] == Approx(4.0));
}

TEST_CASE("batchnorm: normalized features have zero mean, unit biased variance", "[core][bn]") {
  Rng rng{7};
  const Matrix x = (random_normal<Matrix>(3, 64, rng).array() * 5.0f + 2.0f).matrix();  // (D=3, N=64)
  BatchNorm bn = BatchNorm::make(3, 1, NormOptions{});
  Matrix y;
  bn.forward(x, true, y);
  for (Index d = 0; d < y.rows(); ++d) {
    CHECK(std::abs(y.row(d).cast<double>().mean()) < 1e-6);
    CHECK(nl::test::biased_var(y.row(d)) == Approx(1.0).margin(1e-4));
  }
}

TEST_CASE("batchnorm: per-channel statistics over N*H*W for (N,C,H,W) input", "[core][bn]") {
  // C=2, H*W=4, N=3: channel c of sample n are rows c*4..c*4+3 of column n.
  Rng rng{11};
  Matrix x = random_normal<Matrix>(8, 3, rng);
  x.middleRows(4, 4).array() += 3.0f;  // channel 1 shifted
  BatchNorm bn = BatchNorm::make(2, 4, NormOptions{});
  Matrix y;
  bn.forward(x, true, y);
  for (Index c = 0; c < 2; ++c) {
    const Matrix yc = y.middleRows(c * 4, 4);
    const Eigen::ArrayXd v = Eigen::Map<const Eigen::ArrayXf>(yc.data(), yc.size()).cast<double>();
    CHECK(std::abs(v.mean()) < 1e-6);
    CHECK((v - v.mean()).square().mean() == Approx(1.0).margin(1e-4));
    const Matrix xc = x.middleRows(c * 4, 4);
    CHECK(bn.mean[c] == Approx(xc.cast<double>().mean()).epsilon(1e-6));
  }
}

TEST_CASE("batchnorm: eval mode uses running statistics", "[core][bn]") {
  BatchNorm bn = BatchNorm::make(2, 1, NormOptions{});
  Matrix y;
  bn.forward(hand_x(), true, y);  // running_mean [0.3, 0.6], running_var [1.3, 2.5]
  Matrix x(2, 1);
  x << 1.0f, 2.0f;
  REQUIRE(bn.check_batch(1, false).ok());  // a batch of one is fine in eval
  bn.forward(x, false, y);
  CHECK(y(0, 0) == Approx((1.0 - 0.3) / std::sqrt(1.3 + 1e-5)).epsilon(1e-6));
  CHECK(y(1, 0) == Approx((2.0 - 0.6) / std::sqrt(2.5 + 1e-5)).epsilon(1e-6));
  CHECK(bn.num_batches_tracked == 1);  // eval does not count batches
  const Matrix y2 = bn.infer(x);
  CHECK(y2(0, 0) == y(0, 0));
}

TEST_CASE("batchnorm: one value per channel in training is an error before any state change", "[core][bn]") {
  BatchNorm bn = BatchNorm::make(2, 1, NormOptions{});
  const Status st = bn.check_batch(1, true);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("more than 1 value per channel") != std::string::npos);
  CHECK(bn.num_batches_tracked == 0);
  CHECK(bn.running_var[0] == 1.0f);
  // (N=1, C, H, W) with H*W > 1 is fine: statistics over H*W values.
  BatchNorm bn2 = BatchNorm::make(2, 4, NormOptions{});
  CHECK(bn2.check_batch(1, true).ok());
  // No running stats: batch statistics in eval too, so eval with one value also fails.
  NormOptions o;
  o.track_running_stats = false;
  BatchNorm bn3 = BatchNorm::make(2, 1, o);
  CHECK_FALSE(bn3.check_batch(1, false).ok());
}

TEST_CASE("batchnorm: track_running_stats off uses batch statistics in eval", "[core][bn]") {
  NormOptions o;
  o.track_running_stats = false;
  BatchNorm bn = BatchNorm::make(2, 1, o);
  Matrix y_train, y_eval;
  bn.forward(hand_x(), true, y_train);
  bn.forward(hand_x(), false, y_eval);
  NL_CHECK_CLOSE(y_eval, y_train, 0.0, 0.0);
  CHECK(bn.running_mean.size() == 0);
  CHECK(bn.num_batches_tracked == 0);
}
