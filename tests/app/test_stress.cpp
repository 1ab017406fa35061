// Numerical honesty under stress: every setting at its extremes (learning rate 10, 8 layers of
// 128, tiny eps, batch size 1 and the whole training set, all-identical points) either trains
// or stops with a clear Notice and resets cleanly, and every number the panels format stays
// finite (test_stress_checks.h). Not here: memory limits (test_stress_limits.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "app/actions.h"
#include "app_fixtures.h"
#include "app/builder.h"
#include "app/inspector.h"
#include "test_stress_checks.h"
#include "app/twin_run.h"

namespace nl::app {
namespace {

using testing::first_non_finite;
using testing::first_non_finite_inspector;
using testing::fresh_session;

// Everything a frame would compute for the panels (grid, neuron maps, twin view).
void redraw(Session& s) {
  refresh_grid(s);
  refresh_neuron_maps(s, 0);
  refresh_twin_view(s, 0);
}

void require_all_finite(Session& s) {
  redraw(s);
  INFO("first non-finite: " << first_non_finite(s));
  REQUIRE(first_non_finite(s).empty());
  INFO("inspector: " << first_non_finite_inspector(s));
  REQUIRE(first_non_finite_inspector(s).empty());
}

ExperimentSpec deep_wide_spec() {
  ExperimentSpec spec = default_spec();
  spec.net.hidden.assign(8, HiddenLayerSpec{128, Activation::kReLU, NormKind::kBatchNorm,
                                            NormPlacement::kBeforeActivation});
  spec.data.size = 300;
  return spec;
}

// Trains `steps` steps; either every step succeeded, or training stopped with a Notice that
// names divergence, the model kept its last finite state and Reset starts over cleanly.
void train_or_report_divergence(Session& s, int steps) {
  const std::int64_t start = s.exp().metrics().step;
  apply(s, act::Step{steps});
  require_all_finite(s);
  if (s.exp().diverged()) {
    REQUIRE(s.notice.has_value());
    CHECK(s.notice->message.find("diverged") != std::string::npos);
    CHECK_FALSE(s.playing);
    apply(s, act::Play{});  // refused: says to reset
    CHECK_FALSE(s.playing);
    apply(s, act::Reset{});
    CHECK_FALSE(s.exp().diverged());
    CHECK(s.exp().metrics().step == 0);
    apply(s, act::Step{1});
    CHECK(s.exp().metrics().step == 1);
  } else {
    CHECK(s.exp().metrics().step == start + steps);
  }
  require_all_finite(s);
}

TEST_CASE("stress: learning rate 10 with SGD and Adam trains or stops with a clear notice and resets", "[app][stress]") {
  for (OptimizerKind kind : {OptimizerKind::kSgd, OptimizerKind::kAdam}) {
    for (NormKind norm : {NormKind::kBatchNorm, NormKind::kNone, NormKind::kLayerNorm, NormKind::kBatchRenorm}) {
      ExperimentSpec spec = default_spec();
      spec.optimizer.kind = kind;
      for (auto& h : spec.net.hidden) h.norm = norm;
      Session s = fresh_session(spec);
      apply(s, act::SetLearningRate{10.0f});
      REQUIRE(s.spec.optimizer.learning_rate == 10.0f);
      INFO("optimizer " << static_cast<int>(kind) << " norm " << static_cast<int>(norm));
      train_or_report_divergence(s, 300);
    }
  }
}

TEST_CASE("stress: learning rates beyond 100 or not positive are refused and training goes on", "[app][stress]") {
  Session s = fresh_session();
  apply(s, act::Step{3});
  for (float lr : {0.0f, -1.0f, 100.5f, std::numeric_limits<float>::infinity(), std::nanf("")}) {
    s.notice.reset();
    apply(s, act::SetLearningRate{lr});
    REQUIRE(s.notice.has_value());
    CHECK(s.spec.optimizer.learning_rate == Approx(0.1f));
    CHECK(s.exp().metrics().step == 3);
  }
}

TEST_CASE("stress: 8 hidden layers of 128 units train with finite numbers in every panel", "[app][stress]") {
  Session s = fresh_session(deep_wide_spec());
  apply(s, act::InspectLayer{7});
  apply(s, act::ShowPanel{Panel::kWhyBnHelps});
  train_or_report_divergence(s, 30);
  // The widest layer at a huge learning rate too.
  apply(s, act::SetLearningRate{10.0f});
  train_or_report_divergence(s, 50);
}

TEST_CASE("stress: tiny eps on all-identical inputs keeps x-hat finite", "[app][stress]") {
  for (float eps : {1e-12f, 1e-30f, std::numeric_limits<float>::denorm_min()}) {
    ExperimentSpec spec = default_spec();
    spec.net.norm.eps = eps;
    Session s = fresh_session(spec);
    // Eight identical points, both classes: every feature has zero variance in every batch.
    apply(s, act::ImportPoints{"0.5,0.5,0\n0.5,0.5,1\n0.5,0.5,0\n0.5,0.5,1\n0.5,0.5,0\n0.5,0.5,1\n0.5,0.5,0\n0.5,0.5,1\n"});
    REQUIRE(s.user_data.has_value());
    REQUIRE(s.spec.net.norm.eps == eps);
    apply(s, act::InspectLayer{0});
    const InspectorModel m = inspector_model(s);
    REQUIRE(m.ok);
    CHECK(m.var == 0.0f);
    for (float v : m.xhat) CHECK(v == 0.0f);  // (x - mean) = 0 exactly, times a finite 1/sqrt(eps)
    CHECK(std::isfinite(m.inv_std));
    INFO("eps " << eps);
    train_or_report_divergence(s, 20);
  }
}

TEST_CASE("stress: zero-variance features give x-hat = 0 and y = beta as PyTorch does", "[app][stress]") {
  Session s = fresh_session();
  apply(s, act::ImportPoints{"1,-1,0\n1,-1,1\n1,-1,0\n1,-1,1\n1,-1,0\n1,-1,1\n1,-1,0\n1,-1,1\n"});
  REQUIRE(s.user_data.has_value());
  apply(s, act::InspectLayer{0});
  const InspectorModel m = inspector_model(s);
  REQUIRE(m.ok);
  // By hand (PyTorch's formula): mean = x, var = 0 (biased), inv_std = 1/sqrt(0 + 1e-5)
  // = 316.22777, x̂ = (x - mean) * inv_std = 0, y = gamma * 0 + beta = beta.
  CHECK(m.mean == Approx(m.x[0]));
  CHECK(m.var == 0.0f);
  CHECK(m.inv_std == Approx(316.22777f).epsilon(1e-5));
  for (std::size_t i = 0; i < m.xhat.size(); ++i) {
    CHECK(m.xhat[i] == 0.0f);
    CHECK(m.y[i] == Approx(m.beta));
  }
  // Running variance takes the unbiased batch variance: 0 * m/(m-1) = 0.
  CHECK(m.unbiased_var == 0.0f);
  train_or_report_divergence(s, 30);
}

TEST_CASE("stress: batch size 1 with BatchNorm is refused as in PyTorch and nothing is trained", "[app][stress]") {
  Session s = fresh_session();
  apply(s, act::SetBatchSize{1});
  REQUIRE(s.spec.batch_size == 1);
  apply(s, act::Step{5});
  REQUIRE(s.notice.has_value());
  CHECK(s.exp().metrics().step == 0);
  CHECK_FALSE(s.exp().diverged());
  require_all_finite(s);
  // Without normalization a batch of one trains.
  apply(s, act::SetNormalization{NormKind::kNone});
  s.notice.reset();
  train_or_report_divergence(s, 40);
}

TEST_CASE("stress: batch size equal to the whole training set trains with finite numbers", "[app][stress]") {
  Session s = fresh_session(deep_wide_spec());
  const int n_train = static_cast<int>(s.exp().dataset().x_train.cols());
  apply(s, act::SetBatchSize{n_train});
  REQUIRE(s.spec.batch_size == n_train);
  apply(s, act::SetBatchSize{n_train + 1});  // beyond the set: refused
  CHECK(s.spec.batch_size == n_train);
  train_or_report_divergence(s, 10);
  CHECK(s.exp().metrics().epoch >= 1);
}

TEST_CASE("stress: extreme data settings (8 points, test share 0.9, noise 0.5) train or say why", "[app][stress]") {
  ExperimentSpec spec = default_spec();
  spec.data.size = 20;
  spec.data.test_fraction = 0.9f;
  spec.data.noise = 0.5f;
  spec.batch_size = 2;
  Result<Session> s = make_session(spec);
  REQUIRE(s.ok());
  train_or_report_divergence(*s, 20);
  for (DatasetKind kind : {DatasetKind::kCircles, DatasetKind::kXor, DatasetKind::kSpiral, DatasetKind::kCheckerboard}) {
    apply(*s, act::SetDataset{kind});
    train_or_report_divergence(*s, 10);
  }
}

TEST_CASE("stress: sigmoid and tanh stacks at lr 10 without normalization stay finite", "[app][stress]") {
  for (Activation act_kind : {Activation::kSigmoid, Activation::kTanh, Activation::kIdentity, Activation::kLeakyReLU}) {
    ExperimentSpec spec = deep_wide_spec();
    for (auto& h : spec.net.hidden) {
      h.activation = act_kind;
      h.norm = NormKind::kNone;
    }
    spec.optimizer.learning_rate = 10.0f;
    Session s = fresh_session(spec);
    train_or_report_divergence(s, 40);
  }
}

}  // namespace
}  // namespace nl::app
