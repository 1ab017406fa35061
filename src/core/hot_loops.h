// The hot loops of the core on raw contiguous buffers: BatchNorm, Linear, activations.
// `ref::` holds the plain reference math templated on the scalar (float runs, double is
// used by gradient checks); `hot::` holds the float entry points the layers call, whose
// bodies (hot_loops.cpp) may be swapped for SIMD kernels without touching any layer.
// Not here: running statistics, traces, parameters (see layers.h).
//
// Layout, the project's one batch layout (types.h): a batch is N columns of D = C*S
// floats; element (n, c, s) lives at x[(n*C + c)*S + s], S = H*W spatial positions
// (S = 1 for features). Statistics of BatchNorm are per channel c over all N*S values.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include <Eigen/Core>

#include "core/spec.h"
#include "core/types.h"

namespace nl {

// LeakyReLU negative slope (PyTorch default).
inline constexpr double kLeakySlope = 0.01;

namespace ref {

// Sums are accumulated in double, as PyTorch's CPU BatchNorm does for float inputs.
using Acc = double;

// BatchNorm training forward with batch statistics, per channel c:
//   mean = (1/m) sum x;  var = (1/m) sum (x - mean)^2 (biased);  m = N*S
//   inv_std = 1/sqrt(var + eps);  xhat = (x - mean)*inv_std;  y = gamma*xhat + beta
template <typename T>
void batchnorm_train_forward(const T* x, Index N, Index C, Index S, T eps, const T* gamma,
                             const T* beta, T* mean, T* var, T* inv_std, T* xhat, T* y) {
  const Acc m = static_cast<Acc>(N * S);
  for (Index c = 0; c < C; ++c) {
    Acc sum = 0;
    for (Index n = 0; n < N; ++n) {
      const T* xc = x + (n * C + c) * S;
      for (Index s = 0; s < S; ++s) sum += static_cast<Acc>(xc[s]);
    }
    const Acc mu = sum / m;  // mean
    Acc sq = 0;
    for (Index n = 0; n < N; ++n) {
      const T* xc = x + (n * C + c) * S;
      for (Index s = 0; s < S; ++s) {
        const Acc d = static_cast<Acc>(xc[s]) - mu;
        sq += d * d;
      }
    }
    const Acc v = sq / m;  // biased variance
    mean[c] = static_cast<T>(mu);
    var[c] = static_cast<T>(v);
    inv_std[c] = static_cast<T>(1.0 / std::sqrt(v + static_cast<Acc>(eps)));  // eps inside sqrt
  }
  for (Index n = 0; n < N; ++n) {
    for (Index c = 0; c < C; ++c) {
      const Index o = (n * C + c) * S;
      for (Index s = 0; s < S; ++s) {
        const T xh = (x[o + s] - mean[c]) * inv_std[c];  // normalize
        xhat[o + s] = xh;
        y[o + s] = gamma[c] * xh + beta[c];  // scale and shift
      }
    }
  }
}

// BatchNorm forward with given statistics (eval mode): xhat = (x - mean)*inv_std,
// y = gamma*xhat + beta. inv_std = 1/sqrt(running_var + eps) is computed by the caller.
template <typename T>
void batchnorm_eval_forward(const T* x, Index N, Index C, Index S, const T* gamma,
                            const T* beta, const T* mean, const T* inv_std, T* xhat, T* y) {
  for (Index n = 0; n < N; ++n) {
    for (Index c = 0; c < C; ++c) {
      const Index o = (n * C + c) * S;
      for (Index s = 0; s < S; ++s) {
        const T xh = (x[o + s] - mean[c]) * inv_std[c];
        if (xhat != nullptr) xhat[o + s] = xh;
        y[o + s] = gamma[c] * xh + beta[c];
      }
    }
  }
}

// BatchNorm backward through batch statistics (the compact three-term formula):
//   dbeta = sum dy;  dgamma = sum dy*xhat;  dxhat = gamma*dy
//   dx = (1/m)*inv_std*(m*dxhat - sum(dxhat) - xhat*sum(dxhat*xhat))
template <typename T>
void batchnorm_backward(const T* dy, const T* xhat, const T* gamma, const T* inv_std, Index N,
                        Index C, Index S, T* dx, T* dgamma, T* dbeta) {
  const Acc m = static_cast<Acc>(N * S);
  for (Index c = 0; c < C; ++c) {
    Acc sum_dy = 0, sum_dy_xhat = 0;
    for (Index n = 0; n < N; ++n) {
      const Index o = (n * C + c) * S;
      for (Index s = 0; s < S; ++s) {
        sum_dy += static_cast<Acc>(dy[o + s]);
        sum_dy_xhat += static_cast<Acc>(dy[o + s]) * static_cast<Acc>(xhat[o + s]);
      }
    }
    dbeta[c] = static_cast<T>(sum_dy);
    dgamma[c] = static_cast<T>(sum_dy_xhat);
    // term 2 and term 3 per sample, already divided by m: gamma*sum(dy)/m, gamma*sum(dy*xhat)/m
    const T k = gamma[c] * inv_std[c];
    const T mean_dy = static_cast<T>(sum_dy / m);
    const T mean_dy_xhat = static_cast<T>(sum_dy_xhat / m);
    for (Index n = 0; n < N; ++n) {
      const Index o = (n * C + c) * S;
      for (Index s = 0; s < S; ++s) dx[o + s] = k * (dy[o + s] - mean_dy - xhat[o + s] * mean_dy_xhat);
    }
  }
}

// BatchNorm backward with fixed statistics (eval mode, or constants):
//   dx = gamma*inv_std*dy;  dgamma = sum dy*xhat;  dbeta = sum dy
template <typename T>
void batchnorm_eval_backward(const T* dy, const T* xhat, const T* gamma, const T* inv_std,
                             Index N, Index C, Index S, T* dx, T* dgamma, T* dbeta) {
  for (Index c = 0; c < C; ++c) {
    Acc sum_dy = 0, sum_dy_xhat = 0;
    const T k = gamma[c] * inv_std[c];
    for (Index n = 0; n < N; ++n) {
      const Index o = (n * C + c) * S;
      for (Index s = 0; s < S; ++s) {
        sum_dy += static_cast<Acc>(dy[o + s]);
        sum_dy_xhat += static_cast<Acc>(dy[o + s]) * static_cast<Acc>(xhat[o + s]);
        dx[o + s] = k * dy[o + s];
      }
    }
    dbeta[c] = static_cast<T>(sum_dy);
    dgamma[c] = static_cast<T>(sum_dy_xhat);
  }
}

// Linear: y (out, N) = W (out, in) * x (in, N) + b (out). W is column-major.
template <typename T>
void linear_forward(const T* W, const T* b, const T* x, Index in, Index out, Index N, T* y) {
  using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  using V = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  Eigen::Map<const M> w(W, out, in);
  Eigen::Map<const V> bias(b, out);
  Eigen::Map<const M> xm(x, in, N);
  Eigen::Map<M> ym(y, out, N);
  ym.noalias() = w * xm;
  ym.colwise() += bias;
}

// Linear backward: dW = dy * x^T, db = sum over samples of dy, dx = W^T * dy.
// dx may be nullptr (first layer: no gradient needed w.r.t. the data).
template <typename T>
void linear_backward(const T* W, const T* x, const T* dy, Index in, Index out, Index N, T* dx,
                     T* dW, T* db) {
  using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  using V = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  Eigen::Map<const M> w(W, out, in);
  Eigen::Map<const M> xm(x, in, N);
  Eigen::Map<const M> dym(dy, out, N);
  Eigen::Map<M>(dW, out, in).noalias() = dym * xm.transpose();
  Eigen::Map<V>(db, out) = dym.rowwise().sum();
  if (dx != nullptr) Eigen::Map<M>(dx, in, N).noalias() = w.transpose() * dym;
}

// Elementwise activation y = f(x) over n values.
template <typename T>
void activation_forward(Activation kind, const T* x, Index n, T* y) {
  switch (kind) {
    case Activation::kIdentity:
      for (Index i = 0; i < n; ++i) y[i] = x[i];
      break;
    case Activation::kReLU:
      for (Index i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
      break;
    case Activation::kLeakyReLU:
      for (Index i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : static_cast<T>(kLeakySlope) * x[i];
      break;
    case Activation::kTanh:
      for (Index i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      break;
    case Activation::kSigmoid:
      for (Index i = 0; i < n; ++i) y[i] = T(1) / (T(1) + std::exp(-x[i]));
      break;
  }
}

// dx = f'(x) * dy, using the saved input x and output y.
template <typename T>
void activation_backward(Activation kind, const T* x, const T* y, const T* dy, Index n, T* dx) {
  switch (kind) {
    case Activation::kIdentity:
      for (Index i = 0; i < n; ++i) dx[i] = dy[i];
      break;
    case Activation::kReLU:
      for (Index i = 0; i < n; ++i) dx[i] = x[i] > T(0) ? dy[i] : T(0);
      break;
    case Activation::kLeakyReLU:
      for (Index i = 0; i < n; ++i) dx[i] = x[i] > T(0) ? dy[i] : static_cast<T>(kLeakySlope) * dy[i];
      break;
    case Activation::kTanh:
      for (Index i = 0; i < n; ++i) dx[i] = dy[i] * (T(1) - y[i] * y[i]);
      break;
    case Activation::kSigmoid:
      for (Index i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (T(1) - y[i]);
      break;
  }
}

}  // namespace ref

// Float entry points used by the layers; bodies in hot_loops.cpp (SIMD kernels go there).
// Same signatures and contracts as the ref:: templates above.
namespace hot {
void batchnorm_train_forward(const float* x, Index N, Index C, Index S, float eps,
                             const float* gamma, const float* beta, float* mean, float* var,
                             float* inv_std, float* xhat, float* y);
void batchnorm_eval_forward(const float* x, Index N, Index C, Index S, const float* gamma,
                            const float* beta, const float* mean, const float* inv_std,
                            float* xhat, float* y);
void batchnorm_backward(const float* dy, const float* xhat, const float* gamma,
                        const float* inv_std, Index N, Index C, Index S, float* dx,
                        float* dgamma, float* dbeta);
void batchnorm_eval_backward(const float* dy, const float* xhat, const float* gamma,
                             const float* inv_std, Index N, Index C, Index S, float* dx,
                             float* dgamma, float* dbeta);
void linear_forward(const float* W, const float* b, const float* x, Index in, Index out, Index N,
                    float* y);
void linear_backward(const float* W, const float* x, const float* dy, Index in, Index out,
                     Index N, float* dx, float* dW, float* db);
void activation_forward(Activation kind, const float* x, Index n, float* y);
void activation_backward(Activation kind, const float* x, const float* y, const float* dy,
                         Index n, float* dx);
}  // namespace hot

// Dispatch: float goes through hot:: (swappable kernels), every other scalar through ref::.
namespace dispatch {
template <typename T>
void batchnorm_train_forward(const T* x, Index N, Index C, Index S, T eps, const T* gamma,
                             const T* beta, T* mean, T* var, T* inv_std, T* xhat, T* y) {
  if constexpr (std::is_same_v<T, float>) {
    hot::batchnorm_train_forward(x, N, C, S, eps, gamma, beta, mean, var, inv_std, xhat, y);
  } else {
    ref::batchnorm_train_forward(x, N, C, S, eps, gamma, beta, mean, var, inv_std, xhat, y);
  }
}
template <typename T>
void batchnorm_eval_forward(const T* x, Index N, Index C, Index S, const T* gamma, const T* beta,
                            const T* mean, const T* inv_std, T* xhat, T* y) {
  if constexpr (std::is_same_v<T, float>) {
    hot::batchnorm_eval_forward(x, N, C, S, gamma, beta, mean, inv_std, xhat, y);
  } else {
    ref::batchnorm_eval_forward(x, N, C, S, gamma, beta, mean, inv_std, xhat, y);
  }
}
template <typename T>
void batchnorm_backward(const T* dy, const T* xhat, const T* gamma, const T* inv_std, Index N,
                        Index C, Index S, T* dx, T* dgamma, T* dbeta) {
  if constexpr (std::is_same_v<T, float>) {
    hot::batchnorm_backward(dy, xhat, gamma, inv_std, N, C, S, dx, dgamma, dbeta);
  } else {
    ref::batchnorm_backward(dy, xhat, gamma, inv_std, N, C, S, dx, dgamma, dbeta);
  }
}
template <typename T>
void batchnorm_eval_backward(const T* dy, const T* xhat, const T* gamma, const T* inv_std, Index N,
                             Index C, Index S, T* dx, T* dgamma, T* dbeta) {
  if constexpr (std::is_same_v<T, float>) {
    hot::batchnorm_eval_backward(dy, xhat, gamma, inv_std, N, C, S, dx, dgamma, dbeta);
  } else {
    ref::batchnorm_eval_backward(dy, xhat, gamma, inv_std, N, C, S, dx, dgamma, dbeta);
  }
}
template <typename T>
void linear_forward(const T* W, const T* b, const T* x, Index in, Index out, Index N, T* y) {
  if constexpr (std::is_same_v<T, float>) {
    hot::linear_forward(W, b, x, in, out, N, y);
  } else {
    ref::linear_forward(W, b, x, in, out, N, y);
  }
}
template <typename T>
void linear_backward(const T* W, const T* x, const T* dy, Index in, Index out, Index N, T* dx,
                     T* dW, T* db) {
  if constexpr (std::is_same_v<T, float>) {
    hot::linear_backward(W, x, dy, in, out, N, dx, dW, db);
  } else {
    ref::linear_backward(W, x, dy, in, out, N, dx, dW, db);
  }
}
template <typename T>
void activation_forward(Activation kind, const T* x, Index n, T* y) {
  if constexpr (std::is_same_v<T, float>) {
    hot::activation_forward(kind, x, n, y);
  } else {
    ref::activation_forward(kind, x, n, y);
  }
}
template <typename T>
void activation_backward(Activation kind, const T* x, const T* y, const T* dy, Index n, T* dx) {
  if constexpr (std::is_same_v<T, float>) {
    hot::activation_backward(kind, x, y, dy, n, dx);
  } else {
    ref::activation_backward(kind, x, y, dy, n, dx);
  }
}
}  // namespace dispatch

}  // namespace nl
