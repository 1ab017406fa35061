// Lesson loader (app/lesson.h): malformed files are refused with a message that names the
// key; a valid minimal file parses into the expected Lesson. Not here: the real lessons
// (test_lesson_playthrough.cpp).
#include <catch2/catch.hpp>

#include <string>

#include "app/lesson.h"

namespace nl::app {
namespace {

// A valid lesson; each test breaks one thing in it.
std::string lesson_text(const std::string& step = R"({"text": "Look.", "actions": [{"type": "step", "count": 2}],
                                                      "look": {"panel": "why", "control": "why:chart_grads"}})",
                        const std::string& preset = R"({"settings": {"batch_size": 16}, "panel": "inspector"})",
                        const std::string& extra = "") {
  return R"({"id": "42-test-lesson", "title": "T", "summary": "S", "preset": )" + preset + R"(, "steps": [)" + step +
         "]" + extra + "}";
}

std::string error_of(const std::string& text, const std::string& file_id = "42-test-lesson") {
  Result<Lesson> r = parse_lesson(text, file_id);
  if (r.ok()) return "(parsed)";
  return r.error().message;
}

TEST_CASE("lesson loader: a valid file parses with its preset merged onto the defaults", "[lesson]") {
  Result<Lesson> r = parse_lesson(lesson_text(), "42-test-lesson");
  if (!r.ok()) FAIL(r.error().message);
  CHECK(r->id == "42-test-lesson");
  CHECK(r->spec.batch_size == 16);
  CHECK(r->spec.net.hidden.size() == default_spec().net.hidden.size());  // merged, not replaced
  CHECK(r->panel == Panel::kInspector);
  REQUIRE(r->steps.size() == 1);
  REQUIRE(r->steps[0].actions.size() == 1);
  CHECK(std::get<act::Step>(r->steps[0].actions[0]).count == 2);
  CHECK(r->steps[0].panel == Panel::kWhyBnHelps);
  CHECK(r->steps[0].control == "why:chart_grads");
}

TEST_CASE("lesson loader: broken JSON is refused", "[lesson]") {
  CHECK(error_of("{\"id\": \"42-test-lesson\",") == "is not valid JSON");
  CHECK(error_of("[1, 2]").find("must be a JSON object") != std::string::npos);
}

TEST_CASE("lesson loader: an unknown action type names the step and action", "[lesson]") {
  const std::string e = error_of(lesson_text(R"({"text": "x", "actions": [{"type": "stepp"}]})"));
  CHECK(e.find("steps[0].actions[0]") != std::string::npos);
  CHECK(e.find("stepp") != std::string::npos);
}

TEST_CASE("lesson loader: an action with a bad field is refused", "[lesson]") {
  const std::string e = error_of(lesson_text(R"({"text": "x", "actions": [{"type": "step", "count": -3}]})"));
  CHECK(e.find("steps[0].actions[0]") != std::string::npos);
  CHECK(e.find("count") != std::string::npos);
}

TEST_CASE("lesson loader: unknown panels are refused in the preset and in look", "[lesson]") {
  CHECK(error_of(lesson_text(R"({"text": "x"})", R"({"panel": "kitchen"})")).find("preset.panel") != std::string::npos);
  const std::string e = error_of(lesson_text(R"({"text": "x", "look": {"panel": "kitchen"}})"));
  CHECK(e.find("steps[0].look.panel") != std::string::npos);
  CHECK(e.find("kitchen") != std::string::npos);
}

TEST_CASE("lesson loader: unknown keys are refused at every level", "[lesson]") {
  CHECK(error_of(lesson_text(R"({"text": "x"})", R"({})", R"(, "author": "me")")).find("unknown key \"author\"") !=
        std::string::npos);
  CHECK(error_of(lesson_text(R"({"text": "x", "txet": "y"})")).find("steps[0]: unknown key \"txet\"") != std::string::npos);
  CHECK(error_of(lesson_text(R"({"text": "x", "look": {"contrl": "play"}})")).find("unknown key \"contrl\"") !=
        std::string::npos);
  CHECK(error_of(lesson_text(R"({"text": "x"})", R"({"setings": {}})")).find("preset: unknown key \"setings\"") !=
        std::string::npos);
}

TEST_CASE("lesson loader: invalid settings name the settings key", "[lesson]") {
  const std::string e = error_of(lesson_text(R"({"text": "x"})", R"({"settings": {"batch_size": 0}})"));
  CHECK(e.find("preset.settings") != std::string::npos);
  CHECK(e.find("batch_size") != std::string::npos);
  CHECK(error_of(lesson_text(R"({"text": "x"})", R"({"settings": {"net": {"widht": 3}}})")).find("widht") !=
        std::string::npos);
}

