// TwinRun (see twin_run.h): builds and steps the twin, records per-unit percentiles, and
// computes the Why panel's grids, probe pre-activations and BN cache sizes.
// Not here: the main experiment's stepping (actions.cpp run_steps calls after_main_step).
#include "app/twin_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "app/session.h"
#include "core/metrics.h"
#include "core/twin.h"

namespace nl::app {

namespace {

// The probe batch, as the core's LayerMetrics use it: the first min(256, N) training points.
Matrix probe_of(const Experiment& e) {
  const Matrix& x = e.dataset().x_train;  // (2, N)
  return x.leftCols(std::min<Index>(256, x.cols()));
}

// Pre-activations (input of each hidden layer's activation) on the probe: per layer (units, P).
// With `post`, the activation's output instead.
std::vector<Matrix> probe_preacts(const Experiment& e, bool post = false) {
  std::vector<Matrix> out;
  const Network& net = e.network();
  std::vector<Matrix> outputs;
  net.infer(probe_of(e), &outputs);
  for (const HiddenLayerInfo& h : net.hidden()) {
    out.push_back(outputs[static_cast<std::size_t>(post ? h.activation : h.activation - 1)]);
  }
  return out;
}

void reset_record(PercentileRecord& r, const Experiment& e) {
  r = PercentileRecord{};
  int total = 0;
  r.unit_offset.push_back(0);
  for (const HiddenLayerSpec& h : e.spec().net.hidden) {
    total += h.width;
    r.unit_offset.push_back(total);
  }
  // ~256k floats per network at most (1 MiB): fewer samples for wide networks.
  r.capacity = static_cast<std::size_t>(std::clamp(262144 / std::max(1, 3 * total), 64, 1024));
}

// Appends the current model's percentiles if this step is due: it measured its eval metrics
// (tick() paces those by their cost, app/schedule.h; every step outside tick() is measured)
// and it is at least `stride` steps after the last sample. When full, every other sample is
// dropped and the stride becomes the kept samples' average spacing, so that new samples are
// as dense as the old ones.
void record(PercentileRecord& r, const Experiment& e) {
  const StepMetrics& m = e.metrics();
  const std::int64_t step = m.step;
  if (r.units() == 0 || m.metrics_step != step) return;
  const auto due = [&] { return r.steps.empty() || step - static_cast<std::int64_t>(r.steps.back()) >= r.stride; };
  if (!due()) return;
  if (r.steps.size() >= r.capacity) {  // full: keep every other sample, record half as often
    std::size_t kept = 0;
    const std::size_t per = static_cast<std::size_t>(r.units()) * 3;
    for (std::size_t i = 0; i < r.steps.size(); i += 2, ++kept) {
      r.steps[kept] = r.steps[i];
      std::copy_n(r.values.begin() + static_cast<std::ptrdiff_t>(i * per), per,
                  r.values.begin() + static_cast<std::ptrdiff_t>(kept * per));
    }
    r.steps.resize(kept);
    r.values.resize(kept * per);
    const auto span = static_cast<std::int64_t>(r.steps.back() - r.steps.front());
    r.stride = std::max<std::int64_t>({1, 2 * r.stride, kept > 1 ? span / static_cast<std::int64_t>(kept - 1) : 1});
    if (!due()) return;
  }
  r.steps.push_back(static_cast<float>(step));
  for (const Matrix& z : probe_preacts(e)) {  // (units, P)
    for (Index u = 0; u < z.rows(); ++u) {
      std::vector<float> v(static_cast<std::size_t>(z.cols()));
      for (Index p = 0; p < z.cols(); ++p) v[static_cast<std::size_t>(p)] = z(u, p);
      const std::vector<float> q = percentiles(std::move(v), {0.15f, 0.50f, 0.85f});
      r.values.insert(r.values.end(), q.begin(), q.end());
    }
  }
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

double running_average(double avg, double x, std::int64_t n) {
  return n <= 1 ? x : avg + (x - avg) * 0.05;  // EMA after the first sample
}

std::vector<float> coarse_grid(const Experiment& e, const DecisionGrid& g, int n) {
  Matrix points(2, static_cast<Index>(n) * n);  // (2, n*n) cell centres, row-major
  for (int row = 0; row < n; ++row) {
    for (int col = 0; col < n; ++col) {
      points(0, row * n + col) = g.x_min + (static_cast<float>(col) + 0.5f) * (g.x_max - g.x_min) / static_cast<float>(n);
      points(1, row * n + col) = g.y_min + (static_cast<float>(row) + 0.5f) * (g.y_max - g.y_min) / static_cast<float>(n);
    }
  }
  const Matrix probs = e.predict_proba(points);  // (classes, n*n)
  std::vector<float> out(static_cast<std::size_t>(n) * n);
  for (Index i = 0; i < points.cols(); ++i) out[static_cast<std::size_t>(i)] = probs(probs.rows() > 1 ? 1 : 0, i);
  return out;
}

std::vector<std::vector<float>> flat_preacts(const Experiment& e, bool post = false) {
  std::vector<std::vector<float>> out;
  for (const Matrix& z : probe_preacts(e, post)) {
    std::vector<float> v(static_cast<std::size_t>(z.size()));
    for (Index u = 0, k = 0; u < z.rows(); ++u)
      for (Index p = 0; p < z.cols(); ++p) v[static_cast<std::size_t>(k++)] = z(u, p);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

bool has_norm(const ExperimentSpec& spec) {
  return std::any_of(spec.net.hidden.begin(), spec.net.hidden.end(),
                     [](const HiddenLayerSpec& h) { return h.norm != NormKind::kNone; });
}

ExperimentSpec twin_spec_for(const ExperimentSpec& main) {
  if (has_norm(main)) return TwinExperiment::without_norm(main);
  ExperimentSpec spec = main;
  for (HiddenLayerSpec& h : spec.net.hidden) h.norm = NormKind::kBatchNorm;
  return spec;
}

void rebuild_twin(Session& s) {
  TwinRun& t = s.twin;
  t = TwinRun{};
  t.twin_has_norm = !has_norm(s.spec);
  reset_record(t.main_pct, s.exp());
  Result<Experiment> built = Experiment::create(twin_spec_for(s.spec), s.exp().dataset());
  if (!built.ok()) {
    t.twin_error = built.error().message;
    return;
  }
  t.twin.emplace(std::move(built.value()));
  reset_record(t.twin_pct, *t.twin);
  record(t.main_pct, s.exp());  // step 0: the initial distributions
  record(t.twin_pct, *t.twin);
  // A session that trained before it had a twin: replay the same number of batches.
  for (std::int64_t i = 0; i < s.exp().metrics().step && !t.twin->diverged(); ++i) {
    if (!t.twin->step().ok()) break;
  }
}

void ensure_twin(Session& s) {
  if (!s.twin.twin && s.twin.twin_error.empty()) rebuild_twin(s);
}

void after_main_step(Session& s, bool main_ok, double main_seconds) {
  TwinRun& t = s.twin;
  t.last_main_ms = main_seconds * 1e3;
  t.last_twin_ms = 0.0;
  t.last_records_ms = 0.0;
  if (!main_ok) {
    if (s.exp().diverged() && t.main_diverged_at < 0) t.main_diverged_at = s.exp().metrics().step + 1;
    return;
  }
  const std::int64_t n = s.exp().metrics().step;
  t.main_step_ms = running_average(t.main_step_ms, main_seconds * 1e3, n);
  const auto recorded = std::chrono::steady_clock::now();
  record(t.main_pct, s.exp());
  t.last_records_ms = ms_since(recorded);
  if (!t.twin || t.twin_diverged_at >= 0 || !t.twin_error.empty()) return;
  // Optimizer settings change mid-training without a rebuild (act::SetOptimizer): follow them.
  const OptimizerSpec& mo = s.exp().spec().optimizer;
  const OptimizerSpec& to = t.twin->spec().optimizer;
  if (mo.kind != to.kind || mo.learning_rate != to.learning_rate || mo.momentum != to.momentum ||
      mo.weight_decay != to.weight_decay || mo.beta1 != to.beta1 || mo.beta2 != to.beta2 || mo.adam_eps != to.adam_eps) {
    if (Status st = t.twin->set_optimizer(mo); !st.ok()) t.twin_error = st.error().message;
  }
  // Eval metrics at the same steps as the main network's (tick() paces them, schedule.h).
  const StepMetrics& mm = s.exp().metrics();
  t.twin->set_metrics_interval(mm.metrics_step == mm.step ? 1 : 1 << 30);
  const auto start = std::chrono::steady_clock::now();
  Result<StepMetrics> done = t.twin->step();
  const double ms = ms_since(start);
  t.last_twin_ms = ms;
  if (!done.ok()) {
    if (t.twin->diverged()) t.twin_diverged_at = t.twin->metrics().step + 1;
    else t.twin_error = done.error().message;
    return;
  }
  t.twin_step_ms = running_average(t.twin_step_ms, ms, t.twin->metrics().step);
  const auto recorded_twin = std::chrono::steady_clock::now();
  record(t.twin_pct, *t.twin);
  t.last_records_ms += ms_since(recorded_twin);
}

void refresh_twin_view(Session& s, int min_frames) {
  ensure_twin(s);
  TwinRun& t = s.twin;
  ++t.frames_since_refresh;
  const bool stale = t.view_version != s.model_version || t.main_grid.empty();
  if (!stale || (t.frames_since_refresh < min_frames && !t.main_grid.empty())) return;
  t.main_grid = coarse_grid(s.exp(), s.grid, t.grid_resolution);
  t.main_preact = flat_preacts(s.exp());
  t.main_postact = flat_preacts(s.exp(), true);
  if (t.twin) {
    t.twin_grid = coarse_grid(*t.twin, s.grid, t.grid_resolution);
    t.twin_preact = flat_preacts(*t.twin);
    t.twin_postact = flat_preacts(*t.twin, true);
  }
  t.view_version = s.model_version;
  t.frames_since_refresh = 0;
}

const Experiment* with_norm(const Session& s) {
  if (!s.twin.twin_has_norm) return &s.exp();
  return s.twin.twin ? &*s.twin.twin : nullptr;
}

const Experiment* without_norm(const Session& s) {
  if (s.twin.twin_has_norm) return &s.exp();
  return s.twin.twin ? &*s.twin.twin : nullptr;
}

const PercentileRecord& with_norm_pct(const Session& s) {
  return s.twin.twin_has_norm ? s.twin.twin_pct : s.twin.main_pct;
}

const PercentileRecord& without_norm_pct(const Session& s) {
  return s.twin.twin_has_norm ? s.twin.main_pct : s.twin.twin_pct;
}

UnitSeries unit_series(const PercentileRecord& r, int layer, int unit) {
  UnitSeries out;
  if (layer < 0 || layer + 1 >= static_cast<int>(r.unit_offset.size())) return out;
  const int u = r.unit_offset[static_cast<std::size_t>(layer)] + unit;
  if (unit < 0 || u >= r.unit_offset[static_cast<std::size_t>(layer) + 1]) return out;
  const std::size_t per = static_cast<std::size_t>(r.units()) * 3;
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    const float* v = r.values.data() + i * per + static_cast<std::size_t>(u) * 3;
    out.steps.push_back(r.steps[i]);
    out.p15.push_back(v[0]);
    out.p50.push_back(v[1]);
    out.p85.push_back(v[2]);
  }
  return out;
}

std::vector<BnCacheBytes> bn_cache_bytes(const Network& net) {
  std::vector<BnCacheBytes> out;
  auto floats = [](Index n) { return sizeof(float) * static_cast<std::size_t>(n); };
  auto bn_bytes = [&](const BatchNorm& bn) {
    if (!bn.has_cache) return std::size_t{0};
    return floats(bn.xhat.size() + bn.mean.size() + bn.var.size() + bn.inv_std.size());
  };
  for (std::size_t i = 0; i < net.layers().size(); ++i) {
    const Layer& l = net.layers()[i];
    if (const auto* bn = std::get_if<BatchNorm>(&l)) {
      const std::size_t needed = bn->has_cache ? floats(bn->xhat.size() + bn->inv_std.size()) : 0;
      out.push_back({net.layer_name(i), bn_bytes(*bn), needed});
    } else if (const auto* brn = std::get_if<BatchRenorm>(&l)) {
      const bool cached = brn->bn.has_cache;
      const std::size_t extra = cached ? floats(brn->xhat_batch.size() + brn->r.size() + brn->d.size()) : 0;
      const std::size_t needed =
          cached ? floats(brn->xhat_batch.size() + brn->r.size() + brn->d.size() + brn->bn.inv_std.size()) : 0;
      out.push_back({net.layer_name(i), bn_bytes(brn->bn) + extra, needed});
    }
  }
  return out;
}

}  // namespace nl::app
