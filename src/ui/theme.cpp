// NormLab's ImGui style.
#include "ui/theme.h"

namespace nl::ui {

const Palette& palette() {
  static const Palette kPalette{};  // constant data, not view state
  return kPalette;
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
