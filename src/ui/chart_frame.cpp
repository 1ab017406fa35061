// The shared chart frame (see chart_frame.h) and histograms: binning and drawing.
// Not here: lines, scatter and ribbons (chart.cpp).
#include "ui/chart_frame.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace nl::ui {

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();

// The style's window background moved toward its text colour by t: chart colours follow
// the light and dark themes.
ImU32 theme_mix(float t, float alpha = 1.0f) {
  const ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
  const ImVec4 fg = ImGui::GetStyleColorVec4(ImGuiCol_Text);
  auto mix = [&](float a, float b) { return a + (b - a) * t; };
  return ImGui::ColorConvertFloat4ToU32(ImVec4(mix(bg.x, fg.x), mix(bg.y, fg.y), mix(bg.z, fg.z), alpha));
}
}  // namespace

ChartFrame::ChartFrame(const char* id, ImVec2 size, const ChartOptions& options)
    : o(options), x_lo(kInf), x_hi(-kInf), y_lo(kInf), y_hi(-kInf) {
  ImGui::PushID(id);
  dl = ImGui::GetWindowDrawList();
  origin = ImGui::GetCursorScreenPos();
  size.x = std::max(size.x, 40.0f);
  size.y = std::max(size.y, 40.0f);
  ImGui::InvisibleButton("chart", size);
  hovered = ImGui::IsItemHovered();
  font = ImGui::GetFontSize();
  const float left = font * (o.y_label.empty() ? 3.4f : 4.6f);
  plot_min = ImVec2(origin.x + left, origin.y + font * 0.5f);
  plot_max = ImVec2(origin.x + size.x - font * 1.2f, origin.y + size.y - font * (o.x_label.empty() ? 1.6f : 2.7f));
  dl->AddRectFilled(plot_min, plot_max, theme_mix(0.04f));
  text = ImGui::GetColorU32(ImGuiCol_Text);
  legend_y = plot_min.y + font * 0.2f;
}

ChartFrame::~ChartFrame() { ImGui::PopID(); }

bool ChartFrame::ok(float y) const { return std::isfinite(y) && (!o.log_y || y > 0.0f); }

void ChartFrame::include_x(float x) {
  if (!std::isfinite(x)) return;
  x_lo = std::min(x_lo, x);
  x_hi = std::max(x_hi, x);
}

void ChartFrame::include(float x, float y) {
  if (!ok(y) || !std::isfinite(x)) return;
  include_x(x);
  const float v = o.log_y ? std::log10(y) : y;
  y_lo = std::min(y_lo, v);
  y_hi = std::max(y_hi, v);
}

bool ChartFrame::finish_ranges() {
  if (!std::isfinite(y_lo) || !std::isfinite(x_lo)) {
    const char* empty = o.empty_text;
    const ImVec2 ts = ImGui::CalcTextSize(empty);
    dl->AddText(ImVec2(0.5f * (plot_min.x + plot_max.x - ts.x), 0.5f * (plot_min.y + plot_max.y - ts.y)), text, empty);
    return false;
  }
  if (o.log_y) {
    y_lo = std::floor(y_lo * 2.0f) * 0.5f;  // half-decade padding keeps ticks visible
    y_hi = std::ceil(y_hi * 2.0f) * 0.5f;
    if (y_hi - y_lo < 1.0f) y_hi = y_lo + 1.0f;
  } else {
    if (o.y_from_zero) y_lo = std::min(y_lo, 0.0f);
    if (y_hi - y_lo < 1e-6f) { y_lo -= 0.5f; y_hi += 0.5f; }
    const float pad = (y_hi - y_lo) * 0.05f;
    y_hi += pad;
    if (!(o.y_from_zero && y_lo == 0.0f)) y_lo -= pad;
  }
  if (x_hi - x_lo < 1e-6f) x_hi = x_lo + 1.0f;
  return true;
}

ImVec2 ChartFrame::to_screen(float x, float y) const {
  const float v = o.log_y ? std::log10(y) : y;
  return ImVec2(plot_min.x + (x - x_lo) / (x_hi - x_lo) * (plot_max.x - plot_min.x),
                plot_max.y - (v - y_lo) / (y_hi - y_lo) * (plot_max.y - plot_min.y));
}

