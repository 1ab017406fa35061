// SIMD kernels (4 float lanes: WASM SIMD 128 or SSE2, see f32x4.h), same contracts as the
// scalar reference in scalar_kernels.cpp. Compiled only when NL_KERNELS_HAVE_SIMD.
// Versus scalar::, Linear and ReLU/LeakyReLU are bit-identical (same summation order); BN
// statistics (float lane partials into double vs all-double) and tanh/sigmoid (Cephes
// polynomials vs libm) differ by float rounding. SSE and WASM SIMD builds give the same bits.
// Not here: any FMA or approximate reciprocal (targets would round differently).
#include "core/kernels/kernels.h"

#if NL_KERNELS_HAVE_SIMD

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "core/assert.h"
#include "core/kernels/f32x4.h"

namespace nl::kernels::simd {

namespace {

// Reusable scratch buffers per thread (per-channel partial sums, coefficients, W^T); they
// only grow, so steady-state training allocates nothing.
float* scratch(std::size_t n) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}
float* scratch_part(std::size_t n) {  // a second float buffer (scratch() holds pivots)
  thread_local std::vector<float> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}
double* scratch_double(std::size_t n) {
  thread_local std::vector<double> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

inline float at_or(const float* p, Index i, float fallback) { return p ? p[i] : fallback; }
inline F4 load_or(const float* p, Index i, float fallback) {
  return p ? load(p + i) : set1(fallback);
}

// Accuracy of the BatchNorm sums: float lanes add at most kFlushElements values (S > 1;
// kFlushSamples samples for S = 1) before their partial sums are added into a double total,
// so the float error stays that of a short sum whatever N*S is.
constexpr Index kFlushElements = 1024;
constexpr Index kFlushSamples = 32;

// ---- per-channel sums over the m = N*S values of channel c, S > 1 (runs of S floats) ----
// Four vector accumulators over 16-float chunks (latency hiding), then one over 4-float
// chunks, then a scalar tail.

// sum ((x - pivot) - delta) ^ p for p = 1 (square = false) or 2 (square = true), in double.
template <bool kSquare>
double channel_sum_dev(const float* x, Index N, Index C, Index S, Index c, float pivot,
                       float delta) {
  const F4 pv = set1(pivot), dv = set1(delta);
  F4 a0 = zero(), a1 = zero(), a2 = zero(), a3 = zero();
  float tail = 0.0f;
  double total = 0.0;
  Index since_flush = 0;
  const auto term = [&](F4 v) {
    const F4 d = (v - pv) - dv;
    if constexpr (kSquare) return d * d; else return d;
  };
  for (Index n = 0; n < N; ++n) {
    const float* p = x + (n * C + c) * S;
    Index s = 0;
    for (; s + 16 <= S; s += 16) {
      a0 = a0 + term(load(p + s));
      a1 = a1 + term(load(p + s + 4));
      a2 = a2 + term(load(p + s + 8));
      a3 = a3 + term(load(p + s + 12));
    }
    for (; s + 4 <= S; s += 4) a0 = a0 + term(load(p + s));
    for (; s < S; ++s) {
      const float d = (p[s] - pivot) - delta;
      tail += kSquare ? d * d : d;
    }
    since_flush += S;
    if (since_flush >= kFlushElements || n + 1 == N) {
      total += static_cast<double>(hsum((a0 + a1) + (a2 + a3))) + static_cast<double>(tail);
      a0 = a1 = a2 = a3 = zero();
      tail = 0.0f;
      since_flush = 0;
    }
  }
  return total;
}

// sum dy and sum dy*xhat, in double.
void channel_sum_dy_dy_xhat(const float* dy, const float* xhat, Index N, Index C, Index S,
                            Index c, double& sum_dy, double& sum_dy_xhat) {
  F4 g0 = zero(), g1 = zero(), h0 = zero(), h1 = zero();
  float tail_g = 0.0f, tail_h = 0.0f;
  sum_dy = 0.0;
  sum_dy_xhat = 0.0;
  Index since_flush = 0;
  for (Index n = 0; n < N; ++n) {
    const Index o = (n * C + c) * S;
    const float* pd = dy + o;
    const float* px = xhat + o;
    Index s = 0;
    for (; s + 8 <= S; s += 8) {
      const F4 d0 = load(pd + s), d1 = load(pd + s + 4);
      g0 = g0 + d0;
      g1 = g1 + d1;
      h0 = h0 + d0 * load(px + s);
      h1 = h1 + d1 * load(px + s + 4);
    }
    for (; s + 4 <= S; s += 4) {
      const F4 d = load(pd + s);
      g0 = g0 + d;
      h0 = h0 + d * load(px + s);
    }
    for (; s < S; ++s) {
      tail_g += pd[s];
      tail_h += pd[s] * px[s];
    }
    since_flush += S;
    if (since_flush >= kFlushElements || n + 1 == N) {
      sum_dy += static_cast<double>(hsum(g0 + g1)) + static_cast<double>(tail_g);
      sum_dy_xhat += static_cast<double>(hsum(h0 + h1)) + static_cast<double>(tail_h);
      g0 = g1 = h0 = h1 = zero();
      tail_g = tail_h = 0.0f;
      since_flush = 0;
    }
  }
}

// ---- S = 1: vectorize across channels ----
// Samples go in chunks (sub_chunk(C) samples: the chunk stays in L1 and a channel block's
// rows, C*4 bytes apart, stay within the cache's associativity). Within a chunk, channels go
// in blocks of 4*V (V vectors) whose per-channel state (accumulators, mean, gamma...) stays
// in registers; then blocks of 4, then single channels. Each lane sums its channel sample by
// sample into a float partial that is added into double every kFlushSamples samples.

template <int V>
void normalize_columns(const float* x, Index n0, Index n1, Index C, Index c0, const float* gamma,
                       const float* beta, const float* mean, const float* inv_std, float* xhat,
                       float* y) {
  F4 mu[V], is[V], g[V], b[V];
  for (int v = 0; v < V; ++v) {
    const Index c = c0 + 4 * v;
    mu[v] = load(mean + c), is[v] = load(inv_std + c);
    g[v] = load_or(gamma, c, 1.0f), b[v] = load_or(beta, c, 0.0f);
  }
  for (Index n = n0; n < n1; ++n) {
    const Index o = n * C + c0;
    for (int v = 0; v < V; ++v) {
      const F4 xh = (load(x + o + 4 * v) - mu[v]) * is[v];  // normalize
      if (xhat) store(xhat + o + 4 * v, xh);
      store(y + o + 4 * v, g[v] * xh + b[v]);               // scale and shift
    }
  }
}

// part[c] += sum_n ((x - pivot) - delta)^p over channels [c0, c0 + 4V), samples [n0, n1),
// p = 1 or 2 (float partials; the caller adds them into double).
template <int V, bool kSquare>
void sum_dev_columns(const float* x, Index n0, Index n1, Index C, Index c0, const float* pivot,
                     const float* delta, float* part) {
  F4 piv[V], del[V], acc[V];
  for (int v = 0; v < V; ++v) {
    piv[v] = load(pivot + c0 + 4 * v);
    del[v] = delta ? load(delta + c0 + 4 * v) : zero();
    acc[v] = load(part + c0 + 4 * v);
  }
  for (Index n = n0; n < n1; ++n) {
    const float* xn = x + n * C + c0;
    for (int v = 0; v < V; ++v) {
      const F4 d = (load(xn + 4 * v) - piv[v]) - del[v];
      acc[v] = acc[v] + (kSquare ? d * d : d);
    }
  }
  for (int v = 0; v < V; ++v) store(part + c0 + 4 * v, acc[v]);
}

// Samples per pass over the channel blocks: a whole flush chunk for narrow rows; 8 for wide
// rows (C >= 128), whose stride of C*4 bytes (1 KB at C = 256) maps a block's lines to few
// cache sets: 8 lines per array stay within the cache's associativity.
inline Index sub_chunk(Index C) { return C >= 128 ? 8 : kFlushSamples; }

// total[c] = sum over samples of ((x - pivot) - delta)^p for every channel (delta may be null).
template <bool kSquare>
void sum_dev_all_columns(const float* x, Index N, Index C, const float* pivot,
                         const float* delta, double* total) {
  float* part = scratch_part(static_cast<std::size_t>(C));
  const Index sub = sub_chunk(C);
  for (Index c = 0; c < C; ++c) total[c] = 0.0;
  for (Index n0 = 0; n0 < N; n0 += kFlushSamples) {
    const Index n1 = std::min(N, n0 + kFlushSamples);
    for (Index c = 0; c < C; ++c) part[c] = 0.0f;
    for (Index s0 = n0; s0 < n1; s0 += sub) {
      const Index s1 = std::min(n1, s0 + sub);
      Index c = 0;
      for (; c + 16 <= C; c += 16) sum_dev_columns<4, kSquare>(x, s0, s1, C, c, pivot, delta, part);
      for (; c + 4 <= C; c += 4) sum_dev_columns<1, kSquare>(x, s0, s1, C, c, pivot, delta, part);
      for (; c < C; ++c) {
        const float piv = pivot[c], del = delta ? delta[c] : 0.0f;
        for (Index n = s0; n < s1; ++n) {
          const float d = (x[n * C + c] - piv) - del;
          part[c] += kSquare ? d * d : d;
        }
      }
    }
    for (Index c = 0; c < C; ++c) total[c] += static_cast<double>(part[c]);
  }
}

// pg[c] += sum dy, ph[c] += sum dy*xhat over channels [c0, c0 + 4V), samples [n0, n1).
template <int V>
void sum_dy_columns(const float* dy, const float* xhat, Index n0, Index n1, Index C, Index c0,
                    float* pg, float* ph) {
  F4 g[V], h[V];
  for (int v = 0; v < V; ++v) g[v] = load(pg + c0 + 4 * v), h[v] = load(ph + c0 + 4 * v);
  for (Index n = n0; n < n1; ++n) {
    const Index o = n * C + c0;
    for (int v = 0; v < V; ++v) {
      const F4 d = load(dy + o + 4 * v);
      g[v] = g[v] + d;
      h[v] = h[v] + d * load(xhat + o + 4 * v);
    }
  }
  for (int v = 0; v < V; ++v) store(pg + c0 + 4 * v, g[v]), store(ph + c0 + 4 * v, h[v]);
}

// dx = k*(dy - a - xhat*b) (or k*dy when b is null) over channels [c0, c0 + 4V).
template <int V>
void apply_columns(const float* dy, const float* xhat, Index n0, Index n1, Index C, Index c0,
                   const float* k, const float* a, const float* b, float* dx) {
  F4 kv[V], av[V], bv[V];
  for (int v = 0; v < V; ++v) {
    kv[v] = load(k + c0 + 4 * v);
    av[v] = a ? load(a + c0 + 4 * v) : zero();
    bv[v] = b ? load(b + c0 + 4 * v) : zero();
  }
  for (Index n = n0; n < n1; ++n) {
    const Index o = n * C + c0;
    for (int v = 0; v < V; ++v) {
      if (b != nullptr)
        store(dx + o + 4 * v, kv[v] * (load(dy + o + 4 * v) - av[v] - load(xhat + o + 4 * v) * bv[v]));
      else
        store(dx + o + 4 * v, kv[v] * load(dy + o + 4 * v));
    }
  }
}

// y = gamma*((x - mean)*inv_std) + beta for every element; xhat written unless nullptr.
void normalize(const float* x, Index N, Index C, Index S, const float* gamma, const float* beta,
               const float* mean, const float* inv_std, float* xhat, float* y) {
  if (S == 1) {
    for (Index n0 = 0; n0 < N; n0 += sub_chunk(C)) {
      const Index n1 = std::min(N, n0 + sub_chunk(C));
      Index c = 0;
      for (; c + 8 <= C; c += 8)
        normalize_columns<2>(x, n0, n1, C, c, gamma, beta, mean, inv_std, xhat, y);
      for (; c + 4 <= C; c += 4)
        normalize_columns<1>(x, n0, n1, C, c, gamma, beta, mean, inv_std, xhat, y);
      for (; c < C; ++c) {
        const float g = at_or(gamma, c, 1.0f), b = at_or(beta, c, 0.0f);
        for (Index n = n0; n < n1; ++n) {
          const float xh = (x[n * C + c] - mean[c]) * inv_std[c];
          if (xhat) xhat[n * C + c] = xh;
          y[n * C + c] = g * xh + b;
        }
      }
    }
    return;
  }
  for (Index n = 0; n < N; ++n) {
    for (Index c = 0; c < C; ++c) {
      const Index o = (n * C + c) * S;
      const float mu = mean[c], is = inv_std[c];
      const float g = at_or(gamma, c, 1.0f), b = at_or(beta, c, 0.0f);
      const F4 mv = set1(mu), iv = set1(is), gv = set1(g), bv = set1(b);
      const float* p = x + o;
      float* py = y + o;
      float* ph = xhat ? xhat + o : nullptr;
      Index s = 0;
      for (; s + 4 <= S; s += 4) {
        const F4 xh = (load(p + s) - mv) * iv;
        if (ph) store(ph + s, xh);
        store(py + s, gv * xh + bv);
      }
      for (; s < S; ++s) {
        const float xh = (p[s] - mu) * is;
        if (ph) ph[s] = xh;
        py[s] = g * xh + b;
      }
    }
  }
}

// sum_dy[c] = sum dy, sum_dy_xhat[c] = sum dy*xhat, for every channel, in double.
void sums_dy_dy_xhat(const float* dy, const float* xhat, Index N, Index C, Index S,
                     double* sum_dy, double* sum_dy_xhat) {
  if (S == 1) {
    float* pg = scratch(static_cast<std::size_t>(2 * C));  // float partials per chunk
    float* ph = pg + C;
    const Index sub = sub_chunk(C);
    for (Index c = 0; c < C; ++c) sum_dy[c] = sum_dy_xhat[c] = 0.0;
    for (Index n0 = 0; n0 < N; n0 += kFlushSamples) {
      const Index n1 = std::min(N, n0 + kFlushSamples);
      for (Index c = 0; c < C; ++c) pg[c] = ph[c] = 0.0f;
      for (Index s0 = n0; s0 < n1; s0 += sub) {
        const Index s1 = std::min(n1, s0 + sub);
        Index c = 0;
        for (; c + 16 <= C; c += 16) sum_dy_columns<4>(dy, xhat, s0, s1, C, c, pg, ph);
        for (; c + 4 <= C; c += 4) sum_dy_columns<1>(dy, xhat, s0, s1, C, c, pg, ph);
        for (; c < C; ++c) {
          for (Index n = s0; n < s1; ++n) {
            pg[c] += dy[n * C + c];
            ph[c] += dy[n * C + c] * xhat[n * C + c];
          }
        }
      }
      for (Index c = 0; c < C; ++c) {
        sum_dy[c] += static_cast<double>(pg[c]);
        sum_dy_xhat[c] += static_cast<double>(ph[c]);
      }
    }
    return;
  }
  for (Index c = 0; c < C; ++c)
    channel_sum_dy_dy_xhat(dy, xhat, N, C, S, c, sum_dy[c], sum_dy_xhat[c]);
}

// dx = k*(dy - a - xhat*b) with per-channel k, a, b (b == nullptr: dx = k*dy).
void apply_backward(const float* dy, const float* xhat, Index N, Index C, Index S,
                    const float* k, const float* a, const float* b, float* dx) {
  if (S == 1) {
    for (Index n0 = 0; n0 < N; n0 += sub_chunk(C)) {
      const Index n1 = std::min(N, n0 + sub_chunk(C));
      Index c = 0;
      for (; c + 8 <= C; c += 8) apply_columns<2>(dy, xhat, n0, n1, C, c, k, a, b, dx);
      for (; c + 4 <= C; c += 4) apply_columns<1>(dy, xhat, n0, n1, C, c, k, a, b, dx);
      for (; c < C; ++c) {
        for (Index n = n0; n < n1; ++n) {
          const Index i = n * C + c;
          dx[i] = b ? k[c] * (dy[i] - a[c] - xhat[i] * b[c]) : k[c] * dy[i];
        }
      }
    }
    return;
  }
  for (Index n = 0; n < N; ++n) {
    for (Index c = 0; c < C; ++c) {
      const Index o = (n * C + c) * S;
      const float* pd = dy + o;
      const float* ph = xhat + o;
      float* px = dx + o;
      const float kc = k[c];
      const F4 kv = set1(kc);
      Index s = 0;
      if (b != nullptr) {
        const float ac = a[c], bc = b[c];
        const F4 av = set1(ac), bv = set1(bc);
        for (; s + 4 <= S; s += 4) store(px + s, kv * (load(pd + s) - av - load(ph + s) * bv));
        for (; s < S; ++s) px[s] = kc * (pd[s] - ac - ph[s] * bc);
      } else {
        for (; s + 4 <= S; s += 4) store(px + s, kv * load(pd + s));
        for (; s < S; ++s) px[s] = kc * pd[s];
      }
    }
  }
}

}  // namespace

void batchnorm_train_forward(const float* x, Index N, Index C, Index S, float eps,
                             const float* gamma, const float* beta, float* mean, float* var,
                             float* inv_std, float* xhat, float* y) {
  NL_ASSERT(N * S >= 1, "batchnorm_train_forward: empty batch");
  const double m = static_cast<double>(N * S);
  // The mean is pivot + sum(x - pivot)/m with pivot = the channel's first value: sums of
  // deviations stay small, so an offset (mean 1000, std 0.01) costs no precision. The
  // variance sums ((x - pivot) - delta)^2 with delta = mean - pivot, in the same spirit.
  float* pivot = scratch(static_cast<std::size_t>(2 * C));
  float* delta = pivot + C;
  double* total = scratch_double(static_cast<std::size_t>(C));
  for (Index c = 0; c < C; ++c) pivot[c] = x[c * S];
  if (S == 1) {
    sum_dev_all_columns<false>(x, N, C, pivot, nullptr, total);  // pass 1: sum (x - pivot)
  } else {
    for (Index c = 0; c < C; ++c)
      total[c] = channel_sum_dev<false>(x, N, C, S, c, pivot[c], 0.0f);
  }
  for (Index c = 0; c < C; ++c) {
    const double dev = total[c] / m;  // mean - pivot
    mean[c] = static_cast<float>(pivot[c] + dev);
    delta[c] = static_cast<float>(dev);
  }
  if (S == 1) {
    sum_dev_all_columns<true>(x, N, C, pivot, delta, total);  // pass 2: sum (x - mean)^2
  } else {
    for (Index c = 0; c < C; ++c)
      total[c] = channel_sum_dev<true>(x, N, C, S, c, pivot[c], delta[c]);
  }
  for (Index c = 0; c < C; ++c) {
    const double v = total[c] / m;                              // biased variance
    var[c] = static_cast<float>(v);
    inv_std[c] = static_cast<float>(1.0 / std::sqrt(v + eps));  // eps inside the sqrt
  }
  // Pass 3: normalize, scale and shift.
  normalize(x, N, C, S, gamma, beta, mean, inv_std, xhat, y);
}

void batchnorm_eval_forward(const float* x, Index N, Index C, Index S, const float* gamma,
                            const float* beta, const float* mean, const float* inv_std,
                            float* xhat, float* y) {
  normalize(x, N, C, S, gamma, beta, mean, inv_std, xhat, y);
}

void batchnorm_backward(const float* dy, const float* xhat, const float* gamma,
                        const float* inv_std, Index N, Index C, Index S, float* dx,
                        float* dgamma, float* dbeta) {
  const double m = static_cast<double>(N * S);
  double* sums = scratch_double(static_cast<std::size_t>(2 * C));
  double* sum_dy = sums;
  double* sum_dy_xhat = sums + C;
  sums_dy_dy_xhat(dy, xhat, N, C, S, sum_dy, sum_dy_xhat);
  float* buf = scratch(static_cast<std::size_t>(3 * C));  // after the sums: reuse is safe
  float* k = buf;                     // gamma*inv_std
  float* mean_dy = buf + C;           // term 2 / m
  float* mean_dy_xhat = buf + 2 * C;  // term 3 / m
  for (Index c = 0; c < C; ++c) {
    if (dbeta != nullptr) dbeta[c] = static_cast<float>(sum_dy[c]);
    if (dgamma != nullptr) dgamma[c] = static_cast<float>(sum_dy_xhat[c]);
    k[c] = at_or(gamma, c, 1.0f) * inv_std[c];
    mean_dy[c] = static_cast<float>(sum_dy[c] / m);
    mean_dy_xhat[c] = static_cast<float>(sum_dy_xhat[c] / m);
  }
  if (dx == nullptr) return;
  apply_backward(dy, xhat, N, C, S, k, mean_dy, mean_dy_xhat, dx);
}

void batchnorm_eval_backward(const float* dy, const float* xhat, const float* gamma,
                             const float* inv_std, Index N, Index C, Index S, float* dx,
                             float* dgamma, float* dbeta) {
  double* sums = scratch_double(static_cast<std::size_t>(2 * C));
  sums_dy_dy_xhat(dy, xhat, N, C, S, sums, sums + C);
  float* k = scratch(static_cast<std::size_t>(C));  // gamma*inv_std
  for (Index c = 0; c < C; ++c) {
    if (dbeta != nullptr) dbeta[c] = static_cast<float>(sums[c]);
    if (dgamma != nullptr) dgamma[c] = static_cast<float>(sums[C + c]);
    k[c] = at_or(gamma, c, 1.0f) * inv_std[c];
  }
  if (dx == nullptr) return;
  apply_backward(dy, xhat, N, C, S, k, nullptr, nullptr, dx);
}

// ---- Linear: one register-blocked matrix product for forward, dW and dx ----

namespace {

// Cm (m, n) = [bias +] A (m, k) * B (k, n). A and Cm column-major (leading dimension m);
// B(kk, j) = B[kk*bk + j*bj] (any strides: x, or x^T for dW). Every element is summed as
// bias (or 0) + A(:,0)B(0,j) + A(:,1)B(1,j) + ..., the order of the scalar reference.
// Micro-kernel: 8 rows x 4 columns in 8 vector accumulators, broadcasting B.
void gemm(const float* A, const float* B, Index bk, Index bj, const float* bias, Index m,
          Index k, Index n, float* Cm) {
  Index j = 0;
  for (; j + 4 <= n; j += 4) {
    const float* b0 = B + j * bj;
    const float* b1 = B + (j + 1) * bj;
    const float* b2 = B + (j + 2) * bj;
    const float* b3 = B + (j + 3) * bj;
    float* c0 = Cm + j * m;
    float* c1 = c0 + m;
    float* c2 = c1 + m;
    float* c3 = c2 + m;
    Index i = 0;
    for (; i + 8 <= m; i += 8) {
      const F4 z0 = load_or(bias ? bias + i : nullptr, 0, 0.0f);
      const F4 z1 = load_or(bias ? bias + i + 4 : nullptr, 0, 0.0f);
      F4 r00 = z0, r01 = z0, r02 = z0, r03 = z0;
      F4 r10 = z1, r11 = z1, r12 = z1, r13 = z1;
      const float* a = A + i;
      for (Index kk = 0; kk < k; ++kk, a += m) {
        const F4 a0 = load(a), a1 = load(a + 4);
        const Index o = kk * bk;
        const F4 x0 = set1(b0[o]), x1 = set1(b1[o]), x2 = set1(b2[o]), x3 = set1(b3[o]);
        r00 = r00 + a0 * x0;
        r10 = r10 + a1 * x0;
        r01 = r01 + a0 * x1;
        r11 = r11 + a1 * x1;
        r02 = r02 + a0 * x2;
        r12 = r12 + a1 * x2;
        r03 = r03 + a0 * x3;
        r13 = r13 + a1 * x3;
      }
      store(c0 + i, r00), store(c0 + i + 4, r10);
      store(c1 + i, r01), store(c1 + i + 4, r11);
      store(c2 + i, r02), store(c2 + i + 4, r12);
      store(c3 + i, r03), store(c3 + i + 4, r13);
    }
    for (; i + 4 <= m; i += 4) {
      const F4 z0 = load_or(bias ? bias + i : nullptr, 0, 0.0f);
      F4 r0 = z0, r1 = z0, r2 = z0, r3 = z0;
      const float* a = A + i;
      for (Index kk = 0; kk < k; ++kk, a += m) {
        const F4 a0 = load(a);
        const Index o = kk * bk;
        r0 = r0 + a0 * set1(b0[o]);
        r1 = r1 + a0 * set1(b1[o]);
        r2 = r2 + a0 * set1(b2[o]);
        r3 = r3 + a0 * set1(b3[o]);
      }
      store(c0 + i, r0), store(c1 + i, r1), store(c2 + i, r2), store(c3 + i, r3);
    }
    for (; i < m; ++i) {
      const float z = at_or(bias, i, 0.0f);
      float r0 = z, r1 = z, r2 = z, r3 = z;
      for (Index kk = 0; kk < k; ++kk) {
        const float a0 = A[i + kk * m];
        const Index o = kk * bk;
        r0 += a0 * b0[o];
        r1 += a0 * b1[o];
        r2 += a0 * b2[o];
        r3 += a0 * b3[o];
      }
      c0[i] = r0, c1[i] = r1, c2[i] = r2, c3[i] = r3;
    }
  }
  for (; j < n; ++j) {  // leftover columns, one at a time
    const float* b0 = B + j * bj;
    float* c0 = Cm + j * m;
    Index i = 0;
    for (; i + 8 <= m; i += 8) {
      F4 r0 = load_or(bias ? bias + i : nullptr, 0, 0.0f);
      F4 r1 = load_or(bias ? bias + i + 4 : nullptr, 0, 0.0f);
      const float* a = A + i;
      for (Index kk = 0; kk < k; ++kk, a += m) {
        const F4 x0 = set1(b0[kk * bk]);
        r0 = r0 + load(a) * x0;
        r1 = r1 + load(a + 4) * x0;
      }
      store(c0 + i, r0), store(c0 + i + 4, r1);
    }
    for (; i + 4 <= m; i += 4) {
      F4 r0 = load_or(bias ? bias + i : nullptr, 0, 0.0f);
      const float* a = A + i;
      for (Index kk = 0; kk < k; ++kk, a += m) r0 = r0 + load(a) * set1(b0[kk * bk]);
      store(c0 + i, r0);
    }
    for (; i < m; ++i) {
      float r0 = at_or(bias, i, 0.0f);
      for (Index kk = 0; kk < k; ++kk) r0 += A[i + kk * m] * b0[kk * bk];
      c0[i] = r0;
    }
  }
}

}  // namespace

void linear_forward(const float* W, const float* b, const float* x, Index in, Index out, Index N,
                    float* y) {
  // y (out, N) = W (out, in) * x (in, N) + b; x(kk, j) = x[kk + j*in].
  gemm(W, x, 1, in, b, out, in, N, y);
}

void linear_backward(const float* W, const float* x, const float* dy, Index in, Index out,
                     Index N, float* dx, float* dW, float* db) {
  // dW (out, in) = dy (out, N) * x^T; x^T(n, i) = x[i + n*in].
  if (dW != nullptr) gemm(dy, x, in, 1, nullptr, out, N, in, dW);
  if (db != nullptr) {
    // db = sum over samples of dy, sample by sample (the scalar order).
    const Index out4 = out & ~Index(3);
    for (Index o = 0; o < out; ++o) db[o] = 0.0f;
    for (Index n = 0; n < N; ++n) {
      const float* dn = dy + n * out;
      Index o = 0;
      for (; o < out4; o += 4) store(db + o, load(db + o) + load(dn + o));
      for (; o < out; ++o) db[o] += dn[o];
    }
  }
  if (dx != nullptr) {
    // dx (in, N) = W^T (in, out) * dy (out, N): transpose W once so columns are contiguous.
    float* wt = scratch(static_cast<std::size_t>(in * out));
    for (Index i = 0; i < in; ++i)
      for (Index o = 0; o < out; ++o) wt[i + o * in] = W[o + i * out];
    gemm(wt, dy, 1, out, nullptr, in, out, N, dx);
  }
}

// ---- activations ----

namespace {

// e^x for float lanes (Cephes expf): n = round(x/ln2), r = x - n*ln2 in two parts,
// e^r by a degree-6 polynomial, times 2^n. About 1 ulp; x clamped so 2^n stays normal.
F4 exp4(F4 x) {
  x = min(max(x, set1(-87.33654f)), set1(88.37626f));
  const F4 magic = set1(12582912.0f);  // 1.5*2^23: adding it rounds to an integer
  const F4 n = (x * set1(1.44269504088896341f) + magic) - magic;
  const F4 r = (x - n * set1(0.693359375f)) - n * set1(-2.12194440e-4f);
  F4 p = set1(1.9875691500e-4f);
  p = p * r + set1(1.3981999507e-3f);
  p = p * r + set1(8.3334519073e-3f);
  p = p * r + set1(4.1665795894e-2f);
  p = p * r + set1(1.6666665459e-1f);
  p = p * r + set1(5.0000001201e-1f);
  const F4 e = (p * (r * r) + r) + set1(1.0f);
  return e * pow2_int(n);
}

// tanh (Cephes tanhf): odd polynomial for |x| < 0.625, else 1 - 2/(e^{2|x|} + 1).
F4 tanh4(F4 x) {
  const F4 sign = bit_and(x, set1_bits(0x80000000u));
  const F4 a = bit_xor(x, sign);  // |x|
  const F4 z = x * x;
  F4 p = set1(-5.70498872745e-3f);
  p = p * z + set1(2.06390887954e-2f);
  p = p * z + set1(-5.37397155531e-2f);
  p = p * z + set1(1.33314422036e-1f);
  p = p * z + set1(-3.33332819422e-1f);
  const F4 small = p * z * x + x;
  const F4 e = exp4(a + a);
  const F4 large = bit_xor(set1(1.0f) - set1(2.0f) / (e + set1(1.0f)), sign);
  return select(greater(set1(0.625f), a), small, large);
}

F4 sigmoid4(F4 x) { return set1(1.0f) / (set1(1.0f) + exp4(zero() - x)); }

// Applies f to every element: 4 at a time, the tail through a zero-padded vector.
template <typename F>
void map1(const float* x, Index n, float* y, F f) {
  Index i = 0;
  for (; i + 4 <= n; i += 4) store(y + i, f(load(x + i)));
  if (i < n) {
    float in[4] = {0, 0, 0, 0}, res[4];
    for (Index t = 0; t < n - i; ++t) in[t] = x[i + t];
    store(res, f(load(in)));
    for (Index t = 0; t < n - i; ++t) y[i + t] = res[t];
  }
}

// Same with two inputs (a, b) -> out.
template <typename F>
void map2(const float* a, const float* b, Index n, float* out, F f) {
  Index i = 0;
  for (; i + 4 <= n; i += 4) store(out + i, f(load(a + i), load(b + i)));
  if (i < n) {
    float ia[4] = {0, 0, 0, 0}, ib[4] = {0, 0, 0, 0}, res[4];
    for (Index t = 0; t < n - i; ++t) ia[t] = a[i + t], ib[t] = b[i + t];
    store(res, f(load(ia), load(ib)));
    for (Index t = 0; t < n - i; ++t) out[i + t] = res[t];
  }
}

}  // namespace

void activation_forward(Activation kind, const float* x, Index n, float* y) {
  const F4 zero4 = zero();
  switch (kind) {
    case Activation::kIdentity:
      if (x != y) map1(x, n, y, [](F4 v) { return v; });
      break;
    case Activation::kReLU:  // x > 0 ? x : 0 (NaN -> 0, like the reference)
      map1(x, n, y, [&](F4 v) { return select(greater(v, zero4), v, zero4); });
      break;
    case Activation::kLeakyReLU: {
      const F4 slope = set1(kLeakySlope);
      map1(x, n, y, [&](F4 v) { return select(greater(v, zero4), v, slope * v); });
      break;
    }
    case Activation::kTanh:
      map1(x, n, y, tanh4);
      break;
    case Activation::kSigmoid:
      map1(x, n, y, sigmoid4);
      break;
  }
}

void activation_backward(Activation kind, const float* x, const float* y, const float* dy,
                         Index n, float* dx) {
  const F4 zero4 = zero(), one = set1(1.0f);
  switch (kind) {
    case Activation::kIdentity:
      if (dx != dy) map1(dy, n, dx, [](F4 v) { return v; });
      break;
    case Activation::kReLU:
      map2(x, dy, n, dx, [&](F4 xv, F4 g) { return select(greater(xv, zero4), g, zero4); });
      break;
    case Activation::kLeakyReLU: {
      const F4 slope = set1(kLeakySlope);
      map2(x, dy, n, dx, [&](F4 xv, F4 g) { return select(greater(xv, zero4), g, slope * g); });
      break;
    }
    case Activation::kTanh:
      map2(y, dy, n, dx, [&](F4 yv, F4 g) { return g * (one - yv * yv); });
      break;
    case Activation::kSigmoid:
      map2(y, dy, n, dx, [&](F4 yv, F4 g) { return g * yv * (one - yv); });
      break;
  }
}

}  // namespace nl::kernels::simd

#endif  // NL_KERNELS_HAVE_SIMD
