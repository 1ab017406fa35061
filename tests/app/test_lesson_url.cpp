// Lessons in links (app/url_state.h keys lesson and ls): a link opens a lesson at a step and
// replays it exactly; the session's hash names the open lesson; bad values are reported.
// Not here: the other URL keys (test_url_state.cpp).
#include <catch2/catch.hpp>

#include "app/actions.h"
#include "app/lesson.h"
#include "app/url_state.h"
#include "app_fixtures.h"

namespace nl::app {
namespace {

TEST_CASE("lesson url: a link opens a lesson at its step, as stepping there does", "[lesson]") {
  Session by_link = testing::fresh_session();
  const UrlStateReport r = apply_url_state(by_link, "#lesson=08-scale-invariance&ls=2");
  CHECK(r.ignored.empty());
  REQUIRE(by_link.lesson.id == "08-scale-invariance");
  CHECK(by_link.lesson.step == 2);
  CHECK_FALSE(by_link.lesson.scale.has_value());  // step 2 asks for a prediction first
  apply(by_link, act::LessonPredictChoice{0});
  CHECK(by_link.lesson.scale.has_value());  // then scales layer 1

  Session by_steps = testing::fresh_session();
  apply(by_steps, act::OpenLesson{"08-scale-invariance"});
  apply(by_steps, act::LessonNext{});
  apply(by_steps, act::LessonPredictChoice{0});
  CHECK(by_steps.exp().metrics().step == by_link.exp().metrics().step);
  CHECK(by_steps.exp().predict_proba(by_steps.exp().dataset().x_test) ==
        by_link.exp().predict_proba(by_link.exp().dataset().x_test));
}

TEST_CASE("lesson url: the hash of a session in a lesson names it and reads back", "[lesson]") {
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{"01-what-bn-computes"});
  apply(s, act::LessonGoTo{3});
  const std::string hash = encode_url_state(s);
  CHECK(hash.find("lesson=01-what-bn-computes") != std::string::npos);
  CHECK(hash.find("ls=3") != std::string::npos);
  Session t = testing::fresh_session();
  apply_url_state(t, hash);
  CHECK(t.lesson.id == "01-what-bn-computes");
  CHECK(t.lesson.step == 3);
  CHECK(t.inspector.stage == s.inspector.stage);
  // A link without the key closes the lesson (keys not named take their defaults).
  apply_url_state(t, "lr=0.05");
  CHECK_FALSE(t.lesson.open());
}

TEST_CASE("lesson url: unknown lessons and steps past the end are reported", "[lesson]") {
  Session s = testing::fresh_session();
  UrlStateReport r = apply_url_state(s, "lesson=99-nothing&ls=2");
  CHECK_FALSE(s.lesson.open());
  REQUIRE_FALSE(r.ignored.empty());
  CHECK(r.ignored.front().find("99-nothing") != std::string::npos);
  r = apply_url_state(s, "lesson=01-what-bn-computes&ls=99");
  CHECK(s.lesson.open());
  CHECK(s.lesson.step == s.lesson.count);
  REQUIRE_FALSE(r.ignored.empty());
  CHECK(r.ignored.front().find("ls=99") != std::string::npos);
}

}  // namespace
}  // namespace nl::app
