// BatchNorm traces: every intermediate recorded, stable step ids, the step-by-step backward
// graph equals the fast compact formula, and backward never overwrites forward values.
#include <catch2/catch.hpp>

#include "core/layers.h"
#include "core/network.h"
#include "test_util.h"

using namespace nl;
using nl::test::random_normal;

TEST_CASE("trace: training forward/backward records every intermediate", "[core][trace][bn]") {
  Rng rng{40};
  const Matrix x = (random_normal<Matrix>(3, 8, rng).array() * 2.0f + 1.0f).matrix();
  const Matrix dy = random_normal<Matrix>(3, 8, rng);
  BatchNorm bn = BatchNorm::make(3, 1, NormOptions{});
  bn.gamma << 1.5f, 0.5f, -1.0f;
  bn.beta << 0.1f, 0.2f, 0.3f;
  bn.record_trace = true;
  Matrix y, dx;
  bn.forward(x, true, y);
  REQUIRE(bn.trace.has_value());
  const BatchNormTrace fwd = *bn.trace;  // copy before backward
  CHECK_FALSE(fwd.has_backward);
  bn.backward(dy, dx);
  const BatchNormTrace& t = *bn.trace;
  REQUIRE(t.has_backward);
  // Forward: trace (computed step by step) == fast path.
  CHECK(t.x == x);
  NL_CHECK_CLOSE(t.mean, bn.mean, 1e-6, 1e-6);
  NL_CHECK_CLOSE(t.var, bn.var, 1e-6, 1e-6);
  NL_CHECK_CLOSE(t.inv_std, bn.inv_std, 1e-6, 1e-6);
  NL_CHECK_CLOSE(t.xhat, bn.xhat, 1e-6, 1e-6);
  NL_CHECK_CLOSE(t.y, y, 1e-6, 1e-6);
  CHECK(t.running_mean_before == Vector::Zero(3));
  CHECK(t.running_var_before == Vector::Ones(3));
  CHECK(t.running_mean_after == bn.running_mean);
  CHECK(t.num_batches_tracked_before == 0);
  CHECK(t.num_batches_tracked_after == 1);
  CHECK(t.momentum_factor == Approx(0.1f));
  // Backward: the step-by-step graph agrees with the compact three-term formula.
  CHECK(t.dx_compact == dx);
  NL_CHECK_CLOSE(t.dx, t.dx_compact, 1e-5, 1e-4);
  NL_CHECK_CLOSE(t.dgamma, bn.dgamma, 1e-5, 1e-5);
  NL_CHECK_CLOSE(t.dbeta, bn.dbeta, 1e-5, 1e-5);
  CHECK(t.dvar.cwiseAbs().maxCoeff() > 0.0f);
  // dmean includes the dvar term, which is 0 at the batch mean: dmean = -inv_std*sum(dxhat).
  const Vector expected_dmean = (-(t.dxhat.rowwise().sum().array()) * t.inv_std.array()).matrix();
  NL_CHECK_CLOSE(t.dmean, expected_dmean, 1e-5, 1e-4);
  // Forward intermediates untouched by backward.
  CHECK(t.xhat == fwd.xhat);
  CHECK(t.y == fwd.y);
  CHECK(t.mean == fwd.mean);
  // Stable ids, in order.
  const std::vector<std::string> ids = {"bn.x", "bn.mean", "bn.var", "bn.inv_std", "bn.xhat", "bn.y",
                                        "bn.running_mean", "bn.running_var", "bn.dy", "bn.dbeta", "bn.dgamma",
                                        "bn.dxhat", "bn.dvar", "bn.dmean", "bn.dx", "bn.dx_compact"};
  REQUIRE(t.steps.size() == ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) CHECK(t.steps[i].id == ids[i]);
  REQUIRE(t.find("bn.mean") != nullptr);
  CHECK(t.find("bn.mean")->value.rows() == 3);
  CHECK(t.find("bn.xhat")->value.cols() == 8);
  CHECK(t.find("nope") == nullptr);
}

TEST_CASE("trace: eval mode records running statistics and constant-stat backward", "[core][trace][bn]") {
  Rng rng{41};
  BatchNorm bn = BatchNorm::make(2, 1, NormOptions{});
  bn.running_mean << 0.5f, -0.5f;
  bn.running_var << 2.0f, 0.5f;
  bn.record_trace = true;
  const Matrix x = random_normal<Matrix>(2, 4, rng);
  Matrix y, dx;
  bn.forward(x, false, y);
  bn.backward(random_normal<Matrix>(2, 4, rng), dx);
  const BatchNormTrace& t = *bn.trace;
  CHECK_FALSE(t.used_batch_stats);
  CHECK(t.mean == bn.running_mean);
  CHECK(t.inv_std[0] == Approx(1.0 / std::sqrt(2.0 + 1e-5)));
  CHECK(t.dvar == Vector::Zero(2));
  CHECK(t.dmean == Vector::Zero(2));
  NL_CHECK_CLOSE(t.dx, dx, 1e-6, 1e-5);
  CHECK(t.num_batches_tracked_after == 0);
}

