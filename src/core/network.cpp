// Network construction, forward/backward over the layer list, losses, init, folding and
// optimizers. Instantiated for float and double.
// Not here: layer math (layers.cpp).
#include "core/network.h"

#include <cmath>
#include <type_traits>

#include "core/assert.h"

namespace nl {

// ---------------------------------------------------------------- losses

template <typename T>
MatT<T> softmax(const MatT<T>& logits) {
  MatT<T> p(logits.rows(), logits.cols());
  for (Index n = 0; n < logits.cols(); ++n) {
    const T mx = logits.col(n).maxCoeff();
    p.col(n) = (logits.col(n).array() - mx).exp().matrix();  // shift by max: no overflow
    p.col(n) /= p.col(n).sum();
  }
  return p;
}

template <typename T>
T softmax_cross_entropy(const MatT<T>& logits, const std::vector<int>& labels, MatT<T>* dlogits) {
  const Index C = logits.rows(), N = logits.cols();
  NL_ASSERT(static_cast<Index>(labels.size()) == N, "cross-entropy: labels size != batch");
  double total = 0.0;
  MatT<T> p = softmax(logits);
  for (Index n = 0; n < N; ++n) {
    const int y = labels[static_cast<std::size_t>(n)];
    NL_ASSERT(y >= 0 && y < C, "cross-entropy: label out of range");
    // -log softmax_y = logsumexp(z) - z_y, computed stably
    const double mx = static_cast<double>(logits.col(n).maxCoeff());
    double se = 0.0;
    for (Index c = 0; c < C; ++c) se += std::exp(static_cast<double>(logits(c, n)) - mx);
    total += mx + std::log(se) - static_cast<double>(logits(y, n));
  }
  if (dlogits != nullptr) {
    *dlogits = p;
    for (Index n = 0; n < N; ++n) (*dlogits)(labels[static_cast<std::size_t>(n)], n) -= T(1);
    *dlogits /= static_cast<T>(N);  // mean over the batch
  }
  return static_cast<T>(total / static_cast<double>(N));
}

template <typename T>
T mse_loss(const MatT<T>& pred, const MatT<T>& target, MatT<T>* dpred) {
  NL_ASSERT(pred.rows() == target.rows() && pred.cols() == target.cols(), "mse: shape");
  const double count = static_cast<double>(pred.size());
  const MatT<T> diff = pred - target;
  if (dpred != nullptr) *dpred = diff * static_cast<T>(2.0 / count);
  return static_cast<T>(diff.template cast<double>().squaredNorm() / count);
}

// ---------------------------------------------------------------- init

template <typename T>
void init_weights(MatT<T>& w, Index fan_in, Index fan_out, InitScheme scheme, Rng& rng) {
  double stddev = 0.01;
  switch (scheme) {
    case InitScheme::kHe: stddev = std::sqrt(2.0 / static_cast<double>(fan_in)); break;
    case InitScheme::kXavier: stddev = std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)); break;
    case InitScheme::kSmallGaussian: stddev = 0.01; break;
  }
  // Draw in float so float and double networks built from one spec start identical.
  for (Index i = 0; i < w.size(); ++i)
    w.data()[i] = static_cast<T>(static_cast<float>(stddev * rng.normal_double()));
}

// ---------------------------------------------------------------- network

template <typename T>
Result<NetworkT<T>> NetworkT<T>::from_spec(const NetworkSpec& spec) {
  if (spec.input_width < 1 || spec.input_width > 4096)
    return make_error("Input width must be between 1 and 4096 (got " + std::to_string(spec.input_width) + ").");
  if (spec.output_width < 2 || spec.output_width > 4096)
    return make_error("Output width must be between 2 and 4096 (got " + std::to_string(spec.output_width) + ").",
                      "A classifier needs at least 2 outputs.");
  if (spec.hidden.size() > 16)
    return make_error("At most 16 hidden layers are supported.");
  if (!(spec.norm.eps > 0.0f) || !std::isfinite(spec.norm.eps))
    return make_error("Normalization eps must be a positive number.", "PyTorch's default is 1e-5.");
  if (spec.norm.momentum && !(*spec.norm.momentum >= 0.0f && *spec.norm.momentum <= 1.0f))
    return make_error("BatchNorm momentum must be in [0, 1] (or null for a cumulative average).",
                      "PyTorch's default is 0.1.");
  if (!(spec.norm.r_max >= 1.0f) || !(spec.norm.d_max >= 0.0f))
    return make_error("Batch Renorm needs r_max >= 1 and d_max >= 0.");
  NetworkT net(spec.input_width);
  Rng rng(spec.seed);
  Index in = spec.input_width;
  int i = 0;
  for (const HiddenLayerSpec& h : spec.hidden) {
    ++i;
    if (h.width < 1 || h.width > 4096)
      return make_error("Hidden layer " + std::to_string(i) + " width must be between 1 and 4096.");
    if (h.norm == NormKind::kGroupNorm && (spec.norm.groups < 1 || h.width % spec.norm.groups != 0))
      return make_error("GroupNorm with " + std::to_string(spec.norm.groups) + " groups does not divide hidden layer " +
                            std::to_string(i) + " of width " + std::to_string(h.width) + ".",
                        "Pick a number of groups that divides every hidden width.");
    HiddenLayerInfo info;
    auto lin = LinearT<T>::make(in, h.width);
    init_weights(lin.weight, in, h.width, spec.init, rng);
    info.linear = static_cast<int>(net.layers_.size());
    net.add(std::move(lin));
    auto add_norm = [&]() {
      if (h.norm == NormKind::kNone) return;
      info.norm = static_cast<int>(net.layers_.size());
      switch (h.norm) {
        case NormKind::kBatchNorm: net.add(BatchNormT<T>::make(h.width, 1, spec.norm)); break;
        case NormKind::kLayerNorm: net.add(GroupNormT<T>::make_layer_norm(h.width, 1, spec.norm)); break;
        case NormKind::kGroupNorm:
          net.add(GroupNormT<T>::make_group_norm(h.width, 1, spec.norm.groups, spec.norm));
          break;
        case NormKind::kBatchRenorm: net.add(BatchRenormT<T>::make(h.width, 1, spec.norm)); break;
        case NormKind::kNone: break;
      }
    };
    if (h.placement == NormPlacement::kBeforeActivation) add_norm();
    info.activation = static_cast<int>(net.layers_.size());
    net.add(ActivationT<T>::make(h.activation));
    if (h.placement == NormPlacement::kAfterActivation) add_norm();
    net.hidden_.push_back(info);
    in = h.width;
  }
  auto out = LinearT<T>::make(in, spec.output_width);
  init_weights(out.weight, in, spec.output_width, spec.init, rng);
  net.add(std::move(out));
  return net;
}

