// tick(): the per-frame training slice, with eval metrics paced by their measured cost.
#include "app/schedule.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>

#include "app/actions.h"
#include "app/builder.h"

namespace nl::app {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// Exponential average; the first sample starts it.
void average_in(double& avg, double sample) { avg = avg < 0.0 ? sample : 0.8 * avg + 0.2 * sample; }

}  // namespace

FramePlan plan_frame(const TrainingPace& pace, int steps) {
  steps = std::max(1, steps);
  if (pace.step_ms_measured < 0.0) return {1, true};  // no cost known yet
  // Eval cost: a measured step minus a plain one; before any plain step, the whole
  // measured step (an overestimate, so the first frames err towards fewer evals).
  const double eval_ms = std::max(0.0, pace.step_ms_measured - std::max(0.0, pace.step_ms_plain));
  if (eval_ms * steps <= pace.eval_budget_ms) return {1, true};
  // n so that steps/n evals cost the budget: n = eval·steps/budget, at most kMax.
  const double n = pace.eval_budget_ms > 0.0 ? std::ceil(eval_ms * steps / pace.eval_budget_ms) : kMaxMetricsInterval;
  return {static_cast<int>(std::clamp(n, 1.0, static_cast<double>(kMaxMetricsInterval))), eval_ms <= pace.eval_budget_ms};
}

TickReport tick(Session& session, const FrameBudget& budget) {
  TickReport report;
  const auto start = Clock::now();
  if (session.playing && session.experiment) {
    TrainingPace& pace = session.pace;
    const int planned = session.steps_per_frame;
    const double budget_ms = budget.max_training_seconds * 1000.0;
    // Steps the time budget will allow (the plan is for those, not for all planned ones).
    const int expected = pace.step_ms_plain > 0.0
                             ? std::clamp(static_cast<int>(budget_ms / pace.step_ms_plain), 1, planned)
                             : planned;
    const FramePlan plan = plan_frame(pace, expected);
    pace.metrics_every = plan.interval;
    while (session.playing && report.steps_taken < planned) {
      // The frame's last step: the planned last one, or the one the time budget ends.
      const double next_ms = plan.measure_last ? std::max(0.0, pace.step_ms_measured) : std::max(0.0, pace.step_ms_plain);
      const bool last = report.steps_taken + 1 == planned || ms_since(start) + next_ms >= budget_ms;
      // The step a step-count stop condition ends on is measured: training pauses there, and
      // paused numbers are exact.
      const bool stops_here = session.stop.on_steps && session.exp().metrics().step + 1 >= session.stop.max_steps;
      session.exp().set_metrics_interval((last && plan.measure_last) || stops_here ? 1 : plan.interval);
      const std::int64_t before = session.exp().metrics().step;
      const auto t0 = Clock::now();
      run_training_steps(session, 1);
      const double ms = ms_since(t0);
      ++report.steps_taken;
      const TwinRun& twin = session.twin;
      report.cost.main_steps_ms += twin.last_main_ms;
      report.cost.twin_steps_ms += twin.last_twin_ms;
      report.cost.records_ms += twin.last_records_ms;
      const StepMetrics& m = session.exp().metrics();
      if (m.step == before + 1 && m.metrics_step == m.step) ++report.cost.measured_steps;
      if (pace.learn && m.step == before + 1) average_in(m.metrics_step == m.step ? pace.step_ms_measured : pace.step_ms_plain, ms);
      if (check_stop(session)) break;  // stop condition met: paused, with a Notice
      if (last || ms_since(start) >= budget_ms) break;
    }
    session.exp().set_metrics_interval(1);  // Step/Epoch buttons, lessons, the JS API: always measured
  }
  report.training_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  FrameCost& cost = report.cost;
  cost.step_other_ms = std::max(0.0, report.training_seconds * 1e3 - cost.main_steps_ms - cost.twin_steps_ms - cost.records_ms);
  const auto timed = [](double& part, auto&& work) {
    const auto t = Clock::now();
    work();
    part = ms_since(t);
  };
  // Whole grid for small networks, rows per frame for large ones.
  timed(cost.grid_ms, [&] { refresh_grid_progressive(session); });
  if (session.view.panel == Panel::kNetwork)  // throttled
    timed(cost.neuron_maps_ms, [&] { refresh_neuron_maps(session); });
  if (session.view.panel == Panel::kWhyBnHelps)  // throttled (twin_run.h)
    timed(cost.twin_view_ms, [&] { refresh_twin_view(session); });
  // Experiments panel: a slice of the running study (study.h).
  timed(cost.study_ms, [&] { advance_study(session); });
  update_lesson_try(session);  // a try-it check this frame's training or study made true
  return report;
}

}  // namespace nl::app
