// Line chart, ticks and number formatting.
#include "ui/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace nl::ui {

std::string format_number(double value) {
  if (!std::isfinite(value)) return "\xE2\x80\x94";  // em dash, never "nan"
  char buf[32];
  const double mag = std::fabs(value);
  if (mag != 0.0 && (mag < 1e-3 || mag >= 1e5)) {
    std::snprintf(buf, sizeof buf, "%.3e", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", value);
  }
  return buf;
}

std::vector<float> nice_ticks(float lo, float hi, int target_count) {
  std::vector<float> ticks;
  if (!(std::isfinite(lo) && std::isfinite(hi)) || hi <= lo || target_count < 2) return ticks;
  const double raw = (static_cast<double>(hi) - lo) / (target_count - 1);
  const double base = std::pow(10.0, std::floor(std::log10(raw)));
  double step = base;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * base;
    if (step >= raw) break;
  }
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-6; t += step) {
    ticks.push_back(static_cast<float>(std::fabs(t) < step * 1e-9 ? 0.0 : t));
  }
  return ticks;
}

void draw_line_chart(const char* id, ImVec2 size, std::span<const ChartSeries> series,
                     const ChartOptions& options) {
  ImGui::PushID(id);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("chart", size);
  const bool hovered = ImGui::IsItemHovered();
  const float font = ImGui::GetFontSize();
  const ImVec2 plot_min(origin.x + font * 3.2f, origin.y + font * 0.5f);
  const ImVec2 plot_max(origin.x + size.x - font * 0.5f, origin.y + size.y - font * 2.6f);
  dl->AddRectFilled(plot_min, plot_max, IM_COL32(24, 26, 30, 255));

  // Data range over finite values.
  std::size_t count = 0;
  float y_lo = std::numeric_limits<float>::infinity(), y_hi = -y_lo;
  for (const ChartSeries& s : series) {
    count = std::max(count, s.y.size());
    for (float v : s.y) {
      if (!std::isfinite(v)) continue;
      y_lo = std::min(y_lo, v);
      y_hi = std::max(y_hi, v);
    }
  }
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 grid = IM_COL32(70, 74, 82, 255);
  if (count == 0 || !std::isfinite(y_lo)) {
    const char* empty = "no data yet: press Play or Step";
    const ImVec2 ts = ImGui::CalcTextSize(empty);
    dl->AddText(ImVec2(0.5f * (plot_min.x + plot_max.x - ts.x), 0.5f * (plot_min.y + plot_max.y - ts.y)), text, empty);
    ImGui::PopID();
    return;
  }
  if (options.y_from_zero) y_lo = std::min(y_lo, 0.0f);
  if (y_hi - y_lo < 1e-6f) y_hi = y_lo + 1.0f;
  y_hi += (y_hi - y_lo) * 0.05f;
  const float x_lo = options.x_start;
  const float x_hi = options.x_start + options.x_step * static_cast<float>(std::max<std::size_t>(count - 1, 1));
  auto to_screen = [&](float x, float y) {
    return ImVec2(plot_min.x + (x - x_lo) / (x_hi - x_lo) * (plot_max.x - plot_min.x),
                  plot_max.y - (y - y_lo) / (y_hi - y_lo) * (plot_max.y - plot_min.y));
  };

  // Axes: y ticks with grid lines, x ticks along the bottom.
  for (float t : nice_ticks(y_lo, y_hi, 5)) {
    const ImVec2 p = to_screen(x_lo, t);
    dl->AddLine(ImVec2(plot_min.x, p.y), ImVec2(plot_max.x, p.y), grid);
    const std::string label = format_number(t);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(plot_min.x - ts.x - font * 0.3f, p.y - ts.y * 0.5f), text, label.c_str());
  }
  for (float t : nice_ticks(x_lo, x_hi, 5)) {
    const ImVec2 p = to_screen(t, y_lo);
    dl->AddLine(ImVec2(p.x, plot_max.y), ImVec2(p.x, plot_max.y + font * 0.3f), text);
    const std::string label = format_number(t);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(p.x - ts.x * 0.5f, plot_max.y + font * 0.35f), text, label.c_str());
  }
  if (!options.x_label.empty()) {
    const ImVec2 ts = ImGui::CalcTextSize(options.x_label.c_str());
    dl->AddText(ImVec2(0.5f * (plot_min.x + plot_max.x - ts.x), plot_max.y + font * 1.4f), text,
                options.x_label.c_str());
  }

  // Series: polylines broken at non-finite values.
  dl->PushClipRect(plot_min, plot_max, true);
  for (const ChartSeries& s : series) {
    std::vector<ImVec2> run;
    auto flush = [&] {
      if (run.size() >= 2) dl->AddPolyline(run.data(), static_cast<int>(run.size()), s.colour, 0, 2.0f);
      run.clear();
    };
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i])) { flush(); continue; }
      run.push_back(to_screen(options.x_start + options.x_step * static_cast<float>(i), s.y[i]));
    }
    flush();
  }
  dl->PopClipRect();

  // Legend (top right) and hover readout.
  float legend_y = plot_min.y + font * 0.2f;
  for (const ChartSeries& s : series) {
    const ImVec2 ts = ImGui::CalcTextSize(s.label.c_str());
    const float x = plot_max.x - ts.x - font * 1.4f;
    dl->AddRectFilled(ImVec2(x, legend_y + ts.y * 0.35f), ImVec2(x + font * 0.8f, legend_y + ts.y * 0.65f), s.colour);
    dl->AddText(ImVec2(x + font * 1.0f, legend_y), text, s.label.c_str());
    legend_y += ts.y;
  }
  if (hovered) {
    const float mx = ImGui::GetIO().MousePos.x;
    const float fx = (mx - plot_min.x) / (plot_max.x - plot_min.x) * (x_hi - x_lo) + x_lo;
    const long idx = std::lround((fx - options.x_start) / options.x_step);
    if (idx >= 0 && static_cast<std::size_t>(idx) < count) {
      const ImVec2 p = to_screen(options.x_start + options.x_step * static_cast<float>(idx), y_lo);
      dl->AddLine(ImVec2(p.x, plot_min.y), ImVec2(p.x, plot_max.y), IM_COL32(255, 255, 255, 90));
      ImGui::BeginTooltip();
      ImGui::Text("%s %s", options.x_label.c_str(),
                  format_number(options.x_start + options.x_step * static_cast<float>(idx)).c_str());
      for (const ChartSeries& s : series) {
        if (static_cast<std::size_t>(idx) < s.y.size()) {
          ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.colour), "%s: %s", s.label.c_str(),
                             format_number(s.y[static_cast<std::size_t>(idx)]).c_str());
        }
      }
      ImGui::EndTooltip();
    }
  }
  ImGui::PopID();
}

}  // namespace nl::ui
