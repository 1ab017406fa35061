// Colours and sizes shared by every panel, and by the heatmap shader (through the
// platform), so the legend, the points and the heatmap always agree.
// Palette: Okabe–Ito, safe for the common forms of colour blindness.
#pragma once

#include <imgui.h>

#include "app/session.h"

namespace nl::ui {

struct Palette {
  ImVec4 class0{0.000f, 0.447f, 0.698f, 1.0f};  // blue   #0072B2
  ImVec4 class1{0.902f, 0.624f, 0.000f, 1.0f};  // orange #E69F00
  ImVec4 neutral{0.96f, 0.96f, 0.96f, 1.0f};    // heatmap where the network is unsure
  ImVec4 with_bn{0.000f, 0.620f, 0.451f, 1.0f}; // green  #009E73
  ImVec4 without_bn{0.800f, 0.475f, 0.655f, 1.0f};  // purple #CC79A7
  ImVec4 test_loss{0.337f, 0.706f, 0.914f, 1.0f};   // sky    #56B4E9
  ImVec4 warning{0.835f, 0.369f, 0.000f, 1.0f};     // vermillion #D55E00
};

const Palette& palette();

// The phone layout (ui/app_view.cpp) at a display this wide or narrower (CSS pixels on the
// web): the panels open on the plot with the controls below, controls at least
// kPhoneTouchTarget pixels tall.
inline constexpr float kPhoneWidth = 480.0f;
inline constexpr float kPhoneTouchTarget = 44.0f;

// Confidence bands per class of the discretized heatmap (shader u_bands and the legend).
inline constexpr int kHeatmapBands = 5;

// The colour of P(class 1) = p: the neutral grey mixed towards p's class colour by
// 0.75 * confidence, confidence = min(1, 2|p - 0.5|) (rounded up to 1/bands when bands > 0);
// neutral for a p that is not finite. The data panel's legend, the Why panel's boundaries and
// shaders/heatmap.frag (which must stay in step with it) share this map.
ImVec4 heatmap_colour(float p, int bands = 0);

// Applies NormLab's look (dark theme) scaled for `scale` (1 = 96 dpi).
void apply_theme(float scale);

// Sets only the style's colours for a theme (sizes untouched, so it is safe to call every
// frame: draw_app does, from session.view.theme). Light and dark share the data palette.
void apply_theme_colours(app::Theme theme);
// The window background of a theme (the platform clears the framebuffer with it).
ImVec4 window_background(app::Theme theme);

}  // namespace nl::ui
