// Classroom mode: the known ids, the action gate (which control an action belongs to, and
// whether it changes a setting), the UI path that refuses, and the classroom actions.
// Not here: drawing (ui/share_view.cpp, ui/classroom_ui.h), URL text (url_state.cpp).
#include "app/classroom_gate.h"

#include <algorithm>
#include <type_traits>

namespace nl::app {

namespace {

// The control ids of classroom.h, in the Share dialog's order (panels follow).
const char* const kClassroomControls[] = {"play", "step",   "reset",     "speed",      "stop",  "dataset",
                                          "data_edit", "view", "network", "norm", "optimizer",
                                          "lr",   "batch_size", "theme", "help", "share"};

template <class T, class... Ts>
constexpr bool one_of = (std::is_same_v<T, Ts> || ...);

// One rule per action type; actions not listed belong to no control and change no setting.
template <class T>
ActionGate gate_for(const T&) {
  using namespace act;
  if constexpr (one_of<T, Play, Pause, TogglePlay>) return {"play", false};
  else if constexpr (one_of<T, Step, StepEpoch>) return {"step", false};
  else if constexpr (one_of<T, Reset>) return {"reset", false};
  else if constexpr (one_of<T, SetSpeed>) return {"speed", false};
  else if constexpr (one_of<T, SetStopCondition>) return {"stop", true};
  else if constexpr (one_of<T, SetDataset, SetNoise, SetDataSize, SetTestFraction, SetDataSeed, Regenerate>)
    return {"dataset", true};
  else if constexpr (one_of<T, AddPoint, RemovePoint>) return {"data_edit", true};
  else if constexpr (one_of<T, SetPointClass>) return {"data_edit", false};
  else if constexpr (one_of<T, SetShowTestPoints, SetDiscretize>) return {"view", false};
  else if constexpr (one_of<T, SetHiddenLayers, SetLayerWidth, SetLayerActivation, SetLayerPlacement, SetInit,
                            SetWeight, SetBnAffine>)
    return {"network", true};
  else if constexpr (one_of<T, SetNormalization, SetLayerNorm, SetNormOptions>) return {"norm", true};
  else if constexpr (one_of<T, SetOptimizer>) return {"optimizer", true};
  else if constexpr (one_of<T, SetLearningRate>) return {"lr", true};
  else if constexpr (one_of<T, SetBatchSize>) return {"batch_size", true};
  else if constexpr (one_of<T, SetTheme>) return {"theme", false};
  else if constexpr (one_of<T, ToggleHelp>) return {"help", false};
  else if constexpr (one_of<T, SetShareOpen, SetShareLink>) return {"share", false};
  // Importing a state or points replaces settings, weights or data: a locked link refuses it.
  else if constexpr (one_of<T, SetSpec, SetClassroom, ImportState, ImportPoints, ScaleLayerWeights>) return {"", true};
  else return {"", false};
}

ActionGate gate_for(const act::ShowPanel& a) { return {std::string("panel:") + panel_name(a.panel), false}; }

}  // namespace

const std::vector<std::string>& classroom_ids() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out(std::begin(kClassroomControls), std::end(kClassroomControls));
    // Every panel panel_name() knows, in enum order (a new panel needs no edit here).
    for (int i = 0; i < 64; ++i) {
      const auto p = static_cast<Panel>(i);
      if (parse_panel(panel_name(p)) != p) break;
      out.push_back(std::string("panel:") + panel_name(p));
    }
    return out;
  }();
  return ids;
}

bool is_classroom_id(const std::string& id) {
  const auto& ids = classroom_ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::vector<std::string> normalized_ids(std::vector<std::string> ids) {
  ids.erase(std::remove_if(ids.begin(), ids.end(), [](const std::string& id) { return !is_classroom_id(id); }),
            ids.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

bool is_hidden(const ClassroomState& c, const std::string& id) {
  return std::binary_search(c.options.hidden.begin(), c.options.hidden.end(), id);
}

Panel first_visible_panel(const ClassroomState& c) {
  for (int i = 0; i < 64; ++i) {
    const auto p = static_cast<Panel>(i);
    if (parse_panel(panel_name(p)) != p) break;
    if (!is_hidden(c, std::string("panel:") + panel_name(p))) return p;
  }
  return Panel::kData;
}

ActionGate gate_of(const Action& action) {
  return std::visit([](const auto& a) { return gate_for(a); }, action);
}

std::string refusal_of(const Session& s, const Action& action) {
  const ActionGate gate = gate_of(action);
  if (!gate.control.empty() && is_hidden(s.classroom, gate.control))
    return "\"" + gate.control + "\" is hidden by this link.";
  if (gate.setting && s.classroom.options.locked) return "Settings are locked by this link.";
  return {};
}

void apply_from_ui(Session& s, const Action& action) {
  const std::string why = refusal_of(s, action);
  if (!why.empty()) {
    s.notice = Notice{why, "The page that embeds NormLab chose this; open NormLab on its own to change it."};
    return;
  }
  apply(s, action);
}

void apply_classroom(Session& s, const act::SetClassroom& a) {
  ClassroomOptions o = a.options;
  o.hidden = normalized_ids(std::move(o.hidden));
  s.classroom.options = std::move(o);
  if (is_hidden(s.classroom, std::string("panel:") + panel_name(s.view.panel)))
    s.view.panel = first_visible_panel(s.classroom);
  if (s.classroom.options.start_paused) s.playing = false;
}

void apply_classroom(Session& s, const act::SetShareOpen& a) {
  if (a.open && !s.classroom.share_open) s.classroom.share_link = s.classroom.options;
  s.classroom.share_open = a.open;
}

void apply_classroom(Session& s, const act::SetShareLink& a) {
  ClassroomOptions o = a.options;
  o.hidden = normalized_ids(std::move(o.hidden));
  s.classroom.share_link = std::move(o);
}

}  // namespace nl::app
