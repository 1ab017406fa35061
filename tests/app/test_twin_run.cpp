// The Why panel's twin run: identical start, lockstep, bit-identical to an independently
// built Experiment, percentile records, gradient norms, BN cache bytes, rebuilds, divergence.
#include <algorithm>
#include <cmath>
#include <variant>

#include "app_fixtures.h"
#include "app/twin_run.h"
#include "core/twin.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;
using nl::app::testing::step_of;

namespace {

ExperimentSpec plain_spec() {
  ExperimentSpec spec = default_spec();
  for (HiddenLayerSpec& h : spec.net.hidden) h.norm = NormKind::kNone;
  return spec;
}

std::vector<Matrix> linear_weights(const Network& net) {
  std::vector<Matrix> out;
  for (const Layer& l : net.layers()) {
    if (const auto* lin = std::get_if<Linear>(&l)) out.push_back(lin->weight);
  }
  return out;
}

}  // namespace

TEST_CASE("twin: main with BN gets a twin without, identical Linear weights at step 0", "[app][twin]") {
  Session s = fresh_session();
  ensure_twin(s);
  REQUIRE(s.twin.twin.has_value());
  CHECK_FALSE(s.twin.twin_has_norm);
  CHECK(with_norm(s) == &s.exp());
  CHECK(without_norm(s) == &*s.twin.twin);
  for (const HiddenLayerSpec& h : s.twin.twin->spec().net.hidden) CHECK(h.norm == NormKind::kNone);
  const std::vector<Matrix> a = linear_weights(s.exp().network());
  const std::vector<Matrix> b = linear_weights(s.twin.twin->network());
  REQUIRE(a.size() == 3);  // two hidden layers + output
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == b[i]);
}

TEST_CASE("twin: main without norm gets a BatchNorm twin", "[app][twin]") {
  Session s = fresh_session(plain_spec());
  ensure_twin(s);
  REQUIRE(s.twin.twin.has_value());
  CHECK(s.twin.twin_has_norm);
  for (const HiddenLayerSpec& h : s.twin.twin->spec().net.hidden) CHECK(h.norm == NormKind::kBatchNorm);
  CHECK(with_norm(s) == &*s.twin.twin);
}

TEST_CASE("twin: stays in lockstep with the main experiment (steps and batch order)", "[app][twin]") {
  Session s = fresh_session();
  for (int i = 0; i < 40; ++i) {
    apply(s, act::Step{1});
    REQUIRE(s.twin.twin.has_value());
    REQUIRE(s.twin.twin->metrics().step == step_of(s));
    REQUIRE(s.twin.twin->last_batch() == s.exp().last_batch());
  }
  CHECK(step_of(s) == 40);
}

TEST_CASE("twin: the BN twin is bit-identical to an independently built Experiment", "[app][twin]") {
  Session s = fresh_session(plain_spec());
  apply(s, act::Step{30});
  REQUIRE(s.twin.twin.has_value());
  Result<Experiment> ref = Experiment::create(twin_spec_for(plain_spec()));
  REQUIRE(ref.ok());
  for (int i = 0; i < 30; ++i) REQUIRE(ref->step().ok());
  const StepMetrics& a = s.twin.twin->metrics();
  const StepMetrics& b = ref->metrics();
  CHECK(a.step == b.step);
  CHECK(a.train_loss == b.train_loss);  // bit-identical, not approximately
  CHECK(a.test_loss == b.test_loss);
  CHECK(a.batch_loss == b.batch_loss);
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t l = 0; l < a.layers.size(); ++l) {
    CHECK(a.layers[l].grad_norm == b.layers[l].grad_norm);
    CHECK(a.layers[l].preact_p50 == b.layers[l].preact_p50);
  }
  // And the plain main run equals the core's own TwinExperiment's plain twin.
  Result<TwinExperiment> core_twin = TwinExperiment::create(twin_spec_for(plain_spec()));
  REQUIRE(core_twin.ok());
  for (int i = 0; i < 30; ++i) REQUIRE(core_twin->step().ok());
  CHECK(core_twin->plain().metrics().train_loss == s.exp().metrics().train_loss);
  CHECK(core_twin->normalized().metrics().train_loss == a.train_loss);
}

