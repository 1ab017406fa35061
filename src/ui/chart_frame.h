// Internal to the chart toolkit (chart.cpp, chart_hist.cpp): one chart's frame — the
// reserved box, data ranges, linear or log-y mapping, axes, ticks, labels, legend, hover.
// Not a public widget: panels call draw_chart / draw_histogram (chart.h).
#pragma once

#include <imgui.h>

#include <string>

#include "ui/chart.h"

namespace nl::ui {

struct ChartFrame {
  // Reserves `size` at the cursor (an invisible button, for hover) and the plot area.
  ChartFrame(const char* id, ImVec2 size, const ChartOptions& options);
  ~ChartFrame();  // pops the ID pushed by the constructor
  ChartFrame(const ChartFrame&) = delete;
  ChartFrame& operator=(const ChartFrame&) = delete;

  bool ok(float y) const;            // drawable on this y axis: finite, and > 0 if log
  void include(float x, float y);    // grows the data range (ignores non-drawable y)
  void include_x(float x);
  bool finish_ranges();              // pads ranges; false (and draws the empty text) if no data
  void draw_axes();                  // grid, ticks, tick labels, x and y labels
  ImVec2 to_screen(float x, float y) const;
  float mouse_x() const;             // data x under the mouse
  void legend_entry(const std::string& label, ImU32 colour);
  void legend_from_bottom(int entries);  // options.legend_bottom: start so `entries` end at the bottom
  // The readout's frame (plot area, x range); when the mouse is over the plot also its
  // data x (active) and the vertical hover line. The caller adds the readout's lines.
  ChartHover begin_hover();

  const ChartOptions& o;
  ImDrawList* dl = nullptr;
  ImVec2 origin, plot_min, plot_max;
  float font = 13.0f;
  bool hovered = false;
  float x_lo, x_hi, y_lo, y_hi;      // data ranges (y in log10 units when log)
  float legend_y = 0.0f;
  ImU32 text = IM_COL32_WHITE;
};

}  // namespace nl::ui
