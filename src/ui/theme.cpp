// NormLab's ImGui style.
#include "ui/theme.h"

#include <algorithm>
#include <cmath>

namespace nl::ui {

const Palette& palette() {
  static const Palette kPalette{};  // constant data, not view state
  return kPalette;
}

ImVec4 heatmap_colour(float p, int bands) {
  const Palette& pal = palette();
  if (!std::isfinite(p)) return pal.neutral;
  const ImVec4& target = p < 0.5f ? pal.class0 : pal.class1;
  float confidence = std::min(1.0f, std::abs(p - 0.5f) * 2.0f);
  if (bands > 0) confidence = std::ceil(confidence * static_cast<float>(bands)) / static_cast<float>(bands);
  const float t = confidence * 0.75f;
  auto mix = [t](float a, float b) { return a + (b - a) * t; };
  return ImVec4(mix(pal.neutral.x, target.x), mix(pal.neutral.y, target.y), mix(pal.neutral.z, target.z), 1.0f);
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
