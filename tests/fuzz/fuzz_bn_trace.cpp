// Fuzz target: `normlab-cli bn-trace` input (its JSON parsing and validation, then the core
// BatchNorm on whatever passes). Checks: exit status 0 with JSON out and no error, or 2 with
// an error and no output; output never holds NaN or Inf. Not here: the CLI's argv handling.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_common.h"
#include "tools/cli/commands.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string output, error;
  const int rc = nl::cli::bn_trace(input, output, error);
  NL_FUZZ_CHECK(rc == 0 || rc == 2, "exit status 0 or 2");
  if (rc == 2) {
    NL_FUZZ_CHECK(!error.empty() && output.empty(), "an error and no output");
    return 0;
  }
  const nlohmann::json out = nlohmann::json::parse(output, nullptr, false);
  NL_FUZZ_CHECK(out.is_object() && out.contains("y"), "output is a JSON object with y");
  NL_FUZZ_CHECK(output.find("nan") == std::string::npos && output.find("inf") == std::string::npos &&
                output.find("null,") == std::string::npos,
                "no non-finite number in " + output.substr(0, 200));
  return 0;
}
