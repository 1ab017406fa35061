// Unit tests for the bugs the fuzz targets found (tests/fuzz/regressions/ holds the inputs,
// replayed by the asan.fuzz.*.regressions tests): each bug, stated as a plain case.
// Not here: the fuzz targets themselves (tests/fuzz/).
#include <catch2/catch.hpp>

#include "app/settings_json.h"

namespace nl {
namespace {

TEST_CASE("fuzz regression: a positive eps that is 0 as a float is refused by the settings schema", "[app][fuzz]") {
  // Found by fuzz_settings_json: 2e-48 passed the (0, 1] check as a double, became eps = 0
  // as a float, and the written settings then failed to read back.
  const Result<ExperimentSpec> spec = settings_from_json_text(R"({"net": {"norm": {"eps": 2e-48}}})");
  REQUIRE_FALSE(spec.ok());
  CHECK(spec.error().message.find("net.norm.eps") != std::string::npos);
  const Result<ExperimentSpec> adam = settings_from_json_text(R"({"optimizer": {"eps": 1e-50}})");
  CHECK_FALSE(adam.ok());
  // The smallest positive float is still accepted and round-trips.
  const Result<ExperimentSpec> tiny = settings_from_json_text(R"({"net": {"norm": {"eps": 1.4e-45}}})");
  REQUIRE(tiny.ok());
  CHECK(tiny->net.norm.eps > 0.0f);
  CHECK(settings_from_json_text(settings_to_json_text(*tiny)).ok());
}

}  // namespace
}  // namespace nl
