// Lesson files -> Lesson values: schema checks with the offending key's path in every
// message, settings merged onto default_spec(), actions through the action JSON codec.
// Not here: applying lessons (lesson_actions.cpp), the embedded texts (generated
// lesson_files.cpp, see src/app/CMakeLists.txt).
#include "app/lesson.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "app/action_json.h"
#include "app/settings_json.h"
#include "app/study.h"

namespace nl::app {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxText = 4000;    // characters of a step's text
constexpr std::size_t kMaxTitle = 120;
constexpr std::size_t kMaxChoiceText = 4 * kMaxTitle;  // a prediction's question or one of its choices
constexpr std::size_t kMaxSteps = 60;
constexpr std::size_t kMaxActions = 40;

Error err(const std::string& where, const std::string& message, const std::string& hint = {}) {
  return Error{where.empty() ? message : where + ": " + message,
               hint.empty() ? "See assets/lessons/README.md for the lesson format." : hint};
}

// Every key of `j` must be in `allowed`.
std::optional<Error> only_keys(const json& j, const std::string& where, std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : j.items()) {
    (void)value;
    bool ok = false;
    std::string list;
    for (const char* a : allowed) {
      ok = ok || key == a;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    if (!ok)
      return err(where, "unknown key \"" + key + "\"", "Allowed here: " + list + ".");
  }
  return std::nullopt;
}

std::string path_of(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

Result<std::string> text_field(const json& j, const std::string& where, const char* key, bool required,
                               std::size_t max_len) {
  if (!j.contains(key)) {
    if (required) return err(path_of(where, key), "is missing");
    return std::string();
  }
  const json& v = j.at(key);
  if (!v.is_string()) return err(path_of(where, key), "must be a string");
  std::string s = v.get<std::string>();
  if (required && s.empty()) return err(path_of(where, key), "must not be empty");
  if (s.size() > max_len) return err(path_of(where, key), "is longer than " + std::to_string(max_len) + " bytes");
  return s;
}

// Lesson steps may not move through lessons themselves (no recursion, no surprises).
bool is_lesson_navigation(const Action& a) {
  return std::holds_alternative<act::OpenLesson>(a) || std::holds_alternative<act::LessonNext>(a) ||
         std::holds_alternative<act::LessonBack>(a) || std::holds_alternative<act::LessonGoTo>(a) ||
         std::holds_alternative<act::CloseLesson>(a) || std::holds_alternative<act::ShowLessonCatalog>(a) ||
         std::holds_alternative<act::LessonPredictChoice>(a);  // the learner's to make
}

Result<std::vector<Action>> parse_actions(const json& j, const std::string& where) {
  if (!j.is_array()) return err(where, "must be an array of actions like {\"type\": \"step\", \"count\": 10}");
  if (j.size() > kMaxActions) return err(where, "has more than " + std::to_string(kMaxActions) + " actions");
  std::vector<Action> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    Result<Action> a = action_from_json(j[i]);
    if (!a.ok()) return err(at, a.error().message, a.error().hint);
    if (is_lesson_navigation(*a)) return err(at, "a lesson cannot open, close or move through lessons");
    out.push_back(std::move(*a));
  }
  return out;
}

template <class E>
Result<E> enum_field(const json& v, const std::string& where) {
  if (!v.is_string()) return err(where, "must be one of " + enum_choices<E>());
  const auto e = enum_from_name<E>(v.get<std::string>());
  if (!e) return err(where, "\"" + v.get<std::string>() + "\" is not one of " + enum_choices<E>());
  return *e;
}

// "net.hidden[1].width" -> "/net/hidden/1/width"; "" if malformed.
std::string pointer_of(const std::string& path) {
  std::string out = "/";
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.') {
      out += '/';
    } else if (c == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string::npos || close == i + 1) return {};
      const std::string index = path.substr(i + 1, close - i - 1);
      if (index.find_first_not_of("0123456789") != std::string::npos) return {};
      out += '/' + index;
      i = close;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      out += c;
    } else {
      return {};
    }
  }
  return out.size() > 1 ? out : std::string();
}