template <typename T>
Result<MatT<T>> NetworkT<T>::forward(const MatT<T>& x) {
  NL_ASSERT(x.rows() == input_width_, "Network: input rows != input_width");
  // Validate every layer first, so an error leaves all state untouched.
  for (const auto& layer : layers_) {
    Status st = std::visit([&](const auto& l) { return l.check_batch(x.cols(), training_); }, layer);
    if (!st.ok()) return st.error();
  }
  outputs_.resize(layers_.size());
  const MatT<T>* cur = &x;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    std::visit([&](auto& l) { l.forward(*cur, training_, outputs_[i]); }, layers_[i]);
    cur = &outputs_[i];
  }
  return *cur;
}

template <typename T>
MatT<T> NetworkT<T>::backward(const MatT<T>& dout) {
  NL_ASSERT(outputs_.size() == layers_.size(), "Network: backward before forward");
  MatT<T> grad = dout, next;
  for (std::size_t k = layers_.size(); k-- > 0;) {
    std::visit([&](auto& l) { l.backward(grad, next, true); }, layers_[k]);
    std::swap(grad, next);
  }
  return grad;
}

template <typename T>
Result<T> NetworkT<T>::train_batch(const MatT<T>& x, const std::vector<int>& labels) {
  auto out = forward(x);
  if (!out.ok()) return out.error();
  MatT<T> dlogits;
  const T loss = softmax_cross_entropy(*out, labels, &dlogits);
  backward(dlogits);
  return loss;
}

template <typename T>
Result<T> NetworkT<T>::train_batch_mse(const MatT<T>& x, const MatT<T>& target) {
  auto out = forward(x);
  if (!out.ok()) return out.error();
  MatT<T> dpred;
  const T loss = mse_loss(*out, target, &dpred);
  backward(dpred);
  return loss;
}

template <typename T>
MatT<T> NetworkT<T>::infer(const MatT<T>& x, std::vector<MatT<T>>* layer_outputs) const {
  NL_ASSERT(x.rows() == input_width_, "Network: input rows != input_width");
  MatT<T> cur = x;
  if (layer_outputs != nullptr) layer_outputs->clear();
  for (const auto& layer : layers_) {
    cur = std::visit([&](const auto& l) { return l.infer(cur); }, layer);
    if (layer_outputs != nullptr) layer_outputs->push_back(cur);
  }
  return cur;
}

template <typename T>
std::string NetworkT<T>::layer_name(std::size_t i) const {
  // Count layers of the same family before i (1-based), e.g. the 2nd Linear is "linear2".
  auto family = [](const LayerT<T>& l) -> std::string {
    if (std::holds_alternative<LinearT<T>>(l)) return "linear";
    if (std::holds_alternative<BatchNormT<T>>(l)) return "bn";
    if (std::holds_alternative<BatchRenormT<T>>(l)) return "brn";
    if (const auto* g = std::get_if<GroupNormT<T>>(&l)) return g->per_element_affine ? "ln" : "gn";
    if (std::holds_alternative<ActivationT<T>>(l)) return "act";
    if (std::holds_alternative<Conv2dT<T>>(l)) return "conv";
    return "pool";
  };
  const std::string f = family(layers_[i]);
  int count = 0;
  for (std::size_t k = 0; k <= i; ++k)
    if (family(layers_[k]) == f) ++count;
  return f + std::to_string(count);
}

