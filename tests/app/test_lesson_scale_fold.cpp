// The claims of lessons 1, 2, 3, 8 and 13, checked on the app layer across seeds:
//  1: γ = √(Var[x] + ε), β = E[x] undo the normalization with population (running) statistics,
//     not with batch statistics; a bias added before BN leaves its training output unchanged;
//  2: the finite-difference check agrees with the analytic backward pass;
//  8: scaling a Linear layer's weights by a leaves the BatchNorm'd output unchanged and
//     divides the weight gradient by a (Ioffe & Szegedy 2015, §3.3); without BN a ReLU layer's
//     output scales by exactly a; under plain SGD ‖W‖² grows by ‖ΔW‖² each step (with BN only);
// 13: folding eval-mode BatchNorm into the preceding Linear leaves the outputs unchanged
//     within float rounding and removes operations;
//  3: running statistics move by momentum 0.1 towards the batch mean and the UNBIASED batch
//     variance σ²_B·m/(m−1); training-mode predictions use the batch's own statistics.
// Not here: playing the lesson files (test_lesson_playthrough.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "app/actions.h"
#include "app/lesson.h"
#include "app/lesson_readouts.h"
#include "app_fixtures.h"

namespace nl::app {
namespace {

ExperimentSpec spec_with_seed(std::uint64_t seed, int batch_size = 32) {
  ExperimentSpec spec = default_spec();
  spec.net.seed = seed;
  spec.data.seed = seed;
  spec.shuffle_seed = seed;
  spec.batch_size = batch_size;
  return spec;
}

TEST_CASE("lesson 08-scale-invariance claim: BN output unchanged and gradient ratio 1/a across seeds and factors",
          "[lesson]") {
  CHECK(testing::predicted_answer("08-scale-invariance", 2) == "10 times smaller");  // ratio 1/a below
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    for (float a : {0.5f, 2.0f, 10.0f, 100.0f}) {
      for (int layer : {0, 1}) {
        Session s = testing::fresh_session(spec_with_seed(seed));
        apply(s, act::Step{30});
        apply(s, act::ScaleLayerWeights{layer, a});
        INFO("seed " << seed << " a " << a << " layer " << layer);
        REQUIRE_FALSE(s.notice.has_value());
        REQUIRE(s.lesson.scale.has_value());
        const ScaleRecord& r = *s.lesson.scale;
        CHECK(r.has_batchnorm);
        CHECK(r.factor == a);
        // Outputs: equal up to ε's share of the variance and float rounding.
        // Outputs: equal up to ε's share of the variance and float rounding. Scaling up shrinks
        // ε's share: "a few parts in 10⁵ at most" (lesson 8, step 2, a = 10), at most 10⁻⁴ of
        // the outputs' size. Scaling down grows it (ε/(a²σ²)), so a < 1 gets a looser bound.
        const float tolerance = a >= 1.0f ? 1e-4f : 2e-3f;
        CHECK(r.output_max_diff <= tolerance * std::max(1.0f, r.output_max_abs));
        CHECK(std::abs(r.loss_after - r.loss_before) <= 1e-4f * std::max(1.0f, r.loss_before));
        // ‖∂L/∂(aW)‖ = ‖∂L/∂W‖ / a, and ‖aW‖ = a‖W‖.
        REQUIRE(r.grad_norm_before > 0.0f);
        const float ratio = r.grad_norm_after / r.grad_norm_before;
        CHECK(ratio == Approx(1.0f / a).epsilon(0.01));
        CHECK(r.weight_norm_after / r.weight_norm_before == Approx(a).epsilon(1e-4));
      }
    }
  }
}

TEST_CASE("lesson 08-scale-invariance claim: at the lesson's own step 2 the output moves a few parts in 10^5",
          "[lesson]") {
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{"08-scale-invariance"});
  apply(s, act::LessonNext{});
  REQUIRE(s.lesson.step == 2);
  CHECK_FALSE(s.lesson.scale.has_value());  // the step asks for a prediction first
  apply(s, act::LessonPredictChoice{2});
  REQUIRE(s.lesson.scale.has_value());
  const ScaleRecord& r = *s.lesson.scale;
  INFO("diff " << r.output_max_diff << " of " << r.output_max_abs);
  CHECK(r.factor == 10.0f);
  CHECK(r.output_max_diff <= 1e-4f * std::max(1.0f, r.output_max_abs));
  CHECK(r.grad_norm_after / r.grad_norm_before == Approx(0.1).epsilon(0.01));
}