float ChartFrame::mouse_x() const {
  const float mx = ImGui::GetIO().MousePos.x;
  return x_lo + (mx - plot_min.x) / (plot_max.x - plot_min.x) * (x_hi - x_lo);
}

void ChartFrame::draw_axes() {
  const ImU32 grid = theme_mix(0.2f);
  const std::vector<float> yt = o.log_y ? log_ticks(std::pow(10.0f, y_lo), std::pow(10.0f, y_hi))
                                        : nice_ticks(y_lo, y_hi, 5);
  for (float t : yt) {
    const ImVec2 p = to_screen(x_lo, t);
    dl->AddLine(ImVec2(plot_min.x, p.y), ImVec2(plot_max.x, p.y), grid);
    // Log axes tick at powers of ten: "0.01", "1e-05" read better than "1.000e-05".
    char power[32];
    if (o.log_y) std::snprintf(power, sizeof power, "%g", static_cast<double>(t));
    const std::string label = o.log_y ? std::string(power) : format_number(t);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(plot_min.x - ts.x - font * 0.3f, p.y - ts.y * 0.5f), text, label.c_str());
  }
  for (float t : nice_ticks(x_lo, x_hi, 5)) {
    const float px = plot_min.x + (t - x_lo) / (x_hi - x_lo) * (plot_max.x - plot_min.x);
    dl->AddLine(ImVec2(px, plot_max.y), ImVec2(px, plot_max.y + font * 0.3f), text);
    const std::string label = format_number(t);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(px - ts.x * 0.5f, plot_max.y + font * 0.35f), text, label.c_str());
  }
  if (!o.x_label.empty()) {
    const ImVec2 ts = ImGui::CalcTextSize(o.x_label.c_str());
    dl->AddText(ImVec2(0.5f * (plot_min.x + plot_max.x - ts.x), plot_max.y + font * 1.4f), text, o.x_label.c_str());
  }
  if (!o.y_label.empty()) {
    // ImGui 1.86 draws no rotated text: the y label sits above the tick labels, left-aligned.
    dl->AddText(ImVec2(origin.x, plot_min.y - font * 0.5f), text, o.y_label.c_str());
  }
}

ChartHover ChartFrame::begin_hover() {
  ChartHover hover;
  hover.plot_min = plot_min;
  hover.plot_max = plot_max;
  hover.x_lo = x_lo;
  hover.x_hi = x_hi;
  if (!hovered) return hover;
  hover.active = true;
  hover.x = mouse_x();
  const float px = plot_min.x + (hover.x - x_lo) / (x_hi - x_lo) * (plot_max.x - plot_min.x);
  dl->AddLine(ImVec2(px, plot_min.y), ImVec2(px, plot_max.y), theme_mix(1.0f, 0.35f));
  return hover;
}

void ChartFrame::legend_from_bottom(int entries) {
  if (o.legend_bottom) legend_y = plot_max.y - font * 0.2f - ImGui::GetTextLineHeight() * static_cast<float>(entries);
}

void ChartFrame::legend_entry(const std::string& label, ImU32 colour) {
  const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
  const float x = plot_max.x - ts.x - font * 1.4f;
  dl->AddRectFilled(ImVec2(x - font * 0.2f, legend_y), ImVec2(plot_max.x - font * 0.2f, legend_y + ts.y),
                    theme_mix(0.04f, 0.8f));
  dl->AddRectFilled(ImVec2(x, legend_y + ts.y * 0.35f), ImVec2(x + font * 0.8f, legend_y + ts.y * 0.65f), colour);
  dl->AddText(ImVec2(x + font * 1.0f, legend_y), text, label.c_str());
  legend_y += ts.y;
}

