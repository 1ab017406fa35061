// The BN inspector on Batch Renorm layers (r and d with their clipping, x̂·r + d, eval with
// running statistics, the finite-difference check with r and d held constant) and on
// LayerNorm/GroupNorm layers (explained, never inspected, never a crash). Hand math in double
// from the real network's parameters and running statistics.
#include <algorithm>
#include <cmath>
#include <string>
#include <variant>

#include "app/inspector.h"
#include "app_fixtures.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;

namespace {

ExperimentSpec spec_with(NormKind first, NormKind second) {
  ExperimentSpec spec = default_spec();
  REQUIRE(spec.net.hidden.size() == 2);
  spec.net.hidden[0].norm = first;
  spec.net.hidden[1].norm = second;
  return spec;
}

const BatchRenorm& renorm_of(const Session& s, int hidden) {
  const Network& net = s.exp().network();
  const auto li = static_cast<std::size_t>(net.hidden()[static_cast<std::size_t>(hidden)].norm);
  return std::get<BatchRenorm>(net.layers()[li]);
}

bool close(double a, double b, double tol = 1e-4) { return std::abs(a - b) <= tol * (1.0 + std::abs(b)); }

// The inspected feature through Batch Renorm by hand (double), given its input x and the
// layer BEFORE the step: returns y and sets r, d (clipped).
std::vector<double> renorm_by_hand(const std::vector<float>& x, const BatchRenorm& l, Index f, double* r, double* d) {
  const double m = static_cast<double>(x.size());
  double mu = 0.0, var = 0.0;
  for (float v : x) mu += v;
  mu /= m;
  for (float v : x) var += (v - mu) * (v - mu);
  var /= m;
  const double eps = l.bn.eps;
  const double sigma_b = std::sqrt(var + eps);
  const double sigma_run = std::sqrt(static_cast<double>(l.bn.running_var[f]) + eps);
  *r = std::clamp(sigma_b / sigma_run, 1.0 / l.r_max, static_cast<double>(l.r_max));
  *d = std::clamp((mu - l.bn.running_mean[f]) / sigma_run, -static_cast<double>(l.d_max), static_cast<double>(l.d_max));
  std::vector<double> y;
  for (float v : x) y.push_back(l.bn.gamma[f] * ((v - mu) / sigma_b * *r + *d) + l.bn.beta[f]);
  return y;
}

}  // namespace

TEST_CASE("inspector renorm: r d x-hat-r and y equal hand math from the running statistics", "[app][inspector][renorm]") {
  Session s = fresh_session(spec_with(NormKind::kBatchRenorm, NormKind::kBatchRenorm));
  apply(s, act::Step{5});
  apply(s, act::SetBnAffine{1, 3, 1.5f, -0.25f});  // γ, β away from 1, 0: they must show up in y
  apply(s, act::InspectLayer{1});
  apply(s, act::InspectFeature{3});
  apply(s, act::InspectSample{2});
  REQUIRE_FALSE(s.notice.has_value());
  const InspectorModel m = inspector_model(s);
  REQUIRE(m.ok);
  CHECK(m.bn_layers == std::vector<int>{0, 1});
  REQUIRE(m.renorm);
  REQUIRE(m.renorm_active);
  CHECK(m.r_max == 3.0f);
  CHECK(m.d_max == 5.0f);
  const BatchRenorm& layer = renorm_of(s, 1);
  // The running statistics r and d use are the real network's, before this batch updates them.
  CHECK(m.running_mean_before == layer.bn.running_mean[3]);
  CHECK(m.running_var_before == layer.bn.running_var[3]);
  double r = 0, d = 0;
  const std::vector<double> y = renorm_by_hand(m.x, layer, 3, &r, &d);
  CHECK(close(m.r, r));
  CHECK(close(m.d, d));
  CHECK(close(m.r, std::clamp(m.r_unclipped, 1.0f / m.r_max, m.r_max)));
  CHECK(close(m.d, std::clamp(m.d_unclipped, -m.d_max, m.d_max)));
  REQUIRE(m.xhat_r.size() == m.x.size());
  for (std::size_t i = 0; i < m.x.size(); ++i) {
    INFO("sample " << i);
    CHECK(close(m.xhat_r[i], m.xhat[i] * r + d));
    CHECK(close(m.y[i], y[i]));
  }
  CHECK(m.gamma == 1.5f);
  CHECK(m.beta == -0.25f);
  // Eval normalizes with the running statistics (no r, no d).
  const double is = 1.0 / std::sqrt(static_cast<double>(layer.bn.running_var[3]) + layer.bn.eps);
  for (std::size_t i = 0; i < m.x_eval.size(); ++i)
    CHECK(close(m.xhat_eval[i], (m.x_eval[i] - layer.bn.running_mean[3]) * is));
  // Backward: dx̂ = dy·γ·r (r a constant), dγ = Σ dy·x̂_r.
  double dgamma = 0;
  for (std::size_t i = 0; i < m.x.size(); ++i) {
    CHECK(close(m.dxhat[i], m.dy[i] * 1.5 * r));
    dgamma += static_cast<double>(m.dy[i]) * m.xhat_r[i];
  }
  CHECK(close(m.dgamma, dgamma));
  CHECK(m.max_abs_dx_diff < 1e-5f);
}

