// Shared helpers of the libFuzzer targets: the default session (built once, copied per
// input), a fingerprint of everything an import must leave alone when it fails, and a check
// that aborts (libFuzzer then saves the input as a crash). Not a fuzz target itself.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/session.h"
#include "app/state_json.h"

#define NL_FUZZ_CHECK(cond, what)                                                  \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "fuzz check failed: %s (%s)\n", std::string(what).c_str(), #cond); \
      std::abort();                                                                \
    }                                                                              \
  } while (0)

namespace nl::fuzz {

// A small default session (the learner's first screen, 2 hidden layers of 8, trained 3 steps
// so there is training state to lose).
inline const app::Session& base_session() {
  static const app::Session session = [] {
    auto s = app::make_session(app::default_spec());
    NL_FUZZ_CHECK(s.ok(), "default session");
    for (int i = 0; i < 3; ++i) (void)s->exp().step();
    return std::move(*s);
  }();
  return session;
}

// Everything the state document holds, weights and optimizer state included.
inline std::string fingerprint(const app::Session& s) { return app::state_to_json_text(s, true); }

}  // namespace nl::fuzz
