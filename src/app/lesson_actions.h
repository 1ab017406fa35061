// Lesson actions (they join the Action variant in actions.h): open a lesson, move through
// its steps, close it; and the weight scaling that lesson 8 demonstrates. Entering a step
// applies its actions; going back or jumping replays the preset and every step up to the
// target, so a step always looks the same however it was reached.
// Not here: the lesson files (lesson.h) or drawing them (ui/lesson_view.cpp).
//
//   apply(session, act::OpenLesson{"08-scale-invariance"});   // preset + step 1
//   apply(session, act::LessonNext{});                        // step 2's actions
//   nlohmann::json j = lesson_progress_json(session);         // {"id", "step", "count", ...}
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "app/session.h"

namespace nl::app {

struct LessonCheck;

namespace act {
struct OpenLesson { std::string id; };       // preset + step 1; unknown ids leave a Notice
struct LessonNext {};                        // the next step's actions (nothing at the last step)
struct LessonBack {};                        // replays preset + steps up to the previous step
struct LessonGoTo { int step = 1; };         // 1..count: replays preset + steps up to it
struct CloseLesson {};                       // the session stays as the lesson left it
struct ShowLessonCatalog { bool open = true; };  // the list of lessons
// Locks the learner's prediction for the open step (its predict.choices index) and then runs
// the step's actions. Refused (Notice) without a question, out of range, or a second time.
struct LessonPredictChoice { int choice = 0; };
// Multiplies hidden layer `layer`'s Linear weight and bias by `factor` (> 0, in [1e-3, 1e3]);
// the running mean and variance of a BatchNorm right after it are scaled by a and a², so
// eval mode computes the same function too. Records before/after numbers in
// Session::lesson.scale (lesson_state.h). Refused (Notice) if a weight would exceed 10⁶.
struct ScaleLayerWeights { int layer = 0; float factor = 10.0f; };
}  // namespace act

void apply_lesson(Session& s, const act::OpenLesson& a);
void apply_lesson(Session& s, const act::LessonNext& a);
void apply_lesson(Session& s, const act::LessonBack& a);
void apply_lesson(Session& s, const act::LessonGoTo& a);
void apply_lesson(Session& s, const act::CloseLesson& a);
void apply_lesson(Session& s, const act::ShowLessonCatalog& a);
void apply_lesson(Session& s, const act::ScaleLayerWeights& a);
void apply_lesson(Session& s, const act::LessonPredictChoice& a);

// The open step asks for a prediction the learner has not made yet (Next is refused until then).
bool lesson_prediction_pending(const Session& s);
// The open step's prediction is locked and its experiment finished (no study running): the
// strip shows the answer beside the prediction.
bool lesson_prediction_revealed(const Session& s);

// The actions apply_lesson handles (used by apply()'s visitor).
template <class A>
concept LessonAction = requires(Session& s, const A& a) { apply_lesson(s, a); };

// Whether a try-it condition holds on the session now.
bool lesson_check_holds(const Session& s, const LessonCheck& check);

// Moves the open step's try-it checks on (Session::lesson.try_passed / try_armed): the next
// check passes when it holds after having been seen false since it became the next one. Run
// after every action (apply) and at the end of every frame (tick).
void update_lesson_try(Session& s);
// The open step has try-it checks and the learner passed all of them.
bool lesson_try_done(const Session& s);

// For the JS API's lesson-progress event: {"id", "title", "step", "count", "done",
// "try_done", "try_passed", "try_count", "predict_pending", "predictions"}; {"id": null} when
// no lesson is open. done: the last step is reached (and its try-it checks, if any, passed);
// try_done: the current step's checks passed (null when it has none); try_passed of try_count
// checks passed so far; predictions: every locked prediction of the lesson, [{"step",
// "question", "choice", "chosen", "answer", "correct", "revealed"}] in step order.
nlohmann::json lesson_progress_json(const Session& s);

}  // namespace nl::app
