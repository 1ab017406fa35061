// Helpers shared by the app tests: a fresh default session, and tiny accessors.
#pragma once

#include <catch2/catch.hpp>

#include "app/actions.h"
#include "app/session.h"

namespace nl::app::testing {

inline Session fresh_session(const ExperimentSpec& spec = default_spec()) {
  Result<Session> s = make_session(spec);
  REQUIRE(s.ok());
  return std::move(s.value());
}

inline std::int64_t step_of(const Session& s) { return s.exp().metrics().step; }

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
