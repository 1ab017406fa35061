// What tick() remembers between frames to pace the eval metrics (Session::pace): running
// averages of a training step's cost with and without the eval pass, and the interval
// chosen from them. Not here: the scheduling itself (app/schedule.h).
#pragma once

namespace nl::app {

struct TrainingPace {
  double eval_budget_ms = 2.0;     // eval passes per frame should cost about this much
  double step_ms_measured = -1.0;  // average step with eval metrics (-1: none seen yet)
  double step_ms_plain = -1.0;     // average step without them (-1: none seen yet)
  int metrics_every = 1;           // the interval tick() used last (1: every step measured)
  bool learn = true;               // false: keep the step costs as they are (tests pin them)
};

}  // namespace nl::app
