// Forward and backward of every layer in layers.h, instantiated for float and double.
// The fast path calls dispatch:: (hot_loops.h); the BatchNorm trace path recomputes each
// step on its own (record_trace only) so the lesson can show both agree.
// Not here: parameter initialization (network.cpp).
#include "core/layers.h"

#include <algorithm>
#include <cmath>

#include "core/assert.h"
#include "core/hot_loops.h"

namespace nl {

namespace {

template <typename T>
MatT<T> col(const VecT<T>& v) {
  return MatT<T>(v);
}

}  // namespace

// ---------------------------------------------------------------- Linear

template <typename T>
LinearT<T> LinearT<T>::make(Index in, Index out) {
  LinearT l;
  l.weight = MatT<T>::Zero(out, in);
  l.bias = VecT<T>::Zero(out);
  l.dweight = MatT<T>::Zero(out, in);
  l.dbias = VecT<T>::Zero(out);
  return l;
}

template <typename T>
void LinearT<T>::forward(const MatT<T>& x_in, bool /*training*/, MatT<T>& y) {
  NL_ASSERT(x_in.rows() == in_features(), "Linear: input rows != in_features");
  x = x_in;  // cache for dW
  has_cache = true;
  y.resize(out_features(), x_in.cols());
  dispatch::linear_forward(weight.data(), bias.data(), x.data(), in_features(), out_features(),
                           x.cols(), y.data());
}

template <typename T>
void LinearT<T>::backward(const MatT<T>& dy, MatT<T>& dx, bool need_dx) {
  NL_ASSERT(has_cache, "Linear: backward before forward");
  NL_ASSERT(dy.rows() == out_features() && dy.cols() == x.cols(), "Linear: dy shape");
  dweight.resize(out_features(), in_features());
  dbias.resize(out_features());
  if (need_dx) dx.resize(in_features(), x.cols());
  dispatch::linear_backward(weight.data(), x.data(), dy.data(), in_features(), out_features(),
                            x.cols(), need_dx ? dx.data() : nullptr, dweight.data(),
                            dbias.data());
}

template <typename T>
MatT<T> LinearT<T>::infer(const MatT<T>& x_in) const {
  NL_ASSERT(x_in.rows() == in_features(), "Linear: input rows != in_features");
  MatT<T> y(out_features(), x_in.cols());
  dispatch::linear_forward(weight.data(), bias.data(), x_in.data(), in_features(),
                           out_features(), x_in.cols(), y.data());
  return y;
}

template <typename T>
void LinearT<T>::params(std::vector<ParamRefT<T>>& out, const std::string& prefix) {
  out.push_back({prefix + ".weight", weight.data(), dweight.data(), weight.size(), true});
  out.push_back({prefix + ".bias", bias.data(), dbias.data(), bias.size(), false});
}

// ---------------------------------------------------------------- Activation

template <typename T>
ActivationT<T> ActivationT<T>::make(Activation kind) {
  ActivationT a;
  a.kind = kind;
  return a;
}

template <typename T>
void ActivationT<T>::forward(const MatT<T>& x_in, bool /*training*/, MatT<T>& y_out) {
  x = x_in;
  y.resize(x.rows(), x.cols());
  dispatch::activation_forward(kind, x.data(), x.size(), y.data());
  y_out = y;
  has_cache = true;
}

template <typename T>
void ActivationT<T>::backward(const MatT<T>& dy, MatT<T>& dx, bool /*need_dx*/) {
  NL_ASSERT(has_cache, "Activation: backward before forward");
  NL_ASSERT(dy.rows() == x.rows() && dy.cols() == x.cols(), "Activation: dy shape");
  dx.resize(x.rows(), x.cols());
  dispatch::activation_backward(kind, x.data(), y.data(), dy.data(), x.size(), dx.data());
}

template <typename T>
MatT<T> ActivationT<T>::infer(const MatT<T>& x_in) const {
  MatT<T> out(x_in.rows(), x_in.cols());
  dispatch::activation_forward(kind, x_in.data(), x_in.size(), out.data());
  return out;
}

// ---------------------------------------------------------------- BatchNorm

template <typename T>
BatchNormT<T> BatchNormT<T>::make(Index channels, Index spatial, const NormOptions& options) {
  BatchNormT bn;
  bn.channels = channels;
  bn.spatial = spatial;
  bn.eps = static_cast<T>(options.eps);
  if (options.momentum) bn.momentum = static_cast<T>(*options.momentum);
  else bn.momentum = std::nullopt;
  bn.affine = options.affine;
  bn.track_running_stats = options.track_running_stats;
  bn.gamma = VecT<T>::Ones(channels);
  bn.beta = VecT<T>::Zero(channels);
  bn.dgamma = VecT<T>::Zero(channels);
  bn.dbeta = VecT<T>::Zero(channels);
  if (bn.track_running_stats) {
    bn.running_mean = VecT<T>::Zero(channels);
    bn.running_var = VecT<T>::Ones(channels);
  }
  return bn;
}

template <typename T>
Status BatchNormT<T>::check_batch(Index n, bool training) const {
  if (uses_batch_stats(training) && n * spatial <= 1) {
    return make_error(
        "BatchNorm needs more than 1 value per channel to compute batch statistics "
        "(got a batch of " + std::to_string(n) + " sample(s) with " + std::to_string(spatial) +
            " value(s) per channel).",
        "Use a batch size of at least 2, or switch to eval mode with running statistics.");
  }
  return Ok{};
}

template <typename T>
void BatchNormT<T>::forward(const MatT<T>& x, bool training, MatT<T>& y) {
  const Index N = x.cols(), C = channels, S = spatial;
  NL_ASSERT(x.rows() == C * S, "BatchNorm: input rows != channels*spatial");
  NL_ASSERT(check_batch(N, training).ok(), "BatchNorm: call check_batch before forward");
  BatchNormTraceT<T>* tr = nullptr;
  if (record_trace) {
    trace.emplace();
    tr = &*trace;
    tr->n = N;
    tr->channels = C;
    tr->spatial = S;
    tr->training = training;
    tr->eps = eps;
    tr->x = x;
    tr->running_mean_before = running_mean;
    tr->running_var_before = running_var;
    tr->num_batches_tracked_before = num_batches_tracked;
  }
  mean.resize(C);
  var.resize(C);
  inv_std.resize(C);
  xhat.resize(C * S, N);
  y.resize(C * S, N);
  used_batch_stats = uses_batch_stats(training);
  T factor = T(0);
  if (used_batch_stats) {
    dispatch::batchnorm_train_forward(x.data(), N, C, S, eps, gamma.data(), beta.data(),
                                      mean.data(), var.data(), inv_std.data(), xhat.data(),
                                      y.data());
    if (training && track_running_stats) {
      // Running update, in double like PyTorch's CPU kernel; f weights the new batch.
      num_batches_tracked += 1;
      const double f = momentum ? static_cast<double>(*momentum)
                                : 1.0 / static_cast<double>(num_batches_tracked);
      const double m = static_cast<double>(N * S);
      for (Index c = 0; c < C; ++c) {
        const double unbiased = static_cast<double>(var[c]) * m / (m - 1.0);
        running_mean[c] = static_cast<T>(f * static_cast<double>(mean[c]) +
                                         (1.0 - f) * static_cast<double>(running_mean[c]));
        running_var[c] = static_cast<T>(f * unbiased + (1.0 - f) * static_cast<double>(running_var[c]));
      }
      factor = static_cast<T>(f);
    }
  } else {
    mean = running_mean;
    var = running_var;
    for (Index c = 0; c < C; ++c) {
      inv_std[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(running_var[c]) +
                                                  static_cast<double>(eps)));
    }
    dispatch::batchnorm_eval_forward(x.data(), N, C, S, gamma.data(), beta.data(), mean.data(),
                                     inv_std.data(), xhat.data(), y.data());
  }
  has_cache = true;

