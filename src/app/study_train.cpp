// TrainRun and small helpers shared by the studies (study_internal.h).
#include <cstdio>

#include "app/study_internal.h"

namespace nl::app::study_detail {

Matrix gather_cols(const Matrix& x, const std::vector<int>& idx) {
  Matrix out(x.rows(), static_cast<Index>(idx.size()));
  for (std::size_t k = 0; k < idx.size(); ++k) out.col(static_cast<Index>(k)) = x.col(idx[k]);
  return out;
}

std::vector<int> gather_labels(const std::vector<int>& y, const std::vector<int>& idx) {
  std::vector<int> out(idx.size());
  for (std::size_t k = 0; k < idx.size(); ++k) out[k] = y[static_cast<std::size_t>(idx[k])];
  return out;
}

bool params_finite(Network& net) {
  for (const auto& p : net.params())
    for (Index i = 0; i < p.size; ++i)
      if (!std::isfinite(p.value[i])) return false;
  return true;
}

NetworkSpec mlp(int depth, int width, Activation act, NormKind norm, InitScheme init, std::uint64_t seed) {
  NetworkSpec s;
  s.hidden.assign(static_cast<std::size_t>(depth),
                  HiddenLayerSpec{width, act, norm, NormPlacement::kBeforeActivation});
  s.init = init;
  s.seed = seed;
  return s;
}

std::shared_ptr<const Dataset> make_data(DatasetKind kind, int size, float noise, std::uint64_t seed,
                                         float test_fraction) {
  DatasetSpec d;
  d.kind = kind;
  d.size = size;
  d.noise = noise;
  d.test_fraction = test_fraction;
  d.seed = seed;
  auto data = make_dataset(d);
  return std::make_shared<const Dataset>(data.ok() ? std::move(*data) : Dataset{});
}

std::string num(double v) {
  if (!std::isfinite(v)) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

Result<TrainRun> TrainRun::make(const NetworkSpec& net, const OptimizerSpec& opt,
                                std::shared_ptr<const Dataset> data, int batch_size, std::uint64_t shuffle_seed) {
  auto n = Network::from_spec(net);
  if (!n.ok()) return n.error();
  TrainRun r;
  r.net = std::move(*n);
  r.opt = Optimizer(opt);
  r.data = std::move(data);
  r.rng = Rng(shuffle_seed);
  r.noise_rng = Rng(shuffle_seed, 77);
  r.batch_size = batch_size;
  return r;
}

std::vector<int> TrainRun::next_batch() {
  const std::size_t n = static_cast<std::size_t>(data->x_train.cols());
  const std::size_t b = static_cast<std::size_t>(batch_size);
  if (order.size() != n || cursor + b > n) {
    if (order.size() != n) {
      order.resize(n);
      for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<int>(i);
    }
    rng.shuffle(order);
    cursor = 0;
  }
  std::vector<int> batch(order.begin() + static_cast<std::ptrdiff_t>(cursor),
                         order.begin() + static_cast<std::ptrdiff_t>(cursor + b));
  cursor += b;
  return batch;
}

namespace {

// Forward + loss + backward with noise after every BatchNorm: y -> a_u * y + b_u, with a per-unit
// scale a_u and shift b_u drawn afresh at every step from distributions whose own centre and
// spread are also drawn per step: a variant of Santurkar et al. 2018's "noisy BN" (non-zero mean,
// non-unit variance, changing over time), whose noise is drawn per activation AND per sample;
// here one draw per unit serves the whole batch. Backward multiplies dy by a_u (a and b are constants).
float noisy_train_batch(Network& net, const Matrix& x, const std::vector<int>& labels, float noise, Rng& rng) {
  auto& layers = net.layers();
  std::vector<Matrix> outs(layers.size());
  std::vector<Vector> scales(layers.size());
  const Matrix* cur = &x;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::visit([&](auto& l) { l.forward(*cur, true, outs[i]); }, layers[i]);
    if (std::holds_alternative<BatchNorm>(layers[i])) {
      const Index units = outs[i].rows();
      const float centre_shift = rng.uniform(-noise, noise);      // this step's mean of the shifts
      const float centre_scale = 1.0f + rng.uniform(-0.5f, 0.5f) * noise;  // and of the scales
      Vector a(units), b(units);
      for (Index u = 0; u < units; ++u) {
        a(u) = std::max(0.05f, centre_scale + 0.5f * noise * rng.normal());
        b(u) = centre_shift + 0.5f * noise * rng.normal();
      }
      outs[i] = (outs[i].array().colwise() * a.array()).colwise() + b.array();
      scales[i] = a;
    }
    cur = &outs[i];
  }
  Matrix grad;
  const float loss = softmax_cross_entropy<float>(*cur, labels, &grad);
  Matrix next;
  for (std::size_t k = layers.size(); k-- > 0;) {
    if (scales[k].size() > 0) grad = grad.array().colwise() * scales[k].array();
    std::visit([&](auto& l) { l.backward(grad, next, k > 0); }, layers[k]);
    std::swap(grad, next);
  }
  return loss;
}

}  // namespace

bool TrainRun::step(const std::vector<int>& batch) {
  if (diverged) return false;
  const Matrix xb = gather_cols(data->x_train, batch);
  const std::vector<int> yb = gather_labels(data->y_train, batch);
  net.set_training(true);
  float loss = 0.0f;
  if (bn_noise > 0.0f) {
    loss = noisy_train_batch(net, xb, yb, bn_noise, noise_rng);
  } else {
    auto l = net.train_batch(xb, yb);
    if (!l.ok()) {
      diverged = true;
      return false;
    }
    loss = *l;
  }
  last_loss = loss;
  if (!std::isfinite(loss)) {
    diverged = true;
    return false;
  }
  opt.step(net);
  if (!params_finite(net)) {
    diverged = true;
    return false;
  }
  return true;
}

}  // namespace nl::app::study_detail
