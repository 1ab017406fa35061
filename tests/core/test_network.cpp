// Network pieces with hand-computable expectations: optimizers, percentiles, Batch Renorm
// reducing to BatchNorm, spec validation, custom datasets in an Experiment.
#include <catch2/catch.hpp>

#include "core/dataset.h"
#include "core/experiment.h"
#include "core/metrics.h"
#include "test_util.h"

using namespace nl;
using nl::test::random_normal;

namespace {
// One Linear(1 -> 2) network with weight (1, 2)^T... set by hand, gradient set by hand.
Network one_linear(float w0, float w1) {
  Network net(1);
  Linear l = Linear::make(1, 2);
  l.weight << w0, w1;
  net.add(l);
  return net;
}
}  // namespace

TEST_CASE("optimizer: SGD without momentum, with weight decay, by hand", "[core][optimizer]") {
  // p = 1, g = 0.5, wd = 0.1, lr = 0.2: p <- 1 - 0.2*(0.5 + 0.1*1) = 0.88
  Network net = one_linear(1.0f, -2.0f);
  auto& l = std::get<Linear>(net.layers()[0]);
  l.dweight << 0.5f, 0.0f;
  l.dbias << 0.0f, 0.0f;
  OptimizerSpec s;
  s.momentum = 0.0f;
  s.weight_decay = 0.1f;
  s.learning_rate = 0.2f;
  Optimizer opt(s);
  opt.step(net);
  CHECK(l.weight(0, 0) == Approx(0.88f));
  CHECK(l.weight(1, 0) == Approx(-2.0f - 0.2f * (0.1f * -2.0f)));  // = -1.96
}

TEST_CASE("optimizer: a new learning rate keeps the momentum buffer; a new kind resets it", "[core][optimizer]") {
  // SGD, momentum 0.9. Step 1 at lr 0.1 with g = 0.5: buf = 0.5, p = 1 - 0.05 = 0.95.
  // lr -> 0.2, step 2 with g = 1: buf = 0.9*0.5 + 1 = 1.45, p = 0.95 - 0.2*1.45 = 0.66.
  // (A reset buffer would give buf = 1 and p = 0.75.)
  Network net = one_linear(1.0f, 0.0f);
  auto& l = std::get<Linear>(net.layers()[0]);
  l.dbias.setZero();
  OptimizerSpec s;
  s.momentum = 0.9f;
  s.learning_rate = 0.1f;
  Optimizer opt(s);
  l.dweight << 0.5f, 0.0f;
  opt.step(net);
  CHECK(l.weight(0, 0) == Approx(0.95f));
  s.learning_rate = 0.2f;
  opt.set_spec(s);
  l.dweight << 1.0f, 0.0f;
  opt.step(net);
  CHECK(l.weight(0, 0) == Approx(0.66f));
  CHECK(opt.steps() == 2);
  s.kind = OptimizerKind::kAdam;
  opt.set_spec(s);
  CHECK(opt.steps() == 0);
}

TEST_CASE("optimizer: SGD momentum and Adam first steps, by hand", "[core][optimizer]") {
  // SGD momentum 0.9, lr 0.1, constant g = 1: buf 1, then 1.9 -> p = 0 - 0.1 - 0.19 = -0.29
  Network net = one_linear(0.0f, 0.0f);
  auto& l = std::get<Linear>(net.layers()[0]);
  OptimizerSpec s;
  s.learning_rate = 0.1f;
  s.momentum = 0.9f;
  Optimizer opt(s);
  for (int i = 0; i < 2; ++i) {
    l.dweight << 1.0f, 1.0f;
    l.dbias << 0.0f, 0.0f;
    opt.step(net);
  }
  CHECK(l.weight(0, 0) == Approx(-0.29f));
  // Adam's first step moves every parameter with a nonzero gradient by ~lr (m/sqrt(v) = sign g).
  Network net2 = one_linear(0.0f, 0.0f);
  auto& l2 = std::get<Linear>(net2.layers()[0]);
  l2.dweight << 3.0f, -0.001f;
  l2.dbias << 0.0f, 0.0f;
  OptimizerSpec a;
  a.kind = OptimizerKind::kAdam;
  a.learning_rate = 0.01f;
  Optimizer adam(a);
  adam.step(net2);
  CHECK(l2.weight(0, 0) == Approx(-0.01f).epsilon(1e-4));
  CHECK(l2.weight(1, 0) == Approx(0.01f).epsilon(1e-4));  // 0.001/(0.001 + 1e-8) ~ 1
  CHECK(l2.bias[0] == 0.0f);                               // zero gradient: no move
}

