// BN inspector and backprop stepper, app side: every action, stage values against hand
// math over the mini-batch, γ/β edits, the finite-difference check, and that inspecting
// never changes training state.
#include <algorithm>
#include <cmath>
#include <limits>
#include <variant>

#include "app/inspector.h"
#include "app_fixtures.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;
using nl::app::testing::step_of;

namespace {

const BatchNorm& bn_of(const Session& s, int hidden) {
  const Network& net = s.exp().network();
  return std::get<BatchNorm>(net.layers()[static_cast<std::size_t>(net.hidden()[static_cast<std::size_t>(hidden)].norm)]);
}

// Every parameter and buffer of the network, flattened, for before/after comparisons.
std::vector<float> snapshot(const Session& s) {
  Network net = s.exp().network();
  std::vector<float> out;
  for (const auto& p : net.params()) out.insert(out.end(), p.value, p.value + p.size);
  for (const auto& layer : net.layers())
    if (const auto* bn = std::get_if<BatchNorm>(&layer)) {
      out.insert(out.end(), bn->running_mean.data(), bn->running_mean.data() + bn->running_mean.size());
      out.insert(out.end(), bn->running_var.data(), bn->running_var.data() + bn->running_var.size());
      out.push_back(static_cast<float>(bn->num_batches_tracked));
    }
  return out;
}

bool close(double a, double b, double tol = 1e-4) { return std::abs(a - b) <= tol * (1.0 + std::abs(b)); }

}  // namespace

TEST_CASE("inspector: stage values equal hand math over the mini-batch", "[app][inspector]") {
  Session s = fresh_session();
  apply(s, act::Step{3});
  apply(s, act::InspectFeature{2});
  apply(s, act::InspectSample{5});
  REQUIRE_FALSE(s.notice.has_value());
  const InspectorModel m = inspector_model(s);
  REQUIRE(m.ok);
  REQUIRE(m.layer == 0);
  const std::vector<int>& batch = s.exp().last_batch();
  REQUIRE(m.batch == batch);
  const int n = static_cast<int>(batch.size());
  REQUIRE(static_cast<int>(m.x.size()) == n);

  // Hidden layer 0 is Linear -> BN: x_i = W[2,:] · input_i + b[2] (hand math, double).
  const Network& net = s.exp().network();
  const auto& lin = std::get<Linear>(net.layers()[static_cast<std::size_t>(net.hidden()[0].linear)]);
  const BatchNorm& bn = bn_of(s, 0);
  std::vector<double> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto col = s.exp().dataset().x_train.col(batch[static_cast<std::size_t>(i)]);
    x[static_cast<std::size_t>(i)] = static_cast<double>(lin.weight(2, 0)) * col(0) + static_cast<double>(lin.weight(2, 1)) * col(1) + lin.bias(2);
  }
  double mu = 0;
  for (double v : x) mu += v;
  mu /= n;                                                   // μ_B = (1/m) Σ x_i
  double var = 0;
  for (double v : x) var += (v - mu) * (v - mu);
  var /= n;                                                  // σ²_B biased
  const double inv_std = 1.0 / std::sqrt(var + 1e-5);
  CHECK(close(m.mean, mu));
  CHECK(close(m.var, var));
  CHECK(close(m.inv_std, inv_std));
  for (int i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const double xhat = (x[k] - mu) * inv_std;
    INFO("sample " << i);
    CHECK(close(m.x[k], x[k]));
    CHECK(close(m.centred[k], x[k] - mu));
    CHECK(close(m.xhat[k], xhat));
    CHECK(close(m.y[k], bn.gamma[2] * xhat + bn.beta[2]));
  }
  // Running update as seen in this inspection: (1 − 0.1)·before + 0.1·batch; var unbiased.
  CHECK(close(m.momentum, 0.1));
  CHECK(close(m.running_mean_before, bn.running_mean[2]));
  CHECK(close(m.running_mean_after, 0.9 * bn.running_mean[2] + 0.1 * mu));
  CHECK(close(m.unbiased_var, var * n / (n - 1.0)));
  CHECK(close(m.running_var_after, 0.9 * bn.running_var[2] + 0.1 * var * n / (n - 1.0)));
  // Eval path: the first layer's input does not depend on any BN, so x_eval = x.
  for (int i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    CHECK(close(m.x_eval[k], x[k]));
    CHECK(close(m.xhat_eval[k], (x[k] - bn.running_mean[2]) / std::sqrt(bn.running_var[2] + 1e-5)));
    CHECK(close(m.y_eval[k], bn.gamma[2] * m.xhat_eval[k] + bn.beta[2]));
  }
  CHECK(m.eval_mean == bn.running_mean[2]);
  CHECK(m.eval_var == bn.running_var[2]);
  // Next layer: ReLU of y.
  REQUIRE(m.next_is_elementwise);
  for (int i = 0; i < n; ++i) CHECK(close(m.next_out[static_cast<std::size_t>(i)], std::max(0.0f, m.y[static_cast<std::size_t>(i)])));
}