TEST_CASE("lesson 08-scale-invariance claim: eval predictions unchanged because running statistics are rescaled",
          "[lesson]") {
  for (std::uint64_t seed : {1u, 5u}) {
    Session s = testing::fresh_session(spec_with_seed(seed));
    apply(s, act::Step{50});
    const Matrix& x = s.exp().dataset().x_test;
    const Matrix before = s.exp().predict_proba(x);
    apply(s, act::ScaleLayerWeights{0, 10.0f});
    const Matrix after = s.exp().predict_proba(x);
    INFO("seed " << seed << " max diff " << (after - before).cwiseAbs().maxCoeff());
    CHECK((after - before).cwiseAbs().maxCoeff() < 1e-4f);
  }
}

TEST_CASE("lesson 08-scale-invariance claim: without BatchNorm the same scaling changes the output", "[lesson]") {
  // The lesson's step 5: normalization off, ReLU kept. ReLU(a·z) = a·ReLU(z) for a > 0, so the
  // layer's output scales by exactly a: its largest change is (a − 1) times its largest value.
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    for (float a : {2.0f, 10.0f}) {
      ExperimentSpec spec = spec_with_seed(seed);
      spec.net.hidden[0].norm = NormKind::kNone;
      Session s = testing::fresh_session(spec);
      apply(s, act::Step{30});
      apply(s, act::ScaleLayerWeights{0, a});
      REQUIRE(s.lesson.scale.has_value());
      const ScaleRecord& r = *s.lesson.scale;
      INFO("seed " << seed << " a " << a << " diff " << r.output_max_diff << " max " << r.output_max_abs);
      CHECK_FALSE(r.has_batchnorm);
      REQUIRE(r.output_max_abs > 0.1f);
      CHECK(r.output_max_diff == Approx((a - 1.0f) * r.output_max_abs).epsilon(1e-4));
    }
  }
  // tanh saturates (tanh(a·z) ≤ a·tanh(z) for z, a ≥ 1): the output changes, but by less.
  ExperimentSpec spec = spec_with_seed(3);
  for (auto& h : spec.net.hidden) {
    h.norm = NormKind::kNone;
    h.activation = Activation::kTanh;
  }
  Session s = testing::fresh_session(spec);
  apply(s, act::Step{30});
  apply(s, act::ScaleLayerWeights{0, 10.0f});
  REQUIRE(s.lesson.scale.has_value());
  CHECK_FALSE(s.lesson.scale->has_batchnorm);
  CHECK(s.lesson.scale->output_max_diff > 0.1f);
  CHECK(s.lesson.scale->output_max_diff < 9.0f * s.lesson.scale->output_max_abs);
}

namespace {
// ‖W‖² after one plain SGD step minus before, and ‖ΔW‖², for the first Linear's weight.
struct NormGrowth {
  double growth = 0.0, step_sq = 0.0;
};
NormGrowth first_layer_norm_growth(NormKind norm, std::uint64_t seed) {
  ExperimentSpec spec = spec_with_seed(seed);
  spec.optimizer.momentum = 0.0f;
  spec.optimizer.weight_decay = 0.0f;
  for (auto& h : spec.net.hidden) h.norm = norm;
  Session s = testing::fresh_session(spec);
  apply(s, act::Step{30});
  const Matrix before = std::get<Linear>(s.exp().network().layers()[0]).weight;
  apply(s, act::Step{1});
  const Matrix after = std::get<Linear>(s.exp().network().layers()[0]).weight;
  NormGrowth g;
  g.growth = after.cast<double>().squaredNorm() - before.cast<double>().squaredNorm();
  g.step_sq = (after - before).cast<double>().squaredNorm();
  return g;
}
}  // namespace

TEST_CASE("lesson 08-scale-invariance claim: under plain SGD the norm of W only grows, by the step squared",
          "[lesson]") {
  // ‖W − ηg‖² = ‖W‖² − 2η⟨W, g⟩ + η²‖g‖², and with BatchNorm after the layer ⟨W, g⟩ = 0 (ε aside):
  // ‖W‖² grows by exactly ‖ΔW‖² = η²‖g‖².
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    const NormGrowth bn = first_layer_norm_growth(NormKind::kBatchNorm, seed);
    INFO("seed " << seed << " BN: growth " << bn.growth << " step² " << bn.step_sq);
    REQUIRE(bn.step_sq > 0.0);
    CHECK(bn.growth > 0.0);
    CHECK(bn.growth == Approx(bn.step_sq).epsilon(0.05));
  }
  // Control: without normalization ⟨W, g⟩ ≠ 0, and the norm changes by far more than ‖ΔW‖².
  int far = 0;
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    const NormGrowth plain = first_layer_norm_growth(NormKind::kNone, seed);
    if (std::abs(plain.growth - plain.step_sq) > 0.5 * plain.step_sq) ++far;
  }
  CHECK(far >= 4);
}