TEST_CASE("inspector renorm: tight r_max and d_max clip r and d", "[app][inspector][renorm]") {
  ExperimentSpec spec = spec_with(NormKind::kBatchRenorm, NormKind::kBatchRenorm);
  spec.net.norm.r_max = 1.02f;
  spec.net.norm.d_max = 0.01f;
  Session s = fresh_session(spec);
  apply(s, act::Step{1});
  bool saw_r_clip = false, saw_d_clip = false;
  for (int f = 0; f < 8; ++f) {
    apply(s, act::InspectFeature{f});
    const InspectorModel m = inspector_model(s);
    REQUIRE(m.ok);
    REQUIRE(m.renorm_active);
    CHECK(m.r >= 1.0f / 1.02f - 1e-6f);
    CHECK(m.r <= 1.02f + 1e-6f);
    CHECK(std::abs(m.d) <= 0.01f + 1e-6f);
    CHECK(close(m.r, std::clamp(m.r_unclipped, 1.0f / m.r_max, m.r_max)));
    CHECK(close(m.d, std::clamp(m.d_unclipped, -m.d_max, m.d_max)));
    if (m.r_clipped) CHECK((m.r == 1.02f || m.r == 1.0f / 1.02f));
    if (m.d_clipped) CHECK(std::abs(m.d) == 0.01f);
    saw_r_clip = saw_r_clip || m.r_clipped;
    saw_d_clip = saw_d_clip || m.d_clipped;
  }
  // After one step the running statistics (mostly their initial 0 and 1) are far from the
  // batch's: some feature must be clipped.
  CHECK(saw_r_clip);
  CHECK(saw_d_clip);
}

TEST_CASE("inspector renorm: the numeric check agrees with r and d held constant", "[app][inspector][renorm]") {
  Session s = fresh_session(spec_with(NormKind::kBatchRenorm, NormKind::kBatchRenorm));
  apply(s, act::Step{4});
  for (int layer : {0, 1}) {
    apply(s, act::InspectLayer{layer});
    apply(s, act::CheckGradients{});
    REQUIRE_FALSE(s.notice.has_value());
    REQUIRE(s.inspector.grad_check.has_value());
    CHECK(s.inspector.grad_check->entries.size() == 5);
    INFO("layer " << layer << " max rel error " << s.inspector.grad_check->max_rel_error);
    CHECK(s.inspector.grad_check->max_rel_error < 1e-4);
  }
}

