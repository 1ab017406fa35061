// Paced eval metrics (app/schedule.h): the plan chosen from the measured costs, and tick()
// with extreme budgets (no timing asserts): values carried over between measured steps
// equal those of the step they were measured at; steps outside tick() are always measured.
#include <vector>

#include "app/schedule.h"
#include "core/metrics.h"
#include "app_fixtures.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;

TEST_CASE("pace: the plan follows the eval cost and the eval budget", "[app][schedule]") {
  TrainingPace p;
  p.eval_budget_ms = 2.0;
  CHECK(plan_frame(p, 10).interval == 1);  // nothing measured yet: every step
  CHECK(plan_frame(p, 10).measure_last);
  p.step_ms_measured = 1.0;
  p.step_ms_plain = 0.1;                   // eval = 0.9 ms
  CHECK(plan_frame(p, 2).interval == 1);   // 1.8 ms fits
  FramePlan f = plan_frame(p, 10);         // 9 ms does not: every 5th step (2 evals) ...
  CHECK(f.interval == 5);
  CHECK(f.measure_last);                   // ... and one eval fits, so the last step too
  p.step_ms_measured = 15.1;               // eval = 15 ms: more than a frame's budget
  f = plan_frame(p, 1);
  CHECK(f.interval == 8);                  // 15/2 -> every 8th step, spread over frames
  CHECK_FALSE(f.measure_last);
  p.step_ms_plain = -1.0;                  // no plain step yet: the whole step counts as eval
  CHECK(plan_frame(p, 1).interval == 8);
  p.eval_budget_ms = 0.0;                  // no budget at all: the longest interval
  CHECK(plan_frame(p, 1).interval == kMaxMetricsInterval);
  p.step_ms_measured = 0.05;               // measured cheaper than plain (noise): eval costs 0
  p.step_ms_plain = 0.1;
  CHECK(plan_frame(p, 100).interval == 1);
}

TEST_CASE("pace: expensive evals are spread over frames, carried over and say where from", "[app][schedule]") {
  Session s = fresh_session();
  s.pace.learn = false;  // pinned costs: eval 3 ms per measured step, budget 1 ms per frame
  s.pace.step_ms_measured = 3.5;
  s.pace.step_ms_plain = 0.5;
  s.pace.eval_budget_ms = 1.0;
  apply(s, act::SetSpeed{8});
  apply(s, act::Play{});
  REQUIRE(s.playing);
  for (int frame = 0; frame < 8; ++frame) CHECK(tick(s, FrameBudget{10.0}).steps_taken == 8);
  CHECK(s.pace.metrics_every == 24);  // 3 ms x 8 steps / 1 ms
  const std::vector<StepMetrics>& h = s.exp().history();
  REQUIRE(h.size() == 64);
  int measured = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    INFO("step " << h[i].step);
    CHECK(h[i].metrics_step <= h[i].step);
    if (h[i].metrics_step == h[i].step) {
      ++measured;
      continue;
    }
    // Carried over: exactly the values of the step they were measured at.
    const StepMetrics& at = h[static_cast<std::size_t>(h[i].metrics_step - 1)];
    CHECK(at.metrics_step == at.step);
    CHECK(h[i].train_loss == at.train_loss);
    CHECK(h[i].test_accuracy == at.test_accuracy);
  }
  CHECK(measured == 3);  // steps 1 (the first is always measured), 24 and 48
  CHECK(s.exp().metrics().metrics_step == 48);
  CHECK(s.exp().metrics().step == 64);
  // A step outside tick() (the Step button, a lesson, the JS API) is always measured.
  apply(s, act::Pause{});
  apply(s, act::Step{1});
  CHECK(s.exp().metrics().metrics_step == s.exp().metrics().step);
}

TEST_CASE("pace: a step-count stop pauses on a measured step, even between paced evals", "[app][schedule]") {
  Session s = fresh_session();
  s.pace.learn = false;  // as above: every 24th step measured while playing
  s.pace.step_ms_measured = 3.5;
  s.pace.step_ms_plain = 0.5;
  s.pace.eval_budget_ms = 1.0;
  StopCondition stop;
  stop.on_steps = true;
  stop.max_steps = 30;  // not a multiple of 24, and not a frame's last step (8 per frame)
  apply(s, act::SetStopCondition{stop});
  REQUIRE_FALSE(s.notice.has_value());
  apply(s, act::SetSpeed{8});
  apply(s, act::Play{});
  for (int frame = 0; frame < 8 && s.playing; ++frame) tick(s, FrameBudget{10.0});
  REQUIRE_FALSE(s.playing);
  const StepMetrics& m = s.exp().metrics();
  CHECK(m.step == 30);
  CHECK(m.metrics_step == 30);  // the numbers shown while paused are this step's
  // Measured at step 30: the same loss an eval of the model gives now.
  CHECK(m.train_loss == evaluate(s.exp().network(), s.exp().dataset().x_train, s.exp().dataset().y_train).loss);
}