TEST_CASE("lesson 08-scale-invariance claim: effective learning rate falls by 1/a squared", "[lesson]") {
  // One SGD step (no momentum) changes W by lr·g: relative to ‖W‖ that is lr‖g‖/‖W‖, which
  // scaling W by a divides by a².
  for (std::uint64_t seed : {2u, 7u}) {
    Session s = testing::fresh_session(spec_with_seed(seed));
    apply(s, act::Step{20});
    apply(s, act::ScaleLayerWeights{1, 4.0f});
    const ScaleRecord& r = *s.lesson.scale;
    const float rel_before = r.grad_norm_before / r.weight_norm_before;
    const float rel_after = r.grad_norm_after / r.weight_norm_after;
    CHECK(rel_after / rel_before == Approx(1.0f / 16.0f).epsilon(0.02));
  }
}

TEST_CASE("lesson 08-scale-invariance: bad layers and factors leave the network alone", "[lesson]") {
  Session s = testing::fresh_session();
  const std::uint64_t version = s.model_version;
  apply(s, act::ScaleLayerWeights{7, 2.0f});
  CHECK(s.notice.has_value());
  apply(s, act::DismissNotice{});
  apply(s, act::ScaleLayerWeights{0, 0.0f});
  CHECK(s.notice.has_value());
  apply(s, act::DismissNotice{});
  apply(s, act::ScaleLayerWeights{0, std::nanf("")});
  CHECK(s.notice.has_value());
  CHECK(s.model_version == version);
  CHECK_FALSE(s.lesson.scale.has_value());
  // Repeated scaling stops before the weights could overflow.
  apply(s, act::DismissNotice{});
  for (int i = 0; i < 20 && !s.notice; ++i) apply(s, act::ScaleLayerWeights{0, 1000.0f});
  REQUIRE(s.notice.has_value());
  const auto& lin = std::get<Linear>(s.exp().network().layers()[0]);
  CHECK(lin.weight.allFinite());
  CHECK(lin.weight.cwiseAbs().maxCoeff() <= 1e6f);
}

TEST_CASE("lesson 13-folding-bn claim: folded outputs equal within float rounding and fewer operations", "[lesson]") {
  CHECK(testing::predicted_answer("13-folding-bn", 2) == "Only by float rounding: no prediction changes");
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    for (int steps : {0, 40, 200}) {
      Session s = testing::fresh_session(spec_with_seed(seed));
      if (steps > 0) apply(s, act::Step{steps});
      const FoldReport r = fold_report(s);
      INFO("seed " << seed << " steps " << steps << " max diff " << r.max_abs_diff << " of " << r.max_abs_logit);
      REQUIRE(r.ok);
      CHECK(r.batchnorms_folded == 2);
      CHECK(r.layers_after == r.layers_before - 2);
      CHECK(r.max_abs_diff <= 1e-5f * std::max(1.0f, r.max_abs_logit));
      CHECK(r.predictions_changed == 0);
      // 2 hidden layers of 8: BN costs 2 operations per feature: 2·(8 + 8) = 32 fewer.
      CHECK(r.ops_before - r.ops_after == 32);
      CHECK(r.numbers_before - r.numbers_after == 4 * 16);
    }
  }
}

TEST_CASE("lesson 13-folding-bn claim: nothing folds without running statistics or after the activation", "[lesson]") {
  ExperimentSpec no_running = default_spec();
  no_running.net.norm.track_running_stats = false;
  Session a = testing::fresh_session(no_running);
  CHECK_FALSE(fold_report(a).ok);
  CHECK(fold_report(a).why.find("running statistics") != std::string::npos);
  ExperimentSpec after = default_spec();
  for (auto& h : after.net.hidden) h.placement = NormPlacement::kAfterActivation;
  Session b = testing::fresh_session(after);
  CHECK_FALSE(fold_report(b).ok);
}

