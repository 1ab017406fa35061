// The scalar reference kernels: plain loops, one value at a time. BatchNorm sums are
// accumulated in double (as PyTorch's CPU kernels do for float); Linear sums in float in
// input order. Always compiled; tests hold simd:: to these.
// Deliberately not clever: no blocking, no intrinsics (the compiler may still vectorize).
#include <cmath>
#include <vector>

#include "core/assert.h"
#include "core/kernels/kernels.h"

namespace nl::kernels {

const char* simd_name() {
#if defined(__wasm_simd128__)
  return "wasm-simd128";
#elif NL_KERNELS_HAVE_SIMD
  return "sse";
#else
  return "scalar";
#endif
}

}  // namespace nl::kernels

namespace nl::kernels::scalar {

void batchnorm_train_forward(const float* x, Index N, Index C, Index S, float eps,
                             const float* gamma, const float* beta, float* mean, float* var,
                             float* inv_std, float* xhat, float* y) {
  NL_ASSERT(N * S >= 1, "batchnorm_train_forward: empty batch");
  const double m = static_cast<double>(N * S);
  for (Index c = 0; c < C; ++c) {
    // Pass 1: mean, summed in double.
    double sum = 0.0;
    for (Index n = 0; n < N; ++n) {
      const float* xc = x + (n * C + c) * S;
      for (Index s = 0; s < S; ++s) sum += xc[s];
    }
    const double mu = sum / m;
    // Pass 2: biased variance from squared deviations (no E[x^2] - E[x]^2 cancellation).
    double sq = 0.0;
    for (Index n = 0; n < N; ++n) {
      const float* xc = x + (n * C + c) * S;
      for (Index s = 0; s < S; ++s) {
        const double d = xc[s] - mu;
        sq += d * d;
      }
    }
    mean[c] = static_cast<float>(mu);
    var[c] = static_cast<float>(sq / m);
    inv_std[c] = static_cast<float>(1.0 / std::sqrt(sq / m + eps));  // eps inside the sqrt
  }
  // Pass 3: normalize, scale and shift (float, per element).
  for (Index n = 0; n < N; ++n) {
    for (Index c = 0; c < C; ++c) {
      const float g = gamma ? gamma[c] : 1.0f;
      const float b = beta ? beta[c] : 0.0f;
      const Index o = (n * C + c) * S;
      for (Index s = 0; s < S; ++s) {
        const float xh = (x[o + s] - mean[c]) * inv_std[c];
        xhat[o + s] = xh;
        y[o + s] = g * xh + b;
      }
    }
  }
}

void batchnorm_eval_forward(const float* x, Index N, Index C, Index S, const float* gamma,
                            const float* beta, const float* mean, const float* inv_std,
                            float* xhat, float* y) {
  for (Index n = 0; n < N; ++n) {
    for (Index c = 0; c < C; ++c) {
      const float g = gamma ? gamma[c] : 1.0f;
      const float b = beta ? beta[c] : 0.0f;
      const Index o = (n * C + c) * S;
      for (Index s = 0; s < S; ++s) {
        const float xh = (x[o + s] - mean[c]) * inv_std[c];
        if (xhat != nullptr) xhat[o + s] = xh;
        y[o + s] = g * xh + b;
      }
    }
  }
}

namespace {
// Per channel: sum dy and sum dy*xhat over the m = N*S values, in double.
void sum_dy_dy_xhat(const float* dy, const float* xhat, Index N, Index C, Index S, Index c,
                    double& sum_dy, double& sum_dy_xhat) {
  sum_dy = 0.0;
  sum_dy_xhat = 0.0;
  for (Index n = 0; n < N; ++n) {
    const Index o = (n * C + c) * S;
    for (Index s = 0; s < S; ++s) {
      sum_dy += dy[o + s];
      sum_dy_xhat += static_cast<double>(dy[o + s]) * xhat[o + s];
    }
  }
}
}  // namespace

void batchnorm_backward(const float* dy, const float* xhat, const float* gamma,
                        const float* inv_std, Index N, Index C, Index S, float* dx,
                        float* dgamma, float* dbeta) {
  const double m = static_cast<double>(N * S);
  for (Index c = 0; c < C; ++c) {
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    sum_dy_dy_xhat(dy, xhat, N, C, S, c, sum_dy, sum_dy_xhat);
    if (dbeta != nullptr) dbeta[c] = static_cast<float>(sum_dy);
    if (dgamma != nullptr) dgamma[c] = static_cast<float>(sum_dy_xhat);
    if (dx == nullptr) continue;
    const float k = (gamma ? gamma[c] : 1.0f) * inv_std[c];          // gamma*inv_std
    const auto mean_dy = static_cast<float>(sum_dy / m);             // term 2 / m
    const auto mean_dy_xhat = static_cast<float>(sum_dy_xhat / m);   // term 3 / m
    for (Index n = 0; n < N; ++n) {
      const Index o = (n * C + c) * S;
      for (Index s = 0; s < S; ++s)
        dx[o + s] = k * (dy[o + s] - mean_dy - xhat[o + s] * mean_dy_xhat);
    }
  }
}

void batchnorm_eval_backward(const float* dy, const float* xhat, const float* gamma,
                             const float* inv_std, Index N, Index C, Index S, float* dx,
                             float* dgamma, float* dbeta) {
  for (Index c = 0; c < C; ++c) {
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    sum_dy_dy_xhat(dy, xhat, N, C, S, c, sum_dy, sum_dy_xhat);
    if (dbeta != nullptr) dbeta[c] = static_cast<float>(sum_dy);
    if (dgamma != nullptr) dgamma[c] = static_cast<float>(sum_dy_xhat);
    if (dx == nullptr) continue;
    const float k = (gamma ? gamma[c] : 1.0f) * inv_std[c];
    for (Index n = 0; n < N; ++n) {
      const Index o = (n * C + c) * S;
      for (Index s = 0; s < S; ++s) dx[o + s] = k * dy[o + s];
    }
  }
}

void linear_forward(const float* W, const float* b, const float* x, Index in, Index out, Index N,
                    float* y) {
  for (Index n = 0; n < N; ++n) {
    float* yn = y + n * out;
    for (Index o = 0; o < out; ++o) yn[o] = b ? b[o] : 0.0f;
    // y[:, n] += W[:, i] * x[i, n], i in order (the SIMD kernel sums in the same order).
    for (Index i = 0; i < in; ++i) {
      const float xi = x[i + n * in];
      const float* wi = W + i * out;
      for (Index o = 0; o < out; ++o) yn[o] += wi[o] * xi;
    }
  }
}

void linear_backward(const float* W, const float* x, const float* dy, Index in, Index out,
                     Index N, float* dx, float* dW, float* db) {
  if (dW != nullptr) {
    // dW[:, i] = sum_n dy[:, n] * x[i, n]
    for (Index i = 0; i < in; ++i) {
      float* dwi = dW + i * out;
      for (Index o = 0; o < out; ++o) dwi[o] = 0.0f;
      for (Index n = 0; n < N; ++n) {
        const float xin = x[i + n * in];
        const float* dyn = dy + n * out;
        for (Index o = 0; o < out; ++o) dwi[o] += dyn[o] * xin;
      }
    }
  }
  if (db != nullptr) {
    for (Index o = 0; o < out; ++o) db[o] = 0.0f;
    for (Index n = 0; n < N; ++n)
      for (Index o = 0; o < out; ++o) db[o] += dy[o + n * out];
  }
  if (dx != nullptr) {
    // dx[i, n] = sum_o W[o, i] * dy[o, n]
    for (Index n = 0; n < N; ++n) {
      for (Index i = 0; i < in; ++i) {
        float acc = 0.0f;
        for (Index o = 0; o < out; ++o) acc += W[o + i * out] * dy[o + n * out];
        dx[i + n * in] = acc;
      }
    }
  }
}

void activation_forward(Activation kind, const float* x, Index n, float* y) {
  switch (kind) {
    case Activation::kIdentity:
      for (Index i = 0; i < n; ++i) y[i] = x[i];
      break;
    case Activation::kReLU:
      for (Index i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      break;
    case Activation::kLeakyReLU:
      for (Index i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : kLeakySlope * x[i];
      break;
    case Activation::kTanh:
      for (Index i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      break;
    case Activation::kSigmoid:
      for (Index i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
      break;
  }
}

void activation_backward(Activation kind, const float* x, const float* y, const float* dy,
                         Index n, float* dx) {
  switch (kind) {
    case Activation::kIdentity:
      for (Index i = 0; i < n; ++i) dx[i] = dy[i];
      break;
    case Activation::kReLU:
      for (Index i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
      break;
    case Activation::kLeakyReLU:
      for (Index i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : kLeakySlope * dy[i];
      break;
    case Activation::kTanh:
      for (Index i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
      break;
    case Activation::kSigmoid:
      for (Index i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
      break;
  }
}

}  // namespace nl::kernels::scalar
