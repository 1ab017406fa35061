// Predict, then observe (lesson.h LessonPredict, lesson_actions.h LessonPredictChoice): a step
// with a question runs its experiment only after the learner's answer locks, Next waits for
// it, the answer survives replays, and the lesson-progress event reports every prediction.
#include <catch2/catch.hpp>

#include <string>

#include "app/action_json.h"
#include "app/actions.h"
#include "app/lesson.h"
#include "app/lesson_actions.h"
#include "app/study.h"
#include "app_fixtures.h"

namespace nl::app {
namespace {

using nl::app::apply;  // not std::apply (ADL on std::variant)

constexpr const char* kLesson = "07-higher-learning-rates";

TEST_CASE("a prediction locks before the step's experiment runs, and Next waits for it", "[lesson]") {
  const Lesson* l = find_lesson(kLesson);
  REQUIRE(l != nullptr);
  REQUIRE(l->steps.front().predict.has_value());
  const LessonPredict& p = *l->steps.front().predict;
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{kLesson});
  CHECK(lesson_prediction_pending(s));
  CHECK_FALSE(s.study.running);  // step 1's run_study waits for the answer
  CHECK(lesson_progress_json(s)["predict_pending"] == true);
  CHECK(lesson_progress_json(s)["predictions"].empty());

  apply(s, act::LessonNext{});
  CHECK(s.lesson.step == 1);
  REQUIRE(s.notice.has_value());
  CHECK(s.notice->message.find("prediction") != std::string::npos);
  apply(s, act::DismissNotice{});

  apply(s, act::LessonPredictChoice{static_cast<int>(p.choices.size())});  // out of range
  CHECK(s.notice.has_value());
  CHECK(lesson_prediction_pending(s));
  CHECK_FALSE(s.study.running);
  apply(s, act::DismissNotice{});

  const int wrong = p.answer == 0 ? 1 : 0;
  apply(s, act::LessonPredictChoice{wrong});
  CHECK_FALSE(s.notice.has_value());
  CHECK_FALSE(lesson_prediction_pending(s));
  CHECK(s.study.running);  // now the experiment runs
  CHECK_FALSE(lesson_prediction_revealed(s));
  nlohmann::json j = lesson_progress_json(s);
  REQUIRE(j["predictions"].size() == 1);
  CHECK(j["predictions"][0]["step"] == 1);
  CHECK(j["predictions"][0]["choice"] == wrong);
  CHECK(j["predictions"][0]["chosen"] == p.choices[static_cast<std::size_t>(wrong)]);
  CHECK(j["predictions"][0]["revealed"] == false);
  CHECK(j["predictions"][0]["answer"].is_null());  // not before the outcome is on screen

  apply(s, act::LessonPredictChoice{p.answer});  // locked: a second answer is refused
  CHECK(s.notice.has_value());
  CHECK(s.lesson.predictions.at(1) == wrong);
  apply(s, act::DismissNotice{});

  apply(s, act::CancelStudy{});  // the outcome shows once no experiment is running
  CHECK(lesson_prediction_revealed(s));
  j = lesson_progress_json(s);
  CHECK(j["predictions"][0]["revealed"] == true);
  CHECK(j["predictions"][0]["answer"] == p.answer);
  CHECK(j["predictions"][0]["correct"] == false);

