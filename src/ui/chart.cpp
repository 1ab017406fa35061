// Chart toolkit: ticks, number formatting, binning (pure), and the ImDrawList drawing of
// lines, scatter, ribbons and histograms over one shared frame (axes, legend, hover line).
// Not here: the shared frame (axes, legend) and histograms, in chart_frame.cpp.
#include "ui/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "ui/chart_frame.h"

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

std::vector<float> log_ticks(float lo, float hi) {
  std::vector<float> ticks;
  if (!(std::isfinite(lo) && std::isfinite(hi)) || lo <= 0.0f || hi <= lo) return ticks;
  const int e0 = static_cast<int>(std::ceil(std::log10(lo) - 1e-6));
  const int e1 = static_cast<int>(std::floor(std::log10(hi) + 1e-6));
  const int every = std::max(1, (e1 - e0 + 1 + 5) / 6);  // thin to at most ~6 decades
  for (int e = e0; e <= e1; e += every) ticks.push_back(static_cast<float>(std::pow(10.0, e)));
  return ticks;
}

namespace {

float x_at(const std::vector<float>& xs, std::size_t i, const ChartOptions& o) {
  return xs.empty() ? o.x_start + o.x_step * static_cast<float>(i) : xs[i];
}

// Plotting every point of a long series costs vertices, not information: draw every k-th.
std::size_t stride_for(std::size_t n, float width_px) {
  const auto budget = static_cast<std::size_t>(std::max(64.0f, width_px * 1.5f));
  return n > budget ? n / budget + 1 : 1;
}

}  // namespace

std::size_t nearest_index(const std::vector<float>& xs, std::size_t n, const ChartOptions& o, float x) {
  std::size_t best = 0;
  float best_d = std::numeric_limits<float>::infinity();
  for (std::size_t i = 0; i < n; ++i) {
    const float d = std::fabs(x_at(xs, i, o) - x);
    if (d < best_d) { best_d = d; best = i; }
  }
  return best;
}

