// tick(): training slices per frame.
#include <chrono>

#include "app/schedule.h"
#include "app_fixtures.h"

using namespace nl;
using namespace nl::app;
using nl::app::testing::fresh_session;
using nl::app::testing::step_of;

TEST_CASE("schedule: paused sessions do not train", "[app][schedule]") {
  Session s = fresh_session();
  const TickReport r = tick(s);
  CHECK(r.steps_taken == 0);
  CHECK(step_of(s) == 0);
}

TEST_CASE("schedule: playing takes steps_per_frame steps within a generous budget", "[app][schedule]") {
  Session s = fresh_session();
  apply(s, act::SetSpeed{5});
  apply(s, act::Play{});
  const TickReport r = tick(s, FrameBudget{10.0});
  CHECK(r.steps_taken == 5);
  CHECK(step_of(s) == 5);
  CHECK(s.grid.model_version == s.model_version);
}

TEST_CASE("schedule: a zero budget still makes progress, one step per frame", "[app][schedule]") {
  Session s = fresh_session();
  apply(s, act::SetSpeed{50});
  apply(s, act::Play{});
  for (int frame = 0; frame < 3; ++frame) tick(s, FrameBudget{0.0});
  CHECK(step_of(s) == 3);
}

TEST_CASE("schedule: a failing step pauses training", "[app][schedule]") {
  Session s = fresh_session();
  apply(s, act::SetBatchSize{1});
  apply(s, act::Play{});
  tick(s);
  CHECK_FALSE(s.playing);
  CHECK(s.notice.has_value());
}

TEST_CASE("schedule: the frame's cost is split by part and adds up to at most the frame", "[app][schedule]") {
  Session s = fresh_session();
  apply(s, act::SetSpeed{20});
  apply(s, act::ShowPanel{Panel::kWhyBnHelps});
  apply(s, act::Play{});
  const auto start = std::chrono::steady_clock::now();
  const TickReport r = tick(s, FrameBudget{10.0});
  const double elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(r.steps_taken == 20);
  const FrameCost& c = r.cost;
  CHECK(c.main_steps_ms > 0.0);
  CHECK(c.twin_steps_ms > 0.0);  // the twin trains in lockstep
  CHECK(c.records_ms > 0.0);
  CHECK(c.twin_view_ms > 0.0);   // the Why panel shows: its grids were computed this frame
  CHECK(c.neuron_maps_ms == 0.0);  // the network panel does not show
  CHECK(c.measured_steps == 20);   // a fresh session's evals fit the budget
  for (double part : {c.step_other_ms, c.grid_ms, c.study_ms}) CHECK(part >= 0.0);
  // The training parts are the training slice; all parts are at most the whole call.
  CHECK(c.main_steps_ms + c.twin_steps_ms + c.records_ms + c.step_other_ms ==
        Approx(r.training_seconds * 1e3).epsilon(1e-6));
  CHECK(c.total_ms() <= elapsed_ms);
}