TEST_CASE("twin: percentile records have one entry per step, 15th <= 50th <= 85th", "[app][twin]") {
  Session s = fresh_session();
  apply(s, act::Step{25});
  for (const PercentileRecord* r : {&with_norm_pct(s), &without_norm_pct(s)}) {
    REQUIRE(r->steps.size() == 26);  // step 0 (initial weights) and one per step
    for (std::size_t i = 0; i < r->steps.size(); ++i) CHECK(r->steps[i] == static_cast<float>(i));
    for (int layer = 0; layer < 2; ++layer) {
      for (int unit = 0; unit < 8; ++unit) {
        const UnitSeries u = unit_series(*r, layer, unit);
        REQUIRE(u.p50.size() == 26);
        for (std::size_t i = 0; i < u.p50.size(); ++i) {
          REQUIRE(std::isfinite(u.p15[i]));
          REQUIRE(u.p15[i] <= u.p50[i]);
          REQUIRE(u.p50[i] <= u.p85[i]);
        }
      }
    }
    CHECK(unit_series(*r, 2, 0).steps.empty());  // no such layer
    CHECK(unit_series(*r, 0, 8).steps.empty());  // no such unit
  }
  // Two different networks: their distributions differ after training.
  CHECK(unit_series(with_norm_pct(s), 0, 0).p85.back() != unit_series(without_norm_pct(s), 0, 0).p85.back());
}

TEST_CASE("twin: percentile records stay bounded on long runs (every other sample dropped)", "[app][twin]") {
  Session s = fresh_session();
  ensure_twin(s);
  const std::size_t cap = s.twin.main_pct.capacity;
  apply(s, act::Step{static_cast<int>(cap) + 10});
  CHECK(s.twin.main_pct.steps.size() <= cap);
  CHECK(s.twin.main_pct.stride == 2);
  CHECK(s.twin.main_pct.steps.back() == static_cast<float>(step_of(s) - step_of(s) % 2));
}

TEST_CASE("twin: gradient norms of both networks are finite and positive", "[app][twin]") {
  Session s = fresh_session();
  apply(s, act::Step{20});
  for (const Experiment* e : {with_norm(s), without_norm(s)}) {
    REQUIRE(e != nullptr);
    REQUIRE(e->history().size() == 20);
    for (const StepMetrics& m : e->history()) {
      for (const LayerMetrics& l : m.layers) {
        CHECK(std::isfinite(l.grad_norm));
        CHECK(l.grad_norm > 0.0f);
      }
    }
  }
}

TEST_CASE("twin: BN cache bytes equal the hand-computed size for the default net", "[app][twin]") {
  Session s = fresh_session();
  CHECK(bn_cache_bytes(s.exp().network()).at(0).bytes == 0);  // nothing cached before a step
  apply(s, act::Step{1});
  const std::vector<BnCacheBytes> bytes = bn_cache_bytes(s.exp().network());
  REQUIRE(bytes.size() == 2);
  // Per BN layer: x̂ (C=8 x N=32) + mean, var, inv_std (C=8 each) floats = (256 + 24) * 4 = 1120.
  const std::size_t c = 8, n = static_cast<std::size_t>(default_spec().batch_size);
  CHECK(bytes[0].name == "bn1");
  CHECK(bytes[1].name == "bn2");
  CHECK(bytes[0].bytes == (c * n + 3 * c) * sizeof(float));
  CHECK(bytes[0].bytes == 1120);
  CHECK(bytes[1].bytes == 1120);
  // Backward needs only x̂ and inv_std: (256 + 8) * 4 = 1056 (lesson 14 shows both).
  CHECK(bytes[0].needed == (c * n + c) * sizeof(float));
  CHECK(bytes[0].needed == 1056);
  CHECK(bytes[1].needed == 1056);
  CHECK(bn_cache_bytes(s.twin.twin->network()).empty());  // the plain twin has no BN
}

TEST_CASE("twin: rebuilds when settings change, steps timed", "[app][twin]") {
  Session s = fresh_session();
  apply(s, act::Step{5});
  CHECK(s.twin.main_step_ms > 0.0);
  CHECK(s.twin.twin_step_ms > 0.0);
  apply(s, act::SetNormalization{NormKind::kNone});
  REQUIRE(s.twin.twin.has_value());
  CHECK(s.twin.twin_has_norm);
  CHECK(s.twin.twin->metrics().step == 0);
  CHECK(s.twin.main_pct.steps.size() == 1);
  apply(s, act::SetBatchSize{16});
  REQUIRE(s.twin.twin.has_value());
  CHECK(s.twin.twin->spec().batch_size == 16);
  apply(s, act::Step{3});
  CHECK(s.twin.twin->metrics().step == 3);
}

