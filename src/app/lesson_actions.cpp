// Lesson actions: opening, stepping, replaying; try-it checks; the progress JSON; the weight
// scaling of lesson 8 with its before/after measurement.
// Not here: parsing lessons (lesson.cpp), drawing them (ui/lesson_view.cpp).
#include "app/lesson_actions.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "app/action_json.h"  // enum_to_name
#include "app/actions.h"
#include "app/lesson.h"
#include "app/settings_json.h"
#include "app/study.h"
#include "app/study_actions.h"

namespace nl::app {

namespace {

// Applies a step's actions, then shows the panel it names. A step that asks for a prediction
// the learner has not locked yet keeps its actions for act::LessonPredictChoice
// (`defer_unpredicted`: the step being entered; steps replayed on the way there run).
void enter_step(Session& s, const Lesson& lesson, int step, bool defer_unpredicted = true) {
  const LessonStep& st = lesson.steps[static_cast<std::size_t>(step - 1)];
  const bool deferred = defer_unpredicted && st.predict && !s.lesson.predictions.count(step);
  if (!deferred)
    for (const Action& a : st.actions) apply(s, a);
  if (st.panel) apply(s, act::ShowPanel{*st.panel});
  s.lesson.step = step;
  // The checks start over; apply() runs update_lesson_try next, which arms the first check
  // only if it does not hold already.
  s.lesson.try_passed = 0;
  s.lesson.try_armed = false;
}

const LessonStep* open_step(const Session& s, const Lesson** lesson = nullptr) {
  const Lesson* l = s.lesson.open() ? find_lesson(s.lesson.id) : nullptr;
  if (!l || s.lesson.step < 1 || s.lesson.step > static_cast<int>(l->steps.size())) return nullptr;
  if (lesson) *lesson = l;
  return &l->steps[static_cast<std::size_t>(s.lesson.step - 1)];
}

// Whether `seed` is one the lesson's own actions (preset and steps up to the open one) ran
// `kind` with: results of those are the lesson's, not the learner's.
bool lesson_ran(const Session& s, StudyKind kind, std::uint64_t seed) {
  const Lesson* l = nullptr;
  if (!open_step(s, &l)) return false;
  const auto ran = [&](const std::vector<Action>& actions) {
    return std::any_of(actions.begin(), actions.end(), [&](const Action& a) {
      const auto* r = std::get_if<act::RunStudy>(&a);
      return r && r->kind == kind && r->seed == seed;
    });
  };
  if (ran(l->preset_actions)) return true;
  for (int k = 0; k < s.lesson.step; ++k)
    if (ran(l->steps[static_cast<std::size_t>(k)].actions)) return true;
  return false;
}

// The lesson's starting point: its settings freshly built (same weights every time), the
// default view (theme kept), paused, no edited points, then the preset's panel and actions.
void apply_preset(Session& s, const Lesson& lesson) {
  s.playing = false;
  s.user_data.reset();
  s.stop = StopCondition{};
  s.steps_per_frame = 1;
  const Theme theme = s.view.theme;
  s.view = ViewState{};
  s.view.theme = theme;
  s.notice.reset();
  apply(s, act::SetSpec{lesson.spec});  // always rebuilds: fresh weights from the spec's seeds
  s.inspector = InspectorState{};
  s.lesson.scale.reset();
  s.view.panel = lesson.panel;
  for (const Action& a : lesson.preset_actions) apply(s, a);
}

// Replays the preset and steps 1..step.
void replay_to(Session& s, const Lesson& lesson, int step) {
  apply_preset(s, lesson);
  for (int k = 1; k <= step; ++k) enter_step(s, lesson, k, k == step);
}

const Lesson* open_lesson(Session& s) {
  if (!s.lesson.open()) {
    set_notice(s, "No lesson is open.", "Open one from the Lessons list.");
    return nullptr;
  }
  const Lesson* l = find_lesson(s.lesson.id);
  if (!l) set_notice(s, "The lesson \"" + s.lesson.id + "\" is not available.");
  return l;
}

// Training-mode forward and backward of the first batch_size training points on a copy.
struct Probe {
  Matrix output;  // (width, N) the hidden layer's output (after its norm and activation)
  float grad_norm = 0.0f, weight_norm = 0.0f, loss = 0.0f;
  bool ok = false;
};

Probe probe_layer(const Session& s, int layer) {
  Probe p;
  Network net = s.exp().network();
  const Dataset& data = s.exp().dataset();
  const Index n = std::min<Index>(std::max(2, s.spec.batch_size), data.x_train.cols());
  if (n < 2) return p;
  const Matrix x = data.x_train.leftCols(n);
  const std::vector<int> labels(data.y_train.begin(), data.y_train.begin() + n);
  net.set_training(true);
  Result<float> loss = net.train_batch(x, labels);
  if (!loss.ok()) return p;
  const HiddenLayerInfo& info = net.hidden()[static_cast<std::size_t>(layer)];
  const int last = std::max({info.linear, info.norm, info.activation});
  p.output = net.outputs()[static_cast<std::size_t>(last)];
  const auto& lin = std::get<Linear>(net.layers()[static_cast<std::size_t>(info.linear)]);
  p.grad_norm = lin.dweight.norm();
  p.weight_norm = lin.weight.norm();
  p.loss = *loss;
  p.ok = true;
  return p;
}

template <class Norm>
void scale_running(Norm& bn, float a) {
  if (bn.running_mean.size() == 0) return;
  bn.running_mean *= a;
  bn.running_var *= a * a;
}

}  // namespace

void apply_lesson(Session& s, const act::OpenLesson& a) {
  const Lesson* l = find_lesson(a.id);
  if (!l) {
    std::string list;
    for (const Lesson& x : lesson_catalog()) list += (list.empty() ? "" : ", ") + x.id;
    set_notice(s, "There is no lesson \"" + a.id.substr(0, 64) + "\".", "Lessons: " + list + ".");
    return;
  }
  s.lesson.id = l->id;
  s.lesson.count = static_cast<int>(l->steps.size());
  s.lesson.catalog_open = false;
  s.lesson.predictions.clear();
  replay_to(s, *l, 1);
}

void apply_lesson(Session& s, const act::LessonNext&) {
  const Lesson* l = open_lesson(s);
  if (!l || s.lesson.step >= s.lesson.count) return;
  if (lesson_prediction_pending(s)) {
    set_notice(s, "Make your prediction first.", "Pick one of the answers: it locks, then the experiment runs.");
    return;
  }
  enter_step(s, *l, s.lesson.step + 1);
}

void apply_lesson(Session& s, const act::LessonBack&) {
  const Lesson* l = open_lesson(s);
  if (!l || s.lesson.step <= 1) return;
  replay_to(s, *l, s.lesson.step - 1);
}

void apply_lesson(Session& s, const act::LessonGoTo& a) {
  const Lesson* l = open_lesson(s);
  if (!l) return;
  if (a.step < 1 || a.step > s.lesson.count) {
    set_notice(s, "This lesson has steps 1 to " + std::to_string(s.lesson.count) + ", not " + std::to_string(a.step) + ".");
    return;
  }
  replay_to(s, *l, a.step);
}

void apply_lesson(Session& s, const act::CloseLesson&) {
  s.lesson.id.clear();
  s.lesson.step = 0;
  s.lesson.count = 0;
}

void apply_lesson(Session& s, const act::ShowLessonCatalog& a) { s.lesson.catalog_open = a.open; }

void apply_lesson(Session& s, const act::ScaleLayerWeights& a) {
  const int layers = static_cast<int>(s.spec.net.hidden.size());
  if (a.layer < 0 || a.layer >= layers) {
    set_notice(s, "No hidden layer " + std::to_string(a.layer + 1) + " to scale.");
    return;
  }
  if (!std::isfinite(a.factor) || a.factor < 1e-3f || a.factor > 1e3f) {
    set_notice(s, "The scale factor must be between 0.001 and 1000.");
    return;
  }
  {
    const Network& net = s.exp().network();
    const auto& lin = std::get<Linear>(net.layers()[static_cast<std::size_t>(net.hidden()[static_cast<std::size_t>(a.layer)].linear)]);
    const float largest = std::max(lin.weight.cwiseAbs().maxCoeff(), lin.bias.size() ? lin.bias.cwiseAbs().maxCoeff() : 0.0f);
    if (!(largest * a.factor <= 1e6f)) {  // repeated scaling would overflow float on the way to inf
      set_notice(s, "Scaling again would make layer " + std::to_string(a.layer + 1) + "'s weights larger than 10⁶.",
                 "Scale it down, or press Reset.");
      return;
    }
  }
  ScaleRecord r;
  r.layer = a.layer;
  r.factor = a.factor;
  const Probe before = probe_layer(s, a.layer);

  Network& net = s.exp().network();
  const HiddenLayerInfo& info = net.hidden()[static_cast<std::size_t>(a.layer)];
  auto& lin = std::get<Linear>(net.layers()[static_cast<std::size_t>(info.linear)]);
  lin.weight *= a.factor;
  lin.bias *= a.factor;
  if (info.norm == info.linear + 1) {  // the norm sees the scaled Linear output directly
    Layer& norm = net.layers()[static_cast<std::size_t>(info.norm)];
    if (auto* bn = std::get_if<BatchNorm>(&norm)) {
      scale_running(*bn, a.factor);
      r.has_batchnorm = true;
    } else if (auto* rn = std::get_if<BatchRenorm>(&norm)) {
      scale_running(rn->bn, a.factor);
      r.has_batchnorm = true;
    }
  }
  ++s.model_version;

  const Probe after = probe_layer(s, a.layer);
  if (before.ok && after.ok) {
    r.output_max_diff = (after.output - before.output).cwiseAbs().maxCoeff();
    r.output_max_abs = before.output.cwiseAbs().maxCoeff();
    r.grad_norm_before = before.grad_norm;
    r.grad_norm_after = after.grad_norm;
    r.weight_norm_before = before.weight_norm;
    r.weight_norm_after = after.weight_norm;
    r.loss_before = before.loss;
    r.loss_after = after.loss;
  }
  s.lesson.scale = r;
}

void apply_lesson(Session& s, const act::LessonPredictChoice& a) {
  const Lesson* l = open_lesson(s);
  if (!l) return;
  const LessonStep& st = l->steps[static_cast<std::size_t>(s.lesson.step - 1)];
  if (!st.predict) {
    set_notice(s, "This step does not ask for a prediction.");
    return;
  }
  if (s.lesson.predictions.count(s.lesson.step)) {
    set_notice(s, "Your prediction for this step is locked.", "Go on to see how it compares.");
    return;
  }
  if (a.choice < 0 || a.choice >= static_cast<int>(st.predict->choices.size())) {
    set_notice(s, "This question has choices 1 to " + std::to_string(st.predict->choices.size()) + ".");
    return;
  }
  s.lesson.predictions[s.lesson.step] = a.choice;
  for (const Action& action : st.actions) apply(s, action);  // now the experiment runs
}

bool lesson_prediction_pending(const Session& s) {
  const LessonStep* st = open_step(s);
  return st && st->predict && !s.lesson.predictions.count(s.lesson.step);
}

bool lesson_prediction_revealed(const Session& s) {
  const LessonStep* st = open_step(s);
  return st && st->predict && s.lesson.predictions.count(s.lesson.step) && !s.study.running;
}

bool lesson_check_holds(const Session& s, const LessonCheck& c) {
  const auto is = [&](const auto& value) { return c.equals.is_string() && c.equals.get<std::string>() == enum_to_name(value); };
  const bool want = c.equals.is_boolean() ? c.equals.get<bool>() : true;
  if (c.kind == "setting") {
    const nlohmann::json settings = settings_to_json(s.spec);
    const nlohmann::json::json_pointer ptr(c.pointer);
    if (!settings.contains(ptr)) return false;
    const nlohmann::json& v = settings.at(ptr);
    if (v.is_number()) {
      const double x = v.get<double>();
      if (c.at_least && x < *c.at_least) return false;
      if (c.at_most && x > *c.at_most) return false;
      if (c.equals.is_number()) {
        const double e = c.equals.get<double>();
        return std::abs(x - e) <= 1e-6 * std::max(1.0, std::abs(e));  // float settings vs decimal text
      }
      return true;
    }
    return c.equals.is_null() ? false : v == c.equals;
  }
  if (c.kind == "step_at_least") return s.exp().metrics().step >= c.equals.get<std::int64_t>();
  if (c.kind == "panel") return is(s.view.panel);
  if (c.kind == "inspector_stage") return is(s.inspector.stage);
  if (c.kind == "backprop_step") return is(s.inspector.backprop_step);
  if (c.kind == "why_view") return is(s.view.why_view);
  if (c.kind == "inspector_eval") return s.inspector.eval_view == want;
  if (c.kind == "grad_checked") return s.inspector.grad_check.has_value() == want;
  if (c.kind == "notice") return s.notice.has_value() == want;
  if (c.kind == "scaled") return s.lesson.scale.has_value() == want;
  if (c.kind == "scaled_by")  // the last act::ScaleLayerWeights used this factor
    return s.lesson.scale && std::abs(s.lesson.scale->factor - c.equals.get<double>()) <= 1e-6 * c.equals.get<double>();
  if (c.kind == "diverged") return s.exp().diverged() == want;
  if (c.kind == "study_rerun") {
    const auto kind = parse_study(c.equals.get<std::string>());
    const auto it = kind ? s.study.results.find(*kind) : s.study.results.end();
    return it != s.study.results.end() && !lesson_ran(s, *kind, it->second.params.seed);
  }
  const auto holds = [&](const LessonCheck& part) { return lesson_check_holds(s, part); };
  if (c.kind == "all") return std::all_of(c.parts.begin(), c.parts.end(), holds);
  if (c.kind == "any") return std::any_of(c.parts.begin(), c.parts.end(), holds);
  return false;
}

void update_lesson_try(Session& s) {
  const LessonStep* st = open_step(s);
  if (!st || !st->try_it) return;
  const std::vector<LessonCheck>& checks = st->try_it->checks;
  // A loop, not an if: after one check passes, the next is looked at in the same call (it
  // arms at once if it does not hold yet).
  while (s.lesson.try_passed < static_cast<int>(checks.size())) {
    const bool holds = lesson_check_holds(s, checks[static_cast<std::size_t>(s.lesson.try_passed)]);
    if (!holds) {
      s.lesson.try_armed = true;
      return;
    }
    if (!s.lesson.try_armed) return;  // already true when it became the next check
    ++s.lesson.try_passed;
    s.lesson.try_armed = false;
  }
}

bool lesson_try_done(const Session& s) {
  const LessonStep* st = open_step(s);
  return st && st->try_it && !st->try_it->checks.empty() &&
         s.lesson.try_passed >= static_cast<int>(st->try_it->checks.size());
}

nlohmann::json lesson_progress_json(const Session& s) {
  nlohmann::json j;
  const Lesson* l = nullptr;
  const LessonStep* st = open_step(s, &l);
  if (!st) {
    j["id"] = nullptr;
    return j;
  }
  const int try_count = st->try_it ? static_cast<int>(st->try_it->checks.size()) : 0;
  nlohmann::json try_done = nullptr;
  if (try_count > 0) try_done = lesson_try_done(s);
  j["id"] = l->id;
  j["title"] = l->title;
  j["step"] = s.lesson.step;
  j["count"] = s.lesson.count;
  j["try_done"] = try_done;
  j["try_passed"] = std::min(s.lesson.try_passed, try_count);
  j["try_count"] = try_count;
  j["done"] = s.lesson.step == s.lesson.count && (try_done.is_null() || try_done.get<bool>());
  j["predict_pending"] = lesson_prediction_pending(s);
  nlohmann::json predictions = nlohmann::json::array();
  for (const auto& [step, choice] : s.lesson.predictions) {
    if (step < 1 || step > static_cast<int>(l->steps.size())) continue;
    const auto& p = l->steps[static_cast<std::size_t>(step - 1)].predict;
    if (!p || choice < 0 || choice >= static_cast<int>(p->choices.size())) continue;
    // The answer is part of the event once the step's experiment finished (or the learner
    // moved past the step), as the strip shows it.
    const bool revealed = step < s.lesson.step || (step == s.lesson.step && lesson_prediction_revealed(s));
    predictions.push_back({{"step", step},
                           {"question", p->question},
                           {"choice", choice},
                           {"chosen", p->choices[static_cast<std::size_t>(choice)]},
                           {"answer", revealed ? nlohmann::json(p->answer) : nlohmann::json()},
                           {"correct", revealed ? nlohmann::json(choice == p->answer) : nlohmann::json()},
                           {"revealed", revealed}});
  }
  j["predictions"] = std::move(predictions);
  return j;
}

}  // namespace nl::app
