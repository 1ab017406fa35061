// Sliders for settings, with the bounds and scale the settings schema declares
// (app/settings_schema.h: the control's range, logarithmic or not), so a control never
// disagrees with what a file, a link or an action accepts.
//
//   float noise = spec.data.noise;
//   if (setting_slider("##noise", app::field::kNoise, noise, "noise %.2f")) push(SetNoise{noise});
#pragma once

#include <imgui.h>

#include "app/settings_schema.h"

namespace nl::ui {

inline ImGuiSliderFlags setting_slider_flags(const app::Field& f) {
  return ImGuiSliderFlags_AlwaysClamp | (f.log_slider ? ImGuiSliderFlags_Logarithmic : 0);
}

// `scale` shows the value multiplied (a share as a percentage: 100).
inline bool setting_slider(const char* id, const app::Field& f, float& v, const char* format, float scale = 1.0f) {
  float shown = v * scale;
  const bool changed = ImGui::SliderFloat(id, &shown, static_cast<float>(f.control_lo()) * scale,
                                          static_cast<float>(f.control_hi()) * scale, format, setting_slider_flags(f));
  if (changed) v = shown / scale;
  return changed;
}

inline bool setting_slider(const char* id, const app::Field& f, int& v, const char* format) {
  return ImGui::SliderInt(id, &v, static_cast<int>(f.control_lo()), static_cast<int>(f.control_hi()), format,
                          setting_slider_flags(f));
}

}  // namespace nl::ui
