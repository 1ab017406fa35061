// Float kernels for the hot loops on raw contiguous buffers: BatchNorm, Linear, activations.
// Two implementations with one contract: `scalar::` (plain loops, always compiled, the
// reference) and `simd::` (4 float lanes: wasm_simd128.h under -msimd128, SSE natively).
// The unqualified nl::kernels:: functions pick simd:: when it is compiled in, else scalar::.
// Not here: running statistics, traces, parameters, shapes checks beyond NL_ASSERT.
//
// Layout, the project's one batch layout (types.h): a batch is N columns of D = C*S floats;
// element (n, c, s) lives at x[(n*C + c)*S + s], S = H*W (S = 1 for (N, C) features).
// BatchNorm statistics are per channel c over all m = N*S values.
//
// Accuracy of the BatchNorm statistics (two-pass, never E[x^2] - E[x]^2): scalar:: sums in
// double, as PyTorch's CPU kernels do. simd:: sums in float lanes over short blocks (at most
// 32 samples, or 1024 values) and adds the block sums into double totals, so its error is
// that of a short float sum whatever the batch size; it sums deviations from a pivot (the
// channel's first value): mean = pivot + sum(x - pivot)/m, var = sum((x - pivot) - delta)^2/m
// with delta = mean - pivot, so a large offset (mean 1000, std 0.01) costs no precision.
// Linear sums in float, in input order. SSE and WASM SIMD give bit-identical results.
//
//   kernels::batchnorm_train_forward(x, N, C, 1, 1e-5f, gamma, beta,
//                                    mean, var, inv_std, xhat, y);
//   kernels::batchnorm_backward(dy, xhat, gamma, inv_std, N, C, 1, dx, dgamma, dbeta);
#pragma once

#include "core/spec.h"
#include "core/types.h"

#if defined(__wasm_simd128__) || defined(__SSE2__)
#define NL_KERNELS_HAVE_SIMD 1
#else
#define NL_KERNELS_HAVE_SIMD 0
#endif

namespace nl::kernels {

// LeakyReLU negative slope (PyTorch's default).
inline constexpr float kLeakySlope = 0.01f;

// Which implementation the unqualified functions use: "wasm-simd128", "sse" or "scalar".
const char* simd_name();

namespace scalar {
#include "core/kernels/kernels_api.h"  // NOLINT: declarations per namespace
}  // namespace scalar

#if NL_KERNELS_HAVE_SIMD
namespace simd {
#include "core/kernels/kernels_api.h"  // NOLINT: declarations per namespace
}  // namespace simd
namespace active = simd;
#else
namespace active = scalar;
#endif

// The default kernels: SIMD when compiled in, else the scalar reference.
using active::activation_backward;
using active::activation_forward;
using active::batchnorm_backward;
using active::batchnorm_eval_backward;
using active::batchnorm_eval_forward;
using active::batchnorm_train_forward;
using active::linear_backward;
using active::linear_forward;

}  // namespace nl::kernels