TEST_CASE("trace: per-channel (N,C,H,W) trace and network-level switch", "[core][trace][bn]") {
  Rng rng{42};
  BatchNorm bn = BatchNorm::make(2, 4, NormOptions{});
  bn.record_trace = true;
  const Matrix x = random_normal<Matrix>(8, 3, rng), dy = random_normal<Matrix>(8, 3, rng);
  Matrix y, dx;
  bn.forward(x, true, y);
  bn.backward(dy, dx);
  NL_CHECK_CLOSE(bn.trace->dx, dx, 1e-5, 1e-4);
  CHECK(bn.trace->mean.size() == 2);

  NetworkSpec spec;
  auto net = Network::from_spec(spec);
  REQUIRE(net.ok());
  net->set_record_trace(true);
  auto loss = net->train_batch(random_normal<Matrix>(2, 16, rng), std::vector<int>(16, 1));
  REQUIRE(loss.ok());
  int traced = 0;
  for (const auto& l : net->layers())
    if (const auto* b = std::get_if<BatchNorm>(&l)) {
      REQUIRE(b->trace.has_value());
      CHECK(b->trace->has_backward);
      ++traced;
    }
  CHECK(traced == 2);
}

TEST_CASE("trace: Batch Renorm adds r, d and the renormalized output", "[core][trace][bn]") {
  Rng rng{43};
  BatchRenorm brn = BatchRenorm::make(2, 1, NormOptions{});
  brn.bn.running_mean << 10.0f, -10.0f;  // far away: d clips to +-d_max = 5
  brn.bn.record_trace = true;
  const Matrix x = random_normal<Matrix>(2, 6, rng);
  Matrix y;
  brn.forward(x, true, y);
  const BatchNormTrace& t = *brn.bn.trace;
  CHECK(t.renorm_d[0] == Approx(-5.0f));
  CHECK(t.renorm_d[1] == Approx(5.0f));
  CHECK(t.y == y);
  REQUIRE(t.find("brn.y") != nullptr);
  CHECK(t.find("brn.y")->value == y);
  // brn.xhat = bn.xhat * r + d
  const Matrix expect = ((t.xhat.array().colwise() * t.renorm_r.array()).colwise() + t.renorm_d.array()).matrix();
  NL_CHECK_CLOSE(t.find("brn.xhat")->value, expect, 1e-6, 1e-6);
}

TEST_CASE("trace: Batch Renorm backward records the graph with r as a constant", "[core][trace][bn]") {
  Rng rng{44};
  BatchRenorm brn = BatchRenorm::make(2, 1, NormOptions{});
  brn.bn.running_mean << 0.5f, -0.5f;
  brn.bn.running_var << 4.0f, 0.25f;  // sigma_B / sigma_running far from 1: r is not 1
  brn.bn.gamma << 1.5f, -0.5f;
  brn.bn.record_trace = true;
  const Matrix x = random_normal<Matrix>(2, 7, rng);
  const Matrix dy = random_normal<Matrix>(2, 7, rng);
  Matrix y, dx;
  brn.forward(x, true, y);
  brn.backward(dy, dx);
  const BatchNormTrace& t = *brn.bn.trace;
  REQUIRE(t.has_backward);
  CHECK(std::abs(t.renorm_r[0] - 1.0f) > 0.1f);
  for (const char* id : {"bn.dy", "bn.dbeta", "bn.dgamma", "bn.dxhat", "bn.dvar", "bn.dmean", "bn.dx", "bn.dx_compact"}) {
    INFO(id);
    CHECK(t.find(id) != nullptr);
  }
  // The step-by-step graph (double) equals the layer's fast dx.
  NL_CHECK_CLOSE(t.dx, dx, 1e-5, 1e-4);
  NL_CHECK_CLOSE(t.dx_compact, dx, 0.0, 0.0);
  // dxhat = dy * gamma * r; dgamma = sum dy * xhat_r (the renormalized xhat); dbeta = sum dy.
  for (Index c = 0; c < 2; ++c) {
    const Eigen::RowVectorXf xhat_r = t.xhat.row(c).array() * t.renorm_r[c] + t.renorm_d[c];
    CHECK(t.dgamma[c] == Approx((dy.row(c).array() * xhat_r.array()).sum()).epsilon(1e-5));
    CHECK(t.dbeta[c] == Approx(dy.row(c).sum()).epsilon(1e-5));
    NL_CHECK_CLOSE(Matrix(t.dxhat.row(c)), Matrix(dy.row(c) * (brn.bn.gamma[c] * t.renorm_r[c])), 1e-6, 1e-6);
  }
  CHECK(t.dgamma == brn.bn.dgamma);
}