Result<LessonCheck> parse_check(const json& j, const std::string& where, const ExperimentSpec& spec, int depth = 0) {
  if (!j.is_object()) return err(where, "must be an object like {\"setting\": \"batch_size\", \"equals\": 1}");
  static const std::vector<std::string> kKinds = {
      "setting",        "step_at_least", "panel",  "inspector_stage", "backprop_step", "why_view",
      "inspector_eval", "grad_checked",  "notice", "scaled",          "scaled_by",     "diverged",
      "study_rerun",    "all",           "any"};
  static const std::string kKindList = [] {
    std::string out;
    for (const std::string& k : kKinds) out += (out.empty() ? "" : ", ") + k;
    return out + ".";
  }();
  LessonCheck c;
  int found = 0;
  for (const std::string& k : kKinds)
    if (j.contains(k)) {
      c.kind = k;
      ++found;
    }
  if (found != 1) return err(where, "needs exactly one condition", "One of: " + kKindList);
  const json& v = j.at(c.kind);
  const std::string at = path_of(where, c.kind);
  if (c.kind == "setting") {
    if (auto e = only_keys(j, where, {"setting", "equals", "at_least", "at_most"})) return *e;
    if (!v.is_string()) return err(at, "must be a settings path like \"optimizer.learning_rate\"");
    c.path = v.get<std::string>();
    c.pointer = pointer_of(c.path);
    const json settings = settings_to_json(spec);
    if (c.pointer.empty() || !settings.contains(json::json_pointer(c.pointer)))
      return err(at, "\"" + c.path + "\" is not a setting of this lesson's network",
                 "Paths follow settings_json.h: data.noise, net.hidden[0].width, optimizer.learning_rate, batch_size.");
    const json& current = settings.at(json::json_pointer(c.pointer));
    for (const char* bound : {"at_least", "at_most"}) {
      if (!j.contains(bound)) continue;
      if (!j.at(bound).is_number() || !current.is_number())
        return err(path_of(where, bound), "needs a numeric setting and a number");
      (std::string(bound) == "at_least" ? c.at_least : c.at_most) = j.at(bound).get<double>();
    }
    if (j.contains("equals")) {
      const json& eq = j.at("equals");
      const bool same_type = (eq.is_number() && current.is_number()) || (eq.is_string() && current.is_string()) ||
                             (eq.is_boolean() && current.is_boolean()) || (eq.is_null() && current.is_null());
      if (!same_type) return err(path_of(where, "equals"), "has a different type than " + c.path);
      c.equals = eq;
    } else if (!c.at_least && !c.at_most) {
      return err(where, "a setting check needs equals, at_least or at_most");
    }
    return c;
  }
  if (auto e = only_keys(j, where, {c.kind.c_str()})) return *e;
  if (c.kind == "all" || c.kind == "any") {
    constexpr std::size_t kMaxParts = 8;
    constexpr int kMaxDepth = 2;  // e.g. an any inside an all
    if (depth >= kMaxDepth) return err(at, "nests all/any too deep (two levels at most)");
    if (!v.is_array() || v.empty() || v.size() > kMaxParts)
      return err(at, "must be a list of 1 to " + std::to_string(kMaxParts) + " conditions");
    for (std::size_t i = 0; i < v.size(); ++i) {
      auto part = parse_check(v[i], at + "[" + std::to_string(i) + "]", spec, depth + 1);
      if (!part.ok()) return part.error();
      c.parts.push_back(std::move(*part));
    }
    return c;
  }
  if (c.kind == "step_at_least") {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 1000000)
      return err(at, "must be a step count in [1, 1000000]");
  } else if (c.kind == "panel") {
    if (auto p = enum_field<Panel>(v, at); !p.ok()) return p.error();
  } else if (c.kind == "inspector_stage") {
    if (auto p = enum_field<InspectorStage>(v, at); !p.ok()) return p.error();
  } else if (c.kind == "backprop_step") {
    if (auto p = enum_field<BackpropStep>(v, at); !p.ok()) return p.error();
  } else if (c.kind == "why_view") {
    if (auto p = enum_field<WhyView>(v, at); !p.ok()) return p.error();
  } else if (c.kind == "scaled_by") {
    if (!v.is_number() || !(v.get<double>() >= 1e-3 && v.get<double>() <= 1e3))
      return err(at, "must be a scale factor in [0.001, 1000]");
  } else if (c.kind == "study_rerun") {
    if (auto p = enum_field<StudyKind>(v, at); !p.ok()) return p.error();
  } else if (!v.is_boolean()) {
    return err(at, "must be true or false");
  }
  c.equals = v;
  return c;
}

