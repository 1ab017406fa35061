// Training scheduling: how much training happens in one frame while playing.
// Training runs in slices bounded by a step count and a time budget, so the UI keeps
// its frame rate however slow a step is.
#pragma once

#include "app/session.h"

namespace nl::app {

struct FrameBudget {
  double max_training_seconds = 0.006;  // stop starting new steps after this much time
};

struct TickReport {
  int steps_taken = 0;
  double training_seconds = 0.0;
};

// While playing: takes up to session.steps_per_frame steps within the budget (at
// least one), then refreshes the decision grid. Paused: only refreshes the grid.
TickReport tick(Session& session, const FrameBudget& budget = {});

}  // namespace nl::app
