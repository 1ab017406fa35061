// Fuzz target: the URL hash (app/url_state.h apply_url_state). Checks: never crashes, the
// session keeps a built experiment and only finite numbers, problems are reported, and the
// hash it writes back is a fixed point (applying it to a fresh session writes the same
// hash). Not here: the action JSON codec (fuzz_api_message.cpp reaches it).
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/test_stress_checks.h"
#include "app/url_state.h"
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;  // a URL, not a file
  const std::string hash(reinterpret_cast<const char*>(data), size);
  nl::app::Session s = nl::fuzz::base_session();
  const nl::app::UrlStateReport report = nl::app::apply_url_state(s, hash);
  NL_FUZZ_CHECK(s.experiment.has_value(), "an experiment after any hash");
  if (!report.ignored.empty()) NL_FUZZ_CHECK(s.notice.has_value(), "ignored values are shown");
  const std::string bad = nl::app::testing::first_non_finite(s);
  NL_FUZZ_CHECK(bad.empty(), "finite after hash: " + bad);

  const std::string written = nl::app::encode_url_state(s);
  nl::app::Session fresh = nl::fuzz::base_session();
  const nl::app::UrlStateReport again = nl::app::apply_url_state(fresh, written);
  NL_FUZZ_CHECK(again.ignored.empty(), "a written hash is valid: " + written);
  NL_FUZZ_CHECK(nl::app::encode_url_state(fresh) == written, "hash round trip: " + written);
  return 0;
}