TEST_CASE("inspector renorm: gamma and beta edits reach the Batch Renorm layer", "[app][inspector][renorm]") {
  Session s = fresh_session(spec_with(NormKind::kBatchRenorm, NormKind::kBatchNorm));
  apply(s, act::Step{2});
  const float loss_before = inspector_model(s).batch_loss;
  apply(s, act::SetBnAffine{0, 1, 2.0f, 0.5f});
  REQUIRE_FALSE(s.notice.has_value());
  CHECK(renorm_of(s, 0).bn.gamma[1] == 2.0f);
  CHECK(renorm_of(s, 0).bn.beta[1] == 0.5f);
  apply(s, act::InspectFeature{1});
  const InspectorModel m = inspector_model(s);
  CHECK(m.gamma == 2.0f);
  CHECK(m.batch_loss != loss_before);
  // The second layer is a plain BatchNorm: no r, no d.
  apply(s, act::InspectLayer{1});
  const InspectorModel bn = inspector_model(s);
  REQUIRE(bn.ok);
  CHECK_FALSE(bn.renorm);
  CHECK(bn.xhat_r == bn.xhat);
  // The batch-vs-running boundary pair is computed for Batch Renorm networks too.
  const BoundaryPair b = inspector_boundaries(s, 8);
  CHECK(b.resolution == 8);
  CHECK(b.batch_stats.size() == 64);
}

TEST_CASE("inspector renorm: without running statistics Batch Renorm is inspected as BatchNorm", "[app][inspector][renorm]") {
  ExperimentSpec spec = spec_with(NormKind::kBatchRenorm, NormKind::kBatchRenorm);
  spec.net.norm.track_running_stats = false;
  Session s = fresh_session(spec);
  apply(s, act::Step{2});
  const InspectorModel m = inspector_model(s);
  REQUIRE(m.ok);
  CHECK(m.renorm);
  CHECK_FALSE(m.renorm_active);
  CHECK(m.r == 1.0f);
  CHECK(m.d == 0.0f);
  for (std::size_t i = 0; i < m.x.size(); ++i) CHECK(close(m.y[i], m.gamma * m.xhat[i] + m.beta));
}

TEST_CASE("inspector: LayerNorm and GroupNorm layers are explained, not inspected", "[app][inspector]") {
  Session s = fresh_session(spec_with(NormKind::kLayerNorm, NormKind::kBatchNorm));
  apply(s, act::Step{2});
  // The first layer with batch statistics is picked by default.
  InspectorModel m = inspector_model(s);
  REQUIRE(m.ok);
  CHECK(m.layer == 1);
  CHECK(m.bn_layers == std::vector<int>{1});
  // Choosing the LayerNorm layer says why, and changes nothing.
  apply(s, act::InspectLayer{0});
  REQUIRE(s.notice.has_value());
  CHECK(s.notice->message.find("LayerNorm") != std::string::npos);
  CHECK(s.notice->message.find("no batch statistics") != std::string::npos);
  CHECK(s.inspector.layer == -1);
  s.notice.reset();
  apply(s, act::SetBnAffine{0, 0, 2.0f, 0.0f});
  CHECK(s.notice.has_value());

  // Only GroupNorm: nothing to inspect, and the message says why; no action crashes.
  Session g = fresh_session(spec_with(NormKind::kGroupNorm, NormKind::kGroupNorm));
  apply(g, act::Step{1});
  m = inspector_model(g);
  CHECK_FALSE(m.ok);
  CHECK(m.message.find("GroupNorm") != std::string::npos);
  CHECK(m.bn_layers.empty());
  for (const Action& a : std::vector<Action>{act::InspectLayer{0}, act::InspectFeature{1}, act::InspectSample{1},
                                             act::CheckGradients{}, act::SetBnAffine{0, 0, 1.0f, 0.0f}}) {
    g.notice.reset();
    apply(g, a);
    CHECK(g.notice.has_value());
  }
  CHECK(inspector_boundaries(g, 8).resolution == 8);  // no BatchNorm: both maps are eval's
}