TEST_CASE("lesson 03-train-vs-inference claim: running statistics take momentum 0.1 and the unbiased variance",
          "[lesson]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    for (int m : {4, 8, 16, 32}) {
      Session s = testing::fresh_session(spec_with_seed(seed, m));
      apply(s, act::Step{5});
      const Network before = s.exp().network();
      apply(s, act::Step{1});
      const std::vector<int>& batch = s.exp().last_batch();
      REQUIRE(static_cast<int>(batch.size()) == m);
      // The first BatchNorm's input = the first Linear's output on the batch.
      Matrix xb(2, m);
      for (int i = 0; i < m; ++i) xb.col(i) = s.exp().dataset().x_train.col(batch[static_cast<std::size_t>(i)]);
      const auto& lin = std::get<Linear>(before.layers()[0]);
      const Matrix z = (lin.weight * xb).colwise() + lin.bias;  // (8, m)
      const auto& bn_before = std::get<BatchNorm>(before.layers()[1]);
      const auto& bn_after = std::get<BatchNorm>(s.exp().network().layers()[1]);
      for (Index f = 0; f < z.rows(); ++f) {
        const double mean = z.row(f).cast<double>().mean();
        const double biased = (z.row(f).cast<double>().array() - mean).square().mean();
        const double unbiased = biased * m / (m - 1);
        INFO("seed " << seed << " m " << m << " feature " << f);
        CHECK(bn_after.running_mean[f] == Approx(0.9 * bn_before.running_mean[f] + 0.1 * mean).margin(1e-5));
        CHECK(bn_after.running_var[f] == Approx(0.9 * bn_before.running_var[f] + 0.1 * unbiased).epsilon(1e-4));
      }
      CHECK(bn_after.num_batches_tracked == bn_before.num_batches_tracked + 1);
    }
  }
}

TEST_CASE("lesson 03-train-vs-inference claim: eval accuracy matches the session and one-class batches hurt", "[lesson]") {
  CHECK(testing::predicted_answer("03-train-vs-inference", 5) == "Much lower: 15 points or more");  // `hurt` below
  // The lesson's own setup: batch size 16 (its preset), 300 steps (1 in the preset + 299 in step 4).
  int hurt = 0, milder = 0;
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    Session s = testing::fresh_session(spec_with_seed(seed, 16));
    apply(s, act::Step{300});
    const TrainVsEvalReport r = train_vs_eval_report(s);
    REQUIRE(r.ok);
    INFO("seed " << seed << " eval " << r.eval_accuracy << " train-mode " << r.train_mode_accuracy << " one-class "
                 << r.one_class_batches_accuracy);
    CHECK(r.eval_accuracy == Approx(s.exp().metrics().test_accuracy).margin(1e-6));
    CHECK(r.eval_accuracy > 0.8f);
    // Normalizing each one-class batch by its own statistics removes what tells the classes
    // apart (the batch mean): far worse than eval mode.
    if (r.one_class_batches_accuracy < r.eval_accuracy - 0.15f) ++hurt;
    // One shuffled batch of the whole test set resembles the training data: less damage.
    if (r.train_mode_accuracy > r.one_class_batches_accuracy) ++milder;
  }
  CHECK(hurt >= 4);
  CHECK(milder >= 4);

  // The control: the same network without BatchNorm. Nothing in it depends on the batch, so
  // one-class batches, one batch of the whole test set and eval mode give the same answers.
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    ExperimentSpec spec = spec_with_seed(seed, 16);
    for (HiddenLayerSpec& h : spec.net.hidden) h.norm = NormKind::kNone;
    Session s = testing::fresh_session(spec);
    apply(s, act::Step{300});
    const TrainVsEvalReport r = train_vs_eval_report(s);
    REQUIRE(r.ok);
    INFO("control without BN, seed " << seed << " eval " << r.eval_accuracy << " one-class " << r.one_class_batches_accuracy);
    CHECK(r.one_class_batches_accuracy == r.eval_accuracy);
    CHECK(r.train_mode_accuracy == r.eval_accuracy);
  }
}

TEST_CASE("lesson 01-what-bn-computes claim: gamma and beta undo the normalization only with population statistics",
          "[lesson]") {
  // The lesson's setup: two moons, batch 8, 20 steps; the first BatchNorm on the last batch.
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    ExperimentSpec spec = spec_with_seed(seed, 8);
    spec.data.kind = DatasetKind::kTwoMoons;
    Session s = testing::fresh_session(spec);
    apply(s, act::Step{20});
    const std::vector<int>& batch = s.exp().last_batch();
    Matrix xb(2, static_cast<Index>(batch.size()));
    for (std::size_t i = 0; i < batch.size(); ++i) xb.col(static_cast<Index>(i)) = s.exp().dataset().x_train.col(batch[i]);
    const auto& lin = std::get<Linear>(s.exp().network().layers()[0]);
    const Matrix z = (lin.weight * xb).colwise() + lin.bias;
    const float scale = std::max(1.0f, z.cwiseAbs().maxCoeff());
    BatchNorm bn = std::get<BatchNorm>(s.exp().network().layers()[1]);
    // γ = √(Var[x] + ε), β = E[x] with the population estimates (the running statistics).
    bn.gamma = (bn.running_var.array() + bn.eps).sqrt().matrix();
    bn.beta = bn.running_mean;
    Matrix y_eval, y_train;
    bn.forward(z, false, y_eval);  // normalized with the same statistics γ and β were set from
    bn.forward(z, true, y_train);  // normalized with this batch's own μ_B and σ²_B
    INFO("seed " << seed << " eval diff " << (y_eval - z).cwiseAbs().maxCoeff() << " train diff "
                 << (y_train - z).cwiseAbs().maxCoeff() << " of " << scale);
    CHECK((y_eval - z).cwiseAbs().maxCoeff() <= 1e-5f * scale);
    CHECK((y_train - z).cwiseAbs().maxCoeff() > 1e-2f * scale);  // fixed γ, β cannot follow the batch
  }
}

