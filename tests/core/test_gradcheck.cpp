// Finite-difference gradient checks in double precision (central differences) for every
// layer and loss, and for whole networks with normalization in training mode (gradients
// flow through the batch statistics). The analytic backward is the same template code
// that runs in float.
#include <catch2/catch.hpp>

#include <functional>

#include "core/layers.h"
#include "core/network.h"
#include "test_util.h"

using namespace nl;
using nl::test::random_normal;

namespace {

constexpr double kH = 1e-6;     // central-difference step
constexpr double kAtol = 1e-7;  // |analytic - numeric| <= kAtol + kRtol*|numeric|
constexpr double kRtol = 1e-5;

// Loss = sum(y .* R) for a fixed random R, so dL/dy = R.
template <typename L>
double probe_loss(const L& pristine, const MatrixD& x, bool training, const MatrixD& R,
                  const std::function<void(L&)>& tweak) {
  L l = pristine;  // fresh copy: running statistics never drift between evaluations
  if (tweak) tweak(l);
  MatrixD y;
  l.forward(x, training, y);
  return (y.array() * R.array()).sum();
}

// Checks dx and every parameter gradient of one layer against central differences.
template <typename L>
void gradcheck_layer(const L& pristine, const MatrixD& x, bool training, Index out_rows, std::uint64_t seed = 5) {
  Rng rng{seed};
  const MatrixD R = random_normal<MatrixD>(out_rows, x.cols(), rng);
  L l = pristine;
  MatrixD y, dx;
  l.forward(x, training, y);
  REQUIRE(y.rows() == out_rows);
  l.backward(R, dx);
  // dx
  MatrixD num_dx(x.rows(), x.cols());
  for (Index i = 0; i < x.size(); ++i) {
    MatrixD xp = x, xm = x;
    xp.data()[i] += kH;
    xm.data()[i] -= kH;
    num_dx.data()[i] = (probe_loss<L>(pristine, xp, training, R, {}) - probe_loss<L>(pristine, xm, training, R, {})) / (2 * kH);
  }
  NL_CHECK_CLOSE(dx, num_dx, kAtol, kRtol);
  // parameters
  std::vector<ParamRefT<double>> ps;
  l.params(ps, "p");
  for (std::size_t k = 0; k < ps.size(); ++k) {
    INFO("parameter " << ps[k].name);
    VectorD analytic = Eigen::Map<VectorD>(ps[k].grad, ps[k].size);
    VectorD numeric(ps[k].size);
    for (Index j = 0; j < ps[k].size; ++j) {
      auto bump = [&](double h) {
        return [k, j, h](L& c) {
          std::vector<ParamRefT<double>> q;
          c.params(q, "p");
          q[k].value[j] += h;
        };
      };
      numeric[j] = (probe_loss<L>(pristine, x, training, R, bump(kH)) - probe_loss<L>(pristine, x, training, R, bump(-kH))) / (2 * kH);
    }
    NL_CHECK_CLOSE(analytic, numeric, kAtol, kRtol);
  }
}

MatrixD rand_x(Index rows, Index cols, std::uint64_t seed, double scale = 1.5, double shift = 0.3) {
  Rng rng{seed};
  return (random_normal<MatrixD>(rows, cols, rng).array() * scale + shift).matrix();
}

template <typename L>
void randomize_affine(L& l, std::uint64_t seed) {
  Rng rng{seed};
  l.gamma = (random_normal<VectorD>(l.gamma.size(), 1, rng).array() * 0.3 + 1.0).matrix();
  l.beta = random_normal<VectorD>(l.beta.size(), 1, rng);
}

}  // namespace

TEST_CASE("gradcheck: Linear", "[core][gradcheck]") {
  auto l = LinearT<double>::make(3, 4);
  Rng rng{1};
  l.weight = random_normal<MatrixD>(4, 3, rng);
  l.bias = random_normal<VectorD>(4, 1, rng);
  gradcheck_layer(l, rand_x(3, 5, 2), true, 4);
}

TEST_CASE("gradcheck: activations", "[core][gradcheck]") {
  for (Activation a : {Activation::kIdentity, Activation::kReLU, Activation::kLeakyReLU, Activation::kTanh,
                       Activation::kSigmoid}) {
    INFO("activation " << static_cast<int>(a));
    // Keep inputs away from ReLU's kink at 0 (central differences straddle it otherwise).
    MatrixD x = rand_x(3, 4, 3);
    for (Index i = 0; i < x.size(); ++i)
      if (std::abs(x.data()[i]) < 1e-3) x.data()[i] = 0.5;
    gradcheck_layer(ActivationT<double>::make(a), x, true, 3);
  }
}

