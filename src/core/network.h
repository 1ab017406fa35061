// Sequential networks of layers.h layers, losses (softmax cross-entropy, MSE), weight init,
// optimizers (SGD with momentum and weight decay, Adam) and BN-into-Linear folding.
// Templated on the scalar: Network (float) trains; NetworkT<double> runs gradient checks.
// Not here: datasets, batching, metrics over time (experiment.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/layers.h"
#include "core/result.h"
#include "core/rng.h"
#include "core/spec.h"
#include "core/types.h"

namespace nl {

enum class LossKind { kSoftmaxCrossEntropy, kMse };

// Mean softmax cross-entropy over the N columns of logits (C, N) against labels in [0, C).
// If dlogits is given it receives dL/dlogits (C, N) = (softmax - onehot)/N.
template <typename T>
T softmax_cross_entropy(const MatT<T>& logits, const std::vector<int>& labels, MatT<T>* dlogits);

// Column-wise softmax of (C, N) logits (max-subtracted, so it never overflows).
template <typename T>
MatT<T> softmax(const MatT<T>& logits);

// Mean squared error over all D*N entries (PyTorch's reduction='mean');
// dpred = 2*(pred - target)/(D*N).
template <typename T>
T mse_loss(const MatT<T>& pred, const MatT<T>& target, MatT<T>* dpred);

// What a hidden layer of the spec became: indices into layers().
struct HiddenLayerInfo {
  int linear = -1;      // the Linear layer
  int norm = -1;        // the normalization layer (-1 if none)
  int activation = -1;  // the activation layer; its input is the "pre-activation"
};

// A sequential network. Built from a NetworkSpec (MLP), or layer by layer with add().
//   auto net = Network::from_spec(spec);             // Result<Network>
//   net->set_training(true);
//   auto loss = net->train_batch(x, labels);         // forward + loss + backward; Result<float>
//   Optimizer opt{OptimizerSpec{}}; opt.step(*net);
template <typename T>
class NetworkT {
 public:
  NetworkT() = default;
  explicit NetworkT(Index input_width) : input_width_(input_width) {}

  // Linear -> [norm] -> activation -> [norm] per hidden layer, then a Linear output layer
  // (loss: softmax cross-entropy). Weights: init scheme with Rng{spec.seed}, drawn in layer
  // order, weight matrix column-major; biases 0. Only Linear layers draw random numbers,
  // so networks differing only in normalization get identical Linear weights.
  static Result<NetworkT> from_spec(const NetworkSpec& spec);

  void add(LayerT<T> layer) { layers_.push_back(std::move(layer)); }
  std::vector<LayerT<T>>& layers() { return layers_; }
  const std::vector<LayerT<T>>& layers() const { return layers_; }
  const std::vector<HiddenLayerInfo>& hidden() const { return hidden_; }
  Index input_width() const { return input_width_; }
  LossKind loss_kind = LossKind::kSoftmaxCrossEntropy;

  // Train mode (batch statistics, running stats updated) or eval mode (running stats).
  void set_training(bool on) { training_ = on; }
  bool training() const { return training_; }

  // Forward in the current mode; caches everything backward needs. Errors (e.g. a batch
  // of one through BatchNorm in training) are reported before any layer changes state.
  Result<MatT<T>> forward(const MatT<T>& x);
  // Backward from dL/doutput; fills every parameter gradient (overwrites, no accumulation).
  // Returns dL/dx of the network input.
  MatT<T> backward(const MatT<T>& dout);
  // forward + softmax cross-entropy + backward. Returns the mean loss.
  Result<T> train_batch(const MatT<T>& x, const std::vector<int>& labels);
  // forward + MSE + backward (regression).
  Result<T> train_batch_mse(const MatT<T>& x, const MatT<T>& target);

  // Eval-mode output (logits) without touching any state. If `layer_outputs` is given it
  // receives every layer's output, in order.
  MatT<T> infer(const MatT<T>& x, std::vector<MatT<T>>* layer_outputs = nullptr) const;

  // Parameters in a stable order (layer order; weight then bias, gamma then beta).
  // Pointers stay valid until the network is copied, moved or layers are added.
  std::vector<ParamRefT<T>> params();
  Index num_params();

  // Each layer's name as used in parameter names: "linear1", "bn1", "relu1", ...
  std::string layer_name(std::size_t i) const;

  // Output of each layer from the last forward (same order as layers()).
  const std::vector<MatT<T>>& outputs() const { return outputs_; }

  // Turn trace recording on/off for every BatchNorm / Batch Renorm layer.
  void set_record_trace(bool on);

 private:
  Index input_width_ = 0;
  std::vector<LayerT<T>> layers_;
  std::vector<HiddenLayerInfo> hidden_;
  std::vector<MatT<T>> outputs_;  // per layer, last forward
  bool training_ = true;
};

using Network = NetworkT<float>;

// Fills a Linear/Conv weight with the init scheme (fan_in, fan_out given): He = N(0, 2/fan_in),
// Xavier = N(0, 2/(fan_in+fan_out)), small Gaussian = N(0, 0.01^2). Bias is set to 0.
template <typename T>
void init_weights(MatT<T>& w, Index fan_in, Index fan_out, InitScheme scheme, Rng& rng);

// Folds every eval-mode BatchNorm that directly follows a Linear into that Linear
// (W' = diag(gamma*inv_std) W, b' = gamma*inv_std*(b - running_mean) + beta) and removes
// it. The folded network's infer() equals the original's infer() up to float rounding.
// BatchNorm layers without running statistics or not right after a Linear stay as they are.
template <typename T>
NetworkT<T> fold_batchnorm(const NetworkT<T>& net);

// Optimizers, as torch.optim does them (weight decay adds wd*p to the gradient):
//  SGD:  buf = momentum*buf + g (buf = g on the first step); p -= lr*buf
//  Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
//        p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
// State is per parameter index of Network::params(), so the network's layout must not change.
class Optimizer {
 public:
  explicit Optimizer(const OptimizerSpec& spec) : spec_(spec) {}
  // Updates the parameters from their gradients; reads the gradients and never changes them
  // (Experiment takes the step's gradient norms after it).
  void step(Network& net);
  const OptimizerSpec& spec() const { return spec_; }
  // New hyperparameters. Momentum buffers / Adam moments and the step count are kept when
  // the kind is unchanged (like editing torch.optim's param_groups), reset otherwise.
  void set_spec(const OptimizerSpec& spec) {
    if (spec.kind != spec_.kind) {
      t_ = 0;
      m_.clear();
      v_.clear();
    }
    spec_ = spec;
  }
  std::int64_t steps() const { return t_; }
  // Saved state, for exporting and re-importing a run (app/state_json.h): per parameter of
  // Network::params(), the SGD momentum buffer / Adam first moment (m) and Adam second moment
  // (v); empty before the first step. restore() trusts the caller to have checked the sizes.
  const std::vector<Vector>& first_moments() const { return m_; }
  const std::vector<Vector>& second_moments() const { return v_; }
  void restore(std::int64_t steps, std::vector<Vector> m, std::vector<Vector> v) {
    t_ = steps;
    m_ = std::move(m);
    v_ = std::move(v);
  }

 private:
  OptimizerSpec spec_;
  std::int64_t t_ = 0;
  std::vector<Vector> m_, v_;  // per parameter: momentum buffer / Adam moments
};

}  // namespace nl
