// The action JSON codec (app/action_json.h): every Action alternative round-trips, errors
// name the field, and no JSON input crashes the parser or yields a non-finite number.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <variant>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "app/action_json.h"
#include "app/settings_json.h"

using namespace nl;
using namespace nl::app;
using nlohmann::json;

namespace {

// Every float found anywhere in a JSON value is finite.
bool all_finite(const json& j) {
  if (j.is_number_float()) return std::isfinite(j.get<double>());
  if (j.is_structured())
    for (const auto& v : j) if (!all_finite(v)) return false;
  return true;
}

std::string error_of(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  Result<Action> a = action_from_json(j);
  return a.ok() ? std::string("(accepted)") : a.error().message;
}

}  // namespace

TEST_CASE("action json: every alternative round-trips with defaults and varied fields", "[app][action_json]") {
  constexpr std::size_t n = std::variant_size_v<Action>;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::uint64_t seed : {0ull, 1ull, 2ull, 77ull}) {
      const Action a = action_example(i, seed);
      REQUIRE(a.index() == i);
      const json j = action_to_json(a);
      INFO(j.dump());
      CHECK(j.at("type") == action_type_name(a));
      Result<Action> back = action_from_json(j);
      REQUIRE(back.ok());
      CHECK(back->index() == i);
      CHECK(action_to_json(*back) == j);
      // Through text too (what the JS API sends).
      Result<Action> from_text = action_from_json(json::parse(j.dump(), nullptr, false));
      REQUIRE(from_text.ok());
      CHECK(action_to_json(*from_text) == j);
    }
  }
}

TEST_CASE("action json: varied examples differ from the defaults where there are fields", "[app][action_json]") {
  // Guards the round-trip test against comparing defaults with defaults only.
  int varied = 0;
  for (std::size_t i = 0; i < std::variant_size_v<Action>; ++i) {
    if (action_to_json(action_example(i, 1)) != action_to_json(action_example(i, 0))) ++varied;
  }
  CHECK(varied >= 30);
}

TEST_CASE("action json: examples of the schema", "[app][action_json]") {
  CHECK(action_to_json(act::Step{3}) == json({{"type", "step"}, {"count", 3}}));
  CHECK(action_to_json(act::SetLearningRate{0.5f}) == json({{"type", "set_learning_rate"}, {"learning_rate", 0.5}}));
  CHECK(action_to_json(act::ShowPanel{Panel::kInspector}) == json({{"type", "show_panel"}, {"panel", "inspector"}}));
  CHECK(action_to_json(act::SetInspectorStage{InspectorStage::kNormalized}) ==
        json({{"type", "set_inspector_stage"}, {"stage", "normalized"}}));
  CHECK(action_to_json(act::SetSpec{default_spec()}).at("spec") == settings_to_json(default_spec()));
  CHECK(action_to_json(act::SetLearningRate{0.1f}).at("learning_rate").dump() == "0.1");

  Result<Action> a = action_from_json(json::parse(R"({"type":"set_dataset","kind":"spiral"})"));
  REQUIRE(a.ok());
  REQUIRE(std::holds_alternative<act::SetDataset>(*a));
  CHECK(std::get<act::SetDataset>(*a).kind == DatasetKind::kSpiral);
  Result<Action> b = action_from_json(json::parse(R"({"type":"set_backprop_step","step":"dxhat"})"));
  REQUIRE(b.ok());
  CHECK(std::get<act::SetBackpropStep>(*b).step == BackpropStep::kDxhat);
}

TEST_CASE("action json: missing fields take the struct defaults", "[app][action_json]") {
  Result<Action> a = action_from_json(json::parse(R"({"type":"step"})"));
  REQUIRE(a.ok());
  CHECK(std::get<act::Step>(*a).count == act::Step{}.count);
  Result<Action> w = action_from_json(json::parse(R"({"type":"set_bn_affine","gamma":2})"));
  REQUIRE(w.ok());
  CHECK(std::get<act::SetBnAffine>(*w).gamma == 2.0f);
  CHECK(std::get<act::SetBnAffine>(*w).beta == act::SetBnAffine{}.beta);
  Result<Action> o = action_from_json(json::parse(R"({"type":"set_norm_options","options":{"momentum":null}})"));
  REQUIRE(o.ok());
  CHECK_FALSE(std::get<act::SetNormOptions>(*o).options.momentum.has_value());
  CHECK(std::get<act::SetNormOptions>(*o).options.eps == NormOptions{}.eps);
}

