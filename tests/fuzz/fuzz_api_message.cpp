// Fuzz target: the page API's messages (app/api_message.h: parse_api_message, then
// run_api_command on a session, which reaches the action JSON codec and setState). Checks:
// the reply is one JSON object with "ok"; a refused command leaves the session exactly as it
// was; afterwards every number the panels show is finite. Step counts are capped at 20 here
// only to keep executions fast (the cap is the harness's, not the API's).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "app/api_message.h"
#include "app/test_stress_checks.h"
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nl::Result<nl::app::ApiCommand> command = nl::app::parse_api_message(text);
  if (!command.ok()) {
    const nlohmann::json reply = nlohmann::json::parse(nl::app::api_error_text(nullptr, command.error()), nullptr, false);
    NL_FUZZ_CHECK(reply.is_object() && reply.value("ok", true) == false, "error reply");
    return 0;
  }
  nl::app::ApiCommand c = *command;
  c.count = std::min(c.count, 20);
  if (c.verb == nl::app::ApiVerb::kDispatch && c.payload.is_object() && c.payload.contains("count") &&
      c.payload["count"].is_number_integer() && c.payload["count"].get<std::int64_t>() > 20)
    c.payload["count"] = 20;
  nl::app::Session s = nl::fuzz::base_session();
  const std::string before = nl::fuzz::fingerprint(s);
  const nl::Result<nlohmann::json> result = nl::app::run_api_command(s, c);
  const nlohmann::json reply = nlohmann::json::parse(nl::app::api_reply_text(c.id, result), nullptr, false);
  NL_FUZZ_CHECK(reply.is_object() && reply.contains("ok"), "a reply object with ok");
  if (!result.ok()) NL_FUZZ_CHECK(nl::fuzz::fingerprint(s) == before, "refused command left the state untouched");
  NL_FUZZ_CHECK(s.experiment.has_value(), "an experiment");
  const std::string bad = nl::app::testing::first_non_finite(s);
  NL_FUZZ_CHECK(bad.empty(), "finite after a command: " + bad);
  return 0;
}