  if (tr != nullptr) {
    // Step by step, independently of the fast path (which computed mean, var, xhat, y).
    tr->used_batch_stats = used_batch_stats;
    tr->momentum_factor = factor;
    const double m = static_cast<double>(N * S);
    VecT<T> mu(C), v(C), is(C);
    for (Index c = 0; c < C; ++c) {
      if (used_batch_stats) {
        const auto xc = x.middleRows(c * S, S).template cast<double>();
        const double mc = xc.sum() / m;                              // mean
        const double vc = (xc.array() - mc).square().sum() / m;      // biased variance
        mu[c] = static_cast<T>(mc);
        v[c] = static_cast<T>(vc);
      } else {
        mu[c] = mean[c];
        v[c] = var[c];
      }
      is[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(v[c]) + static_cast<double>(eps)));
    }
    MatT<T> xh(C * S, N), yy(C * S, N);
    for (Index c = 0; c < C; ++c) {
      xh.middleRows(c * S, S) = (x.middleRows(c * S, S).array() - mu[c]) * is[c];  // normalize
      yy.middleRows(c * S, S) = gamma[c] * xh.middleRows(c * S, S).array() + beta[c]; // affine
    }
    tr->mean = mu;
    tr->var = v;
    tr->inv_std = is;
    tr->xhat = xh;
    tr->y = yy;
    tr->running_mean_after = running_mean;
    tr->running_var_after = running_var;
    tr->num_batches_tracked_after = num_batches_tracked;
    tr->steps.push_back({"bn.x", "x", x});
    tr->steps.push_back({"bn.mean", used_batch_stats ? "mu = (1/m) sum x" : "mu = running_mean", col(mu)});
    tr->steps.push_back({"bn.var", used_batch_stats ? "var = (1/m) sum (x - mu)^2" : "var = running_var", col(v)});
    tr->steps.push_back({"bn.inv_std", "inv_std = 1/sqrt(var + eps)", col(is)});
    tr->steps.push_back({"bn.xhat", "xhat = (x - mu) * inv_std", xh});
    tr->steps.push_back({"bn.y", "y = gamma * xhat + beta", yy});
    if (track_running_stats) {
      tr->steps.push_back({"bn.running_mean", "running_mean = (1-f) running_mean + f mu", col(running_mean)});
      tr->steps.push_back({"bn.running_var", "running_var = (1-f) running_var + f var m/(m-1)", col(running_var)});
    }
  }
}

