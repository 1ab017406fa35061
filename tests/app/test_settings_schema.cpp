// The settings schema (app/settings_schema.h) against every path a setting can arrive by:
// each numeric field at its bounds, just outside them, NaN and infinity is accepted or
// refused the same way by a settings file, a state file, a link, an action (C++ and JSON),
// the page API and a lesson preset, and every refusal names the field. The fields are
// found by visiting the schema, so a new setting is covered without an edit here. Also: the
// drifts the schema removed (each once a bug), and the README's generated reference table.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app_fixtures.h"
#include "app/action_json.h"
#include "app/api_message.h"
#include "app/lesson.h"
#include "app/settings_json.h"
#include "app/settings_reference.h"
#include "app/settings_schema.h"
#include "app/state_json.h"
#include "app/url_state.h"

namespace nl::app {
namespace {

using nlohmann::json;
using testing::fresh_session;

// Every numeric field of the spec (numbers, integers, momentum), in schema order.
struct NumericFields {
  std::vector<const Field*> out;
  template <class Body> void group(const char*, Body&& body) { body(); }
  template <class T> void number(const Field& f, T&) { out.push_back(&f); }
  template <class T> void integer(const Field& f, T&) { out.push_back(&f); }
  template <class T> void momentum(const Field& f, T&) { out.push_back(&f); }
  template <class T> void seed(const Field&, T&) {}
  template <class T> void boolean(const Field&, T&) {}
  template <class T> void choice(const Field&, T&) {}
  template <class T> void layers(const Field&, T&) {}
};

std::vector<const Field*> numeric_fields() {
  NumericFields v;
  ExperimentSpec shape;
  visit_spec(v, shape);
  return v.out;
}

// Sets the member of `spec` that `target` describes (C++ paths bypass every parser).
struct SetField {
  const Field* target;
  double value;
  template <class Body> void group(const char*, Body&& body) { body(); }
  void number(const Field& f, float& m) { if (&f == target) m = static_cast<float>(value); }
  void integer(const Field& f, int& m) { if (&f == target) m = static_cast<int>(value); }
  void momentum(const Field& f, std::optional<float>& m) { if (&f == target) m = static_cast<float>(value); }
  template <class T> void seed(const Field&, T&) {}
  template <class T> void boolean(const Field&, T&) {}
  template <class T> void choice(const Field&, T&) {}
  template <class T> void layers(const Field&, T&) {}
};

// {"data": {"noise": v}} for "data.noise"; v as JSON (NaN and infinity become what a JSON
// writer makes of them: null).
json nested(std::string_view key, const json& v) {
  json leaf = v;
  std::string k(key);
  for (auto dot = k.rfind('.'); dot != std::string::npos; dot = k.rfind('.')) {
    leaf = json{{k.substr(dot + 1), leaf}};
    k = k.substr(0, dot);
  }
  return json{{k, leaf}};
}

json json_value(const Field& f, double v) {
  if (f.type == FieldType::kInteger && std::isfinite(v) && v == std::floor(v)) return static_cast<std::int64_t>(v);
  return v;
}

std::string link_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

// The values to try: the bounds, just outside each, NaN and infinity.
std::vector<double> probes(const Field& f) {
  const double step = f.type == FieldType::kInteger ? 1.0 : std::max(1e-3, 1e-3 * std::abs(f.hi));
  const double low_step = f.type == FieldType::kInteger ? 1.0 : std::max(1e-3, 1e-3 * std::abs(f.lo));
  return {f.lo, f.hi, f.lo - low_step, f.hi + step, std::numeric_limits<double>::quiet_NaN(),
          std::numeric_limits<double>::infinity()};
}

// What one path made of a value: accepted, or refused with a message.
struct Outcome {
  bool accepted = false;
  std::string message;
};

Outcome from_status(const Status& st) { return st.ok() ? Outcome{true, {}} : Outcome{false, st.error().message}; }

Outcome settings_file(const Field& f, double v) {
  const Result<ExperimentSpec> r = settings_from_json_text(nested(f.key, json_value(f, v)).dump());
  return r.ok() ? Outcome{true, {}} : Outcome{false, r.error().message};
}

Outcome state_file(const Field& f, double v) {
  Session s = fresh_session();
  json doc = state_to_json(s, false);
  doc["settings"].merge_patch(nested(f.key, json_value(f, v)));
  return from_status(import_state_json(s, doc.dump()));
}

Outcome cpp_action(const Field& f, double v) {
  Session s = fresh_session();
  ExperimentSpec spec = s.spec;
  SetField set{&f, v};
  visit_spec(set, spec);
  nl::app::apply(s, act::SetSpec{spec});
  return s.notice ? Outcome{false, s.notice->message} : Outcome{true, {}};
}

Outcome json_action(const Field& f, double v) {
  const Result<Action> a = action_from_json(json{{"type", "set_spec"}, {"spec", nested(f.key, json_value(f, v))}});
  if (!a.ok()) return {false, a.error().message};
  Session s = fresh_session();
  nl::app::apply(s, *a);
  return s.notice ? Outcome{false, s.notice->message} : Outcome{true, {}};
}

Outcome page_api(const Field& f, double v) {
  const json message = {{"normlab", 1}, {"id", 1}, {"verb", "setState"},
                        {"state", {{"settings", nested(f.key, json_value(f, v))}}}};
  const Result<ApiCommand> c = parse_api_message(message.dump());
  if (!c.ok()) return {false, c.error().message};
  Session s = fresh_session();
  const Result<json> r = run_api_command(s, *c);
  return r.ok() ? Outcome{true, {}} : Outcome{false, r.error().message};
}

Outcome lesson_preset(const Field& f, double v) {
  const json lesson = {{"id", "42-schema-test"}, {"title", "T"}, {"summary", "S"},
                       {"preset", {{"settings", nested(f.key, json_value(f, v))}}},
                       {"steps", json::array({{{"text", "Look."}}})}};
  const Result<Lesson> r = parse_lesson(lesson.dump(), "42-schema-test");
  return r.ok() ? Outcome{true, {}} : Outcome{false, r.error().message};
}

// A link clamps what it cannot take and says so; accepted = nothing said about the key.
Outcome link(const Field& f, double v) {
  Session s = fresh_session();
  const UrlStateReport r = apply_url_state(s, std::string(f.url) + "=" + link_text(v));
  return r.ignored.empty() ? Outcome{true, {}} : Outcome{false, r.ignored.front()};
}

TEST_CASE("settings schema: every numeric field is accepted or refused alike by every path", "[app][schema]") {
  const std::vector<const Field*> fields = numeric_fields();
  REQUIRE(fields.size() >= 14);
  for (const Field* f : fields) {
    if (f->url.empty()) continue;  // input/output width: fixed by the dataset, not a learner's setting
    for (const double v : probes(*f)) {
      const bool expected = accepts(*f, v);
      CAPTURE(f->key, v, expected);
      struct Path {
        const char* name;
        Outcome outcome;
        std::string names;  // what the message must mention
      };
      std::vector<Path> paths = {
          {"settings file", settings_file(*f, v), std::string(f->key)},
          {"state file", state_file(*f, v), std::string(f->key)},
          {"action JSON", json_action(*f, v), std::string(f->key)},
          {"page API", page_api(*f, v), std::string(f->key)},
          {"lesson preset", lesson_preset(*f, v), std::string(f->key)},
          {"link", link(*f, v), std::string(f->url) + "="},
      };
      // An int member cannot hold NaN or infinity: the C++ action is tried with numbers only.
      if (f->type != FieldType::kInteger || std::isfinite(v))
        paths.push_back({"action", cpp_action(*f, v), std::string(f->key)});
      for (const Path& p : paths) {
        CAPTURE(p.name, p.outcome.message);
        // JSON writes NaN and infinity as null, which for the momentum is a value of its own:
        // the cumulative average.
        if (f->type == FieldType::kMomentum && !std::isfinite(v) && std::string(p.name) != "link" &&
            std::string(p.name) != "action")
          continue;
        // JSON has no NaN or infinity: those paths refuse the value as "not a number".
        CHECK(p.outcome.accepted == expected);
        if (!p.outcome.accepted) CHECK(p.outcome.message.find(p.names) != std::string::npos);
      }
    }
  }
}

TEST_CASE("settings schema: the learner's one-setting actions take exactly the schema's range", "[app][schema]") {
  struct OneSetting {
    const Field* f;
    Action (*make)(double);
  };
  const OneSetting cases[] = {
      {&field::kNoise, [](double v) { return Action{act::SetNoise{static_cast<float>(v)}}; }},
      {&field::kLearningRate, [](double v) { return Action{act::SetLearningRate{static_cast<float>(v)}}; }},
      {&field::kDataSize, [](double v) { return Action{act::SetDataSize{static_cast<int>(v)}}; }},
      {&field::kTestFraction, [](double v) { return Action{act::SetTestFraction{static_cast<float>(v)}}; }},
      {&field::kSpeed, [](double v) { return Action{act::SetSpeed{static_cast<int>(v)}}; }},
  };
  for (const OneSetting& c : cases) {
    for (const double v : probes(*c.f)) {
      if (c.f->type == FieldType::kInteger && !std::isfinite(v)) continue;  // an int cannot hold them
      CAPTURE(c.f->key, v);
      Session s = fresh_session();
      s.notice.reset();
      nl::app::apply(s, c.make(v));
      CHECK(!s.notice.has_value() == accepts(*c.f, v));
      if (s.notice) CHECK(s.notice->message.find(std::string(c.f->key)) != std::string::npos);
    }
  }
}

TEST_CASE("settings schema: the drifts between paths are gone", "[app][schema]") {
  SECTION("a link's lr=50 is also what the learning-rate action takes") {
    Session by_link = fresh_session();
    CHECK(apply_url_state(by_link, "lr=50").ignored.empty());
    CHECK(by_link.spec.optimizer.learning_rate == 50.0f);
    Session by_action = fresh_session();
    nl::app::apply(by_action, act::SetLearningRate{50.0f});
    CHECK_FALSE(by_action.notice.has_value());
    CHECK(by_action.spec.optimizer.learning_rate == 50.0f);
  }
  SECTION("noise 3 is taken by settings, link and the noise action alike") {
    CHECK(settings_from_json_text(R"({"data": {"noise": 3}})").ok());
    Session by_link = fresh_session();
    CHECK(apply_url_state(by_link, "noise=3").ignored.empty());
    Session by_action = fresh_session();
    nl::app::apply(by_action, act::SetNoise{3.0f});
    CHECK_FALSE(by_action.notice.has_value());
    CHECK(by_action.spec.data.noise == 3.0f);
  }
  SECTION("data.size 8 and 5000 are valid for every path; 7 for none") {
    for (const int size : {8, 5000}) {
      Session s = fresh_session();
      nl::app::apply(s, act::SetDataSize{size});
      CHECK_FALSE(s.notice.has_value());
      CHECK(s.spec.data.size == size);
    }
    Session s = fresh_session();
    nl::app::apply(s, act::SetDataSize{7});
    CHECK(s.notice.has_value());
    CHECK(s.spec.data.size == default_spec().data.size);
    const Result<Action> codec = action_from_json(json{{"type", "set_data_size"}, {"size", 7}});
    REQUIRE_FALSE(codec.ok());
    CHECK(codec.error().message.find("data.size") != std::string::npos);
  }
  SECTION("the state importer's list of panels names every panel, studies included") {
    Session s = fresh_session();
    json doc = state_to_json(s, false);
    doc["view"]["panel"] = "nowhere";
    const Status st = import_state_json(s, doc.dump());
    REQUIRE_FALSE(st.ok());
    for (const auto& name : enum_names<Panel>()) CHECK(st.error().message.find(name) != std::string::npos);
  }
  SECTION("settings files refuse networks beyond the playground's limits, naming the key") {
    const auto wide = settings_from_json_text(R"({"net": {"hidden": [{"width": 129}]}})");
    REQUIRE_FALSE(wide.ok());
    CHECK(wide.error().message.find("net.hidden[0].width must be an integer in [1, " +
                                    std::to_string(kMaxLayerWidth) + "]") != std::string::npos);
    json deep = json::array();
    for (int i = 0; i <= kMaxHiddenLayers; ++i) deep.push_back(json::object());
    const auto too_deep = settings_from_json(json{{"net", {{"hidden", deep}}}});
    REQUIRE_FALSE(too_deep.ok());
    CHECK(too_deep.error().message.find("at most " + std::to_string(kMaxHiddenLayers)) != std::string::npos);
  }
}

TEST_CASE("settings schema: the README's reference table is the generated one", "[app][schema]") {
  std::ifstream in(std::string(NL_TEST_DATA_DIR) + "/../README.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const auto begin = readme.find(kSettingsReferenceBegin);
  const auto end = readme.find(kSettingsReferenceEnd);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  const std::size_t from = begin + std::string(kSettingsReferenceBegin).size() + 1;  // after the newline
  const std::string committed = readme.substr(from, end - from);
  INFO("regenerate the table with: build/native-release/src/tools/cli/normlab-cli reference");
  CHECK(committed == settings_reference_markdown());
}

TEST_CASE("settings schema: every field with a link key is a link key, once", "[app][schema]") {
  const std::vector<std::string> keys = url_state_keys();
  for (const Field* f : numeric_fields()) {
    if (f->url.empty()) continue;
    CHECK(std::count(keys.begin(), keys.end(), std::string(f->url)) == 1);
  }
}

}  // namespace
}  // namespace nl::app
