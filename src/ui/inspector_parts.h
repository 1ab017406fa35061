// Pieces shared by the BN inspector and the backprop stepper views: the layer / feature /
// sample selectors, a strip plot (dots over a histogram, with marker lines and bands) and
// the batch-vs-running boundary pair. Not here: any state (each call draws one frame).
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

#include "app/actions.h"
#include "app/inspector.h"
#include "ui/view.h"

namespace nl::ui {

ImU32 to_colour(const ImVec4& c, float alpha = 1.0f);
std::string num(double value);  // format_number: 4 significant digits, "—" if not finite
// A number for use inside a formula: negative ones in parentheses ("− (−0.5)", not "− -0.5").
std::string term(double value);

// SameLine() if an item `width` wide still fits on this line, else stay on a new line
// (narrow, stacked layouts wrap instead of running off the panel).
void same_line_if_fits(float width);

// Greyed text that wraps at the panel's edge.
void text_disabled_wrapped(const std::string& text);

// Layer combo, feature and sample sliders; emit Inspect* actions. Probe names
// "<prefix>:layer", "<prefix>:feature", "<prefix>:sample".
void draw_bn_selectors(const app::Session& session, const app::InspectorModel& model,
                       app::ActionQueue& actions, UiProbe* probe, const char* prefix);

struct StripMarker {
  float value = 0.0f;
  std::string label;
  ImU32 colour = IM_COL32_WHITE;
};
struct StripBand {
  float lo = 0.0f, hi = 0.0f;
  ImU32 colour = IM_COL32_WHITE;
};
// A grip on the axis at `value` that the mouse (or a finger) drags horizontally.
struct StripHandle {
  std::string id;  // ImGui id within the strip, e.g. "beta"
  float value = 0.0f;
  ImU32 colour = IM_COL32_WHITE;
};
// Dots (one per sample, in rows so they do not hide each other) over a histogram of the
// same values, on a horizontal axis [lo, hi] with nice ticks.
struct StripPlot {
  std::vector<float> values;
  std::vector<ImU32> dot_colours;  // per value (e.g. by class)
  int highlight = -1;              // index drawn as a ring, with its value
  float lo = -1.0f, hi = 1.0f;
  std::vector<StripMarker> markers;
  std::vector<StripBand> bands;
  std::vector<StripHandle> handles;
};
// What happened to the handles this frame.
struct StripResult {
  int dragged = -1;       // index into plot.handles being dragged, or -1
  float value = 0.0f;     // its new value: the value at the press plus the drag distance on
                          // the axis as it was at the press (the axis stays put while dragging)
  std::vector<UiProbe::Rect> handle_rects;  // per handle, for tests
};
StripResult draw_strip(const char* id, ImVec2 size, const StripPlot& plot);

// Several value sets of the same samples, one row each on its own axis (e.g. x, x − μ, x̂, y),
// with the `highlight` sample joined across rows: one sample's path through the layer.
struct PathRow {
  std::string label;
  std::vector<float> values;
};
void draw_path_plot(const char* id, ImVec2 size, const std::vector<PathRow>& rows,
                    const std::vector<ImU32>& dot_colours, int highlight);

// Two mini heatmaps of P(class 1): batch statistics (training) and running (eval), with
// the batch's points. Probe "<prefix>:boundaries".
void draw_boundary_pair(const app::Session& session, const app::InspectorModel& model, float width,
                        UiProbe* probe, const char* prefix);

}  // namespace nl::ui
