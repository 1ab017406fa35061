// Metric computations (see metrics.h). All in eval mode or on stored gradients: no state
// changes. Not here: history keeping (experiment.cpp).
#include "core/metrics.h"

#include <algorithm>
#include <cmath>

#include "core/assert.h"

namespace nl {

EvalResult evaluate(const Network& net, const Matrix& x, const std::vector<int>& labels) {
  if (x.cols() == 0) return EvalResult{};
  return evaluate_logits(net.infer(x), labels);
}

EvalResult evaluate_logits(const Matrix& logits, const std::vector<int>& labels) {
  EvalResult r;
  if (logits.cols() == 0) return r;
  r.loss = softmax_cross_entropy<float>(logits, labels, nullptr);
  Index correct = 0;
  for (Index n = 0; n < logits.cols(); ++n) {
    Index best = 0;
    logits.col(n).maxCoeff(&best);
    if (best == labels[static_cast<std::size_t>(n)]) ++correct;
  }
  r.accuracy = static_cast<float>(static_cast<double>(correct) / static_cast<double>(logits.cols()));
  return r;
}

float percentile(std::vector<float> values, float q) {
  return percentiles(std::move(values), {q})[0];
}

std::vector<float> percentiles(std::vector<float> values, std::initializer_list<float> qs) {
  NL_ASSERT(!values.empty(), "percentile of nothing");
  std::vector<float> out;
  auto first = values.begin();  // everything before `first` is <= every element after it
  float prev_q = -1.0f;
  for (float q : qs) {
    if (q < prev_q) first = values.begin();  // out of order: search the whole range again
    prev_q = q;
    const double pos = static_cast<double>(q) * static_cast<double>(values.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
    const double frac = pos - static_cast<double>(lo);
    const auto nth = values.begin() + static_cast<std::ptrdiff_t>(lo);
    // Selection instead of a full sort; ascending quantiles only search what is right of the last.
    if (nth < first) first = values.begin();
    std::nth_element(first, nth, values.end());
    const double a = static_cast<double>(*nth);
    // The next order statistic is the smallest element after position lo.
    const double b = frac > 0.0 && lo + 1 < values.size() ? static_cast<double>(*std::min_element(nth + 1, values.end())) : a;
    out.push_back(static_cast<float>(a * (1.0 - frac) + b * frac));
    first = nth + 1;
  }
  return out;
}

namespace {

double grad_sq(const Layer& layer) {
  double s = 0.0;
  if (const auto* l = std::get_if<Linear>(&layer)) {
    s += l->dweight.cast<double>().squaredNorm() + l->dbias.cast<double>().squaredNorm();
  } else if (const auto* bn = std::get_if<BatchNorm>(&layer)) {
    if (bn->affine) s += bn->dgamma.cast<double>().squaredNorm() + bn->dbeta.cast<double>().squaredNorm();
  } else if (const auto* brn = std::get_if<BatchRenorm>(&layer)) {
    if (brn->bn.affine) s += brn->bn.dgamma.cast<double>().squaredNorm() + brn->bn.dbeta.cast<double>().squaredNorm();
  } else if (const auto* gn = std::get_if<GroupNorm>(&layer)) {
    if (gn->affine) s += gn->dgamma.cast<double>().squaredNorm() + gn->dbeta.cast<double>().squaredNorm();
  }
  return s;
}

}  // namespace

std::vector<LayerMetrics> hidden_layer_grad_norms(Network& net) {
  std::vector<LayerMetrics> out;
  const auto& layers = net.layers();
  int k = 0;
  for (const HiddenLayerInfo& h : net.hidden()) {
    LayerMetrics m;
    m.name = "hidden" + std::to_string(++k);
    double s = grad_sq(layers[static_cast<std::size_t>(h.linear)]);
    if (h.norm >= 0) s += grad_sq(layers[static_cast<std::size_t>(h.norm)]);
    m.grad_norm = static_cast<float>(std::sqrt(s));
    out.push_back(m);
  }
  LayerMetrics o;
  o.name = "output";
  if (!layers.empty()) o.grad_norm = static_cast<float>(std::sqrt(grad_sq(layers.back())));
  out.push_back(o);
  return out;
}

void fill_layer_metrics(const Network& net, const Matrix& probe, std::vector<LayerMetrics>& metrics) {
  if (probe.cols() == 0) return;
  std::vector<Matrix> outs;
  net.infer(probe, &outs);
  fill_layer_metrics(net, probe, outs, metrics);
}

void fill_layer_metrics(const Network& net, const Matrix& probe, const std::vector<Matrix>& outs,
                        std::vector<LayerMetrics>& metrics) {
  if (probe.cols() == 0 || outs.size() != net.layers().size()) return;
  const auto& layers = net.layers();
  auto fill = [](LayerMetrics& m, const Matrix& pre) {
    const Eigen::ArrayXd v = Eigen::Map<const Eigen::ArrayXf>(pre.data(), pre.size()).cast<double>();
    const double mean = v.mean();
    m.preact_mean = static_cast<float>(mean);
    m.preact_std = static_cast<float>(std::sqrt((v - mean).square().mean()));
    const std::vector<float> p = percentiles(std::vector<float>(pre.data(), pre.data() + pre.size()), {0.15f, 0.50f, 0.85f});
    m.preact_p15 = p[0];
    m.preact_p50 = p[1];
    m.preact_p85 = p[2];
  };
  const auto& hidden = net.hidden();
  for (std::size_t k = 0; k < hidden.size() && k < metrics.size(); ++k) {
    const int a = hidden[k].activation;
    // Input of the activation = output of the layer before it.
    fill(metrics[k], a > 0 ? outs[static_cast<std::size_t>(a - 1)] : probe);
    if (const auto* l = std::get_if<Linear>(&layers[static_cast<std::size_t>(hidden[k].linear)]))
      metrics[k].weight_norm = l->weight.norm();
  }
  if (metrics.size() == hidden.size() + 1 && !layers.empty()) {
    fill(metrics.back(), outs.back());
    if (const auto* l = std::get_if<Linear>(&layers.back())) metrics.back().weight_norm = l->weight.norm();
  }
}

}  // namespace nl
