// Fuzz target: the state document importer and the JS API's setState patch
// (app/state_json.h). Checks: an import or patch that fails leaves the session exactly as it
// was (weights, optimizer state, view, points: the whole exported document) and says why;
// one that succeeds leaves only finite numbers and a session that can take a step.
// Not here: the message envelope around setState (fuzz_api_message.cpp).
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "app/state_json.h"
#include "app/test_stress_checks.h"
#include "fuzz/fuzz_common.h"

namespace {

void check_after(nl::app::Session& s, const nl::Status& st, const std::string& before, const char* what) {
  if (!st.ok()) {
    NL_FUZZ_CHECK(!st.error().message.empty(), std::string(what) + ": an error says why");
    NL_FUZZ_CHECK(nl::fuzz::fingerprint(s) == before, std::string(what) + ": failure left the state untouched");
    return;
  }
  NL_FUZZ_CHECK(s.experiment.has_value(), std::string(what) + ": an experiment");
  const std::string bad = nl::app::testing::first_non_finite(s);
  NL_FUZZ_CHECK(bad.empty(), std::string(what) + ": finite after success: " + bad);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  {
    nl::app::Session s = nl::fuzz::base_session();
    const std::string before = nl::fuzz::fingerprint(s);
    check_after(s, nl::app::import_state_json(s, text), before, "import");
  }
  const nlohmann::json patch = nlohmann::json::parse(text, nullptr, false);
  if (!patch.is_discarded()) {
    nl::app::Session s = nl::fuzz::base_session();
    const std::string before = nl::fuzz::fingerprint(s);
    check_after(s, nl::app::apply_state_patch(s, patch), before, "patch");
  }
  return 0;
}
