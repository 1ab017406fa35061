// NormLab's ImGui style.
#include "ui/theme.h"

namespace nl::ui {

const Palette& palette() {
  static const Palette kPalette{};  // constant data, not view state
  return kPalette;
}

ImVec4 window_background(app::Theme theme) {
  return theme == app::Theme::kLight ? ImVec4(0.97f, 0.97f, 0.96f, 1.0f) : ImVec4(0.11f, 0.12f, 0.14f, 1.0f);
}

void apply_theme_colours(app::Theme theme) {
  ImGuiStyle& style = ImGui::GetStyle();
  if (theme == app::Theme::kLight) {
    ImGui::StyleColorsLight(&style);
    style.Colors[ImGuiCol_Text] = ImVec4(0.08f, 0.08f, 0.10f, 1.0f);
    style.Colors[ImGuiCol_TextDisabled] = ImVec4(0.36f, 0.37f, 0.40f, 1.0f);  // readable grey on white
  } else {
    ImGui::StyleColorsDark(&style);
  }
  style.Colors[ImGuiCol_WindowBg] = window_background(theme);
}

void apply_theme(float scale) {
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 4.0f;
  style.FrameRounding = 3.0f;
  style.GrabRounding = 3.0f;
  style.WindowBorderSize = 0.0f;
  style.FramePadding = ImVec2(6.0f, 4.0f);
  style.ItemSpacing = ImVec2(8.0f, 6.0f);
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.11f, 0.12f, 0.14f, 1.0f);
  style.ScaleAllSizes(scale);
}

}  // namespace nl::ui
