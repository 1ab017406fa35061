// Helpers shared by the app tests: a fresh default session, and tiny accessors.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "app/actions.h"
#include "app/lesson.h"
#include "app/session.h"

namespace nl::app::testing {

inline Session fresh_session(const ExperimentSpec& spec = default_spec()) {
  Result<Session> s = make_session(spec);
  REQUIRE(s.ok());
  return std::move(s.value());
}

inline std::int64_t step_of(const Session& s) { return s.exp().metrics().step; }

// The choice a lesson step's prediction reveals as the answer (its text), for the claim tests
// that assert it next to the numbers that show it.
inline std::string predicted_answer(const char* lesson_id, int step) {
  const Lesson* l = find_lesson(lesson_id);
  REQUIRE(l != nullptr);
  REQUIRE(step >= 1);
  REQUIRE(step <= static_cast<int>(l->steps.size()));
  const auto& p = l->steps[static_cast<std::size_t>(step - 1)].predict;
  REQUIRE(p.has_value());
  return p->choices.at(static_cast<std::size_t>(p->answer));
}

// Built with AddressSanitizer (the native-asan preset): its quarantine keeps freed memory
// resident, so resident-memory checks do not apply there.
inline bool sanitized_build() {
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

}  // namespace nl::app::testing