Result<LessonPredict> parse_predict(const json& j, const std::string& where) {
  constexpr std::size_t kMinChoices = 2, kMaxChoices = 5;  // act::LessonPredictChoice's codec allows 0..4
  if (!j.is_object())
    return err(where, "must be an object like {\"question\": \"...\", \"choices\": [\"a\", \"b\"], "
                      "\"answer\": 0, \"outcome\": \"...\"}");
  if (auto e = only_keys(j, where, {"question", "choices", "answer", "outcome"})) return *e;
  LessonPredict p;
  auto question = text_field(j, where, "question", true, kMaxChoiceText);
  if (!question.ok()) return question.error();
  p.question = *question;
  auto outcome = text_field(j, where, "outcome", true, kMaxText);
  if (!outcome.ok()) return outcome.error();
  p.outcome = *outcome;
  const std::string choices_at = path_of(where, "choices");
  if (!j.contains("choices") || !j.at("choices").is_array() || j.at("choices").size() < kMinChoices ||
      j.at("choices").size() > kMaxChoices)
    return err(choices_at, "must be a list of " + std::to_string(kMinChoices) + " to " + std::to_string(kMaxChoices) +
                               " choices");
  for (std::size_t i = 0; i < j.at("choices").size(); ++i) {
    const json& c = j.at("choices")[i];
    const std::string at = choices_at + "[" + std::to_string(i) + "]";
    if (!c.is_string() || c.get<std::string>().empty() || c.get<std::string>().size() > kMaxChoiceText)
      return err(at, "must be a non-empty text of at most " + std::to_string(kMaxChoiceText) + " bytes");
    p.choices.push_back(c.get<std::string>());
  }
  const std::string answer_at = path_of(where, "answer");
  if (!j.contains("answer") || !j.at("answer").is_number_integer() || j.at("answer").get<std::int64_t>() < 0 ||
      j.at("answer").get<std::int64_t>() >= static_cast<std::int64_t>(p.choices.size()))
    return err(answer_at, "must be the index of one of the choices (0 to " + std::to_string(p.choices.size() - 1) + ")");
  p.answer = j.at("answer").get<int>();
  return p;
}

bool control_name_ok(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) { return ch > 32 && ch < 127; });
}

Result<LessonStep> parse_step(const json& j, const std::string& where, const ExperimentSpec& spec) {
  if (!j.is_object()) return err(where, "must be an object with text, actions, look and try");
  if (auto e = only_keys(j, where, {"title", "text", "actions", "look", "readout", "try", "predict"})) return *e;
  LessonStep step;
  auto title = text_field(j, where, "title", false, kMaxTitle);
  if (!title.ok()) return title.error();
  step.title = *title;
  auto text = text_field(j, where, "text", true, kMaxText);
  if (!text.ok()) return text.error();
  step.text = *text;
  if (j.contains("actions")) {
    auto actions = parse_actions(j.at("actions"), path_of(where, "actions"));
    if (!actions.ok()) return actions.error();
    step.actions = std::move(*actions);
  }
  if (j.contains("look")) {
    const json& look = j.at("look");
    const std::string at = path_of(where, "look");
    if (!look.is_object()) return err(at, "must be an object like {\"panel\": \"inspector\", \"control\": \"inspector:gamma\"}");
    if (auto e = only_keys(look, at, {"panel", "control"})) return *e;
    if (look.contains("panel")) {
      auto p = enum_field<Panel>(look.at("panel"), path_of(at, "panel"));
      if (!p.ok()) return p.error();
      step.panel = *p;
    }
    if (look.contains("control")) {
      const json& c = look.at("control");
      if (!c.is_string() || !control_name_ok(c.get<std::string>()))
        return err(path_of(at, "control"), "must be a control name as the UI records it (\"learning_rate\", \"inspector:gamma\")");
      step.control = c.get<std::string>();
    }
  }
  if (j.contains("readout")) {
    const json& r = j.at("readout");
    const auto& names = lesson_readout_names();
    if (!r.is_string() || std::find(names.begin(), names.end(), r.get<std::string>()) == names.end()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      return err(path_of(where, "readout"), "must be one of " + list);
    }
    step.readout = r.get<std::string>();
  }
  if (j.contains("try")) {
    const json& t = j.at("try");
    const std::string at = path_of(where, "try");
    if (!t.is_object()) return err(at, "must be an object like {\"prompt\": \"...\", \"check\": {...}}");
    if (auto e = only_keys(t, at, {"prompt", "check", "checks"})) return *e;
    LessonTry tr;
    auto prompt = text_field(t, at, "prompt", true, kMaxText);
    if (!prompt.ok()) return prompt.error();
    tr.prompt = *prompt;
    if (t.contains("check") && t.contains("checks")) return err(at, "has both check and checks", "Use one.");
    if (t.contains("check")) {
      auto c = parse_check(t.at("check"), path_of(at, "check"), spec);
      if (!c.ok()) return c.error();
      tr.checks.push_back(std::move(*c));
    }
    if (t.contains("checks")) {
      constexpr std::size_t kMaxChecks = 4;
      const json& list = t.at("checks");
      const std::string list_at = path_of(at, "checks");
      if (!list.is_array() || list.size() < 2 || list.size() > kMaxChecks)
        return err(list_at, "must be a list of 2 to " + std::to_string(kMaxChecks) + " checks, done in order",
                   "For one check, use \"check\".");
      for (std::size_t i = 0; i < list.size(); ++i) {
        auto c = parse_check(list[i], list_at + "[" + std::to_string(i) + "]", spec);
        if (!c.ok()) return c.error();
        tr.checks.push_back(std::move(*c));
      }
    }
    step.try_it = std::move(tr);
  }
  if (j.contains("predict")) {
    auto p = parse_predict(j.at("predict"), path_of(where, "predict"));
    if (!p.ok()) return p.error();
    step.predict = std::move(*p);
  }
  return step;
}

