// The BN inspector's numbers (from the core's BatchNorm trace on a copy of the network)
// and the inspector/backprop action handlers. The finite-difference check is in
// gradcheck.cpp. Nothing here touches training state except SetBnAffine (γ, β).
#include "app/inspector.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "app/inspector_internal.h"

namespace nl::app {

namespace detail {

std::vector<int> bn_hidden_layers(const Network& net) {
  std::vector<int> out;
  const auto& hidden = net.hidden();
  for (std::size_t h = 0; h < hidden.size(); ++h) {
    const int li = hidden[h].norm;
    if (li >= 0 && batch_norm_of(net.layers()[static_cast<std::size_t>(li)]) != nullptr)
      out.push_back(static_cast<int>(h));
  }
  return out;
}

std::string not_inspectable_reason(const Session& s, int layer) {
  const auto& hidden = s.exp().spec().net.hidden;
  if (layer < 0 || layer >= static_cast<int>(hidden.size())) {
    if (hidden.empty()) return "This network has no hidden layer, so no BatchNorm to inspect.";
    return "There is no hidden layer " + std::to_string(layer + 1) + ".";
  }
  const std::string which = "Hidden layer " + std::to_string(layer + 1);
  switch (hidden[static_cast<std::size_t>(layer)].norm) {
    case NormKind::kBatchNorm:
    case NormKind::kBatchRenorm: return {};
    case NormKind::kNone: return which + " has no normalization.";
    case NormKind::kLayerNorm:
      return which + " uses LayerNorm: it normalizes each sample over that sample's own features, so it "
             "has no batch statistics, no running statistics and no train/eval difference; the BN "
             "inspector's stages (μ_B and σ²_B over the mini-batch, running averages) do not apply.";
    case NormKind::kGroupNorm:
      return which + " uses GroupNorm: it normalizes each sample over groups of its own features, so it "
             "has no batch statistics, no running statistics and no train/eval difference; the BN "
             "inspector's stages (μ_B and σ²_B over the mini-batch, running averages) do not apply.";
  }
  return which + " cannot be inspected.";
}

std::vector<int> inspected_batch(const Experiment& e, std::string* source) {
  std::vector<int> batch = e.last_batch();
  if (!batch.empty()) {
    if (source) *source = "the mini-batch of step " + std::to_string(e.metrics().step) +
                          " (the last one taken), through the current parameters";
    return batch;
  }
  const int n_train = static_cast<int>(e.dataset().x_train.cols());
  const int b = std::min(e.spec().batch_size, n_train);
  for (int i = 0; i < b; ++i) batch.push_back(i);
  if (source) *source = "the first " + std::to_string(b) + " training points (no step taken yet)";
  return batch;
}

Matrix gather_columns(const Matrix& x, const std::vector<int>& idx) {
  Matrix out(x.rows(), static_cast<Index>(idx.size()));
  for (std::size_t k = 0; k < idx.size(); ++k) out.col(static_cast<Index>(k)) = x.col(idx[k]);
  return out;
}

std::vector<int> gather_labels(const std::vector<int>& y, const std::vector<int>& idx) {
  std::vector<int> out;
  out.reserve(idx.size());
  for (int i : idx) out.push_back(y[static_cast<std::size_t>(i)]);
  return out;
}

std::optional<std::string> validate_selection(const Session& s, int layer, int feature, int sample,
                                              int* layer_index) {
  const Network& net = s.exp().network();
  const std::vector<int> bns = bn_hidden_layers(net);
  if (bns.empty()) {
    // Say why for the first normalized layer (LayerNorm/GroupNorm), else plainly.
    for (std::size_t h = 0; h < s.exp().spec().net.hidden.size(); ++h)
      if (s.exp().spec().net.hidden[h].norm != NormKind::kNone)
        return "This network has no BatchNorm or Batch Renorm layer. " + not_inspectable_reason(s, static_cast<int>(h));
    return std::string("This network has no BatchNorm layer to inspect.");
  }
  if (std::find(bns.begin(), bns.end(), layer) == bns.end()) {
    const std::string why = not_inspectable_reason(s, layer);
    return why.empty() ? "Hidden layer " + std::to_string(layer + 1) + " has no BatchNorm." : why;
  }
  const int li = net.hidden()[static_cast<std::size_t>(layer)].norm;
  const BatchNorm& bn = *batch_norm_of(net.layers()[static_cast<std::size_t>(li)]);
  if (bn.spatial != 1) return std::string("The inspector shows feature vectors only (spatial size 1).");
  if (feature < 0 || feature >= bn.channels)
    return "Feature " + std::to_string(feature + 1) + " does not exist (the layer has " +
           std::to_string(bn.channels) + ").";
  const int m = static_cast<int>(inspected_batch(s.exp(), nullptr).size());
  if (sample < 0 || sample >= m)
    return "Sample " + std::to_string(sample + 1) + " is not in the mini-batch (1.." + std::to_string(m) + ").";
  if (layer_index) *layer_index = li;
  return std::nullopt;
}

int resolved_layer(const Session& s) {
  if (s.inspector.layer >= 0) return s.inspector.layer;
  const std::vector<int> bns = bn_hidden_layers(s.exp().network());
  return bns.empty() ? -1 : bns.front();
}

}  // namespace detail

namespace {

using detail::bn_hidden_layers;

std::vector<float> row_of(const Matrix& m, Index r) {
  std::vector<float> out(static_cast<std::size_t>(m.cols()));
  for (Index n = 0; n < m.cols(); ++n) out[static_cast<std::size_t>(n)] = m(r, n);
  return out;
}

}  // namespace

InspectorModel inspector_model(const Session& s) {
  InspectorModel m;
  if (!s.experiment) {
    m.message = "No experiment.";
    return m;
  }
  const Experiment& e = s.exp();
  m.bn_layers = bn_hidden_layers(e.network());
  m.layer = detail::resolved_layer(s);
  m.feature = s.inspector.feature;
  m.sample = s.inspector.sample;
  int li = -1;
  if (auto err = detail::validate_selection(s, m.layer, m.feature, m.sample, &li)) {
    m.message = *err;
    return m;
  }
  m.layer_index = li;
  m.batch = detail::inspected_batch(e, &m.batch_source);
  const Matrix xb = detail::gather_columns(e.dataset().x_train, m.batch);
  const std::vector<int> yb = detail::gather_labels(e.dataset().y_train, m.batch);

  // Training-mode forward + loss + backward with tracing, on a copy.
  Network net = e.network();
  net.set_training(true);
  net.set_record_trace(true);
  Result<float> loss = net.train_batch(xb, yb);
  if (!loss.ok()) {
    m.message = loss.error().message;
    return m;
  }
  m.batch_loss = *loss;
  const BatchNorm& bn = *detail::batch_norm_of(net.layers()[static_cast<std::size_t>(li)]);
  if (!bn.trace || !bn.trace->has_backward) {
    m.message = "No trace was recorded.";
    return m;
  }
  const BatchNormTrace& tr = *bn.trace;
  const Index f = m.feature;
  m.features = static_cast<int>(bn.channels);
  m.x = row_of(tr.x, f);
  m.xhat = row_of(tr.xhat, f);
  m.y = row_of(tr.y, f);
  m.mean = tr.mean[f];
  m.var = tr.var[f];
  m.inv_std = tr.inv_std[f];
  m.eps = tr.eps;
  m.std_dev = static_cast<float>(std::sqrt(static_cast<double>(m.var) + static_cast<double>(m.eps)));
  m.gamma = bn.gamma[f];
  m.beta = bn.beta[f];
  m.affine = bn.affine;
  m.centred.resize(m.x.size());
  for (std::size_t i = 0; i < m.x.size(); ++i) m.centred[i] = m.x[i] - m.mean;
  const double count = static_cast<double>(m.x.size());
  m.unbiased_var = static_cast<float>(static_cast<double>(m.var) * count / (count - 1.0));
  m.tracks_running = bn.track_running_stats;
  m.cumulative = !bn.momentum.has_value();
  m.momentum = tr.momentum_factor;
  if (m.tracks_running) {
    m.running_mean_before = tr.running_mean_before[f];
    m.running_var_before = tr.running_var_before[f];
    m.running_mean_after = tr.running_mean_after[f];
    m.running_var_after = tr.running_var_after[f];
  }
  // Backward.
  m.dy = row_of(tr.dy, f);
  m.dxhat = row_of(tr.dxhat, f);
  m.dx = row_of(tr.dx, f);
  m.dx_compact = row_of(tr.dx_compact, f);
  m.dbeta = tr.dbeta[f];
  m.dgamma = tr.dgamma[f];
  m.dvar = tr.dvar[f];
  m.dmean = tr.dmean[f];
  // Batch Renorm: r and d (clipped, from the core), their unclipped values, x̂·r + d.
  m.xhat_r = m.xhat;
  if (const auto* brn = std::get_if<BatchRenorm>(&net.layers()[static_cast<std::size_t>(li)])) {
    m.renorm = true;
    m.r_max = brn->r_max;
    m.d_max = brn->d_max;
    m.renorm_active = tr.renorm_r.size() > f;  // training with running statistics
    if (m.renorm_active) {
      m.r = tr.renorm_r[f];
      m.d = tr.renorm_d[f];
      const double sigma_run = std::sqrt(static_cast<double>(m.running_var_before) + static_cast<double>(m.eps));
      m.sigma_running = static_cast<float>(sigma_run);
      m.r_unclipped = static_cast<float>(static_cast<double>(m.std_dev) / sigma_run);
      m.d_unclipped = static_cast<float>((static_cast<double>(m.mean) - static_cast<double>(m.running_mean_before)) / sigma_run);
      m.xhat_r = row_of(brn->bn.xhat, f);  // the layer's cache: x̂·r + d
      m.r_clipped = m.r_unclipped < 1.0f / m.r_max || m.r_unclipped > m.r_max;
      m.d_clipped = std::abs(m.d_unclipped) > m.d_max;
    }
  }
  m.max_abs_dx_diff = 0.0f;
  for (std::size_t i = 0; i < m.dx.size(); ++i)
    m.max_abs_dx_diff = std::max(m.max_abs_dx_diff, std::abs(m.dx[i] - m.dx_compact[i]));
  // Next layer.
  const std::size_t next = static_cast<std::size_t>(li) + 1;
  if (next < net.layers().size()) {
    m.next_layer = net.layer_name(next);
    m.next_is_elementwise = std::holds_alternative<ActivationLayer>(net.layers()[next]);
    if (m.next_is_elementwise) m.next_out = row_of(net.outputs()[next], f);
  }
  // Eval path on the real network (const infer, no state touched).
  std::vector<Matrix> outs;
  (void)e.network().infer(xb, &outs);
  const BatchNorm& real_bn = *detail::batch_norm_of(e.network().layers()[static_cast<std::size_t>(li)]);
  m.x_eval = row_of(outs[static_cast<std::size_t>(li) - 1], f);
  m.y_eval = row_of(outs[static_cast<std::size_t>(li)], f);
  double mu = 0.0, var = 1.0;
  if (real_bn.track_running_stats) {
    mu = real_bn.running_mean[f];
    var = real_bn.running_var[f];
  } else {  // PyTorch: without running statistics, eval uses the batch's own statistics
    for (float v : m.x_eval) mu += v;
    mu /= count;
    var = 0.0;
    for (float v : m.x_eval) var += (v - mu) * (v - mu);
    var /= count;
  }
  m.eval_mean = static_cast<float>(mu);
  m.eval_var = static_cast<float>(var);
  const double is = 1.0 / std::sqrt(var + static_cast<double>(real_bn.eps));
  m.xhat_eval.resize(m.x_eval.size());
  for (std::size_t i = 0; i < m.x_eval.size(); ++i)
    m.xhat_eval[i] = static_cast<float>((m.x_eval[i] - mu) * is);
  m.ok = true;
  return m;
}

BoundaryPair inspector_boundaries(const Session& s, int resolution) {
  BoundaryPair out;
  if (!s.experiment || resolution < 2) return out;
  const Experiment& e = s.exp();
  if (e.network().input_width() != 2) return out;
  const std::vector<int> batch = detail::inspected_batch(e, nullptr);
  const Matrix xb = detail::gather_columns(e.dataset().x_train, batch);
  // A copy whose BatchNorm layers hold this batch's statistics as "running" ones: eval on
  // the grid then normalizes exactly as training on this batch does.
  Network batch_net = e.network();
  batch_net.set_training(true);
  if (!batch_net.forward(xb).ok()) return out;
  for (auto& layer : batch_net.layers()) {
    if (auto* bn = std::get_if<BatchNorm>(&layer)) {
      bn->track_running_stats = true;
      bn->running_mean = bn->mean;
      bn->running_var = bn->var;
    } else if (auto* brn = std::get_if<BatchRenorm>(&layer)) {
      // Training output γ((x − μ_B)/σ_B·r + d) + β with this batch's r and d is a
      // normalization by σ′ = σ_B/r around μ′ = μ_B − d·σ′: store those as "running".
      BatchNorm& b = brn->bn;
      b.track_running_stats = true;
      b.running_mean.resize(b.channels);
      b.running_var.resize(b.channels);
      for (Index c = 0; c < b.channels; ++c) {
        const double sigma = 1.0 / static_cast<double>(b.inv_std[c]) / static_cast<double>(brn->r[c]);
        b.running_mean[c] = static_cast<float>(static_cast<double>(b.mean[c]) - static_cast<double>(brn->d[c]) * sigma);
        b.running_var[c] = static_cast<float>(sigma * sigma - static_cast<double>(b.eps));
      }
    }
  }
  const int r = resolution;
  Matrix points(2, r * r);
  const DecisionGrid& g = s.grid;
  for (int j = 0; j < r; ++j)
    for (int i = 0; i < r; ++i) {
      points(0, j * r + i) = g.x_min + (static_cast<float>(i) + 0.5f) * (g.x_max - g.x_min) / static_cast<float>(r);
      points(1, j * r + i) = g.y_min + (static_cast<float>(j) + 0.5f) * (g.y_max - g.y_min) / static_cast<float>(r);
    }
  const Matrix p_batch = softmax(batch_net.infer(points));
  const Matrix p_run = softmax(e.network().infer(points));
  if (p_batch.rows() < 2) return out;
  out.resolution = r;
  out.batch_stats = row_of(p_batch, 1);
  out.running_stats = row_of(p_run, 1);
  return out;
}

// ------------------------------------------------------------------ actions

void apply_inspector(Session& s, const act::InspectLayer& a) {
  // Keep feature and sample if they still fit; else start at 0.
  int feature = s.inspector.feature;
  if (detail::validate_selection(s, a.layer, feature, s.inspector.sample, nullptr)) feature = 0;
  if (auto err = detail::validate_selection(s, a.layer, feature, s.inspector.sample, nullptr)) {
    set_notice(s, *err, "Pick a hidden layer with BatchNorm (network builder: normalization).");
    return;
  }
  s.inspector.layer = a.layer;
  s.inspector.feature = feature;
  s.inspector.grad_check.reset();
}

void apply_inspector(Session& s, const act::InspectFeature& a) {
  if (auto err = detail::validate_selection(s, detail::resolved_layer(s), a.feature, s.inspector.sample, nullptr)) {
    set_notice(s, *err);
    return;
  }
  s.inspector.layer = detail::resolved_layer(s);
  s.inspector.feature = a.feature;
  s.inspector.grad_check.reset();
}

void apply_inspector(Session& s, const act::InspectSample& a) {
  if (auto err = detail::validate_selection(s, detail::resolved_layer(s), s.inspector.feature, a.sample, nullptr)) {
    set_notice(s, *err);
    return;
  }
  s.inspector.sample = a.sample;
  s.inspector.grad_check.reset();
}

void apply_inspector(Session& s, const act::InspectorNextStage&) {
  const int next = std::min(static_cast<int>(s.inspector.stage) + 1, kInspectorStageCount - 1);
  s.inspector.stage = static_cast<InspectorStage>(next);
}

void apply_inspector(Session& s, const act::InspectorPrevStage&) {
  const int prev = std::max(static_cast<int>(s.inspector.stage) - 1, 0);
  s.inspector.stage = static_cast<InspectorStage>(prev);
}

void apply_inspector(Session& s, const act::SetInspectorStage& a) {
  const int v = static_cast<int>(a.stage);
  if (v < 0 || v >= kInspectorStageCount) {
    set_notice(s, "Unknown inspector stage.");
    return;
  }
  s.inspector.stage = a.stage;
}

void apply_inspector(Session& s, const act::SetInspectorEval& a) { s.inspector.eval_view = a.on; }

void apply_inspector(Session& s, const act::SetBnAffine& a) {
  const int m = static_cast<int>(detail::inspected_batch(s.exp(), nullptr).size());
  int li = -1;
  if (auto err = detail::validate_selection(s, a.layer, a.feature, std::min(s.inspector.sample, m - 1), &li)) {
    set_notice(s, *err);
    return;
  }
  if (!std::isfinite(a.gamma) || !std::isfinite(a.beta) || std::abs(a.gamma) > 100.0f || std::abs(a.beta) > 100.0f) {
    set_notice(s, "γ and β must be numbers between −100 and 100.");
    return;
  }
  BatchNorm& bn = *detail::batch_norm_of(s.exp().network().layers()[static_cast<std::size_t>(li)]);
  if (!bn.affine) {
    set_notice(s, "This BatchNorm has no γ and β (affine is off).", "Turn affine on in the normalization options.");
    return;
  }
  bn.gamma[a.feature] = a.gamma;
  bn.beta[a.feature] = a.beta;
  ++s.model_version;
}

void apply_inspector(Session& s, const act::BackpropNext&) {
  const int next = std::min(static_cast<int>(s.inspector.backprop_step) + 1, kBackpropStepCount - 1);
  s.inspector.backprop_step = static_cast<BackpropStep>(next);
}

void apply_inspector(Session& s, const act::BackpropPrev&) {
  const int prev = std::max(static_cast<int>(s.inspector.backprop_step) - 1, 0);
  s.inspector.backprop_step = static_cast<BackpropStep>(prev);
}

void apply_inspector(Session& s, const act::SetBackpropStep& a) {
  const int v = static_cast<int>(a.step);
  if (v < 0 || v >= kBackpropStepCount) {
    set_notice(s, "Unknown backprop step.");
    return;
  }
  s.inspector.backprop_step = a.step;
}

void apply_inspector(Session& s, const act::CheckGradients&) {
  Result<GradCheck> r = check_gradients(s);
  if (!r.ok()) {
    set_notice(s, r.error().message, r.error().hint);
    return;
  }
  s.inspector.grad_check = std::move(r.value());
}

const char* stage_name(InspectorStage stage) {
  switch (stage) {
    case InspectorStage::kRaw: return "x (raw)";
    case InspectorStage::kMean: return "μ_B";
    case InspectorStage::kCentred: return "x − μ_B";
    case InspectorStage::kVariance: return "σ²_B";
    case InspectorStage::kNormalized: return "x\u0302";
    case InspectorStage::kAffine: return "y = γx\u0302 + β";
    case InspectorStage::kRunning: return "running stats";
    case InspectorStage::kEval: return "eval path";
  }
  return "?";
}

const char* backprop_step_name(BackpropStep step) {
  switch (step) {
    case BackpropStep::kForward: return "forward";
    case BackpropStep::kDy: return "dy";
    case BackpropStep::kDbeta: return "dβ";
    case BackpropStep::kDgamma: return "dγ";
    case BackpropStep::kDxhat: return "dx\u0302";
    case BackpropStep::kDvar: return "dσ²";
    case BackpropStep::kDmean: return "dμ";
    case BackpropStep::kDx: return "dx";
    case BackpropStep::kCompact: return "dx (compact)";
  }
  return "?";
}

}  // namespace nl::app