TEST_CASE("twin: divergence is reported with its step, the other network goes on", "[app][twin]") {
  ExperimentSpec spec = plain_spec();
  // Linear activations at lr 10: the plain net blows up within ~10 steps; its BN twin does not.
  for (HiddenLayerSpec& h : spec.net.hidden) h.activation = Activation::kIdentity;
  spec.optimizer.learning_rate = 10.0f;
  Session s = fresh_session(spec);
  for (int i = 0; i < 200 && !s.exp().diverged(); ++i) apply(s, act::Step{1});
  REQUIRE(s.exp().diverged());
  CHECK(s.twin.main_diverged_at == step_of(s) + 1);
  CHECK_FALSE(s.playing);
  CHECK(s.twin.twin_diverged_at < 0);
  CHECK(s.twin.twin->metrics().step == step_of(s));
}

TEST_CASE("twin: why-panel actions select sub-view and unit, refuse bad units", "[app][twin]") {
  Session s = fresh_session();
  apply(s, act::SetWhyView{WhyView::kGradients});
  CHECK(s.view.why_view == WhyView::kGradients);
  apply(s, act::SelectWhyUnit{1, 7});
  CHECK(s.view.why_layer == 1);
  CHECK(s.view.why_unit == 7);
  apply(s, act::SelectWhyUnit{1, 8});
  CHECK(s.view.why_unit == 7);
  CHECK(s.notice.has_value());
  apply(s, act::SelectWhyUnit{2, 0});
  CHECK(s.view.why_layer == 1);
}

TEST_CASE("twin: the view refresh computes both grids and probe pre-activations", "[app][twin]") {
  Session s = fresh_session();
  apply(s, act::Step{10});
  refresh_twin_view(s, 1);
  const std::size_t cells = static_cast<std::size_t>(s.twin.grid_resolution) * s.twin.grid_resolution;
  REQUIRE(s.twin.main_grid.size() == cells);
  REQUIRE(s.twin.twin_grid.size() == cells);
  CHECK(s.twin.main_grid != s.twin.twin_grid);
  for (float p : s.twin.main_grid) REQUIRE((p >= 0.0f && p <= 1.0f));
  REQUIRE(s.twin.main_preact.size() == 2);
  CHECK(s.twin.main_preact[0].size() == 8u * 225u);  // 8 units x probe (225 training points)
  CHECK(s.twin.view_version == s.model_version);
}

TEST_CASE("twin: post-activations are the activation of the pre-activations; the side is view state", "[app][twin]") {
  Session s = fresh_session();  // ReLU everywhere
  apply(s, act::Step{10});
  refresh_twin_view(s, 1);
  REQUIRE(s.twin.main_postact.size() == s.twin.main_preact.size());
  REQUIRE(s.twin.twin_postact.size() == s.twin.twin_preact.size());
  for (const auto* pair : {&s.twin.main_preact, &s.twin.twin_preact}) {
    const auto& pre = *pair;
    const auto& post = pair == &s.twin.main_preact ? s.twin.main_postact : s.twin.twin_postact;
    for (std::size_t l = 0; l < pre.size(); ++l) {
      REQUIRE(post[l].size() == pre[l].size());
      for (std::size_t i = 0; i < pre[l].size(); ++i) REQUIRE(post[l][i] == std::max(pre[l][i], 0.0f));
    }
  }
  CHECK_FALSE(s.view.why_post_activation);
  apply(s, act::SetWhyHistogramSide{true});
  CHECK(s.view.why_post_activation);
}

TEST_CASE("twin: follows optimizer changes made without a rebuild", "[app][twin]") {
  Session s = fresh_session();
  apply(s, act::Step{3});
  OptimizerSpec o = s.spec.optimizer;
  o.learning_rate = 0.05f;
  apply(s, act::SetOptimizer{o});
  apply(s, act::Step{2});
  REQUIRE(s.twin.twin.has_value());
  CHECK(s.twin.twin->spec().optimizer.learning_rate == 0.05f);
  CHECK(s.twin.twin->metrics().step == 5);
  CHECK(s.twin.twin_error.empty());
}

TEST_CASE("twin: builder and data edits rebuild it on the main network's data and shape", "[app][twin]") {
  Session s = fresh_session();
  apply(s, act::Step{4});
  apply(s, act::SetLayerWidth{1, 5});
  REQUIRE(s.twin.twin.has_value());
  CHECK(s.twin.twin->spec().net.hidden[1].width == 5);
  CHECK(s.twin.twin->metrics().step == 0);
  CHECK(s.twin.main_pct.units() == 13);
  apply(s, act::AddPoint{0.5f, 0.5f, 1});
  apply(s, act::Step{2});
  REQUIRE(s.twin.twin.has_value());
  CHECK(s.twin.twin->dataset().x_train.cols() == s.exp().dataset().x_train.cols());
  CHECK(s.twin.twin->dataset().x_train == s.exp().dataset().x_train);
  CHECK(s.twin.twin->last_batch() == s.exp().last_batch());
}