template <typename T>
void BatchNormT<T>::backward(const MatT<T>& dy, MatT<T>& dx, bool /*need_dx*/) {
  NL_ASSERT(has_cache, "BatchNorm: backward before forward");
  const Index N = xhat.cols(), C = channels, S = spatial;
  NL_ASSERT(dy.rows() == C * S && dy.cols() == N, "BatchNorm: dy shape");
  dx.resize(C * S, N);
  dgamma.resize(C);
  dbeta.resize(C);
  if (used_batch_stats) {
    dispatch::batchnorm_backward(dy.data(), xhat.data(), gamma.data(), inv_std.data(), N, C, S,
                                 dx.data(), dgamma.data(), dbeta.data());
  } else {
    dispatch::batchnorm_eval_backward(dy.data(), xhat.data(), gamma.data(), inv_std.data(), N, C, S,
                                      dx.data(), dgamma.data(), dbeta.data());
  }
  if (!affine) {
    dgamma.setZero();
    dbeta.setZero();
  }

  record_backward_trace(dy, dx, gamma);
}

// The step-by-step graph, from the trace's own forward values. scale multiplies xhat on the
// way to y: gamma for BatchNorm, gamma*r for Batch Renorm (r a constant in backprop).
template <typename T>
void BatchNormT<T>::record_backward_trace(const MatT<T>& dy, const MatT<T>& dx_compact, const VecT<T>& scale) {
  const Index N = dy.cols(), C = channels, S = spatial;
  if (record_trace && trace && !trace->has_backward && trace->n == N) {
    BatchNormTraceT<T>& tr = *trace;
    const double m = static_cast<double>(N * S);
    tr.dy = dy;
    tr.dx_compact = dx_compact;
    tr.dxhat.resize(C * S, N);
    tr.dx.resize(C * S, N);
    tr.dbeta.resize(C);
    tr.dgamma.resize(C);
    tr.dvar.resize(C);
    tr.dmean.resize(C);
    for (Index c = 0; c < C; ++c) {
      const MatrixD dyc = dy.middleRows(c * S, S).template cast<double>();
      const MatrixD xc = tr.x.middleRows(c * S, S).template cast<double>();
      const MatrixD xhc = tr.xhat.middleRows(c * S, S).template cast<double>();
      const double mu = static_cast<double>(tr.mean[c]);
      const double is = static_cast<double>(tr.inv_std[c]);
      const double g = static_cast<double>(scale[c]);
      const double dbeta_c = dyc.sum();                                 // dbeta = sum dy
      const double dgamma_c = (dyc.array() * xhc.array()).sum();        // dgamma = sum dy*xhat
      const MatrixD dxhat_c = dyc * g;                                     // dxhat = dy*gamma
      double dvar_c = 0.0, dmean_c = 0.0;
      MatrixD dx_c = dxhat_c * is;                                         // through xhat directly
      if (used_batch_stats) {
        const MatrixD xmu = xc.array() - mu;
        // dvar = sum dxhat*(x - mu) * (-1/2)*(var + eps)^(-3/2)
        dvar_c = (dxhat_c.array() * xmu.array()).sum() * -0.5 * is * is * is;
        // dmean = sum(-dxhat*inv_std) + dvar * sum(-2*(x - mu))/m
        dmean_c = -dxhat_c.sum() * is + dvar_c * (-2.0 * xmu.sum() / m);
        // dx = dxhat*inv_std + dvar*2*(x - mu)/m + dmean/m
        dx_c = (dx_c.array() + dvar_c * 2.0 * xmu.array() / m + dmean_c / m).matrix();
      }
      tr.dbeta[c] = static_cast<T>(dbeta_c);
      tr.dgamma[c] = static_cast<T>(dgamma_c);
      tr.dvar[c] = static_cast<T>(dvar_c);
      tr.dmean[c] = static_cast<T>(dmean_c);
      tr.dxhat.middleRows(c * S, S) = dxhat_c.template cast<T>();
      tr.dx.middleRows(c * S, S) = dx_c.template cast<T>();
    }
    if (!affine) {
      tr.dgamma.setZero();
      tr.dbeta.setZero();
    }
    tr.has_backward = true;
    tr.steps.push_back({"bn.dy", "dy = dL/dy", dy});
    tr.steps.push_back({"bn.dbeta", "dbeta = sum dy", col(tr.dbeta)});
    tr.steps.push_back({"bn.dgamma", "dgamma = sum dy * xhat", col(tr.dgamma)});
    tr.steps.push_back({"bn.dxhat", "dxhat = dy * gamma", tr.dxhat});
    tr.steps.push_back({"bn.dvar", "dvar = sum dxhat (x - mu) * -1/2 (var + eps)^(-3/2)", col(tr.dvar)});
    tr.steps.push_back({"bn.dmean", "dmean = sum -dxhat inv_std + dvar * sum -2 (x - mu) / m", col(tr.dmean)});
    tr.steps.push_back({"bn.dx", "dx = dxhat inv_std + dvar 2 (x - mu)/m + dmean/m", tr.dx});
    tr.steps.push_back({"bn.dx_compact", "dx = inv_std/m (m dxhat - sum dxhat - xhat sum dxhat xhat)", dx_compact});
  }
}

