// Declarations of the kernel set, included once inside each implementation namespace
// (kernels.h: nl::kernels::scalar and nl::kernels::simd). No include guard on purpose.
// Not for direct use: include core/kernels/kernels.h.

// BatchNorm training forward, per channel c with m = N*S:
//   mean = (1/m) sum x;  var = (1/m) sum (x - mean)^2 (biased);
//   inv_std = 1/sqrt(var + eps);  xhat = (x - mean)*inv_std;  y = gamma*xhat + beta.
// gamma/beta may be nullptr (1 and 0). Needs m >= 1 (m = 1 gives var 0).
void batchnorm_train_forward(const float* x,       // (C*S, N) input
                             Index N, Index C, Index S, float eps,
                             const float* gamma,   // (C) or nullptr
                             const float* beta,    // (C) or nullptr
                             float* mean,          // (C) out: batch mean
                             float* var,           // (C) out: biased batch variance
                             float* inv_std,       // (C) out: 1/sqrt(var + eps)
                             float* xhat,          // (C*S, N) out
                             float* y);            // (C*S, N) out

// BatchNorm with given statistics (eval): xhat = (x - mean)*inv_std, y = gamma*xhat + beta.
// inv_std = 1/sqrt(running_var + eps) is computed by the caller.
void batchnorm_eval_forward(const float* x,        // (C*S, N)
                            Index N, Index C, Index S,
                            const float* gamma,    // (C) or nullptr
                            const float* beta,     // (C) or nullptr
                            const float* mean,     // (C)
                            const float* inv_std,  // (C)
                            float* xhat,           // (C*S, N) out, or nullptr
                            float* y);             // (C*S, N) out

// BatchNorm backward through the batch statistics (the compact three-term formula):
//   dbeta = sum dy;  dgamma = sum dy*xhat;  with dxhat = gamma*dy,
//   dx = (1/m)*inv_std*(m*dxhat - sum dxhat - xhat*sum(dxhat*xhat))
//      = gamma*inv_std*(dy - dbeta/m - xhat*dgamma/m).
void batchnorm_backward(const float* dy,       // (C*S, N)
                        const float* xhat,     // (C*S, N) from forward
                        const float* gamma,    // (C) or nullptr (1)
                        const float* inv_std,  // (C) from forward
                        Index N, Index C, Index S,
                        float* dx,             // (C*S, N) out
                        float* dgamma,         // (C) out, or nullptr
                        float* dbeta);         // (C) out, or nullptr

// BatchNorm backward with constant statistics (eval):
//   dx = gamma*inv_std*dy;  dgamma = sum dy*xhat;  dbeta = sum dy.
void batchnorm_eval_backward(const float* dy, const float* xhat, const float* gamma,
                             const float* inv_std, Index N, Index C, Index S, float* dx,
                             float* dgamma, float* dbeta);  // shapes as batchnorm_backward

// Linear: y = W x + b, column-major like Eigen. y must not alias x.
void linear_forward(const float* W,  // (out, in)
                    const float* b,  // (out) or nullptr (no bias)
                    const float* x,  // (in, N)
                    Index in, Index out, Index N,
                    float* y);       // (out, N) out

// Linear backward: dW = dy x^T;  db = sum over samples of dy;  dx = W^T dy.
// Any output may be nullptr when it is not wanted (e.g. dx of the first layer).
void linear_backward(const float* W,   // (out, in)
                     const float* x,   // (in, N) input of the forward
                     const float* dy,  // (out, N)
                     Index in, Index out, Index N,
                     float* dx,        // (in, N) out, or nullptr
                     float* dW,        // (out, in) out, or nullptr
                     float* db);       // (out) out, or nullptr

// y = f(x) elementwise over n values; y may alias x. LeakyReLU uses kLeakySlope.
void activation_forward(Activation kind, const float* x, Index n, float* y);

// dx = f'(x)*dy from the saved input x and output y; dx may alias dy.
// ReLU/LeakyReLU test x > 0 (at 0 the gradient is 0, resp. slope, as in PyTorch);
// Tanh uses 1 - y^2, Sigmoid y*(1 - y).
void activation_backward(Activation kind, const float* x, const float* y, const float* dy,
                         Index n, float* dx);