template <typename T>
std::vector<ParamRefT<T>> NetworkT<T>::params() {
  std::vector<ParamRefT<T>> out;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const std::string name = layer_name(i);
    std::visit([&](auto& l) { l.params(out, name); }, layers_[i]);
  }
  return out;
}

template <typename T>
Index NetworkT<T>::num_params() {
  Index n = 0;
  for (const auto& p : params()) n += p.size;
  return n;
}

template <typename T>
void NetworkT<T>::set_record_trace(bool on) {
  for (auto& layer : layers_) {
    if (auto* bn = std::get_if<BatchNormT<T>>(&layer)) bn->record_trace = on;
    if (auto* brn = std::get_if<BatchRenormT<T>>(&layer)) brn->bn.record_trace = on;
  }
}

// ---------------------------------------------------------------- folding

template <typename T>
NetworkT<T> fold_batchnorm(const NetworkT<T>& net) {
  NetworkT<T> out(net.input_width());
  out.loss_kind = net.loss_kind;
  const auto& layers = net.layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto* lin = std::get_if<LinearT<T>>(&layers[i]);
    const auto* bn = i + 1 < layers.size() ? std::get_if<BatchNormT<T>>(&layers[i + 1]) : nullptr;
    if (lin != nullptr && bn != nullptr && bn->track_running_stats && bn->spatial == 1) {
      LinearT<T> f = LinearT<T>::make(lin->in_features(), lin->out_features());
      for (Index c = 0; c < bn->channels; ++c) {
        // scale = gamma/sqrt(running_var + eps), in double to keep folding exact to float
        const double scale = static_cast<double>(bn->gamma[c]) /
                             std::sqrt(static_cast<double>(bn->running_var[c]) + static_cast<double>(bn->eps));
        f.weight.row(c) = (lin->weight.row(c).template cast<double>() * scale).template cast<T>();  // W' = scale*W
        f.bias[c] = static_cast<T>(scale * (static_cast<double>(lin->bias[c]) - static_cast<double>(bn->running_mean[c])) +
                                   static_cast<double>(bn->beta[c]));  // b' = scale*(b - mu) + beta
      }
      out.add(std::move(f));
      ++i;  // skip the folded BatchNorm
    } else {
      out.add(layers[i]);
    }
  }
  out.set_training(false);
  return out;
}

// ---------------------------------------------------------------- optimizer

void Optimizer::step(Network& net) {
  auto params = net.params();
  if (m_.size() != params.size()) {
    m_.assign(params.size(), Vector());
    v_.assign(params.size(), Vector());
    for (std::size_t i = 0; i < params.size(); ++i) {
      m_[i] = Vector::Zero(params[i].size);
      v_[i] = Vector::Zero(params[i].size);
    }
  }
  ++t_;
  const float lr = spec_.learning_rate, wd = spec_.weight_decay;
  for (std::size_t i = 0; i < params.size(); ++i) {
    Eigen::Map<Vector> p(params[i].value, params[i].size);
    const Eigen::Map<const Vector> g0(params[i].grad, params[i].size);
    Vector g = g0;
    if (wd != 0.0f) g += wd * p;  // L2 weight decay added to the gradient
    if (spec_.kind == OptimizerKind::kSgd) {
      if (spec_.momentum != 0.0f) {
        if (t_ == 1) m_[i] = g;                         // first step: buf = g
        else m_[i] = spec_.momentum * m_[i] + g;        // buf = momentum*buf + g
        p -= lr * m_[i];
      } else {
        p -= lr * g;
      }
    } else {
      const float b1 = spec_.beta1, b2 = spec_.beta2;
      m_[i] = b1 * m_[i] + (1.0f - b1) * g;                                 // first moment
      v_[i] = b2 * v_[i] + (1.0f - b2) * g.cwiseProduct(g);                 // second moment
      const float bc1 = 1.0f - std::pow(b1, static_cast<float>(t_));        // bias corrections
      const float bc2 = 1.0f - std::pow(b2, static_cast<float>(t_));
      const float step_size = lr / bc1;
      const float sqrt_bc2 = std::sqrt(bc2);
      p.array() -= step_size * m_[i].array() / (v_[i].array().sqrt() / sqrt_bc2 + spec_.adam_eps);
    }
  }
}

template float softmax_cross_entropy<float>(const Matrix&, const std::vector<int>&, Matrix*);
template double softmax_cross_entropy<double>(const MatrixD&, const std::vector<int>&, MatrixD*);
template Matrix softmax<float>(const Matrix&);
template MatrixD softmax<double>(const MatrixD&);
template float mse_loss<float>(const Matrix&, const Matrix&, Matrix*);
template double mse_loss<double>(const MatrixD&, const MatrixD&, MatrixD*);
template void init_weights<float>(Matrix&, Index, Index, InitScheme, Rng&);
template void init_weights<double>(MatrixD&, Index, Index, InitScheme, Rng&);
template class NetworkT<float>;
template class NetworkT<double>;
template NetworkT<float> fold_batchnorm<float>(const NetworkT<float>&);
template NetworkT<double> fold_batchnorm<double>(const NetworkT<double>&);

}  // namespace nl
