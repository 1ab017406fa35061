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

namespace nl::app {

namespace {

// Applies a step's actions, then shows the panel it names.
void enter_step(Session& s, const Lesson& lesson, int step) {
  const LessonStep& st = lesson.steps[static_cast<std::size_t>(step - 1)];
  for (const Action& a : st.actions) apply(s, a);
  if (st.panel) apply(s, act::ShowPanel{*st.panel});
  s.lesson.step = step;
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
  for (int k = 1; k <= step; ++k) enter_step(s, lesson, k);
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
  replay_to(s, *l, 1);
}

void apply_lesson(Session& s, const act::LessonNext&) {
  const Lesson* l = open_lesson(s);
  if (!l || s.lesson.step >= s.lesson.count) return;
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
  return false;
}

nlohmann::json lesson_progress_json(const Session& s) {
  nlohmann::json j;
  const Lesson* l = s.lesson.open() ? find_lesson(s.lesson.id) : nullptr;
  if (!l || s.lesson.step < 1 || s.lesson.step > static_cast<int>(l->steps.size())) {
    j["id"] = nullptr;
    return j;
  }
  const LessonStep& st = l->steps[static_cast<std::size_t>(s.lesson.step - 1)];
  nlohmann::json try_done = nullptr;
  if (st.try_it && st.try_it->check) try_done = lesson_check_holds(s, *st.try_it->check);
  j["id"] = l->id;
  j["title"] = l->title;
  j["step"] = s.lesson.step;
  j["count"] = s.lesson.count;
  j["try_done"] = try_done;
  j["done"] = s.lesson.step == s.lesson.count && (try_done.is_null() || try_done.get<bool>());
  return j;
}

}  // namespace nl::app
