// tick(): the per-frame training slice.
#include "app/schedule.h"

#include <chrono>

#include "app/actions.h"
#include "app/builder.h"

namespace nl::app {

TickReport tick(Session& session, const FrameBudget& budget) {
  using Clock = std::chrono::steady_clock;
  TickReport report;
  const auto start = Clock::now();
  while (session.playing && report.steps_taken < session.steps_per_frame) {
    nl::app::apply(session, act::Step{1});
    ++report.steps_taken;
    if (check_stop(session)) break;  // stop condition met: paused, with a Notice
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed >= budget.max_training_seconds) break;
  }
  report.training_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  refresh_grid_progressive(session);  // whole grid for small networks, rows per frame for large
  if (session.view.panel == Panel::kNetwork) refresh_neuron_maps(session);  // throttled
  if (session.view.panel == Panel::kWhyBnHelps) refresh_twin_view(session);  // throttled (twin_run.h)
  return report;
}

}  // namespace nl::app
