// Earned try-it checks (lesson_actions.h, update_lesson_try): a check passes only when the
// learner makes it true after the step opened, sequences pass in order, and the lesson-progress
// event reports them. The loader's validation of checks is in test_lesson_loader.cpp.
#include <catch2/catch.hpp>

#include <string>

#include "app/actions.h"
#include "app_fixtures.h"
#include "app/lesson.h"
#include "app/lesson_actions.h"
#include "app/schedule.h"
#include "app/study.h"
#include "app/study_actions.h"

namespace nl::app {
namespace {

using nl::app::apply;  // not std::apply (ADL on std::variant)

int try_count(const Session& s) { return lesson_progress_json(s).at("try_count").get<int>(); }
int try_passed(const Session& s) { return lesson_progress_json(s).at("try_passed").get<int>(); }

TEST_CASE("no lesson's try-it check is done when its step opens", "[lesson]") {
  int steps_with_checks = 0;
  for (const Lesson& l : lesson_catalog()) {
    for (std::size_t k = 0; k < l.steps.size(); ++k) {
      if (!l.steps[k].try_it || l.steps[k].try_it->checks.empty()) continue;
      ++steps_with_checks;
      INFO(l.id << " step " << k + 1);
      Session s = testing::fresh_session();
      apply(s, act::OpenLesson{l.id});
      apply(s, act::LessonGoTo{static_cast<int>(k + 1)});
      REQUIRE(s.lesson.step == static_cast<int>(k + 1));
      for (int frame = 0; frame < 3; ++frame) tick(s, FrameBudget{});
      CHECK_FALSE(lesson_try_done(s));
      CHECK(try_passed(s) == 0);
      CHECK(lesson_progress_json(s).at("try_done") == false);
    }
  }
  CHECK(steps_with_checks >= 10);
}

TEST_CASE("a check that already held when the step opened counts only once the learner makes it true again",
          "[lesson]") {
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{"03-train-vs-inference"});
  apply(s, act::LessonGoTo{2});
  apply(s, act::SetBatchSize{4});  // step 3 asks for batch 4: done early, on step 2
  apply(s, act::LessonNext{});
  REQUIRE(s.lesson.step == 3);
  REQUIRE(s.spec.batch_size == 4);
  REQUIRE(lesson_check_holds(s, find_lesson("03-train-vs-inference")->steps[2].try_it->checks.at(0)));
  CHECK_FALSE(lesson_try_done(s));  // true on arrival: not something done in this step
  apply(s, act::SetBatchSize{8});
  CHECK_FALSE(lesson_try_done(s));
  apply(s, act::SetBatchSize{4});
  CHECK(lesson_try_done(s));
  CHECK(lesson_progress_json(s).at("try_done") == true);
  apply(s, act::SetBatchSize{8});
  CHECK(lesson_try_done(s));  // once earned, it stays done for this step
  apply(s, act::LessonGoTo{3});  // entering the step again starts over
  CHECK_FALSE(lesson_try_done(s));
}

TEST_CASE("lesson 7's try needs both runs, plain first, then with BatchNorm", "[lesson]") {
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{"07-higher-learning-rates"});
  apply(s, act::LessonGoTo{3});
  REQUIRE(try_count(s) == 2);
  // The BN run alone (or first) does not count: the plain run comes first.
  apply(s, act::SetNormalization{NormKind::kBatchNorm});
  apply(s, act::SetLearningRate{3.0f});
  apply(s, act::Step{120});
  CHECK(try_passed(s) == 0);
  // The plain network at rate 3 (it diverges or trains 100 steps): the first check.
  apply(s, act::SetNormalization{NormKind::kNone});
  REQUIRE(s.spec.optimizer.learning_rate == 3.0f);
  CHECK(try_passed(s) == 0);
  apply(s, act::Step{120});
  CHECK(try_passed(s) == 1);
  CHECK_FALSE(lesson_try_done(s));
  // Then BatchNorm on at the same rate, trained 100 steps: done.
  apply(s, act::SetNormalization{NormKind::kBatchNorm});
  CHECK(try_passed(s) == 1);
  for (int frame = 0; frame < 400 && !lesson_try_done(s); ++frame) {  // through the frame path
    s.playing = s.exp().metrics().step < 100;
    tick(s, FrameBudget{});
  }
  CHECK(s.exp().metrics().step >= 100);
  CHECK(lesson_try_done(s));
  CHECK(try_passed(s) == 2);
}

TEST_CASE("a study check needs a run of the learner's, not the lesson's own run", "[lesson]") {
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{"12-bn-in-convnets"});
  const Lesson* l = find_lesson("12-bn-in-convnets");
  REQUIRE(l != nullptr);
  int step = 0;
  for (std::size_t k = 0; k < l->steps.size(); ++k)
    if (l->steps[k].try_it && !l->steps[k].try_it->checks.empty()) step = static_cast<int>(k + 1);
  REQUIRE(step > 0);
  REQUIRE(l->steps[static_cast<std::size_t>(step - 1)].try_it->checks.at(0).kind == "study_rerun");
  apply(s, act::LessonGoTo{step});
  REQUIRE(s.study.running);  // the lesson's own run (step 1's action)
  while (s.study.running) advance_study(s, 1.0);
  tick(s, FrameBudget{});
  REQUIRE(s.study.results.count(StudyKind::kConvStats) == 1);
  CHECK_FALSE(lesson_try_done(s));  // the lesson's result is there, but the learner did nothing
  apply(s, act::RunStudy{StudyKind::kConvStats, s.study.results.at(StudyKind::kConvStats).params.seed + 1});
  CHECK_FALSE(lesson_try_done(s));  // still running
  while (s.study.running) advance_study(s, 1.0);
  tick(s, FrameBudget{});
  CHECK(lesson_try_done(s));
}

}  // namespace
}  // namespace nl::app