TEST_CASE("metrics: percentiles interpolate like numpy", "[core][metrics]") {
  // numpy.percentile([5,1,4,2,3], [15,50,85]) = [1.6, 3.0, 4.4]
  const std::vector<float> v = {5, 1, 4, 2, 3};
  CHECK(percentile(v, 0.15f) == Approx(1.6f));
  CHECK(percentile(v, 0.50f) == Approx(3.0f));
  CHECK(percentile(v, 0.85f) == Approx(4.4f));
  CHECK(percentile({7.0f}, 0.85f) == 7.0f);
}

TEST_CASE("batch renorm: with r_max = 1 and d_max = 0 it is BatchNorm", "[core][bn]") {
  NormOptions o;
  o.r_max = 1.0f;
  o.d_max = 0.0f;
  BatchRenorm brn = BatchRenorm::make(3, 1, o);
  BatchNorm bn = BatchNorm::make(3, 1, o);
  Rng rng{50};
  for (int step = 0; step < 3; ++step) {
    const Matrix x = (random_normal<Matrix>(3, 10, rng).array() * 3.0f + 1.0f).matrix();
    const Matrix dy = random_normal<Matrix>(3, 10, rng);
    Matrix ya, yb, dxa, dxb;
    brn.forward(x, true, ya);
    bn.forward(x, true, yb);
    NL_CHECK_CLOSE(ya, yb, 1e-6, 1e-6);
    brn.backward(dy, dxa);
    bn.backward(dy, dxb);
    NL_CHECK_CLOSE(dxa, dxb, 1e-6, 1e-6);
    NL_CHECK_CLOSE(brn.bn.dgamma, bn.dgamma, 1e-6, 1e-6);
  }
  CHECK(brn.bn.running_var == bn.running_var);
  CHECK(brn.bn.num_batches_tracked == 3);
}

TEST_CASE("batch renorm: eval mode normalizes with running statistics like BatchNorm", "[core][bn]") {
  BatchRenorm brn = BatchRenorm::make(2, 1, NormOptions{});
  brn.bn.running_mean << 1.0f, -1.0f;
  brn.bn.running_var << 4.0f, 0.25f;
  Matrix x(2, 1), y;
  x << 3.0f, 0.0f;
  brn.forward(x, false, y);
  CHECK(y(0, 0) == Approx((3.0 - 1.0) / std::sqrt(4.0 + 1e-5)));
  CHECK(y(1, 0) == Approx((0.0 + 1.0) / std::sqrt(0.25 + 1e-5)));
}

TEST_CASE("network: spec validation errors and layer layout", "[core][network]") {
  NetworkSpec s;
  s.hidden[1].placement = NormPlacement::kAfterActivation;
  auto net = Network::from_spec(s);
  REQUIRE(net.ok());
  // linear, bn, act | linear, act, bn | linear
  REQUIRE(net->layers().size() == 7);
  CHECK(std::holds_alternative<BatchNorm>(net->layers()[1]));
  CHECK(std::holds_alternative<ActivationLayer>(net->layers()[4]));
  CHECK(std::holds_alternative<BatchNorm>(net->layers()[5]));
  CHECK(net->hidden()[1].activation == 4);
  CHECK(net->hidden()[1].norm == 5);
  CHECK(net->layer_name(3) == "linear2");
  CHECK(net->params()[2].name == "bn1.gamma");
  NetworkSpec bad = s;
  bad.hidden[0].width = 0;
  CHECK_FALSE(Network::from_spec(bad).ok());
  bad = s;
  bad.norm.eps = 0.0f;
  CHECK_FALSE(Network::from_spec(bad).ok());
  bad = s;
  bad.norm.momentum = 1.5f;
  CHECK_FALSE(Network::from_spec(bad).ok());
  // Affine off: BatchNorm contributes no parameters.
  NetworkSpec na = s;
  na.norm.affine = false;
  auto net2 = Network::from_spec(na);
  REQUIRE(net2.ok());
  CHECK(net2->params().size() == 6);
}

TEST_CASE("network: He init has the right scale", "[core][network]") {
  NetworkSpec s;
  s.input_width = 2;
  s.hidden = {HiddenLayerSpec{512, Activation::kReLU, NormKind::kNone}};
  auto net = Network::from_spec(s);
  REQUIRE(net.ok());
  const auto& w = std::get<Linear>(net->layers()[0]).weight;  // (512, 2), std sqrt(2/2) = 1
  const double var = w.cast<double>().array().square().mean();
  CHECK(var == Approx(1.0).margin(0.1));
  CHECK(std::get<Linear>(net->layers()[0]).bias.isZero());
}