TEST_CASE("pace: when evals fit the budget every step is measured", "[app][schedule]") {
  Session s = fresh_session();
  s.pace.learn = false;
  s.pace.step_ms_measured = 3.5;
  s.pace.step_ms_plain = 0.5;
  s.pace.eval_budget_ms = 15.0;  // 5 evals of 3 ms fit
  apply(s, act::SetSpeed{5});
  apply(s, act::Play{});
  for (int frame = 0; frame < 4; ++frame) tick(s, FrameBudget{10.0});
  CHECK(s.pace.metrics_every == 1);
  for (const StepMetrics& m : s.exp().history()) CHECK(m.metrics_step == m.step);
  CHECK(s.exp().history().size() == 20);
}

TEST_CASE("pace: when one eval fits a frame the last step of every frame is measured", "[app][schedule]") {
  Session s = fresh_session();
  s.pace.learn = false;
  s.pace.step_ms_measured = 2.5;
  s.pace.step_ms_plain = 0.5;
  s.pace.eval_budget_ms = 4.0;  // eval 2 ms: 10 steps need 20 ms; every 5th step plus the last
  apply(s, act::SetSpeed{10});
  apply(s, act::Play{});
  for (int frame = 0; frame < 3; ++frame) {
    tick(s, FrameBudget{10.0});
    CHECK(s.exp().metrics().metrics_step == s.exp().metrics().step);  // fresh readouts every frame
  }
  CHECK(s.pace.metrics_every == 5);
  int measured = 0;
  for (const StepMetrics& m : s.exp().history()) measured += m.metrics_step == m.step ? 1 : 0;
  CHECK(measured == 7);  // steps 1, 5, 10, 15, 20, 25, 30
}

TEST_CASE("pace: the twin network is measured at the same steps as the main one", "[app][schedule]") {
  Session s = fresh_session();
  apply(s, act::ShowPanel{Panel::kWhyBnHelps});
  s.pace.learn = false;
  s.pace.step_ms_measured = 3.5;
  s.pace.step_ms_plain = 0.5;
  s.pace.eval_budget_ms = 1.0;
  apply(s, act::SetSpeed{8});
  apply(s, act::Play{});
  tick(s, FrameBudget{10.0});  // builds the twin (lockstep from here on)
  REQUIRE(s.twin.twin.has_value());
  for (int frame = 0; frame < 6; ++frame) tick(s, FrameBudget{10.0});
  const std::vector<StepMetrics>& main = s.exp().history();
  const std::vector<StepMetrics>& twin = s.twin.twin->history();
  REQUIRE(main.size() == twin.size());
  int carried = 0;
  for (std::size_t i = 0; i < main.size(); ++i) {
    INFO("step " << main[i].step);
    CHECK(twin[i].step == main[i].step);
    CHECK(twin[i].metrics_step == main[i].metrics_step);
    carried += main[i].metrics_step != main[i].step ? 1 : 0;
  }
  CHECK(carried > 0);
}

TEST_CASE("pace: percentile records are taken at the measured steps only while playing fast", "[app][schedule][twin]") {
  Session s = fresh_session();
  s.pace.learn = false;  // pinned costs as above: every 24th step measured
  s.pace.step_ms_measured = 3.5;
  s.pace.step_ms_plain = 0.5;
  s.pace.eval_budget_ms = 1.0;
  apply(s, act::SetSpeed{8});
  apply(s, act::Play{});
  for (int frame = 0; frame < 8; ++frame) tick(s, FrameBudget{10.0});
  REQUIRE(s.exp().metrics().step == 64);
  const std::vector<StepMetrics>& h = s.exp().history();
  for (const PercentileRecord* r : {&s.twin.main_pct, &s.twin.twin_pct}) {
    // Step 0 (the initial weights) and the measured steps 1, 24 and 48: each sample is the
    // distribution at a step whose eval metrics were measured, none carried over.
    REQUIRE(r->steps == std::vector<float>{0.0f, 1.0f, 24.0f, 48.0f});
    for (std::size_t i = 1; i < r->steps.size(); ++i) {
      const StepMetrics& at = h[static_cast<std::size_t>(r->steps[i]) - 1];
      CHECK(at.metrics_step == at.step);
    }
  }
  // The Step button (outside tick()) records every step again.
  apply(s, act::Pause{});
  apply(s, act::Step{2});
  CHECK(s.twin.main_pct.steps.back() == 66.0f);
  CHECK(s.twin.main_pct.steps[s.twin.main_pct.steps.size() - 2] == 65.0f);
}
