// Layers with forward and analytic backward, templated on the scalar (float runs the app;
// double runs the gradient checks). Each layer caches what its backward needs in forward;
// backward never overwrites that cache. Hot math lives in hot_loops.h.
// Not here: networks, losses, optimizers (network.h).
//
// Batch layout (types.h): x is (D, N), one column per sample, D = C*S with element
// (n, c, s) at x.data()[(n*C + c)*S + s]; S = H*W for images and 1 for feature vectors.
//
// BatchNorm conventions (PyTorch's, exactly):
//  - training: normalize with the batch mean and the BIASED batch variance (divide by m = N*S);
//  - eps is added to the variance inside the square root: inv_std = 1/sqrt(var + eps);
//  - running stats start at mean 0, var 1, num_batches_tracked 0; each training forward
//    increments num_batches_tracked, then running = (1 - f)*running + f*batch with
//    f = momentum (weight of the NEW batch, default 0.1) or f = 1/num_batches_tracked if
//    momentum is nullopt (cumulative average); running_var takes the UNBIASED batch
//    variance var*m/(m - 1);
//  - eval: normalize with running stats; track_running_stats off: batch stats in both modes;
//  - affine off: gamma stays 1 and beta 0 and they are not parameters;
//  - batch statistics over one value per channel (m = 1) are an error, reported by
//    check_batch() before any state changes (PyTorch 1.13 increments num_batches_tracked
//    before raising; we do not).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "core/spec.h"
#include "core/trace.h"
#include "core/types.h"

namespace nl {

// A learnable tensor and its gradient, both contiguous of `size` scalars.
template <typename T>
struct ParamRefT {
  std::string name;  // e.g. "linear1.weight", "bn1.gamma"
  T* value = nullptr;
  T* grad = nullptr;
  Index size = 0;
  bool is_weight = false;  // Linear/Conv weight matrix (counted in weight norms)
};

// Fully connected layer: y = W x + b.
template <typename T>
struct LinearT {
  MatT<T> weight;        // (out, in)
  VecT<T> bias;          // (out)
  MatT<T> dweight;       // (out, in), set by backward
  VecT<T> dbias;         // (out)
  MatT<T> x;             // (in, N) cache: input of the last forward
  bool has_cache = false;

  // Zero weights; fill them yourself or via init (network.h).
  static LinearT make(Index in, Index out);
  Index in_features() const { return weight.cols(); }
  Index out_features() const { return weight.rows(); }

  Status check_batch(Index /*n*/, bool /*training*/) const { return Ok{}; }
  void forward(const MatT<T>& x_in, bool training, MatT<T>& y);
  // need_dx = false skips dx (first layer).
  void backward(const MatT<T>& dy, MatT<T>& dx, bool need_dx = true);
  MatT<T> infer(const MatT<T>& x_in) const;
  void params(std::vector<ParamRefT<T>>& out, const std::string& prefix);
};

// Elementwise activation (ReLU, LeakyReLU slope 0.01, Tanh, Sigmoid, identity).
template <typename T>
struct ActivationT {
  Activation kind = Activation::kReLU;
  MatT<T> x, y;          // (D, N) caches of the last forward
  bool has_cache = false;

  static ActivationT make(Activation kind);
  Status check_batch(Index, bool) const { return Ok{}; }
  void forward(const MatT<T>& x_in, bool training, MatT<T>& y_out);
  void backward(const MatT<T>& dy, MatT<T>& dx, bool need_dx = true);
  MatT<T> infer(const MatT<T>& x_in) const;
  void params(std::vector<ParamRefT<T>>&, const std::string&) {}
};

// BatchNorm over features (S = 1, like nn.BatchNorm1d on (N, C)) or per channel over
// (N, C, H, W) with S = H*W (nn.BatchNorm2d). See the conventions at the top of this file.
//   auto bn = BatchNorm::make(/*C=*/4, /*S=*/1, NormOptions{});
//   if (auto st = bn.check_batch(x.cols(), true); !st) return st.error();
//   bn.forward(x, /*training=*/true, y);  bn.backward(dy, dx);
template <typename T>
struct BatchNormT {
  Index channels = 0;      // C
  Index spatial = 1;       // S = H*W
  T eps = T(1e-5);
  std::optional<T> momentum = T(0.1);
  bool affine = true;
  bool track_running_stats = true;

  VecT<T> gamma, beta;     // (C) parameters; 1 and 0 (and frozen) when affine is off
  VecT<T> dgamma, dbeta;   // (C) gradients from the last backward
  VecT<T> running_mean, running_var;  // (C) buffers; empty when not tracking
  std::int64_t num_batches_tracked = 0;

  // Cache of the last forward.
  VecT<T> mean, var, inv_std;  // (C) statistics used to normalize (var biased for batch stats)
  MatT<T> xhat;                // (C*S, N)
  bool used_batch_stats = false;
  bool has_cache = false;

  // Records the step-by-step backward graph (and the compact dx) into the trace, once per
  // forward, if recording. scale multiplies xhat on the way to y (gamma; gamma*r for Batch Renorm).
  void record_backward_trace(const MatT<T>& dy, const MatT<T>& dx_compact, const VecT<T>& scale);
  // Trace of the last forward/backward, filled when record_trace is true.
  bool record_trace = false;
  std::optional<BatchNormTraceT<T>> trace;