TEST_CASE("inspector: backward values equal hand math; compact dx equals step-by-step dx", "[app][inspector][backprop]") {
  Session s = fresh_session();
  apply(s, act::Step{5});
  apply(s, act::InspectLayer{1});
  apply(s, act::InspectFeature{4});
  const InspectorModel m = inspector_model(s);
  REQUIRE(m.ok);
  REQUIRE(m.layer == 1);
  const double n = static_cast<double>(m.x.size());
  const double g = m.gamma;
  double sum_dy = 0, sum_dy_xhat = 0;
  for (std::size_t i = 0; i < m.x.size(); ++i) {
    sum_dy += m.dy[i];
    sum_dy_xhat += static_cast<double>(m.dy[i]) * m.xhat[i];
  }
  CHECK(close(m.dbeta, sum_dy, 1e-3));          // dβ = Σ dy
  CHECK(close(m.dgamma, sum_dy_xhat, 1e-3));    // dγ = Σ dy·x̂
  const double inv_std = 1.0 / std::sqrt(static_cast<double>(m.var) + m.eps);
  double dvar = 0, dmean = 0;
  for (std::size_t i = 0; i < m.x.size(); ++i) {
    CHECK(close(m.dxhat[i], g * m.dy[i], 1e-3));  // dx̂ = γ·dy
    dvar += g * m.dy[i] * (m.x[i] - m.mean) * -0.5 * std::pow(inv_std, 3.0);
    dmean += g * m.dy[i] * -inv_std;
  }
  CHECK(std::abs(m.dvar - dvar) <= 1e-3 * (1 + std::abs(dvar)));
  CHECK(std::abs(m.dmean - dmean) <= 1e-3 * (1 + std::abs(dmean)));
  double max_diff = 0;
  for (std::size_t i = 0; i < m.x.size(); ++i) {
    // dx = (γ/σ)/m · (m·dy − Σdy − x̂·Σ(dy·x̂))
    const double dx = g * inv_std / n * (n * m.dy[i] - sum_dy - m.xhat[i] * sum_dy_xhat);
    max_diff = std::max(max_diff, std::abs(dx - m.dx[i]));
    CHECK(std::abs(m.dx_compact[i] - m.dx[i]) <= m.max_abs_dx_diff + 1e-12f);
  }
  INFO("max |dx_hand - dx| = " << max_diff);
  CHECK(max_diff < 1e-5);
  CHECK(m.max_abs_dx_diff < 1e-6f);
}

TEST_CASE("inspector: stage and backprop navigation clamp at the ends", "[app][inspector]") {
  Session s = fresh_session();
  CHECK(s.inspector.stage == InspectorStage::kRaw);
  apply(s, act::InspectorPrevStage{});
  CHECK(s.inspector.stage == InspectorStage::kRaw);
  for (int i = 1; i < kInspectorStageCount; ++i) {
    apply(s, act::InspectorNextStage{});
    CHECK(static_cast<int>(s.inspector.stage) == i);
  }
  apply(s, act::InspectorNextStage{});
  CHECK(s.inspector.stage == InspectorStage::kEval);
  apply(s, act::InspectorPrevStage{});
  CHECK(s.inspector.stage == InspectorStage::kRunning);
  apply(s, act::SetInspectorStage{InspectorStage::kVariance});
  CHECK(s.inspector.stage == InspectorStage::kVariance);
  apply(s, act::SetInspectorStage{static_cast<InspectorStage>(42)});
  CHECK(s.inspector.stage == InspectorStage::kVariance);
  CHECK(s.notice.has_value());

  apply(s, act::SetInspectorEval{true});
  CHECK(s.inspector.eval_view);
  apply(s, act::SetInspectorEval{false});
  CHECK_FALSE(s.inspector.eval_view);

  for (int i = 1; i < kBackpropStepCount; ++i) {
    apply(s, act::BackpropNext{});
    CHECK(static_cast<int>(s.inspector.backprop_step) == i);
  }
  apply(s, act::BackpropNext{});
  CHECK(s.inspector.backprop_step == BackpropStep::kCompact);
  apply(s, act::BackpropPrev{});
  CHECK(s.inspector.backprop_step == BackpropStep::kDx);
  apply(s, act::SetBackpropStep{BackpropStep::kDy});
  CHECK(s.inspector.backprop_step == BackpropStep::kDy);
  s.notice.reset();
  apply(s, act::SetBackpropStep{static_cast<BackpropStep>(99)});
  CHECK(s.inspector.backprop_step == BackpropStep::kDy);
  CHECK(s.notice.has_value());
  for (int i = 0; i < 20; ++i) apply(s, act::BackpropPrev{});
  CHECK(s.inspector.backprop_step == BackpropStep::kForward);
}

