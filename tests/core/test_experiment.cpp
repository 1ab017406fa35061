// Experiment facade: create/validate, steps, learning, determinism, divergence restore.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/experiment.h"
#include "test_util.h"

using namespace nl;

TEST_CASE("experiment: default spec trains and loss goes down", "[core][experiment]") {
  ExperimentSpec spec;
  auto e = Experiment::create(spec);
  REQUIRE(e.ok());
  CHECK(e->metrics().step == 0);
  float first = 0.0f;
  for (int i = 0; i < 200; ++i) {
    auto m = e->step();
    REQUIRE(m.ok());
    if (i == 0) first = m->train_loss;
  }
  CHECK(e->history().size() == 200);
  CHECK(e->metrics().step == 200);
  CHECK(e->metrics().train_loss < 0.5f * first);
  CHECK(e->metrics().train_accuracy > 0.9f);
  CHECK(e->metrics().epoch == 200 / (150 / 32));  // 150 training points: 4 full batches per epoch
  const Matrix p = e->predict_proba(e->dataset().x_test);
  REQUIRE(p.rows() == 2);
  for (Index n = 0; n < p.cols(); ++n) CHECK(p.col(n).sum() == Approx(1.0f).epsilon(1e-5));
}

TEST_CASE("experiment: same spec gives bit-identical results", "[core][experiment][determinism]") {
  ExperimentSpec spec;
  spec.optimizer.kind = OptimizerKind::kAdam;
  spec.optimizer.learning_rate = 0.01f;
  auto a = Experiment::create(spec), b = Experiment::create(spec);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  for (int i = 0; i < 50; ++i) {
    auto ma = a->step(), mb = b->step();
    REQUIRE(ma.ok());
    REQUIRE(mb.ok());
    CHECK(ma->batch_loss == mb->batch_loss);
    CHECK(ma->test_loss == mb->test_loss);
  }
  auto pa = a->network().params(), pb = b->network().params();
  REQUIRE(pa.size() == pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i)
    for (Index k = 0; k < pa[i].size; ++k) CHECK(pa[i].value[k] == pb[i].value[k]);
}

TEST_CASE("experiment: invalid specs are errors with a hint", "[core][experiment]") {
  ExperimentSpec spec;
  spec.net.output_width = 3;
  auto e = Experiment::create(spec);
  REQUIRE_FALSE(e.ok());
  CHECK_FALSE(e.error().hint.empty());
  spec = ExperimentSpec{};
  spec.optimizer.learning_rate = -1.0f;
  CHECK_FALSE(Experiment::create(spec).ok());
  spec = ExperimentSpec{};
  spec.net.norm.groups = 3;
  spec.net.hidden[0].norm = NormKind::kGroupNorm;
  CHECK_FALSE(Experiment::create(spec).ok());
}

TEST_CASE("experiment: batch of one with BatchNorm is an error that changes nothing", "[core][experiment]") {
  ExperimentSpec spec;
  spec.batch_size = 1;
  auto e = Experiment::create(spec);
  REQUIRE(e.ok());
  const auto before = std::get<BatchNorm>(e->network().layers()[1]);
  auto m = e->step();
  REQUIRE_FALSE(m.ok());
  CHECK(e->history().empty());
  const auto& after = std::get<BatchNorm>(e->network().layers()[1]);
  CHECK(after.num_batches_tracked == before.num_batches_tracked);
  CHECK(after.running_mean == before.running_mean);
  // Without normalization a batch of one is fine.
  for (auto& h : spec.net.hidden) h.norm = NormKind::kNone;
  auto e2 = Experiment::create(spec);
  REQUIRE(e2.ok());
  CHECK(e2->step().ok());
}

TEST_CASE("experiment: a step producing Inf/NaN restores the model and stops training", "[core][experiment]") {
  ExperimentSpec spec;
  for (auto& h : spec.net.hidden) h.norm = NormKind::kNone;
  auto e = Experiment::create(spec);
  REQUIRE(e.ok());
  REQUIRE(e->step().ok());
  // Poison the output layer so the next loss overflows.
  auto& out = std::get<Linear>(e->network().layers().back());
  out.weight.array() *= 1e38f;
  out.weight(0, 0) = 3e38f;
  const Matrix w_before = out.weight;
  auto m = e->step();
  REQUIRE_FALSE(m.ok());
  CHECK(e->diverged());
  CHECK(e->history().size() == 1);
  CHECK(std::get<Linear>(e->network().layers().back()).weight == w_before);
  CHECK_FALSE(e->step().ok());
}

TEST_CASE("experiment: layer metrics per hidden layer and output", "[core][experiment][metrics]") {
  ExperimentSpec spec;
  auto e = Experiment::create(spec);
  REQUIRE(e.ok());
  auto m = e->step();
  REQUIRE(m.ok());
  REQUIRE(m->layers.size() == spec.net.hidden.size() + 1);
  for (const auto& l : m->layers) {
    CHECK(l.grad_norm > 0.0f);
    CHECK(l.weight_norm > 0.0f);
    CHECK(l.preact_p15 <= l.preact_p50);
    CHECK(l.preact_p50 <= l.preact_p85);
    CHECK(l.preact_std > 0.0f);
  }
  CHECK(m->layers.back().name == "output");
}

