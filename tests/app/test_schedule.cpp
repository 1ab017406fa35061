// tick(): training slices per frame.
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