  // Moving on and back replays step 1 with the locked answer: its experiment runs again, no
  // new question.
  apply(s, act::LessonNext{});
  CHECK(s.lesson.step == 2);
  apply(s, act::LessonGoTo{1});
  CHECK_FALSE(lesson_prediction_pending(s));
  CHECK(s.lesson.predictions.at(1) == wrong);
  CHECK(s.study.running);
  // Opening the lesson again asks again.
  apply(s, act::OpenLesson{kLesson});
  CHECK(lesson_prediction_pending(s));
  CHECK(s.lesson.predictions.empty());
}

TEST_CASE("a step without a question refuses a prediction, and a lesson cannot answer for the learner", "[lesson]") {
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{"01-what-bn-computes"});
  REQUIRE_FALSE(find_lesson("01-what-bn-computes")->steps.front().predict.has_value());
  apply(s, act::LessonPredictChoice{0});
  CHECK(s.notice.has_value());
  CHECK(s.lesson.predictions.empty());
  // The page API's action: {"type": "lesson_predict", "choice": 0..4}.
  CHECK(action_to_json(act::LessonPredictChoice{2}) == nlohmann::json{{"type", "lesson_predict"}, {"choice", 2}});
  CHECK(action_from_json(nlohmann::json{{"type", "lesson_predict"}, {"choice", 5}}).ok() == false);
  const std::string lesson = R"({"id": "42-test-lesson", "title": "T", "summary": "S",
    "steps": [{"text": "x", "actions": [{"type": "lesson_predict", "choice": 0}]}]})";
  const auto r = parse_lesson(lesson, "42-test-lesson");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("steps[0].actions[0]") != std::string::npos);
}

TEST_CASE("lesson loader: a prediction has a question, 2 to 5 choices, an answer among them and an outcome",
          "[lesson]") {
  const auto error_of = [](const std::string& predict) {
    const std::string text = R"({"id": "42-test-lesson", "title": "T", "summary": "S", "steps": [{"text": "x", "predict": )" +
                             predict + "}]}";
    const auto r = parse_lesson(text, "42-test-lesson");
    return r.ok() ? std::string("(parsed)") : r.error().message;
  };
  CHECK(error_of(R"({"question": "q", "choices": ["a", "b"], "answer": 1, "outcome": "o"})") == "(parsed)");
  CHECK(error_of(R"({"question": "q", "choices": ["a"], "answer": 0, "outcome": "o"})").find("2 to 5") != std::string::npos);
  CHECK(error_of(R"({"question": "q", "choices": ["a", "b", "c", "d", "e", "f"], "answer": 0, "outcome": "o"})")
            .find("2 to 5") != std::string::npos);
  CHECK(error_of(R"({"question": "q", "choices": ["a", "b"], "answer": 2, "outcome": "o"})").find("predict.answer") !=
        std::string::npos);
  CHECK(error_of(R"({"question": "q", "choices": ["a", ""], "answer": 0, "outcome": "o"})").find("choices[1]") !=
        std::string::npos);
  CHECK(error_of(R"({"question": "q", "choices": ["a", "b"], "answer": 0})").find("outcome") != std::string::npos);
  CHECK(error_of(R"({"question": "q", "choices": ["a", "b"], "answer": 0, "outcome": "o", "hint": 1})")
            .find("hint") != std::string::npos);
}

TEST_CASE("every lesson asks for a prediction, and every step that runs a study asks before it", "[lesson]") {
  int with_study = 0;
  for (const Lesson& l : lesson_catalog()) {
    int questions = 0;
    for (std::size_t k = 0; k < l.steps.size(); ++k) {
      const LessonStep& st = l.steps[k];
      if (st.predict) ++questions;
      bool runs_study = false;
      for (const Action& a : st.actions) runs_study = runs_study || std::holds_alternative<act::RunStudy>(a);
      if (!runs_study) continue;
      ++with_study;
      INFO(l.id << " step " << k + 1 << " runs a study");
      CHECK(st.predict.has_value());
    }
    INFO(l.id);
    CHECK(questions >= 1);
  }
  CHECK(with_study >= 8);
}

TEST_CASE("a step's live numbers wait for its prediction", "[lesson]") {
  Session s = testing::fresh_session();
  apply(s, act::OpenLesson{"13-folding-bn"});
  apply(s, act::LessonNext{});
  REQUIRE(s.lesson.step == 2);
  CHECK(lesson_prediction_pending(s));
  apply(s, act::LessonPredictChoice{0});
  CHECK(lesson_prediction_revealed(s));  // nothing to run: the answer shows at once
}

}  // namespace
}  // namespace nl::app