TEST_CASE("gradcheck: BatchNorm 1d training through batch statistics", "[core][gradcheck][bn]") {
  auto bn = BatchNormT<double>::make(3, 1, NormOptions{});
  randomize_affine(bn, 4);
  gradcheck_layer(bn, rand_x(3, 6, 5), true, 3);
  // smallest legal batch
  gradcheck_layer(bn, rand_x(3, 2, 6), true, 3);
}

TEST_CASE("gradcheck: BatchNorm eval, affine off, tracking off, 2d", "[core][gradcheck][bn]") {
  auto bn = BatchNormT<double>::make(3, 1, NormOptions{});
  randomize_affine(bn, 7);
  bn.running_mean << 0.2, -0.1, 0.5;
  bn.running_var << 1.5, 0.7, 2.0;
  gradcheck_layer(bn, rand_x(3, 4, 8), false, 3);  // eval: running stats are constants

  NormOptions no_affine;
  no_affine.affine = false;
  gradcheck_layer(BatchNormT<double>::make(3, 1, no_affine), rand_x(3, 5, 9), true, 3);

  NormOptions no_track;
  no_track.track_running_stats = false;
  auto bn3 = BatchNormT<double>::make(3, 1, no_track);
  randomize_affine(bn3, 10);
  gradcheck_layer(bn3, rand_x(3, 5, 11), false, 3);  // eval, but batch statistics

  auto bn2d = BatchNormT<double>::make(2, 6, NormOptions{});  // (N=3, C=2, H=2, W=3)
  randomize_affine(bn2d, 12);
  gradcheck_layer(bn2d, rand_x(12, 3, 13), true, 12);
  gradcheck_layer(bn2d, rand_x(12, 1, 14), true, 12);  // N=1 is fine with H*W > 1
}

TEST_CASE("gradcheck: Batch Renorm with clipped r and d (constants in backprop)", "[core][gradcheck][bn]") {
  NormOptions o;
  o.r_max = 2.0f;
  o.d_max = 1.0f;
  auto brn = BatchRenormT<double>::make(3, 1, o);
  randomize_affine(brn.bn, 15);
  // Running stats far from the batch's: r and d sit at their clipping bounds, so they are
  // locally constant and finite differences see the same function as the analytic backward.
  brn.bn.running_mean << 50.0, -5.0, 50.0;
  brn.bn.running_var << 100.0, 0.01, 100.0;
  gradcheck_layer(brn, rand_x(3, 6, 16), true, 3);
  MatrixD y;
  auto b2 = brn;
  b2.forward(rand_x(3, 6, 16), true, y);
  CHECK(b2.r[0] == Approx(0.5));   // sigma_B/10 clipped up to 1/r_max
  CHECK(b2.r[1] == Approx(2.0));   // sigma_B/0.1 clipped down to r_max
  CHECK(b2.d[0] == Approx(-1.0));  // (mean - 50)/10 clipped to -d_max
  CHECK(b2.d[1] == Approx(1.0));
}

TEST_CASE("gradcheck: LayerNorm and GroupNorm", "[core][gradcheck]") {
  auto ln = GroupNormT<double>::make_layer_norm(4, 1, NormOptions{});
  randomize_affine(ln, 17);
  gradcheck_layer(ln, rand_x(4, 3, 18), true, 4);
  NormOptions o;
  o.groups = 2;
  auto gn = GroupNormT<double>::make_group_norm(4, 3, 2, o);  // C=4, H*W=3, 2 groups
  randomize_affine(gn, 19);
  gradcheck_layer(gn, rand_x(12, 2, 20), true, 12);
  auto ln2d = GroupNormT<double>::make_layer_norm(2, 4, NormOptions{});  // per-element affine (8)
  randomize_affine(ln2d, 21);
  gradcheck_layer(ln2d, rand_x(8, 2, 22), true, 8);
}

TEST_CASE("gradcheck: Conv2d 3x3 and 2x2 pooling", "[core][gradcheck]") {
  auto conv = Conv2dT<double>::make(2, 3, 4, 4);
  Rng rng{23};
  conv.weight = random_normal<MatrixD>(3, 18, rng);
  conv.bias = random_normal<VectorD>(3, 1, rng);
  gradcheck_layer(conv, rand_x(32, 2, 24), true, 48);
  gradcheck_layer(Pool2dT<double>::make(PoolKind::kAverage, 2, 4, 4), rand_x(32, 2, 25), true, 8);
  gradcheck_layer(Pool2dT<double>::make(PoolKind::kMax, 2, 4, 4), rand_x(32, 2, 26), true, 8);
}