bool id_ok(const std::string& id) {
  // "NN-words-with-dashes"
  if (id.size() < 4 || id.size() > 64 || !std::isdigit(static_cast<unsigned char>(id[0])) ||
      !std::isdigit(static_cast<unsigned char>(id[1])) || id[2] != '-')
    return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

}  // namespace

const std::vector<std::string>& lesson_readout_names() {
  static const std::vector<std::string> names = {"fold", "scale", "train_vs_eval"};
  return names;
}

Result<Lesson> parse_lesson(std::string_view text, std::string_view file_id) {
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return err("", "is not valid JSON", "Check commas, quotes and brackets (a JSON linter shows where).");
  if (!j.is_object()) return err("", "must be a JSON object with id, title, summary, preset and steps");
  if (auto e = only_keys(j, "", {"id", "title", "summary", "preset", "steps"})) return *e;
  Lesson lesson;
  auto id = text_field(j, "", "id", true, 64);
  if (!id.ok()) return id.error();
  lesson.id = *id;
  if (!id_ok(lesson.id)) return err("id", "\"" + lesson.id + "\" must look like 01-what-bn-computes (two digits, a dash, lowercase words)");
  if (!file_id.empty() && lesson.id != file_id)
    return err("id", "\"" + lesson.id + "\" does not match the file name " + std::string(file_id) + ".json");
  auto title = text_field(j, "", "title", true, kMaxTitle);
  if (!title.ok()) return title.error();
  lesson.title = *title;
  auto summary = text_field(j, "", "summary", true, kMaxText);
  if (!summary.ok()) return summary.error();
  lesson.summary = *summary;

  // preset: settings merged onto the defaults, the panel, then actions.
  lesson.spec = default_spec();
  if (j.contains("preset")) {
    const json& p = j.at("preset");
    if (!p.is_object()) return err("preset", "must be an object with settings, panel and actions");
    if (auto e = only_keys(p, "preset", {"settings", "panel", "actions"})) return *e;
    if (p.contains("settings")) {
      const json& s = p.at("settings");
      if (!s.is_object()) return err("preset.settings", "must be a settings object (settings_json.h)");
      json merged = settings_to_json(default_spec());
      merge_settings(merged, s);  // objects merge key by key; arrays (net.hidden) and null replace
      Result<ExperimentSpec> spec = settings_from_json(merged);
      if (!spec.ok()) return err("preset.settings", spec.error().message, spec.error().hint);
      lesson.spec = *spec;
    }
    if (p.contains("panel")) {
      auto panel = enum_field<Panel>(p.at("panel"), "preset.panel");
      if (!panel.ok()) return panel.error();
      lesson.panel = *panel;
    }
    if (p.contains("actions")) {
      auto actions = parse_actions(p.at("actions"), "preset.actions");
      if (!actions.ok()) return actions.error();
      lesson.preset_actions = std::move(*actions);
    }
  }

  if (!j.contains("steps")) return err("steps", "is missing");
  const json& steps = j.at("steps");
  if (!steps.is_array() || steps.empty()) return err("steps", "must be a non-empty array of steps");
  if (steps.size() > kMaxSteps) return err("steps", "has more than " + std::to_string(kMaxSteps) + " steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto step = parse_step(steps[i], "steps[" + std::to_string(i) + "]", lesson.spec);
    if (!step.ok()) return step.error();
    lesson.steps.push_back(std::move(*step));
  }
  return lesson;
}

namespace {

struct Catalog {
  std::vector<Lesson> lessons;
  std::vector<std::string> errors;
};

const Catalog& catalog() {
  static const Catalog c = [] {
    Catalog out;
    std::set<std::string> seen;
    for (const LessonFile& f : lesson_files()) {
      Result<Lesson> l = parse_lesson(f.text, f.id);
      if (!l.ok()) {
        out.errors.push_back(std::string(f.id) + ".json: " + l.error().message);
        continue;
      }
      if (!seen.insert(l->id).second) {
        out.errors.push_back(std::string(f.id) + ".json: id \"" + l->id + "\" is used twice");
        continue;
      }
      out.lessons.push_back(std::move(*l));
    }
    std::sort(out.lessons.begin(), out.lessons.end(), [](const Lesson& a, const Lesson& b) { return a.id < b.id; });
    return out;
  }();
  return c;
}

}  // namespace

const std::vector<Lesson>& lesson_catalog() { return catalog().lessons; }
const std::vector<std::string>& lesson_catalog_errors() { return catalog().errors; }

const Lesson* find_lesson(std::string_view id) {
  for (const Lesson& l : lesson_catalog())
    if (l.id == id) return &l;
  return nullptr;
}

}  // namespace nl::app
