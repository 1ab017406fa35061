// draw_app: lays the panels out over the whole display. Wide screens: controls on the
// left, data on the right. Narrow or portrait screens (phones): stacked.
#include "ui/view.h"

#include <imgui_internal.h>

#include <algorithm>
#include <iterator>
#include <string>

#include "app/classroom_gate.h"
#include "ui/classroom_ui.h"
#include "ui/theme.h"

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
// space = play/pause, right arrow = one step, r = reset, h or ? = help. A key whose
// button a classroom link hides does nothing.
void handle_shortcuts(const app::Session& s, app::ActionQueue& actions) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || ImGui::IsAnyItemActive()) return;
  // Keyboard navigation (io.ConfigFlags NavEnableKeyboard): while its focus ring shows, space
  // presses the focused control and the arrows move the ring; Escape hides it again.
  const ImGuiContext& g = *ImGui::GetCurrentContext();
  const bool nav_ring = g.NavId != 0 && !g.NavDisableHighlight && (io.ConfigFlags & ImGuiConfigFlags_NavEnableKeyboard);
  if (!nav_ring && shown(s, "play") && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) actions.push_back(app::act::TogglePlay{});
  if (!nav_ring && shown(s, "step") && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow), true)) actions.push_back(app::act::Step{1});
  for (ImWchar c : io.InputQueueCharacters) {
    if ((c == 'r' || c == 'R') && !io.KeyCtrl && shown(s, "reset")) actions.push_back(app::act::Reset{});
    if ((c == 'h' || c == 'H' || c == '?') && shown(s, "help")) actions.push_back(app::act::ToggleHelp{});
    if ((c == 'e' || c == 'E') && shown(s, "step")) actions.push_back(app::act::StepEpoch{});
  }
}

}  // namespace

namespace {

// The right-side panels, in tab order. A panel appears here once its view exists.
struct PanelEntry {
  app::Panel panel;
  const char* label;
  void (*draw)(const app::Session&, app::ActionQueue&, const ViewResources&, UiProbe*);
};

constexpr PanelEntry kPanels[] = {
    {app::Panel::kData, "Data & boundary", draw_data_view},
    {app::Panel::kNetwork, "Network", draw_network_view},
    {app::Panel::kInspector, "BN inspector", draw_inspector_view},
    {app::Panel::kBackprop, "Backprop", draw_backprop_view},
    {app::Panel::kWhyBnHelps, "Why BN helps", draw_why_view},
    {app::Panel::kStudies, "Experiments", draw_studies_view},
};

// The panel drawn: the session's, unless a classroom link hides it (then the first shown).
app::Panel shown_panel(const app::Session& session) {
  if (shown(session, std::string("panel:") + app::panel_name(session.view.panel))) return session.view.panel;
  return app::first_visible_panel(session.classroom);
}

// A row of tab-like buttons; the selected one is the session's panel (no UI state).
void draw_panel_tabs(const app::Session& session, app::ActionQueue& actions, UiProbe* probe) {
  const app::Panel current = shown_panel(session);
  const float right = ImGui::GetWindowContentRegionMax().x - ImGui::GetFrameHeight() - ImGui::GetStyle().ItemSpacing.x;
  // Wrap to a new row when an item would not fit beside the last one (narrow screens).
  auto same_row_if_fits = [&right](float w) {
    if (ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + ImGui::GetStyle().ItemSpacing.x + w <= right) ImGui::SameLine();
  };
  bool first = true;
  ImVec2 first_row_end(0, 0), last_row_end(0, 0);  // top-right corners of the first and last rows' last tabs
  for (std::size_t i = 0; i < std::size(kPanels); ++i) {
    const PanelEntry& entry = kPanels[i];
    if (!shown(session, std::string("panel:") + app::panel_name(entry.panel))) continue;  // classroom link
    const bool selected = current == entry.panel;
    if (!first) same_row_if_fits(ImGui::CalcTextSize(entry.label).x + 2.0f * ImGui::GetStyle().FramePadding.x);
    if (selected) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_TabActive));
    if (ImGui::Button(entry.label) && !selected) actions.push_back(app::act::ShowPanel{entry.panel});
    if (selected) ImGui::PopStyleColor();
    if (probe) probe->record(std::string("panel:") + entry.label);
    last_row_end = ImVec2(ImGui::GetItemRectMax().x, ImGui::GetItemRectMin().y);
    if (first || last_row_end.y == first_row_end.y) first_row_end = last_row_end;
    first = false;
  }
  if (shown(session, "help")) {
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - ImGui::GetFrameHeight());
    if (ImGui::Button("?", ImVec2(ImGui::GetFrameHeight(), 0))) actions.push_back(app::act::ToggleHelp{});
    if (probe) probe->record("help");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Keyboard shortcuts (h)");
  }
  if (shown(session, "share")) {  // share_view.cpp
    // Beside the last row's tabs, else the first row's, so that it never adds a row of its own
    // when one has room (the panels below keep their place on narrow screens).
    const float w = ImGui::CalcTextSize("Share").x + 2.0f * ImGui::GetStyle().FramePadding.x;
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float limit = ImGui::GetWindowPos().x + right;
    const ImVec2 next_line = ImGui::GetCursorScreenPos();
    if (!first && (last_row_end.x + gap + w <= limit || first_row_end.x + gap + w <= limit)) {
      const ImVec2 at = last_row_end.x + gap + w <= limit ? last_row_end : first_row_end;
      ImGui::SetCursorScreenPos(ImVec2(at.x + gap, at.y));
      draw_share_button(session, actions, probe);
      ImGui::SetCursorScreenPos(next_line);
    } else {
      draw_share_button(session, actions, probe);
    }
  }
  ImGui::Separator();
}