TEST_CASE("gradcheck: softmax cross-entropy and MSE", "[core][gradcheck]") {
  const MatrixD logits = rand_x(3, 4, 27);
  const std::vector<int> labels = {0, 2, 1, 2};
  MatrixD d;
  softmax_cross_entropy<double>(logits, labels, &d);
  MatrixD num(3, 4);
  for (Index i = 0; i < logits.size(); ++i) {
    MatrixD p = logits, m = logits;
    p.data()[i] += kH;
    m.data()[i] -= kH;
    num.data()[i] = (softmax_cross_entropy<double>(p, labels, nullptr) - softmax_cross_entropy<double>(m, labels, nullptr)) / (2 * kH);
  }
  NL_CHECK_CLOSE(d, num, kAtol, kRtol);
  const MatrixD target = rand_x(3, 4, 28);
  mse_loss<double>(logits, target, &d);
  for (Index i = 0; i < logits.size(); ++i) {
    MatrixD p = logits, m = logits;
    p.data()[i] += kH;
    m.data()[i] -= kH;
    num.data()[i] = (mse_loss<double>(p, target, nullptr) - mse_loss<double>(m, target, nullptr)) / (2 * kH);
  }
  NL_CHECK_CLOSE(d, num, kAtol, kRtol);
}

namespace {

// Whole-network check: loss = mean cross-entropy of a training-mode forward.
void gradcheck_network(const NetworkT<double>& pristine, const MatrixD& x, const std::vector<int>& labels) {
  auto loss_of = [&](NetworkT<double> net) {
    net.set_training(true);
    auto out = net.forward(x);
    REQUIRE(out.ok());
    return softmax_cross_entropy<double>(*out, labels, nullptr);
  };
  NetworkT<double> net = pristine;
  net.set_training(true);
  auto loss = net.train_batch(x, labels);
  REQUIRE(loss.ok());
  auto ps = net.params();
  Index checked = 0;
  for (std::size_t k = 0; k < ps.size(); ++k) {
    INFO("parameter " << ps[k].name);
    VectorD analytic = Eigen::Map<VectorD>(ps[k].grad, ps[k].size);
    VectorD numeric(ps[k].size);
    for (Index j = 0; j < ps[k].size; ++j) {
      NetworkT<double> a = pristine, b = pristine;
      a.params()[k].value[j] += kH;
      b.params()[k].value[j] -= kH;
      numeric[j] = (loss_of(a) - loss_of(b)) / (2 * kH);
      ++checked;
    }
    NL_CHECK_CLOSE(analytic, numeric, kAtol, kRtol);
  }
  CHECK(checked == net.num_params());
}

}  // namespace

TEST_CASE("gradcheck: whole networks with normalization in training mode", "[core][gradcheck][network]") {
  const MatrixD x = rand_x(2, 6, 29);
  const std::vector<int> labels = {0, 1, 1, 0, 1, 0};
  for (NormKind kind : {NormKind::kBatchNorm, NormKind::kLayerNorm, NormKind::kGroupNorm, NormKind::kNone}) {
    for (NormPlacement place : {NormPlacement::kBeforeActivation, NormPlacement::kAfterActivation}) {
      INFO("norm " << static_cast<int>(kind) << " placement " << static_cast<int>(place));
      NetworkSpec spec;
      spec.hidden = {HiddenLayerSpec{4, Activation::kTanh, kind, place},
                     HiddenLayerSpec{4, Activation::kSigmoid, kind, place}};
      spec.norm.groups = 2;
      auto net = NetworkT<double>::from_spec(spec);
      REQUIRE(net.ok());
      // Non-trivial gamma/beta so their gradients are exercised.
      for (auto& p : net->params())
        if (p.name.find("gamma") != std::string::npos)
          for (Index j = 0; j < p.size; ++j) p.value[j] = 0.8 + 0.1 * static_cast<double>(j);
      gradcheck_network(*net, x, labels);
    }
  }
}

TEST_CASE("gradcheck: small conv net with BatchNorm2d in training mode", "[core][gradcheck][network]") {
  // conv(1->2, 4x4) - BN2d - ReLU - avgpool - Linear(8 -> 3)
  NetworkT<double> net(16);
  Rng rng{30};
  auto conv = Conv2dT<double>::make(1, 2, 4, 4);
  conv.weight = random_normal<MatrixD>(2, 9, rng);
  net.add(conv);
  auto bn = BatchNormT<double>::make(2, 16, NormOptions{});
  randomize_affine(bn, 31);
  net.add(bn);
  net.add(ActivationT<double>::make(Activation::kTanh));
  net.add(Pool2dT<double>::make(PoolKind::kAverage, 2, 4, 4));
  auto lin = LinearT<double>::make(8, 3);
  lin.weight = random_normal<MatrixD>(3, 8, rng);
  net.add(lin);
  gradcheck_network(net, rand_x(16, 3, 32), {0, 2, 1});
}