TEST_CASE("experiment: runs on a CSV-imported dataset", "[core][experiment][csv]") {
  std::string csv = "x,y,label\n";
  Rng rng{60};
  for (int i = 0; i < 60; ++i) {
    const int label = i % 2;
    csv += std::to_string(rng.normal(label ? 1.0f : -1.0f, 0.3f)) + "," + std::to_string(rng.normal(0.0f, 0.3f)) +
           "," + std::to_string(label) + "\n";
  }
  auto data = parse_csv_dataset(csv, 0.25f);
  REQUIRE(data.ok());
  ExperimentSpec spec;
  spec.batch_size = 16;
  auto e = Experiment::create(spec, *data);
  REQUIRE(e.ok());
  CHECK(e->dataset().x_train.cols() == 45);
  for (int i = 0; i < 60; ++i) REQUIRE(e->step().ok());
  CHECK(e->metrics().test_accuracy > 0.9f);
  CHECK(e->metrics().epoch == 30);  // 45 points, batch 16, remainder dropped: 2 steps per epoch
}

TEST_CASE("metrics: selection-based percentiles equal the sorted definition", "[core][metrics]") {
  Rng rng{61};
  std::vector<float> v(1001);
  for (auto& x : v) x = rng.normal();
  std::vector<float> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  // q*(n-1) = 150, 500, 850 exactly: the order statistics themselves.
  const auto p = percentiles(v, {0.15f, 0.5f, 0.85f});
  CHECK(p[0] == Approx(sorted[150]));
  CHECK(p[1] == Approx(sorted[500]));
  CHECK(p[2] == Approx(sorted[850]));
}

TEST_CASE("network: float fast path (kernels) matches the double reference path", "[core][network]") {
  // Same spec -> same initial weights in float and double; one training batch through each.
  NetworkSpec spec;
  spec.hidden = {HiddenLayerSpec{32, Activation::kReLU, NormKind::kBatchNorm},
                 HiddenLayerSpec{32, Activation::kTanh, NormKind::kBatchNorm, NormPlacement::kAfterActivation},
                 HiddenLayerSpec{32, Activation::kSigmoid, NormKind::kLayerNorm}};
  auto nf = Network::from_spec(spec);
  auto nd = NetworkT<double>::from_spec(spec);
  REQUIRE(nf.ok());
  REQUIRE(nd.ok());
  Rng rng{62};
  const Matrix x = random_normal<Matrix>(2, 64, rng);
  std::vector<int> labels(64);
  for (int i = 0; i < 64; ++i) labels[static_cast<std::size_t>(i)] = (x(0, i) * x(1, i) > 0.0f) ? 1 : 0;
  auto lf = nf->train_batch(x, labels);
  auto ld = nd->train_batch(x.cast<double>(), labels);
  REQUIRE(lf.ok());
  REQUIRE(ld.ok());
  CHECK(*lf == Approx(*ld).epsilon(1e-5));
  auto pf = nf->params();
  auto pd = nd->params();
  REQUIRE(pf.size() == pd.size());
  for (std::size_t k = 0; k < pf.size(); ++k) {
    INFO(pf[k].name);
    const Vector gf = Eigen::Map<const Vector>(pf[k].grad, pf[k].size);
    const VectorD gd = Eigen::Map<const VectorD>(pd[k].grad, pd[k].size);
    NL_CHECK_CLOSE(gf, gd, 1e-5, 1e-3);
  }
  // Eval path too, after the running statistics moved once.
  NL_CHECK_CLOSE(nf->infer(x), nd->infer(x.cast<double>()), 1e-5, 1e-4);
}

TEST_CASE("metrics: percentiles in any order and at fractional positions", "[core][metrics]") {
  Rng rng{63};
  std::vector<float> v(977);
  for (auto& x : v) x = rng.normal();
  std::vector<float> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  auto reference = [&](float q) {  // numpy's linear interpolation on the sorted values
    const double pos = static_cast<double>(q) * 976.0;
    const auto lo = static_cast<std::size_t>(pos);
    const double frac = pos - static_cast<double>(lo);
    return sorted[lo] * (1.0 - frac) + sorted[std::min<std::size_t>(lo + 1, 976)] * frac;
  };
  const auto p = percentiles(v, {0.85f, 0.15f, 0.5f, 0.5f, 1.0f, 0.0f, 0.333f});
  const float qs[] = {0.85f, 0.15f, 0.5f, 0.5f, 1.0f, 0.0f, 0.333f};
  for (std::size_t i = 0; i < p.size(); ++i) CHECK(p[i] == Approx(reference(qs[i])).epsilon(1e-6));
}