  static BatchNormT make(Index channels, Index spatial, const NormOptions& options);
  // Error (message + hint) if this batch cannot be normalized: batch statistics over a
  // single value per channel. Call before forward; forward asserts it.
  Status check_batch(Index n, bool training) const;
  void forward(const MatT<T>& x, bool training, MatT<T>& y);
  void backward(const MatT<T>& dy, MatT<T>& dx, bool need_dx = true);
  // Eval-mode output without touching any state (running stats or batch stats if not tracking).
  MatT<T> infer(const MatT<T>& x) const;
  void params(std::vector<ParamRefT<T>>& out, const std::string& prefix);
  bool uses_batch_stats(bool training) const { return training || !track_running_stats; }
};

// Batch Renormalization (Ioffe 2017). Training: xhat = (x - mean_B)/sigma_B * r + d with
// sigma = sqrt(var + eps), r = clip(sigma_B/sigma_run, 1/r_max, r_max),
// d = clip((mean_B - mean_run)/sigma_run, -d_max, d_max); r and d are constants in backprop.
// Running stats update and eval mode exactly as BatchNorm. Without running stats it is BatchNorm.
template <typename T>
struct BatchRenormT {
  BatchNormT<T> bn;        // parameters, buffers and batch statistics
  T r_max = T(3), d_max = T(5);
  VecT<T> r, d;            // (C) of the last training forward (r = 1, d = 0 otherwise)
  MatT<T> xhat_batch;      // (C*S, N) (x - mean_B)*inv_std_B, before r and d

  static BatchRenormT make(Index channels, Index spatial, const NormOptions& options);
  Status check_batch(Index n, bool training) const { return bn.check_batch(n, training); }
  void forward(const MatT<T>& x, bool training, MatT<T>& y);
  void backward(const MatT<T>& dy, MatT<T>& dx, bool need_dx = true);
  MatT<T> infer(const MatT<T>& x) const { return bn.infer(x); }
  void params(std::vector<ParamRefT<T>>& out, const std::string& prefix) { bn.params(out, prefix); }
};

// GroupNorm (groups G divides C) and LayerNorm (G = 1, affine per element of the C*S
// features, like nn.LayerNorm(normalized_shape=(C, H, W))). Per sample and group,
// statistics over the group's (C/G)*S values; biased variance; eps inside the sqrt.
// Same computation in train and eval (no running statistics).
template <typename T>
struct GroupNormT {
  Index channels = 0, spatial = 1, groups = 1;
  bool per_element_affine = false;  // true: LayerNorm (gamma of size C*S); false: GroupNorm (C)
  bool affine = true;
  T eps = T(1e-5);
  VecT<T> gamma, beta, dgamma, dbeta;  // (C) or (C*S)
  VecT<T> mean, inv_std;               // (G*N) of the last forward, group-major per sample
  MatT<T> xhat;                        // (C*S, N)
  bool has_cache = false;

  static GroupNormT make_group_norm(Index channels, Index spatial, Index groups,
                                    const NormOptions& options);
  static GroupNormT make_layer_norm(Index channels, Index spatial, const NormOptions& options);
  Status check_batch(Index, bool) const { return Ok{}; }
  void forward(const MatT<T>& x, bool training, MatT<T>& y);
  void backward(const MatT<T>& dy, MatT<T>& dx, bool need_dx = true);
  MatT<T> infer(const MatT<T>& x) const;
  void params(std::vector<ParamRefT<T>>& out, const std::string& prefix);
};

// 3x3 convolution, stride 1, zero padding 1 (output H x W = input H x W).
template <typename T>
struct Conv2dT {
  Index in_channels = 0, out_channels = 0, height = 0, width = 0;
  MatT<T> weight;   // (C_out, C_in*9); column ci*9 + ky*3 + kx, like PyTorch's (C_out, C_in, 3, 3)
  VecT<T> bias;     // (C_out)
  MatT<T> dweight;  // (C_out, C_in*9)
  VecT<T> dbias;    // (C_out)
  MatT<T> x;        // (C_in*H*W, N) cache
  bool has_cache = false;

  static Conv2dT make(Index in_channels, Index out_channels, Index height, Index width);
  Status check_batch(Index, bool) const { return Ok{}; }
  void forward(const MatT<T>& x_in, bool training, MatT<T>& y);
  void backward(const MatT<T>& dy, MatT<T>& dx, bool need_dx = true);
  MatT<T> infer(const MatT<T>& x_in) const;
  void params(std::vector<ParamRefT<T>>& out, const std::string& prefix);
};

enum class PoolKind { kMax, kAverage };

// 2x2 pooling with stride 2 (H and W must be even). Max ties go to the first position.
template <typename T>
struct Pool2dT {
  PoolKind kind = PoolKind::kMax;
  Index channels = 0, height = 0, width = 0;  // input size
  std::vector<Index> argmax;                   // (C*H/2*W/2*N) input offset within sample
  Index cached_n = 0;
  bool has_cache = false;

  static Pool2dT make(PoolKind kind, Index channels, Index height, Index width);
  Status check_batch(Index, bool) const { return Ok{}; }
  void forward(const MatT<T>& x_in, bool training, MatT<T>& y);
  void backward(const MatT<T>& dy, MatT<T>& dx, bool need_dx = true);
  MatT<T> infer(const MatT<T>& x_in) const;
  void params(std::vector<ParamRefT<T>>&, const std::string&) {}
};

template <typename T>
using LayerT = std::variant<LinearT<T>, BatchNormT<T>, BatchRenormT<T>, GroupNormT<T>,
                            ActivationT<T>, Conv2dT<T>, Pool2dT<T>>;

using Linear = LinearT<float>;
using BatchNorm = BatchNormT<float>;
using BatchRenorm = BatchRenormT<float>;
using GroupNorm = GroupNormT<float>;
using ActivationLayer = ActivationT<float>;
using Conv2d = Conv2dT<float>;
using Pool2d = Pool2dT<float>;
using Layer = LayerT<float>;

}  // namespace nl
