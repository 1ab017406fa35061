// Lessons: guided experiments read from assets/lessons/NN-id.json (format documented in
// assets/lessons/README.md), compiled into the binary, validated into Lesson values.
// Not here: moving through a lesson (lesson_actions.h) or drawing it (ui/lesson_view.cpp).
//
// parse_lesson checks the schema (unknown keys are errors), the settings (settings_json.h),
// every action (action_json.h), panels, check conditions and the file name's id, and names
// the offending key: "steps[2].actions[0]: unknown action type \"stepp\"".
//
//   for (const Lesson& l : lesson_catalog()) list(l.id, l.title);
//   const Lesson* l = find_lesson("08-scale-invariance");   // nullptr if unknown
//   Result<Lesson> r = parse_lesson(text, "01-what-bn-computes");
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/actions.h"
#include "core/result.h"
#include "core/spec.h"

namespace nl::app {

// A "try it yourself" condition on the session (lesson_check_holds). It counts only when the
// learner makes it true after the step opened (update_lesson_try, lesson_actions.h).
struct LessonCheck {
  // setting: a settings value (pointer into settings_to_json) equals / is within bounds;
  // step_at_least: training reached a step; panel, inspector_stage, backprop_step, why_view:
  // the view shows that; inspector_eval: the eval path is on; grad_checked: "check
  // numerically" ran; notice: a notice is shown (e.g. the batch-of-one error); scaled: a
  // layer's weights were scaled (act::ScaleLayerWeights); scaled_by: the last scaling used
  // this factor; diverged: training diverged (or not); study_rerun: the study in `equals`
  // finished with a seed none of the lesson's own actions used (the learner ran another seed);
  // all / any: every / some condition in `parts` holds.
  std::string kind;
  std::string path;            // setting: as written ("optimizer.learning_rate")
  std::string pointer;         // setting: the JSON pointer ("/optimizer/learning_rate")
  nlohmann::json equals;       // setting (null: bounds only) or the value of the other kinds
  std::optional<double> at_least, at_most;  // setting (numbers only)
  std::vector<LessonCheck> parts;           // all, any
};

struct LessonTry {
  std::string prompt;               // what to change
  // When it counts as done: each check in order, each made true by the learner after the
  // previous one passed (empty: nothing to check). A file's "check" is a list of one.
  std::vector<LessonCheck> checks;
};

// Predict, then observe, then explain: the learner picks one choice, which locks; only then
// do the step's actions run (the experiment), and once they finished the strip shows the
// prediction beside the outcome. The explanation follows in the next steps.
struct LessonPredict {
  std::string question;              // e.g. "Which network's unit input drifts more?"
  std::vector<std::string> choices;  // 2 to 5
  int answer = 0;                    // the choice this lesson's setup shows (its claim tests check it)
  std::string outcome;               // one sentence shown with the answer: what the numbers say
};

struct LessonStep {
  std::string title;                 // short, may be empty
  std::string text;                  // the explanation (UTF-8, Unicode math)
  std::vector<Action> actions;       // applied on entering the step, in order
  std::optional<Panel> panel;        // look.panel: shown after the actions
  std::string control;               // look.control: UiProbe name to outline ("" none)
  std::string readout;               // live numbers in the lesson strip: "" | fold | scale | train_vs_eval
  std::optional<LessonTry> try_it;
  std::optional<LessonPredict> predict;  // asked before the actions run (see LessonPredict)
};

struct Lesson {
  std::string id;       // "08-scale-invariance": the file name without .json
  std::string title;
  std::string summary;  // one or two sentences for the catalog
  ExperimentSpec spec;  // preset.settings merged onto default_spec()
  Panel panel = Panel::kData;          // preset.panel
  std::vector<Action> preset_actions;  // preset.actions, after the settings and panel
  std::vector<LessonStep> steps;       // at least one
};

// Readouts a step may name (lesson_readouts.h computes them).
const std::vector<std::string>& lesson_readout_names();

// Validates one lesson file's text; file_id is its name without ".json" ("" skips that check).
Result<Lesson> parse_lesson(std::string_view text, std::string_view file_id);

// One embedded file: its name without ".json" and its text (generated at build time from
// assets/lessons/*.json; lesson_files.cpp).
struct LessonFile {
  const char* id;
  const char* text;
};
const std::vector<LessonFile>& lesson_files();

// Every embedded lesson that validates, sorted by id (parsed once). Files that do not
// validate are left out and listed by lesson_catalog_errors() ("file: message").
const std::vector<Lesson>& lesson_catalog();
const std::vector<std::string>& lesson_catalog_errors();
const Lesson* find_lesson(std::string_view id);

}  // namespace nl::app