template <typename T>
MatT<T> BatchNormT<T>::infer(const MatT<T>& x) const {
  const Index N = x.cols(), C = channels, S = spatial;
  NL_ASSERT(x.rows() == C * S, "BatchNorm: input rows != channels*spatial");
  MatT<T> y(C * S, N);
  if (track_running_stats) {
    VecT<T> is(C);
    for (Index c = 0; c < C; ++c) {
      is[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(running_var[c]) +
                                             static_cast<double>(eps)));
    }
    dispatch::batchnorm_eval_forward(x.data(), N, C, S, gamma.data(), beta.data(),
                                     running_mean.data(), is.data(), static_cast<T*>(nullptr),
                                     y.data());
  } else {
    // No running statistics: batch statistics of this batch, as PyTorch does in eval.
    VecT<T> mu(C), v(C), is(C);
    MatT<T> xh(C * S, N);
    dispatch::batchnorm_train_forward(x.data(), N, C, S, eps, gamma.data(), beta.data(),
                                      mu.data(), v.data(), is.data(), xh.data(), y.data());
  }
  return y;
}

template <typename T>
void BatchNormT<T>::params(std::vector<ParamRefT<T>>& out, const std::string& prefix) {
  if (!affine) return;
  out.push_back({prefix + ".gamma", gamma.data(), dgamma.data(), gamma.size(), false});
  out.push_back({prefix + ".beta", beta.data(), dbeta.data(), beta.size(), false});
}

// ---------------------------------------------------------------- Batch Renorm

template <typename T>
BatchRenormT<T> BatchRenormT<T>::make(Index channels, Index spatial, const NormOptions& options) {
  BatchRenormT b;
  b.bn = BatchNormT<T>::make(channels, spatial, options);
  b.r_max = static_cast<T>(options.r_max);
  b.d_max = static_cast<T>(options.d_max);
  b.r = VecT<T>::Ones(channels);
  b.d = VecT<T>::Zero(channels);
  return b;
}