TEST_CASE("action json: errors name the field", "[app][action_json]") {
  CHECK(error_of(R"({"type":"step","count":0})") == "step.count must be an integer in [1, 10000] (got 0)");
  CHECK(error_of(R"({"type":"step","count":"3"})") == "step.count must be an integer in [1, 10000]");
  CHECK(error_of(R"({"type":"step","count":2.5})") == "step.count must be an integer in [1, 10000]");
  CHECK(error_of(R"({"type":"step","cnt":2})") == "unknown field step.cnt");
  CHECK(error_of(R"({"type":"play","x":1})") == "unknown field play.x");
  CHECK(error_of(R"({"type":"jump"})") == "unknown action type \"jump\"");
  CHECK(error_of(R"({"count":3})") == "the action has no \"type\"");
  CHECK(error_of(R"({"type":3})") == "the action's \"type\" must be a string");
  CHECK(error_of(R"([1,2])") == "an action must be a JSON object");
  CHECK(error_of(R"({"type":"show_panel","panel":"settings"})").rfind("show_panel.panel must be one of: data, network", 0) == 0);
  CHECK(error_of(R"({"type":"set_learning_rate","learning_rate":1e300})") ==
        "set_learning_rate.learning_rate must be a finite number");
  CHECK(error_of(R"({"type":"set_theme","theme":true})").rfind("set_theme.theme must be one of: dark, light", 0) == 0);
  CHECK(error_of(R"({"type":"set_show_test_points","show":1})") == "set_show_test_points.show must be true or false");
  CHECK(error_of(R"({"type":"set_optimizer","optimizer":{"learning_rate":-1}})").rfind("set_optimizer.optimizer.learning_rate", 0) == 0);
  CHECK(error_of(R"({"type":"set_norm_options","options":{"eps":"x"}})").rfind("set_norm_options.options.eps", 0) == 0);
  CHECK(error_of(R"({"type":"set_spec","spec":{"data":{"kind":"moons"}}})").rfind("set_spec.spec: data.kind", 0) == 0);
  CHECK(error_of(R"({"type":"set_stop_condition","stop":{"max_steps":0}})").rfind("set_stop_condition.stop.max_steps", 0) == 0);
  CHECK(error_of(R"({"type":"set_data_seed","seed":-1})") == "set_data_seed.seed must be a non-negative integer");
}

TEST_CASE("action json: seeded random JSON never crashes and accepted actions are finite", "[app][action_json]") {
  // Mutates valid actions: fields replaced by values of every JSON kind, extreme numbers
  // and garbage keys. The parser must answer every one without crashing.
  const json odd[] = {json(nullptr), json(true), json(-1), json(0), json(1e308), json(-1e308),
                      json(std::numeric_limits<double>::quiet_NaN()), json(std::numeric_limits<double>::infinity()),
                      json(18446744073709551615ull), json(-9223372036854775807ll), json(1e-320), json(""),
                      json("nan"), json::array(), json::object(), json(0.5), json(3.0)};
  const char* const kUnknown[] = {"k0", "Count", "", "type ", "\u00e9"};
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  int accepted = 0, refused = 0;
  for (int round = 0; round < 2000; ++round) {
    json j = action_to_json(action_example(next() % std::variant_size_v<Action>, next()));
    std::vector<std::string> keys;
    for (const auto& item : j.items()) keys.push_back(item.key());
    const int edits = 1 + static_cast<int>(next() % 3);
    for (int e = 0; e < edits; ++e) {
      const json& value = odd[next() % std::size(odd)];
      switch (next() % 4) {
        case 0: j[keys[next() % keys.size()]] = value; break;                  // any field, even type
        case 1: j[kUnknown[next() % std::size(kUnknown)]] = value; break;      // unknown field
        case 2: j.erase(keys[next() % keys.size()]); break;                     // missing field
        default:                                                                // nested field
          for (auto& item : j.items())
            if (item.value().is_object() && !item.value().empty()) item.value().begin().value() = value;
      }
    }
    Result<Action> a = action_from_json(j);
    if (a.ok()) {
      ++accepted;
      CHECK(all_finite(action_to_json(*a)));
    } else {
      ++refused;
      CHECK_FALSE(a.error().message.empty());
    }
  }
  CHECK(accepted > 0);
  CHECK(refused > 0);
}
