// Training scheduling: how much training happens in one frame while playing.
// Training runs in slices bounded by a step count and a time budget, so the UI keeps
// its frame rate however slow a step is.
#pragma once

#include "app/session.h"

namespace nl::app {

struct FrameBudget {
  double max_training_seconds = 0.006;  // stop starting new steps after this much time
};

// Where one frame's app CPU time went, in ms, timed around the calls tick() makes (the
// benchmark's frame split; no drawing). main_steps + twin_steps + records + step_other is
// the training slice (TickReport::training_seconds).
struct FrameCost {
  double main_steps_ms = 0.0;   // the main network's Experiment::step (with its eval metrics when measured)
  double twin_steps_ms = 0.0;   // the twin's steps in lockstep (twin_run.h), same eval pacing
  double records_ms = 0.0;      // both networks' per-unit percentile records (twin_run.h)
  double step_other_ms = 0.0;   // the rest of the slice: actions, stop conditions, pacing
  double grid_ms = 0.0;         // decision grid (refresh_grid_progressive)
  double neuron_maps_ms = 0.0;  // network panel's neuron maps (throttled)
  double twin_view_ms = 0.0;    // Why panel's grids and probe activations (throttled)
  double study_ms = 0.0;        // Experiments panel's running study
  int measured_steps = 0;       // main steps that measured eval metrics
  double total_ms() const {
    return main_steps_ms + twin_steps_ms + records_ms + step_other_ms + grid_ms + neuron_maps_ms + twin_view_ms + study_ms;
  }
};

struct TickReport {
  int steps_taken = 0;
  double training_seconds = 0.0;
  FrameCost cost;
};

// While playing: takes up to session.steps_per_frame steps within the budget (at
// least one), then refreshes the decision grid. Paused: only refreshes the grid.
// Eval metrics (whole-set losses and accuracies, layer statistics) are paced by their
// measured cost so that they average at most session.pace.eval_budget_ms per frame:
// every step while that fits; else every n-th step, with the last step of each frame
// measured too whenever one eval fits the budget (else the readouts say at which step
// they were measured: StepMetrics::metrics_step). Steps outside tick() are always measured.
TickReport tick(Session& session, const FrameBudget& budget = {});

// How tick() measures eval metrics over a frame of `steps` planned steps (pure; from the
// pace's averages). interval: Experiment::set_metrics_interval for the frame's steps;
// measure_last: the frame's last step is measured as well.
//   FramePlan p = plan_frame(pace, 10);  // {1, true} while 10 evals fit the budget
struct FramePlan {
  int interval = 1;
  bool measure_last = true;
};
inline constexpr int kMaxMetricsInterval = 200;  // charts get a point at least this often
FramePlan plan_frame(const TrainingPace& pace, int steps);

}  // namespace nl::app