template <typename T>
void BatchRenormT<T>::forward(const MatT<T>& x, bool training, MatT<T>& y) {
  const Index C = bn.channels, S = bn.spatial, N = x.cols();
  r = VecT<T>::Ones(C);
  d = VecT<T>::Zero(C);
  if (!(training && bn.track_running_stats)) {
    bn.forward(x, training, y);  // eval, or no running stats: plain BatchNorm
    xhat_batch = bn.xhat;
    return;
  }
  // r and d come from the running stats BEFORE this batch updates them.
  const VecT<T> rm = bn.running_mean, rv = bn.running_var;
  const bool saved = bn.record_trace;
  bn.forward(x, training, y);  // batch stats, running update, xhat_batch in bn.xhat
  xhat_batch = bn.xhat;
  for (Index c = 0; c < C; ++c) {
    const double sigma_b = 1.0 / static_cast<double>(bn.inv_std[c]);
    const double sigma_run = std::sqrt(static_cast<double>(rv[c]) + static_cast<double>(bn.eps));
    const double rc = std::clamp(sigma_b / sigma_run, 1.0 / static_cast<double>(r_max),
                                 static_cast<double>(r_max));
    const double dc = std::clamp((static_cast<double>(bn.mean[c]) - static_cast<double>(rm[c])) / sigma_run,
                                 -static_cast<double>(d_max), static_cast<double>(d_max));
    r[c] = static_cast<T>(rc);
    d[c] = static_cast<T>(dc);
  }
  for (Index c = 0; c < C; ++c) {
    auto xh = bn.xhat.middleRows(c * S, S);
    xh = (xh.array() * r[c] + d[c]).matrix();                                // renormalize
    y.middleRows(c * S, S) = (bn.gamma[c] * xh.array() + bn.beta[c]).matrix(); // affine
  }
  if (saved && bn.trace) {
    // The BatchNorm steps above hold (x - mean_B)*inv_std_B; add the renorm steps and make
    // y the layer's real output.
    BatchNormTraceT<T>& tr = *bn.trace;
    tr.renorm_r = r;
    tr.renorm_d = d;
    tr.y = y;
    tr.steps.push_back({"brn.r", "r = clip(sigma_B / sigma_running, 1/r_max, r_max)", MatT<T>(r)});
    tr.steps.push_back({"brn.d", "d = clip((mu_B - running_mean) / sigma_running, -d_max, d_max)", MatT<T>(d)});
    tr.steps.push_back({"brn.xhat", "xhat_r = xhat * r + d", bn.xhat});
    tr.steps.push_back({"brn.y", "y = gamma * xhat_r + beta", y});
  }
  (void)N;
}

template <typename T>
void BatchRenormT<T>::backward(const MatT<T>& dy, MatT<T>& dx, bool need_dx) {
  if (!(bn.used_batch_stats && bn.track_running_stats)) {
    bn.backward(dy, dx, need_dx);
    return;
  }
  const Index C = bn.channels, S = bn.spatial, N = dy.cols();
  // With r, d constant: dx is BatchNorm's backward on xhat_batch with gamma*r as the scale;
  // dgamma uses the renormalized xhat.
  const VecT<T> g_eff = (bn.gamma.array() * r.array()).matrix();
  VecT<T> dg_unused(C), db(C);
  dx.resize(C * S, N);
  dispatch::batchnorm_backward(dy.data(), xhat_batch.data(), g_eff.data(), bn.inv_std.data(), N, C,
                               S, dx.data(), dg_unused.data(), db.data());
  bn.dbeta = db;
  bn.dgamma.resize(C);
  for (Index c = 0; c < C; ++c) {
    bn.dgamma[c] = static_cast<T>((dy.middleRows(c * S, S).template cast<double>().array() *
                                   bn.xhat.middleRows(c * S, S).template cast<double>().array())
                                      .sum());
  }
  if (!bn.affine) {
    bn.dgamma.setZero();
    bn.dbeta.setZero();
  }
  if (bn.record_trace && bn.trace && !bn.trace->has_backward) {
    // BatchNorm's graph with gamma*r as the scale; dgamma is with respect to the
    // renormalized xhat_r = xhat*r + d, as the layer's own gradient.
    bn.record_backward_trace(dy, dx, g_eff);
    BatchNormTraceT<T>& tr = *bn.trace;
    tr.dgamma = bn.dgamma;
    for (TraceStepT<T>& step : tr.steps) {
      if (step.id == "bn.dgamma") {
        step.formula = "dgamma = sum dy * xhat_r";
        step.value = MatT<T>(bn.dgamma);
      } else if (step.id == "bn.dxhat") {
        step.formula = "dxhat = dy * gamma * r   (r, d constants)";
      }
    }
  }
}

// ---------------------------------------------------------------- GroupNorm / LayerNorm

template <typename T>
GroupNormT<T> GroupNormT<T>::make_group_norm(Index channels, Index spatial, Index groups,
                                             const NormOptions& options) {
  NL_ASSERT(groups > 0 && channels % groups == 0, "GroupNorm: groups must divide channels");
  GroupNormT g;
  g.channels = channels;
  g.spatial = spatial;
  g.groups = groups;
  g.per_element_affine = false;
  g.affine = options.affine;
  g.eps = static_cast<T>(options.eps);
  g.gamma = VecT<T>::Ones(channels);
  g.beta = VecT<T>::Zero(channels);
  g.dgamma = VecT<T>::Zero(channels);
  g.dbeta = VecT<T>::Zero(channels);
  return g;
}

