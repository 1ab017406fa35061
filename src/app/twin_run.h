// TwinRun: the "Why BN helps" panel's state — a twin of the main experiment with the
// normalization toggled (main has a norm: twin without; main has none: twin with BatchNorm),
// the same dataset, batch order and initial Linear weights (see core/twin.h), stepped in
// lockstep with the main experiment; per-unit pre-activation percentiles over time, coarse
// decision grids, probe pre-activations, BN cache bytes and step times.
// Not here: drawing (ui/why_view.cpp) or the training schedule (schedule.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/experiment.h"

namespace nl::app {

struct Session;

// Per-unit 15/50/85th percentiles of the pre-activation on the probe batch, one sample per
// recorded step: the steps that measured their eval metrics (every step outside tick(); while
// playing, as often as the eval budget allows, app/schedule.h), at least `stride` steps apart.
// Memory is bounded: at most `capacity` samples; when full, every other sample is dropped
// and the stride becomes the kept samples' average spacing (at least twice the old one).
struct PercentileRecord {
  std::vector<int> unit_offset;         // per hidden layer: index of its unit 0 (then total)
  std::vector<float> steps;             // (samples) step of each sample
  std::vector<float> values;            // (samples * units * 3) sample-major: p15, p50, p85
  std::int64_t stride = 1;              // minimum steps between samples
  std::size_t capacity = 1024;
  int units() const { return unit_offset.empty() ? 0 : unit_offset.back(); }
};

// One unit's series, for the chart.
struct UnitSeries {
  std::vector<float> steps, p15, p50, p85;
};

struct TwinRun {
  std::optional<Experiment> twin;       // the other network (built lazily, see ensure_twin)
  bool twin_has_norm = false;           // true when the main network has no normalization
  std::int64_t main_diverged_at = -1;   // step at which a network diverged, -1 if not
  std::int64_t twin_diverged_at = -1;
  std::string twin_error;               // why the twin stopped (not divergence); empty if fine
  PercentileRecord main_pct, twin_pct;
  double main_step_ms = 0.0, twin_step_ms = 0.0;  // running averages (display only)
  // Coarse eval-mode P(class 1) grids over session.grid's bounds (row-major, row 0 at y_min)
  // and the probe batch's pre-activations (activation inputs) and post-activations (outputs)
  // per hidden layer: (units * probe) values, unit-major.
  int grid_resolution = 28;
  std::vector<float> main_grid, twin_grid;
  std::vector<std::vector<float>> main_preact, twin_preact;
  std::vector<std::vector<float>> main_postact, twin_postact;
  std::uint64_t view_version = 0;       // Session::model_version they were computed for
  int frames_since_refresh = 0;
  // What the last after_main_step() cost, in ms (tick() sums them into its FrameCost).
  double last_main_ms = 0.0;            // the main network's step (timed by the caller)
  double last_twin_ms = 0.0;            // the twin's step
  double last_records_ms = 0.0;         // both percentile records
};

// The twin's spec for a main spec: norms removed, or (main has none) BatchNorm everywhere.
ExperimentSpec twin_spec_for(const ExperimentSpec& main);
bool has_norm(const ExperimentSpec& spec);

// Rebuilds the twin from the main experiment (its spec and dataset); clears all records.
// If the main experiment already took steps, the twin replays as many (same batches).
void rebuild_twin(Session& s);
// Builds the twin if the session has none yet (sessions built outside actions.cpp).
void ensure_twin(Session& s);
// After the main experiment tried a step: records it (or its divergence), then steps the
// twin once (unless it stopped) and records that. main_seconds: the main step's time.
void after_main_step(Session& s, bool main_ok, double main_seconds);
// While the Why panel shows: recomputes grids and probe pre-activations when the model
// changed, at most every `min_frames` frames (bounded cost per frame).
void refresh_twin_view(Session& s, int min_frames = 4);

// With-norm / without-norm experiments of the session (one is the main, one the twin).
const Experiment* with_norm(const Session& s);
const Experiment* without_norm(const Session& s);
const PercentileRecord& with_norm_pct(const Session& s);
const PercentileRecord& without_norm_pct(const Session& s);

UnitSeries unit_series(const PercentileRecord& r, int layer, int unit);

// Bytes each normalization layer holds for backward, from its cached matrices' sizes
// (BatchNorm: x̂ (C*S x N) + mean, var, inv_std (C); Batch Renorm adds its x̂_batch, r, d),
// and the least backward needs: x̂ (or x, to recompute it) and inv_std = 1/√(σ²_B + ε); NormLab
// also keeps mean and var for the inspector (PyTorch saves the input, the mean and inv_std).
// Batch Renorm's backward needs x̂_batch, r, d and inv_std (x̂ = x̂_batch·r + d for dγ).
struct BnCacheBytes {
  std::string name;           // e.g. "bn1"
  std::size_t bytes = 0;      // what NormLab's layer keeps
  std::size_t needed = 0;     // what its backward pass needs at least
};
std::vector<BnCacheBytes> bn_cache_bytes(const Network& net);

}  // namespace nl::app