Histogram histogram_bins(std::span<const float> values, int bins, float lo, float hi) {
  Histogram h;
  h.lo = lo;
  h.hi = hi;
  if (bins < 1 || !(std::isfinite(lo) && std::isfinite(hi)) || !(lo < hi)) return h;
  h.counts.assign(static_cast<std::size_t>(bins), 0.0f);
  const double width = (static_cast<double>(hi) - lo) / bins;
  for (float v : values) {
    if (!std::isfinite(v)) { ++h.skipped; continue; }
    // Bin b covers [lo + b*width, lo + (b+1)*width); out-of-range values clamp to the ends.
    const auto b = static_cast<long>(std::floor((static_cast<double>(v) - lo) / width));
    h.counts[static_cast<std::size_t>(std::clamp<long>(b, 0, bins - 1))] += 1.0f;
  }
  return h;
}

Histogram histogram_bins(std::span<const float> values, int bins) {
  float lo = kInf, hi = -kInf;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!std::isfinite(lo)) {  // nothing finite: no bins, but count what was skipped
    Histogram h;
    h.skipped = static_cast<int>(values.size());
    return h;
  }
  if (hi - lo < 1e-6f) { lo -= 0.5f; hi += 0.5f; }
  return histogram_bins(values, bins, lo, hi);
}

int draw_histogram(const char* id, ImVec2 size, std::span<const HistogramSeries> series,
                   const ChartOptions& options, ChartHover* hover) {
  if (hover) *hover = ChartHover{};
  ChartOptions o = options;
  o.y_from_zero = true;
  ChartFrame f(id, size, o);
  for (const HistogramSeries& s : series) {
    if (s.hist.counts.empty()) continue;
    f.include_x(s.hist.lo);
    f.include_x(s.hist.hi);
    for (float c : s.hist.counts) f.include(s.hist.lo, c);
  }
  if (!f.finish_ranges()) return 0;
  f.draw_axes();
  int drawn = 0;
  f.dl->PushClipRect(f.plot_min, f.plot_max, true);
  for (const HistogramSeries& s : series) {
    const std::size_t n = s.hist.counts.size();
    if (n == 0) continue;
    const float w = (s.hist.hi - s.hist.lo) / static_cast<float>(n);
    const ImU32 fill = (s.colour & ~IM_COL32_A_MASK) | (static_cast<ImU32>(110) << IM_COL32_A_SHIFT);
    for (std::size_t b = 0; b < n; ++b) {
      if (!f.ok(s.hist.counts[b]) || s.hist.counts[b] <= 0.0f) continue;
      const float x0 = s.hist.lo + w * static_cast<float>(b);
      const ImVec2 a = f.to_screen(x0, s.hist.counts[b]);
      const ImVec2 c = f.to_screen(x0 + w, o.log_y ? std::pow(10.0f, f.y_lo) : 0.0f);
      f.dl->AddRectFilled(ImVec2(a.x, a.y), ImVec2(c.x, c.y), fill);
      f.dl->AddRect(ImVec2(a.x, a.y), ImVec2(c.x, c.y), s.colour);
    }
    ++drawn;
  }
  f.dl->PopClipRect();
  f.legend_from_bottom(static_cast<int>(series.size()));
  for (const HistogramSeries& s : series) f.legend_entry(s.label, s.colour);
  ChartHover h = f.begin_hover();
  if (h.active) {
    std::vector<ImU32> colours;
    for (const HistogramSeries& s : series) {
      const std::size_t n = s.hist.counts.size();
      if (n == 0) continue;
      const float w = (s.hist.hi - s.hist.lo) / static_cast<float>(n);
      const auto b = static_cast<long>(std::floor((h.x - s.hist.lo) / w));
      if (b < 0 || b >= static_cast<long>(n)) continue;
      const float x0 = s.hist.lo + w * static_cast<float>(b);
      h.lines.push_back({s.label, static_cast<std::size_t>(b),
                         s.label + ": [" + format_number(x0) + ", " + format_number(x0 + w) + "): " +
                             format_number(s.hist.counts[static_cast<std::size_t>(b)])});
      colours.push_back(s.colour);
    }
    ImGui::BeginTooltip();
    for (std::size_t k = 0; k < h.lines.size(); ++k)
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colours[k]), "%s", h.lines[k].text.c_str());
    ImGui::EndTooltip();
  }
  if (hover) *hover = std::move(h);
  return drawn;
}

}  // namespace nl::ui