template <typename T>
GroupNormT<T> GroupNormT<T>::make_layer_norm(Index channels, Index spatial,
                                             const NormOptions& options) {
  GroupNormT g = make_group_norm(channels, spatial, 1, options);
  g.per_element_affine = true;
  g.gamma = VecT<T>::Ones(channels * spatial);
  g.beta = VecT<T>::Zero(channels * spatial);
  g.dgamma = VecT<T>::Zero(channels * spatial);
  g.dbeta = VecT<T>::Zero(channels * spatial);
  return g;
}

namespace {

// Normalize contiguous chunks of length L (one chunk per sample and group): per chunk
// mean, biased var, inv_std = 1/sqrt(var + eps), xhat = (x - mean)*inv_std.
template <typename T>
void chunk_normalize(const T* x, Index chunks, Index L, T eps, T* mean, T* inv_std, T* xhat) {
  for (Index k = 0; k < chunks; ++k) {
    const T* xk = x + k * L;
    double sum = 0;
    for (Index i = 0; i < L; ++i) sum += static_cast<double>(xk[i]);
    const double mu = sum / static_cast<double>(L);
    double sq = 0;
    for (Index i = 0; i < L; ++i) sq += (static_cast<double>(xk[i]) - mu) * (static_cast<double>(xk[i]) - mu);
    const double v = sq / static_cast<double>(L);
    mean[k] = static_cast<T>(mu);
    inv_std[k] = static_cast<T>(1.0 / std::sqrt(v + static_cast<double>(eps)));
    for (Index i = 0; i < L; ++i) xhat[k * L + i] = (xk[i] - mean[k]) * inv_std[k];
  }
}

}  // namespace

template <typename T>
void GroupNormT<T>::forward(const MatT<T>& x, bool /*training*/, MatT<T>& y) {
  const Index D = channels * spatial, N = x.cols();
  NL_ASSERT(x.rows() == D, "GroupNorm: input rows != channels*spatial");
  const Index L = D / groups;
  mean.resize(groups * N);
  inv_std.resize(groups * N);
  xhat.resize(D, N);
  chunk_normalize(x.data(), groups * N, L, eps, mean.data(), inv_std.data(), xhat.data());
  y.resize(D, N);
  if (per_element_affine) {
    y = (xhat.array().colwise() * gamma.array()).colwise() + beta.array();
  } else {
    for (Index c = 0; c < channels; ++c)
      y.middleRows(c * spatial, spatial) = (xhat.middleRows(c * spatial, spatial).array() * gamma[c] + beta[c]).matrix();
  }
  has_cache = true;
}

template <typename T>
void GroupNormT<T>::backward(const MatT<T>& dy, MatT<T>& dx, bool /*need_dx*/) {
  NL_ASSERT(has_cache, "GroupNorm: backward before forward");
  const Index D = channels * spatial, N = xhat.cols(), L = D / groups;
  MatT<T> dxhat(D, N);
  if (per_element_affine) {
    dgamma = (dy.array() * xhat.array()).rowwise().sum().matrix();  // dgamma = sum dy*xhat
    dbeta = dy.rowwise().sum();                                      // dbeta = sum dy
    dxhat = (dy.array().colwise() * gamma.array()).matrix();         // dxhat = dy*gamma
  } else {
    dgamma.resize(channels);
    dbeta.resize(channels);
    for (Index c = 0; c < channels; ++c) {
      const auto dyc = dy.middleRows(c * spatial, spatial);
      dgamma[c] = (dyc.array() * xhat.middleRows(c * spatial, spatial).array()).sum();
      dbeta[c] = dyc.sum();
      dxhat.middleRows(c * spatial, spatial) = dyc * gamma[c];
    }
  }
  if (!affine) {
    dgamma.setZero();
    dbeta.setZero();
  }
  // Per chunk: dx = inv_std/L * (L*dxhat - sum dxhat - xhat*sum(dxhat*xhat))
  dx.resize(D, N);
  Eigen::Map<const MatT<T>> dxh(dxhat.data(), L, groups * N);
  Eigen::Map<const MatT<T>> xh(xhat.data(), L, groups * N);
  Eigen::Map<MatT<T>> dxm(dx.data(), L, groups * N);
  for (Index k = 0; k < groups * N; ++k) {
    // Sums in double (as for BatchNorm), then per element in T: dxhat - mean(dxhat) - xhat*mean(dxhat*xhat).
    const double s1 = dxh.col(k).template cast<double>().sum();
    const double s2 = dxh.col(k).template cast<double>().dot(xh.col(k).template cast<double>());
    const T m1 = static_cast<T>(s1 / static_cast<double>(L)), m2 = static_cast<T>(s2 / static_cast<double>(L));
    dxm.col(k) = (inv_std[k] * (dxh.col(k).array() - m1 - xh.col(k).array() * m2)).matrix();
  }
}

