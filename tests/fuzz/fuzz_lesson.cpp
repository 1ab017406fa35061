// Fuzz target: the lesson loader (app/lesson.h parse_lesson). Checks: an error names what is
// wrong; an accepted lesson's settings build a session or are refused with a message, and
// its preset and step actions run on that session without crashing, leaving only finite
// numbers. Step counts are capped at 20 here only to keep executions fast.
// Not here: the embedded lessons' content (tests/app/test_lesson*.cpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "app/actions.h"
#include "app/lesson.h"
#include "app/test_stress_checks.h"
#include "fuzz/fuzz_common.h"

namespace {

void run(nl::app::Session& s, nl::app::Action a) {
  if (auto* step = std::get_if<nl::app::act::Step>(&a)) step->count = std::min(step->count, 20);
  if (std::holds_alternative<nl::app::act::StepEpoch>(a)) return;  // up to a whole epoch: slow, not parsing
  nl::app::apply(s, a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const nl::Result<nl::app::Lesson> lesson = nl::app::parse_lesson(text, "");
  if (!lesson.ok()) {
    NL_FUZZ_CHECK(!lesson.error().message.empty(), "an error says why");
    return 0;
  }
  NL_FUZZ_CHECK(!lesson->steps.empty(), "a lesson has at least one step");
  nl::Result<nl::app::Session> s = nl::app::make_session(lesson->spec);
  if (!s.ok()) {
    NL_FUZZ_CHECK(!s.error().message.empty(), "settings refused with a message");
    return 0;
  }
  for (const nl::app::Action& a : lesson->preset_actions) run(*s, a);
  for (const nl::app::LessonStep& step : lesson->steps)
    for (const nl::app::Action& a : step.actions) run(*s, a);
  const std::string bad = nl::app::testing::first_non_finite(*s);
  NL_FUZZ_CHECK(bad.empty(), "finite after the lesson's actions: " + bad);
  return 0;
}
