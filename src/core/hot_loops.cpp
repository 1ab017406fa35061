// Float bodies of the hot loops declared in hot_loops.h: they call the kernels of
// src/core/kernels (SIMD when compiled in, else their scalar reference).
// Contract for any replacement: same results as ref:: within float rounding.
#include "core/hot_loops.h"

#include "core/kernels/kernels.h"

namespace nl::hot {

void batchnorm_train_forward(const float* x, Index N, Index C, Index S, float eps,
                             const float* gamma, const float* beta, float* mean, float* var,
                             float* inv_std, float* xhat, float* y) {
  kernels::batchnorm_train_forward(x, N, C, S, eps, gamma, beta, mean, var, inv_std, xhat, y);
}

void batchnorm_eval_forward(const float* x, Index N, Index C, Index S, const float* gamma,
                            const float* beta, const float* mean, const float* inv_std,
                            float* xhat, float* y) {
  kernels::batchnorm_eval_forward(x, N, C, S, gamma, beta, mean, inv_std, xhat, y);
}

void batchnorm_backward(const float* dy, const float* xhat, const float* gamma,
                        const float* inv_std, Index N, Index C, Index S, float* dx,
                        float* dgamma, float* dbeta) {
  kernels::batchnorm_backward(dy, xhat, gamma, inv_std, N, C, S, dx, dgamma, dbeta);
}

void batchnorm_eval_backward(const float* dy, const float* xhat, const float* gamma,
                             const float* inv_std, Index N, Index C, Index S, float* dx,
                             float* dgamma, float* dbeta) {
  kernels::batchnorm_eval_backward(dy, xhat, gamma, inv_std, N, C, S, dx, dgamma, dbeta);
}

void linear_forward(const float* W, const float* b, const float* x, Index in, Index out, Index N,
                    float* y) {
  kernels::linear_forward(W, b, x, in, out, N, y);
}

void linear_backward(const float* W, const float* x, const float* dy, Index in, Index out,
                     Index N, float* dx, float* dW, float* db) {
  kernels::linear_backward(W, x, dy, in, out, N, dx, dW, db);
}

void activation_forward(Activation kind, const float* x, Index n, float* y) {
  kernels::activation_forward(kind, x, n, y);
}

void activation_backward(Activation kind, const float* x, const float* y, const float* dy,
                         Index n, float* dx) {
  kernels::activation_backward(kind, x, y, dy, n, dx);
}

}  // namespace nl::hot
