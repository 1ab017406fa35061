// Screen-reader announcements (announce.h): plain sentences built from the session and, on
// the inspector panel, from inspector_model() — the same numbers the panel draws.
#include "app/announce.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "app/inspector.h"

namespace nl::app {

namespace {

std::string panel_title(Panel p) {
  switch (p) {
    case Panel::kData: return "Data and decision boundary panel.";
    case Panel::kNetwork: return "Network panel.";
    case Panel::kInspector: return "BN inspector panel.";
    case Panel::kBackprop: return "Backprop panel.";
    case Panel::kWhyBnHelps: return "Why BN helps panel.";
    default: return std::string(panel_name(p)) + " panel.";  // panels added later
  }
}

// Words for each stage, and the formula with the followed sample's numbers.
const char* stage_words(InspectorStage s) {
  switch (s) {
    case InspectorStage::kRaw: return "raw input x";
    case InspectorStage::kMean: return "batch mean";
    case InspectorStage::kCentred: return "centring";
    case InspectorStage::kVariance: return "batch variance";
    case InspectorStage::kNormalized: return "normalization";
    case InspectorStage::kAffine: return "scale and shift";
    case InspectorStage::kRunning: return "running statistics update";
    case InspectorStage::kEval: return "eval path";
  }
  return "";
}

float at(const std::vector<float>& v, int i) {
  return i >= 0 && static_cast<std::size_t>(i) < v.size() ? v[static_cast<std::size_t>(i)] : NAN;
}

std::string formula(const InspectorModel& m, InspectorStage stage) {
  const std::string n = std::to_string(m.batch.size());
  const std::string i = std::to_string(m.sample);
  const auto num = [](double v) { return speak_number(v); };
  switch (stage) {
    case InspectorStage::kRaw:
      return "x_" + i + " = " + num(at(m.x, m.sample)) + ", sample " + i + " of a batch of " + n + ".";
    case InspectorStage::kMean:
      return "μ_B = (1/m) Σ x_i = " + num(m.mean) + " over a batch of m = " + n + ".";
    case InspectorStage::kCentred:
      return "x_" + i + " − μ_B = " + num(at(m.x, m.sample)) + " − " + num(m.mean) + " = " + num(at(m.centred, m.sample)) + ".";
    case InspectorStage::kVariance:
      return "σ²_B = (1/m) Σ (x_i − μ_B)² = " + num(m.var) + " (biased, over m = " + n + ").";
    case InspectorStage::kNormalized:
      return "x̂_" + i + " = (x_" + i + " − μ_B) / √(σ²_B + ε) = " + num(at(m.centred, m.sample)) + " / √(" +
             num(m.var) + " + " + num(m.eps) + ") = " + num(at(m.xhat, m.sample)) + ".";
    case InspectorStage::kAffine:
      return "y_" + i + " = γ x̂_" + i + " + β = " + num(m.gamma) + " × " + num(at(m.xhat, m.sample)) + " + " +
             num(m.beta) + " = " + num(at(m.y, m.sample)) + ".";
    case InspectorStage::kRunning:
      if (!m.tracks_running) return "This layer does not track running statistics.";
      return "running mean = (1 − f) × " + num(m.running_mean_before) + " + f × μ_B = " + num(m.running_mean_after) +
             ", running variance = (1 − f) × " + num(m.running_var_before) + " + f × " + num(m.unbiased_var) + " = " +
             num(m.running_var_after) + ", with f = " + num(m.momentum) + ".";
    case InspectorStage::kEval:
      return "eval: x̂_" + i + " = (x_" + i + " − running mean) / √(running variance + ε) = (" + num(at(m.x_eval, m.sample)) +
             " − " + num(m.eval_mean) + ") / √(" + num(m.eval_var) + " + " + num(m.eps) + ") = " +
             num(at(m.xhat_eval, m.sample)) + ".";
  }
  return "";
}

std::string percent(float v) {
  if (!std::isfinite(v)) return "undefined";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * static_cast<double>(v));
  return buf;
}

std::string training_status(const Session& s) {
  const StepMetrics& m = s.exp().metrics();
  if (s.exp().diverged()) return "Training stopped: the run diverged at step " + std::to_string(m.step) + ".";
  if (s.playing) return "Training is running.";
  std::string t = "Training paused at step " + std::to_string(m.step) + ".";
  if (m.step > 0) {
    t += " Train loss " + speak_number(m.train_loss) + ", test accuracy " + percent(m.test_accuracy) + ".";
  }
  return t;
}

}  // namespace

std::string speak_number(double v) {
  if (!std::isfinite(v)) return "undefined";
  if (v == 0.0) return "0";  // also −0
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string Announcement::text() const {
  std::string t;
  for (const std::string* part : {&panel, &stage, &formula, &training, &notice}) {
    if (part->empty()) continue;
    if (!t.empty()) t += ' ';
    t += *part;
  }
  return t;
}

Announcement announce(const Session& s) {
  Announcement a;
  a.panel = panel_title(s.view.panel);
  if (s.view.panel == Panel::kInspector) {
    const InspectorModel m = inspector_model(s);
    if (!m.ok) {
      a.stage = m.message;
    } else {
      const InspectorStage stage = s.inspector.stage;
      a.stage = "Stage " + std::to_string(static_cast<int>(stage) + 1) + " of " + std::to_string(kInspectorStageCount) +
                ": " + stage_words(stage) + ", layer " + std::to_string(m.layer + 1) + ", feature " +
                std::to_string(m.feature) + ".";
      a.formula = formula(m, stage);
    }
  }
  a.training = training_status(s);
  if (s.notice) a.notice = "Note: " + s.notice->message;
  return a;
}

bool Announcer::update(const Session& s) {
  // Cheap key: everything the text depends on except numbers that change while playing.
  const StepMetrics& m = s.exp().metrics();
  std::string key = std::to_string(static_cast<int>(s.view.panel)) + '|' + (s.playing ? "p" : std::to_string(m.step)) +
                    '|' + (s.exp().diverged() ? "d" : "") + '|' + (s.notice ? s.notice->message : std::string());
  if (s.view.panel == Panel::kInspector) {
    key += '|' + std::to_string(s.inspector.layer) + ',' + std::to_string(s.inspector.feature) + ',' +
           std::to_string(s.inspector.sample) + ',' + std::to_string(static_cast<int>(s.inspector.stage)) + ',' +
           (s.playing ? std::string() : std::to_string(s.model_version));
  }
  if (key == key_) return false;
  key_ = std::move(key);
  std::string text = announce(s).text();
  if (text == text_) return false;
  text_ = std::move(text);
  return true;
}

}  // namespace nl::app