TEST_CASE("lesson 01-what-bn-computes claim: x-hat has mean 0 and a variance just under 1", "[lesson]") {
  CHECK(testing::predicted_answer("01-what-bn-computes", 5) == "Just under 1");
  // The lesson's setup: two moons, batch 8, 20 steps; x̂ of the first BatchNorm's feature 1.
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    ExperimentSpec spec = spec_with_seed(seed, 8);
    spec.data.kind = DatasetKind::kTwoMoons;
    Session s = testing::fresh_session(spec);
    apply(s, act::Step{20});
    const BatchNorm& bn = std::get<BatchNorm>(s.exp().network().layers()[1]);
    REQUIRE(bn.xhat.cols() == 8);
    const Eigen::ArrayXd xhat = bn.xhat.row(0).transpose().cast<double>().array();
    const double mean = xhat.mean(), var = (xhat - mean).square().mean();
    const double expected = static_cast<double>(bn.var(0)) / (static_cast<double>(bn.var(0)) + static_cast<double>(bn.eps));
    INFO("seed " << seed << " mean " << mean << " variance " << var << " expected " << expected);
    CHECK(std::abs(mean) < 1e-6);
    CHECK(var < 1.0);
    CHECK(var == Approx(expected).epsilon(1e-6));
  }
}

TEST_CASE("lesson 01-what-bn-computes claim: a bias right before BatchNorm changes nothing in training", "[lesson]") {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    ExperimentSpec spec = spec_with_seed(seed, 8);
    spec.data.kind = DatasetKind::kTwoMoons;
    Session s = testing::fresh_session(spec);
    apply(s, act::Step{20});
    const Matrix& x = s.exp().dataset().x_train;
    const Matrix xb = x.leftCols(8);
    const auto& lin = std::get<Linear>(s.exp().network().layers()[0]);
    const Matrix z = (lin.weight * xb).colwise() + lin.bias;
    Vector shift(z.rows());
    for (Index f = 0; f < shift.size(); ++f) shift(f) = 3.0f - 0.7f * static_cast<float>(f);  // another bias
    const Matrix z_shifted = z.colwise() + shift;
    BatchNorm bn = std::get<BatchNorm>(s.exp().network().layers()[1]);
    Matrix y, y_shifted;
    bn.forward(z, true, y);
    bn.forward(z_shifted, true, y_shifted);
    INFO("seed " << seed << " max diff " << (y_shifted - y).cwiseAbs().maxCoeff());
    CHECK((y_shifted - y).cwiseAbs().maxCoeff() <= 1e-4f * std::max(1.0f, y.cwiseAbs().maxCoeff()));
  }
}

TEST_CASE("lesson 02-backprop-through-bn claim: the finite-difference check agrees with backprop", "[lesson]") {
  CHECK(testing::predicted_answer("02-backprop-through-bn", 8) == "10⁻⁶ or less");  // asserted below
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    Session s = testing::fresh_session(spec_with_seed(seed, 8));
    apply(s, act::Step{20});
    apply(s, act::CheckGradients{});
    REQUIRE(s.inspector.grad_check.has_value());
    REQUIRE_FALSE(s.inspector.grad_check->entries.empty());
    INFO("seed " << seed << " max relative error " << s.inspector.grad_check->max_rel_error);
    CHECK(s.inspector.grad_check->max_rel_error < 1e-6);  // the lesson says "around 10⁻⁶ or below"
  }
}

TEST_CASE("lesson 03-train-vs-inference claim: a batch of one cannot train with BatchNorm", "[lesson]") {
  Session s = testing::fresh_session();
  apply(s, act::SetBatchSize{1});
  const std::int64_t step = testing::step_of(s);
  apply(s, act::Step{1});
  CHECK(testing::step_of(s) == step);
  REQUIRE(s.notice.has_value());
}

}  // namespace
}  // namespace nl::app
