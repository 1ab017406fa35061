// Action (actions.h) <-> JSON: the one codec for actions sent by the JS API, lessons and
// studies, and for recorded action lists. Schema: {"type": "<snake_case struct name>",
// <fields in snake_case>}, e.g. {"type":"step","count":3}, {"type":"show_panel","panel":"why"}.
// Not here: carrying actions out (apply() in actions.h), URL hashes (url_state.h).
//
// Missing fields take the struct's defaults. Unknown types, unknown fields, wrong types and
// non-finite numbers are errors naming the field ("step.count must be an integer in
// [1, 10000]"). Range checks beyond what the parser needs are left to apply(). Enums are
// stable strings: spec enums as in settings_json.h; panel as panel_name(); theme dark|light;
// why view twin|distribution|gradients|histograms|cost; inspector stage
// raw|mean|centred|variance|normalized|affine|running|eval; backprop step
// forward|dy|dbeta|dgamma|dxhat|dvar|dmean|dx|compact. Nested settings use settings_json's
// schema: set_spec.spec is a whole settings object, set_norm_options.options is its
// "net.norm" object, set_optimizer.optimizer its "optimizer" object.
//
//   auto a = action_from_json(nlohmann::json::parse(R"({"type":"step","count":3})", nullptr, false));
//   if (a) apply(session, *a); else show(a.error());
//   nlohmann::json j = action_to_json(act::Step{3});   // round-trips
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/actions.h"
#include "core/result.h"

namespace nl::app {

// Validates and converts one action object; never throws, never yields NaN or Inf.
Result<Action> action_from_json(const nlohmann::json& j);
// Every field of the action, always; floats as the shortest decimal that reads back exactly.
nlohmann::json action_to_json(const Action& a);
// The "type" string of an action ("set_learning_rate").
std::string action_type_name(const Action& a);

// For tests: an action of variant alternative `index` whose fields are set to valid values
// derived from `seed` (seed 0: the struct's defaults), to check that every alternative
// round-trips.
Action action_example(std::size_t index, std::uint64_t seed);

// Enum names: core/enum_names.h (enum_names, enum_to_name, enum_from_name, enum_choices),
// one table next to each enum.
using nl::enum_choices;
using nl::enum_from_name;
using nl::enum_names;
using nl::enum_to_name;

}  // namespace nl::app