int draw_chart(const char* id, ImVec2 size, std::span<const ChartSeries> series,
               std::span<const ChartRibbon> ribbons, const ChartOptions& o, ChartHover* hover) {
  if (hover) *hover = ChartHover{};
  ChartFrame f(id, size, o);
  // Data ranges over drawable (finite, and > 0 on log axes) values.
  for (const ChartSeries& s : series) {
    for (std::size_t i = 0; i < s.y.size(); ++i) f.include(x_at(s.x, i, o), s.y[i]);
  }
  for (const ChartRibbon& r : ribbons) {
    for (std::size_t i = 0; i < r.mid.size(); ++i) {
      const float xv = x_at(r.x, i, o);
      f.include(xv, r.lo[i]); f.include(xv, r.mid[i]); f.include(xv, r.hi[i]);
    }
  }
  if (!f.finish_ranges()) return 0;
  f.draw_axes();
  int drawn = 0;
  ImDrawList* dl = f.dl;
  dl->PushClipRect(f.plot_min, f.plot_max, true);
  // Bands first (all ribbons), then every median line on top, so no band hides a line.
  // Anti-aliased fill fringes would draw a seam between neighbouring quads: off for bands.
  const ImDrawListFlags saved_flags = dl->Flags;
  dl->Flags &= ~ImDrawListFlags_AntiAliasedFill;
  for (const ChartRibbon& r : ribbons) {
    const std::size_t n = std::min({r.lo.size(), r.mid.size(), r.hi.size()});
    const std::size_t k = stride_for(n, f.plot_max.x - f.plot_min.x);
    const ImU32 band = (r.colour & ~IM_COL32_A_MASK) | (static_cast<ImU32>(80) << IM_COL32_A_SHIFT);
    for (std::size_t i = 0; i < n; i += k) {
      const std::size_t j = std::min(i + k, n - 1);
      if (j == i || !(f.ok(r.lo[i]) && f.ok(r.hi[i]) && f.ok(r.lo[j]) && f.ok(r.hi[j]))) continue;
      const float x0 = x_at(r.x, i, o), x1 = x_at(r.x, j, o);
      // One convex quad per segment (lo <= hi keeps it convex).
      dl->AddQuadFilled(f.to_screen(x0, r.lo[i]), f.to_screen(x1, r.lo[j]), f.to_screen(x1, r.hi[j]),
                        f.to_screen(x0, r.hi[i]), band);
    }
  }
  dl->Flags = saved_flags;
  for (const ChartRibbon& r : ribbons) {
    const std::size_t n = std::min({r.lo.size(), r.mid.size(), r.hi.size()});
    const std::size_t k = stride_for(n, f.plot_max.x - f.plot_min.x);
    const ImU32 edge = (r.colour & ~IM_COL32_A_MASK) | (static_cast<ImU32>(150) << IM_COL32_A_SHIFT);
    bool any = false;
    // The 15th and 85th percentile edges thin, the median thick; each broken at non-finite values.
    for (const std::vector<float>* v : {&r.lo, &r.hi, &r.mid}) {
      const bool mid = v == &r.mid;
      std::vector<ImVec2> line;
      auto flush = [&] {
        if (line.size() >= 2) dl->AddPolyline(line.data(), static_cast<int>(line.size()), mid ? r.colour : edge, 0, mid ? 2.0f : 1.0f);
        line.clear();
      };
      for (std::size_t i = 0; i < n; i += k) {
        if (!f.ok((*v)[i])) { flush(); continue; }
        line.push_back(f.to_screen(x_at(r.x, i, o), (*v)[i]));
        any = true;
      }
      flush();
    }
    drawn += any ? 1 : 0;
  }
  for (const ChartSeries& s : series) {
    const std::size_t k = s.kind == SeriesKind::kLine ? stride_for(s.y.size(), f.plot_max.x - f.plot_min.x) : 1;
    std::vector<ImVec2> run;
    bool any = false;
    auto flush = [&] {
      if (run.size() >= 2) dl->AddPolyline(run.data(), static_cast<int>(run.size()), s.colour, 0, 2.0f);
      if (run.size() == 1) dl->AddCircleFilled(run[0], 2.0f, s.colour);  // an isolated point stays visible
      run.clear();
    };
    for (std::size_t i = 0; i < s.y.size(); i += k) {
      if (!f.ok(s.y[i])) { flush(); continue; }
      const ImVec2 p = f.to_screen(x_at(s.x, i, o), s.y[i]);
      any = true;
      if (s.kind == SeriesKind::kScatter) dl->AddCircleFilled(p, 3.0f, s.colour, 10);
      else run.push_back(p);
    }
    flush();
    drawn += any ? 1 : 0;
  }
  dl->PopClipRect();

  f.legend_from_bottom(static_cast<int>(ribbons.size() + series.size()));
  for (const ChartRibbon& r : ribbons) f.legend_entry(r.label + " (15/50/85th pct)", r.colour);
  for (const ChartSeries& s : series) f.legend_entry(s.label, s.colour);

  // Hover: the nearest recorded x of each series and ribbon.
  ChartHover h = f.begin_hover();
  if (h.active) {
    h.title = (o.x_label.empty() ? std::string("x") : o.x_label) + " " + format_number(h.x);
    std::vector<ImU32> colours;
    for (const ChartRibbon& r : ribbons) {
      const std::size_t n = std::min({r.lo.size(), r.mid.size(), r.hi.size()});
      if (n == 0) continue;
      const std::size_t i = nearest_index(r.x, n, o, h.x);
      h.lines.push_back({r.label, i, r.label + ": 15th " + format_number(r.lo[i]) + ", median " + format_number(r.mid[i]) +
                                         ", 85th " + format_number(r.hi[i])});
      colours.push_back(r.colour);
    }
    for (const ChartSeries& s : series) {
      if (s.y.empty()) continue;
      const std::size_t i = nearest_index(s.x, s.y.size(), o, h.x);
      h.lines.push_back({s.label, i, s.label + ": " + format_number(s.y[i])});
      colours.push_back(s.colour);
    }
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(h.title.c_str());
    for (std::size_t k = 0; k < h.lines.size(); ++k)
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colours[k]), "%s", h.lines[k].text.c_str());
    ImGui::EndTooltip();
  }
  if (hover) *hover = std::move(h);
  return drawn;
}

void draw_line_chart(const char* id, ImVec2 size, std::span<const ChartSeries> series,
                     const ChartOptions& options) {
  draw_chart(id, size, series, {}, options);
}

}  // namespace nl::ui
