// NormLab's one chart widget on ImDrawList: line series over a shared x axis, with
// axes, "nice" ticks, labels, a legend and a hover readout. Every panel that plots
// uses it. Non-finite values are skipped (never drawn as numbers).
#pragma once

#include <imgui.h>

#include <span>
#include <string>
#include <vector>

namespace nl::ui {

struct ChartSeries {
  std::string label;
  std::vector<float> y;   // one value per x index; NaN/Inf are gaps
  ImU32 colour = IM_COL32_WHITE;
};

struct ChartOptions {
  std::string x_label;
  std::string y_label;
  float x_start = 0.0f;   // x of index 0
  float x_step = 1.0f;    // x distance between consecutive indices
  bool y_from_zero = true;
};

// Draws the chart in a box of `size` at the cursor and advances the cursor.
void draw_line_chart(const char* id, ImVec2 size, std::span<const ChartSeries> series,
                     const ChartOptions& options);

// Up to ~6 round tick values covering [lo, hi].
std::vector<float> nice_ticks(float lo, float hi, int target_count = 5);

// A number as a learner should read it: up to 4 significant digits; "—" if not finite.
std::string format_number(double value);

}  // namespace nl::ui
