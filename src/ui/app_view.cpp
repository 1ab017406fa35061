// draw_app: lays the panels out over the whole display. Wide screens: controls on the
// left, data on the right. Narrow or portrait screens (phones): stacked.
#include "ui/view.h"

#include <algorithm>

namespace nl::ui {

void UiProbe::record(const std::string& name) {
  rects[name] = Rect{ImGui::GetItemRectMin(), ImGui::GetItemRectMax()};
}

ImVec2 UiProbe::centre(const std::string& name) const {
  const auto it = rects.find(name);
  if (it == rects.end()) return ImVec2(-1.0f, -1.0f);
  return ImVec2(0.5f * (it->second.min.x + it->second.max.x), 0.5f * (it->second.min.y + it->second.max.y));
}

namespace {

// Keyboard shortcuts, active unless a text field or a widget has the keyboard:
// space = play/pause, right arrow = one step, r = reset.
void handle_shortcuts(app::ActionQueue& actions) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || ImGui::IsAnyItemActive()) return;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) actions.push_back(app::act::TogglePlay{});
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow), true)) actions.push_back(app::act::Step{1});
  for (ImWchar c : io.InputQueueCharacters) {
    if ((c == 'r' || c == 'R') && !io.KeyCtrl) actions.push_back(app::act::Reset{});
  }
}

}  // namespace

void draw_app(const app::Session& session, app::ActionQueue& actions,
              const ViewResources& resources, UiProbe* probe) {
  handle_shortcuts(actions);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float font = ImGui::GetFontSize();
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;
  const bool stacked = display.x < font * 46.0f || display.x < display.y;
  const float controls_w = stacked ? display.x : std::clamp(display.x * 0.34f, font * 22.0f, font * 30.0f);
  const float controls_h = stacked ? std::max(display.y * 0.55f, font * 24.0f) : display.y;

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(controls_w, controls_h));
  if (ImGui::Begin("Training", nullptr, fixed | ImGuiWindowFlags_NoTitleBar)) {
    draw_controls_view(session, actions, resources, probe);
  }
  ImGui::End();

  const ImVec2 data_pos = stacked ? ImVec2(0, controls_h) : ImVec2(controls_w, 0);
  const ImVec2 data_size = stacked ? ImVec2(display.x, std::max(display.y - controls_h, font * 10.0f))
                                   : ImVec2(display.x - controls_w, display.y);
  ImGui::SetNextWindowPos(data_pos);
  ImGui::SetNextWindowSize(data_size);
  if (ImGui::Begin("Data and decision boundary", nullptr, fixed)) {
    draw_data_view(session, actions, resources, probe);
  }
  ImGui::End();
}

}  // namespace nl::ui
