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
      if (app::lesson_prediction_pending(s)) apply(s, app::act::LessonPredictChoice{0});
      const std::string& control = l.steps[static_cast<std::size_t>(k - 1)].control;
      ui.frames(s, 1);
      // What the next frame draws: a frame draws first and then runs the study's slice, so the
      // result must be in before it starts.
      const bool result_shown = !s.study.running && s.study.results.count(s.study.selected) == 1;
      ui.frames(s, 1);
      if (control.empty()) continue;
      INFO(l.id << " step " << k << " looks at " << control);
      // A study's charts and readouts are drawn once its result is in: that they exist in the
      // result is checked with the studies (test_lesson_claims.cpp), their drawing below.
      // "Run with seed N" is there once no study runs.
      const bool result_part = control.rfind("study_chart_", 0) == 0 || control.rfind("studies:readout", 0) == 0 ||
                               control == "studies:run";
      if (result_part && !result_shown) continue;
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

namespace nl::ui {
namespace {

using testing::HeadlessUi;

TEST_CASE("lesson ui: a study lesson's steps outline the chart or readout they talk about", "[lesson]") {
  HeadlessUi ui;
  app::Session s = app::testing::fresh_session();
  const app::Lesson& l = *app::find_lesson("12-bn-in-convnets");
  apply(s, app::act::OpenLesson{l.id});
  apply(s, app::act::LessonPredictChoice{0});
  while (s.study.running) app::advance_study(s, 1.0);
  int outlined = 0;
  for (int k = 1; k <= static_cast<int>(l.steps.size()); ++k) {
    if (k > 1) apply(s, app::act::LessonNext{});
    ui.frames(s, 2);
    const std::string& control = l.steps[static_cast<std::size_t>(k - 1)].control;
    INFO("step " << k << " looks at " << control);
    CHECK(ui.probe().rects.count(control) == 1);
    if (control.rfind("study_chart_", 0) == 0) ++outlined;
  }
  CHECK(outlined >= 2);  // not the study picker at every step
}

TEST_CASE("lesson ui: a prediction is asked, locks, runs the experiment and is shown beside the outcome", "[lesson]") {
  HeadlessUi ui;
  app::Session s = app::testing::fresh_session();
  apply(s, app::act::OpenLesson{"12-bn-in-convnets"});
  const app::LessonPredict& p = *app::find_lesson("12-bn-in-convnets")->steps.front().predict;
  ui.frames(s, 2);
  // The choices are drawn, the experiment has not started, and Next waits for an answer.
  for (std::size_t i = 0; i < p.choices.size(); ++i) CHECK(ui.probe().rects.count("lesson_predict_" + std::to_string(i)) == 1);
  CHECK(testing::drew_text("Predict first: " + p.question.substr(0, 20)));
  CHECK(testing::drew_text("Your answer locks"));
  CHECK_FALSE(s.study.running);
  ui.click(s, "studies:run");  // the panel's Run waits for the answer too
  CHECK_FALSE(s.study.running);
  CHECK(testing::drew_text("answer the lesson's question above"));
  ui.click(s, "lesson_next");
  CHECK(s.lesson.step == 1);
  REQUIRE(s.notice.has_value());
  apply(s, app::act::DismissNotice{});
  // A wrong answer (the first choice that is not the answer) locks and starts the experiment.
  const int wrong = p.answer == 0 ? 1 : 0;
  ui.click(s, "lesson_predict_" + std::to_string(wrong));
  CHECK(s.lesson.predictions.at(1) == wrong);
  CHECK(s.study.running);
  ui.frames(s, 1);
  const std::string letter(1, static_cast<char>('A' + wrong));
  CHECK(testing::drew_text("Your prediction: " + letter + "."));
  CHECK_FALSE(testing::drew_text("Your answer locks"));  // locked: the choices are gone
  CHECK_FALSE(testing::drew_text("Outcome"));             // not before the result
  while (s.study.running) app::advance_study(s, 1.0);
  ui.frames(s, 2);
  const std::string answer(1, static_cast<char>('A' + p.answer));
  CHECK(testing::drew_text("Your prediction: " + letter + "."));
  CHECK(testing::drew_text("Not what happened. Outcome: " + answer + "."));
  CHECK(ui.probe().rects.count("lesson_prediction") == 1);
  ui.click(s, "lesson_next");
  CHECK(s.lesson.step == 2);
}

}  // namespace
}  // namespace nl::ui