void draw_help_overlay(const app::Session& session, app::ActionQueue& actions, UiProbe* probe) {
  if (!session.view.show_help) return;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowBgAlpha(0.96f);
  if (ImGui::Begin("Keyboard shortcuts", nullptr,
                   ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    if (ImGui::BeginTable("keys", 2)) {
      const char* rows[][2] = {{"space", "play / pause training"},
                               {"\xE2\x86\x92 (right arrow)", "train one mini-batch"},
                               {"e", "train one epoch (a pass over the training set)"},
                               {"r", "reset: same settings, fresh weights"},
                               {"h or ?", "show / hide this help"}};
      for (const auto& row : rows) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(row[0]);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(row[1]);
      }
      ImGui::EndTable();
    }
    if (ImGui::Button("Close")) actions.push_back(app::act::ToggleHelp{});
    if (probe) probe->record("help_close");
  }
  ImGui::End();
}

// Touch screens have no mouse wheel and ImGui 1.86 no touch scrolling: a drag that starts on
// the current window's empty space (no widget took the press) scrolls the window, on phones
// and with a mouse alike. Call between Begin and End.
void scroll_by_drag() {
  const ImGuiIO& io = ImGui::GetIO();
  if (!ImGui::IsMouseDragging(ImGuiMouseButton_Left, 4.0f)) return;
  // A press on empty space makes the window's move handle the active id (even with NoMove);
  // any other active id is a widget being used.
  const ImGuiContext& g = *ImGui::GetCurrentContext();
  const bool on_empty_space = g.ActiveIdWindow != nullptr && g.ActiveId == g.ActiveIdWindow->MoveId;
  if (ImGui::IsAnyItemActive() && !on_empty_space) return;
  const ImVec2 pos = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
  const ImVec2 start = io.MouseClickedPos[0];
  if (start.x < pos.x || start.y < pos.y || start.x >= pos.x + size.x || start.y >= pos.y + size.y) return;
  if (!ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows | ImGuiHoveredFlags_AllowWhenBlockedByActiveItem)) return;
  ImGui::SetScrollY(std::clamp(ImGui::GetScrollY() - io.MouseDelta.y, 0.0f, ImGui::GetScrollMaxY()));
}

}  // namespace

void draw_app(const app::Session& session, app::ActionQueue& actions,
              const ViewResources& resources, UiProbe* probe) {
  UiProbe lesson_probe;  // a lesson's look-at outline needs this frame's rectangles
  if (!probe && session.lesson.open()) probe = &lesson_probe;
  begin_lesson_frame(session, probe);
  handle_shortcuts(session, actions);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float font = ImGui::GetFontSize();
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoBringToFrontOnFocus;
  const bool stacked = display.x < font * 46.0f || display.x < display.y;
  // Phones open on the plot: the panels (the data panel first) on top, the controls, Play and
  // Step first, below them; both scroll by dragging.
  const bool phone = display.x <= kPhoneWidth;
  const float controls_w = stacked ? display.x : std::clamp(display.x * 0.34f, font * 22.0f, font * 30.0f);
  const float phone_panels_h = std::max(font * 10.0f, std::min(display.y - font * 8.0f, display.x + font * 17.0f));
  const float controls_h = phone ? display.y - phone_panels_h : stacked ? std::max(display.y * 0.55f, font * 24.0f) : display.y;
  apply_theme_colours(session.view.theme);  // colours only: cheap, and no UI state
  // Touch-sized hit targets in the stacked layouts: 44 px on phones (the usual guideline for
  // fingers), 32 px on larger stacked screens.
  if (stacked) {
    const float target = phone ? kPhoneTouchTarget : 32.0f;
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(10.0f, std::max(8.0f, (target - font) * 0.5f)));
  }

  ImGui::SetNextWindowPos(ImVec2(0, phone ? phone_panels_h : 0.0f));
  ImGui::SetNextWindowSize(ImVec2(controls_w, controls_h));
  if (ImGui::Begin("Training", nullptr, fixed)) {
    draw_controls_view(session, actions, resources, probe);
    scroll_by_drag();
  }
  ImGui::End();

  const ImVec2 panel_pos = phone ? ImVec2(0, 0) : stacked ? ImVec2(0, controls_h) : ImVec2(controls_w, 0);
  const ImVec2 panel_size = phone     ? ImVec2(display.x, phone_panels_h)
                            : stacked ? ImVec2(display.x, std::max(display.y - controls_h, font * 10.0f))
                                      : ImVec2(display.x - controls_w, display.y);
  ImGui::SetNextWindowPos(panel_pos);
  ImGui::SetNextWindowSize(panel_size);
  if (ImGui::Begin("Panels", nullptr, fixed)) {
    draw_lesson_strip(session, actions, probe);  // lesson_view.cpp
    draw_panel_tabs(session, actions, probe);
    const app::Panel current = shown_panel(session);
    for (const PanelEntry& entry : kPanels) {
      if (entry.panel == current) entry.draw(session, actions, resources, probe);
    }
    scroll_by_drag();
  }
  ImGui::End();
  if (stacked) ImGui::PopStyleVar();
  draw_help_overlay(session, actions, probe);
  draw_share_view(session, actions, resources, probe);  // share_view.cpp (when open)
  draw_lesson_highlight(session, probe);
}

}  // namespace nl::ui