template <typename T>
MatT<T> GroupNormT<T>::infer(const MatT<T>& x) const {
  GroupNormT copy = *this;
  MatT<T> y;
  copy.forward(x, false, y);
  return y;
}

template <typename T>
void GroupNormT<T>::params(std::vector<ParamRefT<T>>& out, const std::string& prefix) {
  if (!affine) return;
  out.push_back({prefix + ".gamma", gamma.data(), dgamma.data(), gamma.size(), false});
  out.push_back({prefix + ".beta", beta.data(), dbeta.data(), beta.size(), false});
}

// ---------------------------------------------------------------- Conv2d 3x3

namespace {

// im2col for one sample: cols (S, C_in*9); cols(s, ci*9 + ky*3 + kx) = x[ci, h+ky-1, w+kx-1] or 0.
template <typename T>
void im2col3x3(const T* x, Index Cin, Index H, Index W, MatT<T>& cols) {
  const Index S = H * W;
  cols.setZero(S, Cin * 9);
  for (Index ci = 0; ci < Cin; ++ci)
    for (Index ky = 0; ky < 3; ++ky)
      for (Index kx = 0; kx < 3; ++kx) {
        const Index k = ci * 9 + ky * 3 + kx;
        for (Index h = 0; h < H; ++h) {
          const Index hh = h + ky - 1;
          if (hh < 0 || hh >= H) continue;
          for (Index w = 0; w < W; ++w) {
            const Index ww = w + kx - 1;
            if (ww < 0 || ww >= W) continue;
            cols(h * W + w, k) = x[ci * S + hh * W + ww];
          }
        }
      }
}

// col2im: accumulate dcols (S, C_in*9) back into dx (C_in*S) of one sample.
template <typename T>
void col2im3x3(const MatT<T>& dcols, Index Cin, Index H, Index W, T* dx) {
  const Index S = H * W;
  for (Index i = 0; i < Cin * S; ++i) dx[i] = T(0);
  for (Index ci = 0; ci < Cin; ++ci)
    for (Index ky = 0; ky < 3; ++ky)
      for (Index kx = 0; kx < 3; ++kx) {
        const Index k = ci * 9 + ky * 3 + kx;
        for (Index h = 0; h < H; ++h) {
          const Index hh = h + ky - 1;
          if (hh < 0 || hh >= H) continue;
          for (Index w = 0; w < W; ++w) {
            const Index ww = w + kx - 1;
            if (ww < 0 || ww >= W) continue;
            dx[ci * S + hh * W + ww] += dcols(h * W + w, k);
          }
        }
      }
}

}  // namespace

template <typename T>
Conv2dT<T> Conv2dT<T>::make(Index in_channels, Index out_channels, Index height, Index width) {
  Conv2dT c;
  c.in_channels = in_channels;
  c.out_channels = out_channels;
  c.height = height;
  c.width = width;
  c.weight = MatT<T>::Zero(out_channels, in_channels * 9);
  c.bias = VecT<T>::Zero(out_channels);
  c.dweight = c.weight;
  c.dbias = c.bias;
  return c;
}

template <typename T>
MatT<T> Conv2dT<T>::infer(const MatT<T>& x_in) const {
  const Index S = height * width, N = x_in.cols();
  NL_ASSERT(x_in.rows() == in_channels * S, "Conv2d: input rows != C_in*H*W");
  MatT<T> y(out_channels * S, N);
  MatT<T> cols;
  for (Index n = 0; n < N; ++n) {
    im2col3x3(x_in.col(n).data(), in_channels, height, width, cols);
    Eigen::Map<MatT<T>> yn(y.col(n).data(), S, out_channels);  // (S, C_out) view of the sample
    yn.noalias() = cols * weight.transpose();                  // y = W * patches
    yn.rowwise() += bias.transpose();                          // + b per output channel
  }
  return y;
}

template <typename T>
void Conv2dT<T>::forward(const MatT<T>& x_in, bool /*training*/, MatT<T>& y) {
  x = x_in;
  has_cache = true;
  y = infer(x_in);
}

template <typename T>
void Conv2dT<T>::backward(const MatT<T>& dy, MatT<T>& dx, bool need_dx) {
  NL_ASSERT(has_cache, "Conv2d: backward before forward");
  const Index S = height * width, N = x.cols();
  dweight.setZero(out_channels, in_channels * 9);
  dbias.setZero(out_channels);
  if (need_dx) dx.resize(in_channels * S, N);
  MatT<T> cols, dcols;
  for (Index n = 0; n < N; ++n) {
    im2col3x3(x.col(n).data(), in_channels, height, width, cols);
    Eigen::Map<const MatT<T>> dyn(dy.col(n).data(), S, out_channels);
    dweight.noalias() += dyn.transpose() * cols;     // dW = dy^T * patches
    dbias += dyn.colwise().sum().transpose();        // db = sum over positions
    if (need_dx) {
      dcols.noalias() = dyn * weight;                // dpatches = dy * W
      col2im3x3(dcols, in_channels, height, width, dx.col(n).data());
    }
  }
}