TEST_CASE("inspector: invalid selections set a Notice and change nothing", "[app][inspector]") {
  Session s = fresh_session();
  apply(s, act::Step{1});
  apply(s, act::InspectLayer{1});
  apply(s, act::InspectFeature{3});
  apply(s, act::InspectSample{7});
  REQUIRE_FALSE(s.notice.has_value());
  const InspectorState before = s.inspector;
  auto same = [&] {
    CHECK(s.inspector.layer == before.layer);
    CHECK(s.inspector.feature == before.feature);
    CHECK(s.inspector.sample == before.sample);
  };
  for (const Action& bad : {Action{act::InspectLayer{2}}, Action{act::InspectLayer{-1}}, Action{act::InspectFeature{8}},
                            Action{act::InspectFeature{-1}}, Action{act::InspectSample{32}}, Action{act::InspectSample{-2}},
                            Action{act::SetBnAffine{5, 0, 1.0f, 0.0f}}, Action{act::SetBnAffine{0, 9, 1.0f, 0.0f}},
                            Action{act::SetBnAffine{0, 0, std::numeric_limits<float>::quiet_NaN(), 0.0f}},
                            Action{act::SetBnAffine{0, 0, 1.0f, 1000.0f}}}) {
    s.notice.reset();
    const auto version = s.model_version;
    apply(s, bad);
    CHECK(s.notice.has_value());
    CHECK(s.model_version == version);
    same();
  }

  // A network without BatchNorm: nothing to inspect, every selection refused, no crash.
  ExperimentSpec spec = default_spec();
  for (auto& h : spec.net.hidden) h.norm = NormKind::kNone;
  Session plain = fresh_session(spec);
  const InspectorModel m = inspector_model(plain);
  CHECK_FALSE(m.ok);
  CHECK_FALSE(m.message.empty());
  apply(plain, act::InspectLayer{0});
  CHECK(plain.notice.has_value());
  plain.notice.reset();
  apply(plain, act::CheckGradients{});
  CHECK(plain.notice.has_value());
  CHECK_FALSE(plain.inspector.grad_check.has_value());
  CHECK(inspector_boundaries(plain, 8).resolution == 8);  // boundaries need no BN
}

TEST_CASE("inspector: dragging gamma/beta changes the network, the output and the loss", "[app][inspector]") {
  Session s = fresh_session();
  apply(s, act::Step{2});
  const InspectorModel before = inspector_model(s);
  REQUIRE(before.ok);
  const auto version = s.model_version;
  apply(s, act::SetBnAffine{0, 0, 2.5f, -0.75f});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK(s.model_version == version + 1);
  CHECK(bn_of(s, 0).gamma[0] == 2.5f);
  CHECK(bn_of(s, 0).beta[0] == -0.75f);
  const InspectorModel after = inspector_model(s);
  REQUIRE(after.ok);
  CHECK(after.gamma == 2.5f);
  for (std::size_t i = 0; i < after.y.size(); ++i) CHECK(close(after.y[i], 2.5 * after.xhat[i] - 0.75));
  CHECK(after.batch_loss != before.batch_loss);
  CHECK(after.mean == before.mean);  // upstream of γ: unchanged
  CHECK(step_of(s) == 2);
}

TEST_CASE("inspector: the finite-difference check agrees with backward in double", "[app][inspector][backprop]") {
  Session s = fresh_session();
  apply(s, act::Step{4});
  for (int layer : {0, 1}) {
    apply(s, act::InspectLayer{layer});
    apply(s, act::InspectFeature{1});
    apply(s, act::InspectSample{3});
    apply(s, act::CheckGradients{});
    REQUIRE_FALSE(s.notice.has_value());
    REQUIRE(s.inspector.grad_check.has_value());
    const GradCheck& g = *s.inspector.grad_check;
    CHECK(g.model_version == s.model_version);
    CHECK(g.layer == layer);
    REQUIRE(g.entries.size() == 5);  // 3 x entries, γ, β
    CHECK(g.entries[0].name == "x[4]");
    for (const GradCheckEntry& e : g.entries) {
      INFO(e.name << ": analytic " << e.analytic << " numeric " << e.numeric);
      CHECK(e.rel_error < 1e-4);
      CHECK(std::abs(e.analytic) > 0.0);
    }
    CHECK(g.max_rel_error < 1e-4);
  }
  // The analytic dγ in double matches the float trace's dγ.
  const InspectorModel m = inspector_model(s);
  CHECK(close(m.dgamma, s.inspector.grad_check->entries[3].analytic, 1e-3));
}

