// "Check numerically": central finite differences in double precision for the inspected
// BatchNorm feature (dL/dx for a few samples, dL/dγ, dL/dβ) against the analytic backward
// of a NetworkT<double> copy of the network. Runs on copies only; no training state changes.
#include <algorithm>
#include <cmath>
#include <variant>

#include "app/inspector.h"
#include "app/inspector_internal.h"

namespace nl::app {

namespace {

// A double-precision copy of the float network: same layers (from the spec), same
// parameters (Network::params() order is stable), same BatchNorm buffers.
Result<NetworkT<double>> to_double(const Experiment& e) {
  Result<NetworkT<double>> d = NetworkT<double>::from_spec(e.spec().net);
  if (!d.ok()) return d.error();
  Network f = e.network();
  std::vector<ParamRefT<float>> pf = f.params();
  std::vector<ParamRefT<double>> pd = d->params();
  if (pf.size() != pd.size() || f.layers().size() != d->layers().size())
    return make_error("The network's layout does not match its spec.");
  for (std::size_t i = 0; i < pf.size(); ++i) {
    if (pf[i].size != pd[i].size) return make_error("The network's layout does not match its spec.");
    for (Index k = 0; k < pf[i].size; ++k) pd[i].value[k] = static_cast<double>(pf[i].value[k]);
  }
  for (std::size_t i = 0; i < f.layers().size(); ++i) {
    const BatchNorm* bf = std::get_if<BatchNorm>(&f.layers()[i]);
    if (const auto* rf = std::get_if<BatchRenorm>(&f.layers()[i])) bf = &rf->bn;
    BatchNormT<double>* bd = std::get_if<BatchNormT<double>>(&d->layers()[i]);
    if (auto* rd = std::get_if<BatchRenormT<double>>(&d->layers()[i])) bd = &rd->bn;
    if (bf == nullptr || bd == nullptr) continue;
    bd->running_mean = bf->running_mean.cast<double>();
    bd->running_var = bf->running_var.cast<double>();
    bd->num_batches_tracked = bf->num_batches_tracked;
  }
  return d;
}

// Batch Renorm's r and d per layer index (empty where the layer is not a Batch Renorm in use).
struct FixedRenorm {
  std::vector<VectorD> r, d;  // (C) each
};

// r and d of every Batch Renorm layer after `net`'s last training forward.
FixedRenorm renorm_constants(const NetworkT<double>& net) {
  FixedRenorm out;
  out.r.resize(net.layers().size());
  out.d.resize(net.layers().size());
  for (std::size_t k = 0; k < net.layers().size(); ++k)
    if (const auto* brn = std::get_if<BatchRenormT<double>>(&net.layers()[k]); brn && brn->bn.used_batch_stats &&
                                                                              brn->bn.track_running_stats) {
      out.r[k] = brn->r;
      out.d[k] = brn->d;
    }
  return out;
}

// Training-mode loss of `base` from layer `first` on, given that layer's input. Runs on a
// fresh copy each time, so running statistics (used by Batch Renorm) never drift. Batch
// Renorm layers use the r and d in `fixed` (the gradient Batch Renorm trains with treats them
// as constants; letting them move with the perturbation would measure a different derivative).
double loss_from(const NetworkT<double>& base, std::size_t first, const MatrixD& input,
                 const std::vector<int>& labels, const FixedRenorm& fixed) {
  NetworkT<double> net = base;
  MatrixD cur = input, next;
  for (std::size_t k = first; k < net.layers().size(); ++k) {
    auto* brn = std::get_if<BatchRenormT<double>>(&net.layers()[k]);
    if (brn && k < fixed.r.size() && fixed.r[k].size() == brn->bn.channels && brn->bn.spatial == 1) {
      brn->bn.forward(cur, true, next);  // batch statistics: bn.xhat = (x − μ_B)/σ_B
      for (Index c = 0; c < brn->bn.channels; ++c)  // y = γ(x̂·r + d) + β with r, d fixed
        next.row(c) = (brn->bn.gamma[c] * (brn->bn.xhat.row(c).array() * fixed.r[k][c] + fixed.d[k][c]) +
                       brn->bn.beta[c]).matrix();
    } else {
      std::visit([&](auto& layer) { layer.forward(cur, true, next); }, net.layers()[k]);
    }
    cur.swap(next);
  }
  return softmax_cross_entropy<double>(cur, labels, nullptr);
}

GradCheckEntry entry(std::string name, double analytic, double numeric) {
  const double denom = std::max({std::abs(analytic), std::abs(numeric), 1e-6});
  return GradCheckEntry{std::move(name), analytic, numeric, std::abs(analytic - numeric) / denom};
}

}  // namespace

Result<GradCheck> check_gradients(const Session& s, double h) {
  if (!s.experiment) return make_error("No experiment.");
  const Experiment& e = s.exp();
  const int layer = detail::resolved_layer(s);
  int li = -1;
  if (auto err = detail::validate_selection(s, layer, s.inspector.feature, s.inspector.sample, &li))
    return make_error(*err);
  if (!(h > 0.0)) return make_error("The finite-difference step must be positive.");
  Result<NetworkT<double>> base = to_double(e);
  if (!base.ok()) return base.error();
  const std::vector<int> batch = detail::inspected_batch(e, nullptr);
  const MatrixD xb = detail::gather_columns(e.dataset().x_train, batch).cast<double>();
  const std::vector<int> yb = detail::gather_labels(e.dataset().y_train, batch);

  // Analytic gradients: forward + backward on a copy, with the BN trace on.
  NetworkT<double> analytic = *base;
  analytic.set_training(true);
  analytic.set_record_trace(true);
  if (Result<double> loss = analytic.train_batch(xb, yb); !loss.ok()) return loss.error();
  const std::size_t bn_at = static_cast<std::size_t>(li);
  const BatchNormT<double>& bn = *detail::batch_norm_of(analytic.layers()[bn_at]);
  const FixedRenorm fixed = renorm_constants(analytic);
  const MatrixD bn_input = analytic.outputs()[bn_at - 1];  // x of the BN layer (C, m)
  const Index f = s.inspector.feature;

  GradCheck out;
  out.model_version = s.model_version;
  out.layer = layer;
  out.feature = static_cast<int>(f);
  out.step = h;
  // x entries: the chosen sample, its neighbour and one half a batch away.
  const int m = static_cast<int>(batch.size());
  std::vector<int> samples{s.inspector.sample};
  for (int extra : {(s.inspector.sample + 1) % m, (s.inspector.sample + m / 2) % m})
    if (std::find(samples.begin(), samples.end(), extra) == samples.end()) samples.push_back(extra);
  for (int n : samples) {
    MatrixD plus = bn_input, minus = bn_input;
    plus(f, n) += h;
    minus(f, n) -= h;
    const double numeric = (loss_from(*base, bn_at, plus, yb, fixed) - loss_from(*base, bn_at, minus, yb, fixed)) / (2.0 * h);
    out.entries.push_back(entry("x[" + std::to_string(n + 1) + "]", bn.trace->dx(f, n), numeric));
  }
  if (bn.affine) {
    for (int which = 0; which < 2; ++which) {
      NetworkT<double> plus = *base, minus = *base;
      BatchNormT<double>& bp = *detail::batch_norm_of(plus.layers()[bn_at]);
      BatchNormT<double>& bm = *detail::batch_norm_of(minus.layers()[bn_at]);
      (which == 0 ? bp.gamma : bp.beta)[f] += h;
      (which == 0 ? bm.gamma : bm.beta)[f] -= h;
      const double numeric =
          (loss_from(plus, bn_at, bn_input, yb, fixed) - loss_from(minus, bn_at, bn_input, yb, fixed)) / (2.0 * h);
      out.entries.push_back(which == 0 ? entry("γ", bn.dgamma[f], numeric) : entry("β", bn.dbeta[f], numeric));
    }
  }
  out.max_rel_error = 0.0;
  for (const GradCheckEntry& en : out.entries) out.max_rel_error = std::max(out.max_rel_error, en.rel_error);
  return out;
}

}  // namespace nl::app
