// The lesson strip through the real UI, headless: the Lessons list opens a lesson, Next and
// Back move through it, every step's look-at control is really drawn at that step (for every
// embedded lesson), and the strip works in the phone layout. Not here: lesson contents
// (tests/app/test_lesson_*.cpp).
#include <catch2/catch.hpp>

#include "app/lesson.h"
#include "headless_ui.h"

namespace nl::ui {
namespace {

using testing::HeadlessUi;

TEST_CASE("lesson ui: the Lessons list opens a lesson and Next and Back step through it", "[lesson]") {
  HeadlessUi ui;
  app::Session s = app::testing::fresh_session();
  ui.frames(s, 2);
  ui.click(s, "lessons");
  CHECK(s.lesson.catalog_open);
  ui.frames(s, 1);
  ui.click(s, "lesson:01-what-bn-computes");
  REQUIRE(s.lesson.id == "01-what-bn-computes");
  CHECK(s.lesson.step == 1);
  CHECK_FALSE(s.lesson.catalog_open);
  CHECK(s.view.panel == app::Panel::kInspector);
  ui.frames(s, 1);
  ui.click(s, "lesson_next");
  CHECK(s.lesson.step == 2);
  CHECK(s.inspector.stage == app::InspectorStage::kMean);
  ui.click(s, "lesson_next");
  CHECK(s.lesson.step == 3);
  ui.click(s, "lesson_back");
  CHECK(s.lesson.step == 2);
  CHECK(s.inspector.stage == app::InspectorStage::kMean);
  ui.click(s, "lesson_close");
  CHECK_FALSE(s.lesson.open());
  CHECK_FALSE(s.notice.has_value());
}

TEST_CASE("lesson ui: every step's look-at control is drawn at that step", "[lesson]") {
  HeadlessUi ui;
  for (const app::Lesson& l : app::lesson_catalog()) {
    app::Session s = app::testing::fresh_session();
    apply(s, app::act::OpenLesson{l.id});
    for (int k = 1; k <= static_cast<int>(l.steps.size()); ++k) {
      if (k > 1) apply(s, app::act::LessonNext{});
      const std::string& control = l.steps[static_cast<std::size_t>(k - 1)].control;
      ui.frames(s, 2);
      if (control.empty()) continue;
      INFO(l.id << " step " << k << " looks at " << control);
      CHECK(ui.probe().rects.count(control) == 1);
    }
  }
}

TEST_CASE("lesson ui: the strip works in the phone layout", "[lesson]") {
  HeadlessUi ui(390.0f, 844.0f);
  app::Session s = app::testing::fresh_session();
  apply(s, app::act::OpenLesson{"01-what-bn-computes"});
  ui.frames(s, 2);
  REQUIRE(ui.probe().rects.count("lesson_next") == 1);
  const auto r = ui.probe().rects.at("lesson_next");
  CHECK(r.max.x <= 390.0f);
  CHECK(r.max.y - r.min.y >= 30.0f);  // touch-sized
  ui.click(s, "lesson_next");
  CHECK(s.lesson.step == 2);
  // The step's text wraps inside the screen.
  const auto t = ui.probe().rects.at("lesson_text");
  CHECK(t.max.x <= 390.0f);
}

}  // namespace
}  // namespace nl::ui
