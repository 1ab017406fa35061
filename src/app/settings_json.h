// Settings as JSON: ExperimentSpec (core/spec.h) <-> JSON for the CLI config (normlab-cli
// train), state files, lesson presets and actions, read and written by visiting the settings
// schema (settings_schema.h: keys, ranges, enum names). Every key is optional: missing keys take
// the playground's defaults (app::default_spec(), the first thing a learner sees); unknown
// keys, wrong types and out-of-range values are errors with the key's path, e.g.
// "net.hidden[1].width must be an integer in [1, 128] (got 300)". Every key, its range and
// default: `normlab-cli reference` (generated from the schema; the README's settings reference).
// Not here: reading files or URLs (callers pass text), running experiments.
//
//   auto spec = settings_from_json_text(R"({"net": {"hidden": [{"width": 16}]}})");
//   if (!spec) show(spec.error());           // message + hint
//   std::string text = settings_to_json_text(*spec);   // round-trips
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/spec.h"

namespace nl {

// Validates and converts; the error names the offending key.
Result<ExperimentSpec> settings_from_json(const nlohmann::json& j);
// Parses text first (invalid JSON is an error too, with the parser's position).
Result<ExperimentSpec> settings_from_json_text(std::string_view text);

// Every key, always (so the output documents the full schema). Floats are written with the
// shortest decimal that reads back to the same float.
nlohmann::json settings_to_json(const ExperimentSpec& spec);
std::string settings_to_json_text(const ExperimentSpec& spec, int indent = -1);

// A partial settings object onto a whole one: objects merge key by key; anything else
// (arrays such as net.hidden, numbers, null) replaces, so {"momentum": null} means the
// cumulative average (not "remove the key", as JSON merge patch would).
void merge_settings(nlohmann::json& target, const nlohmann::json& patch);

// Shortest decimal text that reads back to the same float ("0.1", "1.3000001", "1e-05").
std::string float_shortest(float v);

// Shortest decimal that reads back to the same float, as a double for nlohmann::json
// (so 0.1f prints as 0.1, not 0.10000000149011612). Non-finite values stay as they are.
double float_for_json(float v);

}  // namespace nl