TEST_CASE("lesson loader: a step must have text and a control name must be a name", "[lesson]") {
  CHECK(error_of(lesson_text(R"({"actions": []})")).find("steps[0].text: is missing") != std::string::npos);
  CHECK(error_of(lesson_text(R"({"text": ""})")).find("must not be empty") != std::string::npos);
  CHECK(error_of(lesson_text(R"({"text": "x", "look": {"control": ""}})")).find("steps[0].look.control") !=
        std::string::npos);
  CHECK(error_of(lesson_text(R"({"text": "x", "look": {"control": "two words"}})")).find("look.control") !=
        std::string::npos);
  CHECK(error_of(R"({"id": "42-test-lesson", "title": "T", "summary": "S", "steps": []})").find("steps") !=
        std::string::npos);
}

TEST_CASE("lesson loader: the id must match the file name and the naming pattern", "[lesson]") {
  CHECK(error_of(lesson_text(), "43-other").find("does not match the file name") != std::string::npos);
  std::string bad = lesson_text();
  bad.replace(bad.find("42-test-lesson"), 14, "Test Lesson");
  CHECK(error_of(bad, "").find("must look like") != std::string::npos);
}

TEST_CASE("lesson loader: try-it checks are validated against the lesson's settings", "[lesson]") {
  auto with_check = [](const std::string& check) {
    return error_of(lesson_text(R"({"text": "x", "try": {"prompt": "p", "check": )" + check + "}}"));
  };
  CHECK(with_check(R"({"setting": "optimizer.learning_rate", "equals": 1})") == "(parsed)");
  CHECK(with_check(R"({"setting": "net.hidden[1].width", "at_least": 16})") == "(parsed)");
  CHECK(with_check(R"({"setting": "net.hidden[5].width", "equals": 16})").find("not a setting") != std::string::npos);
  CHECK(with_check(R"({"setting": "optimizer.kind", "equals": 1})").find("different type") != std::string::npos);
  CHECK(with_check(R"({"setting": "batch_size"})").find("needs equals") != std::string::npos);
  CHECK(with_check(R"({"panel": "why", "step_at_least": 3})").find("exactly one") != std::string::npos);
  CHECK(with_check(R"({"inspector_stage": "sideways"})").find("sideways") != std::string::npos);
  CHECK(with_check(R"({"step_at_least": 0})").find("step_at_least") != std::string::npos);
  CHECK(with_check(R"({"notice": "yes"})").find("true or false") != std::string::npos);
  CHECK(with_check(R"({"scaled_by": 0.1})") == "(parsed)");
  CHECK(with_check(R"({"scaled_by": -2})").find("scale factor") != std::string::npos);
  CHECK(with_check(R"({"diverged": true})") == "(parsed)");
  CHECK(with_check(R"({"study_rerun": "landscape"})") == "(parsed)");
  CHECK(with_check(R"({"study_rerun": "horoscope"})").find("conv_stats") != std::string::npos);  // lists the kinds
  CHECK(with_check(R"({"all": [{"step_at_least": 5}, {"any": [{"diverged": true}, {"notice": true}]}]})") == "(parsed)");
  CHECK(with_check(R"({"all": []})").find("1 to 8") != std::string::npos);
  CHECK(with_check(R"({"all": [{"any": [{"all": [{"notice": true}]}]}]})").find("too deep") != std::string::npos);
  CHECK(with_check(R"({"all": [{"step_at_least": 0}]})").find("check.all[0].step_at_least") != std::string::npos);
  CHECK(with_check(R"({"any": [{"notice": true}], "panel": "why"})").find("exactly one") != std::string::npos);
}

TEST_CASE("lesson loader: a sequence of checks has 2 to 4 entries and excludes a single check", "[lesson]") {
  auto with_try = [](const std::string& body) {
    return error_of(lesson_text(R"({"text": "x", "try": {"prompt": "p", )" + body + "}}"));
  };
  CHECK(with_try(R"("checks": [{"notice": true}, {"step_at_least": 3}])") == "(parsed)");
  CHECK(with_try(R"("checks": [{"notice": true}])").find("2 to 4") != std::string::npos);
  CHECK(with_try(R"("checks": {"notice": true})").find("2 to 4") != std::string::npos);
  CHECK(with_try(R"("checks": [{"notice": true}, {"step_at_least": -1}])").find("checks[1].step_at_least") !=
        std::string::npos);
  CHECK(with_try(R"("check": {"notice": true}, "checks": [{"notice": true}, {"notice": false}])")
            .find("both check and checks") != std::string::npos);
}

TEST_CASE("lesson loader: unknown readouts and lesson navigation inside a lesson are refused", "[lesson]") {
  CHECK(error_of(lesson_text(R"({"text": "x", "readout": "horoscope"})")).find("steps[0].readout") != std::string::npos);
  CHECK(error_of(lesson_text(R"({"text": "x", "actions": [{"type": "lesson_next"}]})"))
            .find("cannot open, close or move") != std::string::npos);
  CHECK(error_of(lesson_text(R"({"text": "x"})", R"({"actions": [{"type": "open_lesson", "id": "01-what-bn-computes"}]})"))
            .find("preset.actions[0]") != std::string::npos);
}

}  // namespace
}  // namespace nl::app