TEST_CASE("inspector: inspecting never changes training state", "[app][inspector]") {
  Session s = fresh_session();
  apply(s, act::Step{3});
  const std::vector<float> weights = snapshot(s);
  const auto version = s.model_version;
  const auto batch = s.exp().last_batch();
  (void)inspector_model(s);
  (void)inspector_boundaries(s, 16);
  for (const Action& a : {Action{act::InspectLayer{1}}, Action{act::InspectFeature{2}}, Action{act::InspectSample{1}},
                          Action{act::InspectorNextStage{}}, Action{act::SetInspectorEval{true}},
                          Action{act::BackpropNext{}}, Action{act::CheckGradients{}}})
    apply(s, a);
  CHECK(snapshot(s) == weights);
  CHECK(s.model_version == version);
  CHECK(step_of(s) == 3);
  CHECK(s.exp().last_batch() == batch);
  CHECK(s.exp().history().size() == 3);
}

TEST_CASE("inspector: boundaries from batch vs running statistics", "[app][inspector]") {
  Session s = fresh_session();
  // Before any step the running statistics are (0, 1): eval differs from training.
  const BoundaryPair b = inspector_boundaries(s, 12);
  REQUIRE(b.resolution == 12);
  REQUIRE(b.batch_stats.size() == 144);
  REQUIRE(b.running_stats.size() == 144);
  float max_diff = 0.0f;
  for (std::size_t i = 0; i < 144; ++i) {
    CHECK(b.batch_stats[i] >= 0.0f);
    CHECK(b.batch_stats[i] <= 1.0f);
    max_diff = std::max(max_diff, std::abs(b.batch_stats[i] - b.running_stats[i]));
  }
  CHECK(max_diff > 1e-3f);
  // The running-statistics grid is the real network's eval prediction (predict_proba).
  Matrix p(2, 1);
  p << s.grid.x_min + 0.5f * (s.grid.x_max - s.grid.x_min) / 12.0f, s.grid.y_min + 0.5f * (s.grid.y_max - s.grid.y_min) / 12.0f;
  CHECK(close(b.running_stats[0], s.exp().predict_proba(p)(1, 0), 1e-5));
}

TEST_CASE("inspector: before the first step the batch is the first B training points", "[app][inspector]") {
  Session s = fresh_session();
  const InspectorModel m = inspector_model(s);
  REQUIRE(m.ok);
  REQUIRE(m.batch.size() == 32);
  for (int i = 0; i < 32; ++i) CHECK(m.batch[static_cast<std::size_t>(i)] == i);
  CHECK(m.batch_source.find("no step") != std::string::npos);
  CHECK(m.running_mean_before == 0.0f);
  CHECK(m.running_var_before == 1.0f);
}

TEST_CASE("inspector: without running statistics eval normalizes with the batch's own statistics; cumulative momentum is 1/t", "[app][inspector]") {
  ExperimentSpec spec = default_spec();
  spec.net.norm.track_running_stats = false;
  Session s = fresh_session(spec);
  apply(s, act::Step{2});
  const InspectorModel m = inspector_model(s);
  REQUIRE(m.ok);
  CHECK_FALSE(m.tracks_running);
  double mu = 0;
  for (float v : m.x_eval) mu += v;
  mu /= static_cast<double>(m.x_eval.size());
  CHECK(close(m.eval_mean, mu));
  CHECK(close(m.eval_mean, m.mean));  // first layer: eval input = training input
  for (std::size_t i = 0; i < m.x.size(); ++i) CHECK(close(m.xhat_eval[i], m.xhat[i], 1e-3));

  ExperimentSpec cumulative = default_spec();
  cumulative.net.norm.momentum = std::nullopt;
  Session c = fresh_session(cumulative);
  apply(c, act::Step{3});
  const InspectorModel mc = inspector_model(c);
  REQUIRE(mc.ok);
  CHECK(mc.cumulative);
  CHECK(close(mc.momentum, 1.0 / 4.0));  // the inspection is the 4th batch the layer sees
}

TEST_CASE("inspector: a batch of one explains itself instead of inspecting garbage", "[app][inspector]") {
  ExperimentSpec spec = default_spec();
  spec.batch_size = 1;
  Session s = fresh_session(spec);
  const InspectorModel m = inspector_model(s);
  CHECK_FALSE(m.ok);
  CHECK(m.message.find("more than 1 value") != std::string::npos);
  apply(s, act::CheckGradients{});
  CHECK(s.notice.has_value());
  CHECK_FALSE(s.inspector.grad_check.has_value());
}
