// Fuzz target: the settings schema (app/settings_json.h), the same JSON the CLI config, the
// state document and lessons use. Checks: an accepted spec writes back to JSON that reads
// back to the same text (round trip), holds only finite numbers, and builds a session or
// says why not. Not here: the whole state document (fuzz_state_json.cpp).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "app/session.h"
#include "app/settings_json.h"
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const nl::Result<nl::ExperimentSpec> spec = nl::settings_from_json_text(text);
  if (!spec.ok()) {
    NL_FUZZ_CHECK(!spec.error().message.empty(), "an error says why");
    return 0;
  }
  const std::string once = nl::settings_to_json_text(*spec);
  const nl::Result<nl::ExperimentSpec> again = nl::settings_from_json_text(once);
  NL_FUZZ_CHECK(again.ok(), "written settings read back: " + once);
  NL_FUZZ_CHECK(nl::settings_to_json_text(*again) == once, "round trip: " + once);
  for (float v : {spec->data.noise, spec->data.test_fraction, spec->net.norm.eps, spec->optimizer.learning_rate,
                  spec->optimizer.momentum, spec->optimizer.weight_decay, spec->optimizer.beta1,
                  spec->optimizer.beta2, spec->optimizer.adam_eps, spec->net.norm.r_max, spec->net.norm.d_max})
    NL_FUZZ_CHECK(std::isfinite(v), "finite setting in " + once);
  // Building is bounded by the schema's limits; small enough specs are built and stepped.
  std::size_t params = 0;
  int prev = spec->net.input_width;
  for (const auto& h : spec->net.hidden) {
    params += static_cast<std::size_t>(prev) * static_cast<std::size_t>(h.width);
    prev = h.width;
  }
  if (spec->data.size <= 2000 && params <= 20000) {
    nl::Result<nl::app::Session> s = nl::app::make_session(*spec);
    if (s.ok()) {
      (void)s->exp().step();
    } else {
      NL_FUZZ_CHECK(!s.error().message.empty(), "make_session says why");
    }
  }
  return 0;
}