template <typename T>
void Conv2dT<T>::params(std::vector<ParamRefT<T>>& out, const std::string& prefix) {
  out.push_back({prefix + ".weight", weight.data(), dweight.data(), weight.size(), true});
  out.push_back({prefix + ".bias", bias.data(), dbias.data(), bias.size(), false});
}

// ---------------------------------------------------------------- Pool 2x2

template <typename T>
Pool2dT<T> Pool2dT<T>::make(PoolKind kind, Index channels, Index height, Index width) {
  NL_ASSERT(height % 2 == 0 && width % 2 == 0, "Pool2d: H and W must be even");
  Pool2dT p;
  p.kind = kind;
  p.channels = channels;
  p.height = height;
  p.width = width;
  return p;
}

template <typename T>
void Pool2dT<T>::forward(const MatT<T>& x_in, bool /*training*/, MatT<T>& y) {
  const Index H = height, W = width, Ho = H / 2, Wo = W / 2, N = x_in.cols();
  NL_ASSERT(x_in.rows() == channels * H * W, "Pool2d: input rows != C*H*W");
  y.resize(channels * Ho * Wo, N);
  argmax.assign(static_cast<std::size_t>(channels * Ho * Wo * N), 0);
  for (Index n = 0; n < N; ++n)
    for (Index c = 0; c < channels; ++c)
      for (Index i = 0; i < Ho; ++i)
        for (Index j = 0; j < Wo; ++j) {
          const Index o = c * Ho * Wo + i * Wo + j;
          const Index offs[4] = {c * H * W + (2 * i) * W + 2 * j, c * H * W + (2 * i) * W + 2 * j + 1,
                                 c * H * W + (2 * i + 1) * W + 2 * j, c * H * W + (2 * i + 1) * W + 2 * j + 1};
          if (kind == PoolKind::kMax) {
            Index best = offs[0];
            for (int q = 1; q < 4; ++q)
              if (x_in(offs[q], n) > x_in(best, n)) best = offs[q];
            y(o, n) = x_in(best, n);
            argmax[static_cast<std::size_t>(n * channels * Ho * Wo + o)] = best;
          } else {
            y(o, n) = (x_in(offs[0], n) + x_in(offs[1], n) + x_in(offs[2], n) + x_in(offs[3], n)) * T(0.25);
          }
        }
  cached_n = N;
  has_cache = true;
}

template <typename T>
void Pool2dT<T>::backward(const MatT<T>& dy, MatT<T>& dx, bool /*need_dx*/) {
  NL_ASSERT(has_cache, "Pool2d: backward before forward");
  const Index H = height, W = width, Ho = H / 2, Wo = W / 2, N = cached_n;
  dx.setZero(channels * H * W, N);
  for (Index n = 0; n < N; ++n)
    for (Index c = 0; c < channels; ++c)
      for (Index i = 0; i < Ho; ++i)
        for (Index j = 0; j < Wo; ++j) {
          const Index o = c * Ho * Wo + i * Wo + j;
          if (kind == PoolKind::kMax) {
            dx(argmax[static_cast<std::size_t>(n * channels * Ho * Wo + o)], n) += dy(o, n);
          } else {
            const T g = dy(o, n) * T(0.25);
            dx(c * H * W + (2 * i) * W + 2 * j, n) += g;
            dx(c * H * W + (2 * i) * W + 2 * j + 1, n) += g;
            dx(c * H * W + (2 * i + 1) * W + 2 * j, n) += g;
            dx(c * H * W + (2 * i + 1) * W + 2 * j + 1, n) += g;
          }
        }
}

template <typename T>
MatT<T> Pool2dT<T>::infer(const MatT<T>& x_in) const {
  Pool2dT copy = *this;
  MatT<T> y;
  copy.forward(x_in, false, y);
  return y;
}

template struct LinearT<float>;
template struct LinearT<double>;
template struct ActivationT<float>;
template struct ActivationT<double>;
template struct BatchNormT<float>;
template struct BatchNormT<double>;
template struct BatchRenormT<float>;
template struct BatchRenormT<double>;
template struct GroupNormT<float>;
template struct GroupNormT<double>;
template struct Conv2dT<float>;
template struct Conv2dT<double>;
template struct Pool2dT<float>;
template struct Pool2dT<double>;

}  // namespace nl