TEST_CASE("experiment: metrics interval measures every n-th step and leaves training unchanged", "[core][experiment][metrics]") {
  ExperimentSpec spec;
  auto a = Experiment::create(spec), b = Experiment::create(spec);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  b->set_metrics_interval(5);
  for (int i = 0; i < 12; ++i) {
    REQUIRE(a->step().ok());
    REQUIRE(b->step().ok());
  }
  const auto& ha = a->history();
  const auto& hb = b->history();
  for (int i = 0; i < 12; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    CHECK(ha[k].metrics_step == i + 1);
    CHECK(hb[k].batch_loss == ha[k].batch_loss);  // same training trajectory
  }
  CHECK(hb[0].metrics_step == 1);   // the first step is always measured
  CHECK(hb[3].metrics_step == 1);
  CHECK(hb[3].train_loss == ha[0].train_loss);
  CHECK(hb[4].metrics_step == 5);
  CHECK(hb[4].train_loss == ha[4].train_loss);
  CHECK(hb[11].metrics_step == 10);
  CHECK(hb[11].test_accuracy == ha[9].test_accuracy);
}

TEST_CASE("experiment: no accepted step has a loss that is not a number (huge learning rate)", "[core][experiment]") {
  // Identity activations, no normalization, lr 100 with momentum 0.99: the weights grow by
  // ~1e12 per step and the eval logits overflow while the weights are still finite. The
  // step that overflows must be the one refused, not the one after it.
  ExperimentSpec spec;
  spec.optimizer.learning_rate = 100.0f;
  spec.optimizer.momentum = 0.99f;
  spec.net.hidden = {HiddenLayerSpec{64, Activation::kIdentity, NormKind::kNone, NormPlacement::kBeforeActivation},
                     HiddenLayerSpec{64, Activation::kIdentity, NormKind::kNone, NormPlacement::kBeforeActivation}};
  auto e = Experiment::create(spec);
  REQUIRE(e.ok());
  int accepted = 0;
  for (int i = 0; i < 200 && !e->diverged(); ++i) {
    if (!e->step().ok()) break;
    ++accepted;
    const StepMetrics& m = e->metrics();
    INFO("step " << m.step << ": train loss " << m.train_loss << ", test loss " << m.test_loss);
    REQUIRE(std::isfinite(m.train_loss));
    REQUIRE(std::isfinite(m.test_loss));
    REQUIRE(std::isfinite(m.batch_loss));
  }
  CHECK(e->diverged());
  CHECK(accepted >= 1);
  for (const StepMetrics& m : e->history()) CHECK(std::isfinite(m.train_loss));
}

TEST_CASE("experiment: the divergence restore brings back every parameter, gradient and BN buffer", "[core][experiment]") {
  ExperimentSpec spec;  // BatchNorm in every hidden layer: running statistics change in a training forward
  for (auto& h : spec.net.hidden) h.norm = NormKind::kBatchNorm;
  auto e = Experiment::create(spec);
  REQUIRE(e.ok());
  for (int i = 0; i < 3; ++i) REQUIRE(e->step().ok());  // the kept backup has seen earlier shapes
  auto& out = std::get<Linear>(e->network().layers().back());
  out.weight.array() *= 1e38f;  // the next loss overflows
  out.weight(0, 0) = 3e38f;
  Network before = e->network();
  REQUIRE_FALSE(e->step().ok());
  REQUIRE(e->diverged());
  auto a = e->network().params();
  auto b = before.params();
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    INFO(a[k].name);
    for (Index i = 0; i < a[k].size; ++i) {
      REQUIRE(a[k].value[i] == b[k].value[i]);
      REQUIRE(a[k].grad[i] == b[k].grad[i]);
    }
  }
  for (std::size_t l = 0; l < before.layers().size(); ++l) {
    if (const auto* bn = std::get_if<BatchNorm>(&before.layers()[l])) {
      const auto& now = std::get<BatchNorm>(e->network().layers()[l]);
      CHECK(now.running_mean == bn->running_mean);
      CHECK(now.running_var == bn->running_var);
      CHECK(now.num_batches_tracked == bn->num_batches_tracked);
      CHECK(now.xhat == bn->xhat);
    }
  }
}

TEST_CASE("experiment: the optimizer leaves the gradients as backward left them", "[core][experiment]") {
  // Experiment::step takes the gradient norms after Optimizer::step: this is what makes them
  // this step's gradients.
  for (const OptimizerKind kind : {OptimizerKind::kSgd, OptimizerKind::kAdam}) {
    ExperimentSpec spec;
    spec.optimizer.kind = kind;
    spec.optimizer.momentum = kind == OptimizerKind::kSgd ? 0.9f : 0.0f;
    spec.optimizer.weight_decay = 0.01f;
    auto e = Experiment::create(spec);
    REQUIRE(e.ok());
    REQUIRE(e->step().ok());
    Network& net = e->network();
    Matrix x(2, 4);
    x << 0.1f, -0.4f, 0.9f, 0.3f, 0.5f, 0.2f, -0.7f, 0.0f;
    net.set_training(true);
    REQUIRE(net.train_batch(x, {0, 1, 1, 0}).ok());
    std::vector<std::vector<float>> before;
    for (const auto& p : net.params()) before.emplace_back(p.grad, p.grad + p.size);
    Optimizer opt{spec.optimizer};
    opt.step(net);
    opt.step(net);  // the second uses the momentum / moment buffers
    auto params = net.params();
    for (std::size_t k = 0; k < params.size(); ++k) {
      INFO(params[k].name);
      CHECK(std::vector<float>(params[k].grad, params[k].grad + params[k].size) == before[k]);
    }
  }
}
