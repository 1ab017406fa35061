// Why panel sub-views about the whole networks: the twin run (both decision boundaries
// from the app layer's coarse grids, one loss chart and one accuracy chart) and the cost
// (bytes each BN layer caches for backward, time per training step).
// Not here: per-layer charts (why_charts.cpp).
#include <algorithm>
#include <cmath>
#include <string>

#include "ui/chart.h"
#include "ui/theme.h"
#include "ui/why_parts.h"

namespace nl::ui::why {

namespace {

// A coarse P(class 1) heatmap with the training points, titled; `note` overlays it.
// The square's rectangle is probed as `plot_name`.
void heatmap(const app::Session& s, const std::vector<float>& grid, int n, const Experiment* e,
             const std::string& title, ImU32 title_colour, float side, const std::string& note, UiProbe* probe,
             const char* plot_name) {
  ImGui::BeginGroup();
  ImGui::PushStyleColor(ImGuiCol_Text, title_colour);
  ImGui::TextUnformatted(title.c_str());
  ImGui::PopStyleColor();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(side, side));
  if (probe) probe->rects[plot_name] = UiProbe::Rect{p0, ImVec2(p0.x + side, p0.y + side)};
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float cell = side / static_cast<float>(n);
  dl->AddRectFilled(p0, ImVec2(p0.x + side, p0.y + side), IM_COL32(40, 42, 48, 255));
  if (grid.size() == static_cast<std::size_t>(n) * n) {
    for (int row = 0; row < n; ++row) {  // row 0 at y_min: drawn at the bottom
      for (int col = 0; col < n; ++col) {
        const ImVec2 a(p0.x + cell * static_cast<float>(col), p0.y + side - cell * static_cast<float>(row + 1));
        dl->AddRectFilled(a, ImVec2(a.x + cell + 0.5f, a.y + cell + 0.5f),
                          ImGui::ColorConvertFloat4ToU32(heatmap_colour(grid[static_cast<std::size_t>(row * n + col)])));
      }
    }
  }
  if (e) {
    const app::DecisionGrid& g = s.grid;
    const Matrix& x = e->dataset().x_train;  // (2, N)
    const std::vector<int>& y = e->dataset().y_train;
    const ImU32 c0 = ImGui::ColorConvertFloat4ToU32(palette().class0);
    const ImU32 c1 = ImGui::ColorConvertFloat4ToU32(palette().class1);
    for (Index i = 0; i < x.cols(); ++i) {
      const ImVec2 p(p0.x + (x(0, i) - g.x_min) / (g.x_max - g.x_min) * side,
                     p0.y + side - (x(1, i) - g.y_min) / (g.y_max - g.y_min) * side);
      dl->AddCircleFilled(p, 2.5f, y[static_cast<std::size_t>(i)] == 1 ? c1 : c0, 8);
      dl->AddCircle(p, 2.5f, IM_COL32(20, 20, 20, 200), 8);
    }
  }
  if (!note.empty()) {
    const ImVec2 ts = ImGui::CalcTextSize(note.c_str());
    const ImVec2 a(p0.x + 0.5f * (side - ts.x), p0.y + 0.5f * (side - ts.y));
    dl->AddRectFilled(ImVec2(a.x - 6, a.y - 4), ImVec2(a.x + ts.x + 6, a.y + ts.y + 4), IM_COL32(20, 20, 24, 230));
    dl->AddText(a, ImGui::ColorConvertFloat4ToU32(palette().warning), note.c_str());
  }
  ImGui::EndGroup();
}

// One metric over the history, at most ~600 points (explicit x: the step it was measured at).
ChartSeries history_series(const Experiment* e, float StepMetrics::*field, std::string name, ImU32 colour) {
  ChartSeries out{std::move(name), {}, colour};
  if (!e) return out;
  const std::vector<StepMetrics>& h = e->history();
  const std::size_t stride = std::max<std::size_t>(1, h.size() / 600 + 1);
  for (std::size_t i = 0; i < h.size(); i += stride) {
    // At the step it was measured at (tick() paces eval metrics; values carry over between).
    const auto at = static_cast<float>(h[i].metrics_step);
    if (!out.x.empty() && out.x.back() >= at) continue;
    out.x.push_back(at);
    out.y.push_back(h[i].*field);
  }
  return out;
}

std::string divergence_note(std::int64_t at) {
  return at >= 0 ? "diverged at step " + std::to_string(at) : std::string();
}

}  // namespace

void draw_twin(const app::Session& s, UiProbe* probe) {
  const app::TwinRun& t = s.twin;
  const bool main_is_with = !t.twin_has_norm;
  const Experiment* w = app::with_norm(s);
  const Experiment* wo = app::without_norm(s);
  const std::vector<float>& w_grid = main_is_with ? t.main_grid : t.twin_grid;
  const std::vector<float>& wo_grid = main_is_with ? t.twin_grid : t.main_grid;
  const std::string with = with_name(s);
  const float font = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool narrow = avail.x < font * 34.0f;  // phones: short titles, charts stacked (the panel scrolls)
  const float side = std::max(font * 6.0f, narrow ? (avail.x - font) * 0.5f : std::min((avail.x - font) * 0.5f, avail.y * 0.42f));
  const float text_shade = s.view.theme == app::Theme::kLight ? -0.35f : 0.3f;
  heatmap(s, w_grid, t.grid_resolution, w, narrow ? with : with + " (your " + (main_is_with ? "network)" : "twin)"),
          with_colour(text_shade), side, divergence_note(main_is_with ? t.main_diverged_at : t.twin_diverged_at), probe,
          "why:heatmap_with_plot");
  if (probe) probe->record("why:heatmap_with");
  ImGui::SameLine(0.0f, font);
  heatmap(s, wo_grid, t.grid_resolution, wo, narrow ? std::string("without") : std::string("without normalization (your ") +
          (main_is_with ? "twin)" : "network)"), without_colour(text_shade), side,
          divergence_note(main_is_with ? t.twin_diverged_at : t.main_diverged_at), probe, "why:heatmap_without_plot");
  if (probe) probe->record("why:heatmap_without");

  const float test_shade = s.view.theme == app::Theme::kLight ? -0.45f : 0.55f;  // test series: paler on dark, darker on light
  const float chart_w = narrow ? ImGui::GetContentRegionAvail().x : (ImGui::GetContentRegionAvail().x - font) * 0.5f;
  const float chart_h = narrow ? font * 12.0f : std::max(font * 9.0f, ImGui::GetContentRegionAvail().y - font * 0.5f);
  const ChartSeries loss[] = {history_series(w, &StepMetrics::train_loss, with + " train", with_colour()),
                              history_series(w, &StepMetrics::test_loss, with + " test", with_colour(test_shade)),
                              history_series(wo, &StepMetrics::train_loss, "without train", without_colour()),
                              history_series(wo, &StepMetrics::test_loss, "without test", without_colour(test_shade))};
  ChartOptions o;
  o.x_label = "step";
  o.y_label = "loss (eval mode)";
  draw_chart("why_loss", ImVec2(chart_w, chart_h), loss, {}, o);
  if (probe) probe->record("why:chart_loss");
  if (!narrow) ImGui::SameLine(0.0f, font);
  const ChartSeries acc[] = {history_series(w, &StepMetrics::train_accuracy, with + " train", with_colour()),
                             history_series(w, &StepMetrics::test_accuracy, with + " test", with_colour(test_shade)),
                             history_series(wo, &StepMetrics::train_accuracy, "without train", without_colour()),
                             history_series(wo, &StepMetrics::test_accuracy, "without test", without_colour(test_shade))};
  o.y_label = "accuracy";
  o.legend_bottom = true;  // accuracies end near 1: keep the legend off the curves
  draw_chart("why_accuracy", ImVec2(chart_w, chart_h), acc, {}, o);
  if (probe) probe->record("why:chart_accuracy");
}

void draw_cost(const app::Session& s, UiProbe* probe) {
  const Experiment* w = app::with_norm(s);
  const app::TwinRun& t = s.twin;
  ImGui::TextWrapped("Memory: what each normalization layer keeps from forward for backward, "
                     "counted from its cached matrices (x\xCC\x82 is features \xC3\x97 batch size, so it grows with the batch), "
                     "and the least its backward pass needs: x\xCC\x82 and 1/\xE2\x88\x9A(\xCF\x83\xC2\xB2 + \xCE\xB5) per feature "
                     "(NormLab also keeps \xCE\xBC and \xCF\x83\xC2\xB2 for the inspector).");
  const std::vector<app::BnCacheBytes> bytes = w ? app::bn_cache_bytes(w->network()) : std::vector<app::BnCacheBytes>{};
  std::size_t total = 0, total_needed = 0;
  if (bytes.empty()) {
    label(probe, "cost_note", "No BatchNorm or Batch Renorm layer in the normalized network (other norms keep no batch statistics).");
  } else if (w && w->metrics().step == 0) {
    label(probe, "cost_note", "The caches fill on the first training step: press Step or Play.");
  } else if (ImGui::BeginTable("why_bytes", 3, ImGuiTableFlags_BordersInnerH)) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn(); ImGui::TextUnformatted("layer");
    ImGui::TableNextColumn(); ImGui::TextUnformatted("NormLab keeps");
    ImGui::TableNextColumn(); ImGui::TextUnformatted("backward needs");
    for (const app::BnCacheBytes& b : bytes) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn(); ImGui::TextUnformatted(b.name.c_str());
      ImGui::TableNextColumn(); label(probe, b.name, std::to_string(b.bytes) + " bytes");
      ImGui::TableNextColumn(); label(probe, b.name + "_needed", std::to_string(b.needed) + " bytes");
      total += b.bytes;
      total_needed += b.needed;
    }
    ImGui::TableNextRow();
    ImGui::TableNextColumn(); ImGui::TextUnformatted("total");
    ImGui::TableNextColumn(); label(probe, "total", std::to_string(total) + " bytes (batch size " + std::to_string(s.spec.batch_size) + ")");
    ImGui::TableNextColumn(); label(probe, "total_needed", std::to_string(total_needed) + " bytes");
    ImGui::EndTable();
  }
  ImGui::Spacing();
  ImGui::TextWrapped("Time per training step (forward, backward, update and the metrics on the probe batch), "
                     "a running average measured as the twins train:");
  const bool main_is_with = !t.twin_has_norm;
  const double w_ms = main_is_with ? t.main_step_ms : t.twin_step_ms;
  const double wo_ms = main_is_with ? t.twin_step_ms : t.main_step_ms;
  const bool timed = w_ms > 0.0 && wo_ms > 0.0;
  label(probe, "time_with", with_name(s) + ": " + (timed ? format_number(w_ms) + " ms" : std::string("not measured yet")));
  label(probe, "time_without", "without: " + (timed ? format_number(wo_ms) + " ms" : std::string("not measured yet")));
  if (timed) label(probe, "ratio", "ratio: " + format_number(w_ms / wo_ms) + "\xC3\x97");
  const float font = ImGui::GetFontSize();
  const float bar_w = ImGui::GetContentRegionAvail().x * 0.6f;
  const double top = std::max(w_ms, wo_ms);
  if (timed && top > 0.0) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (const auto& [ms, colour] : {std::pair{w_ms, with_colour()}, std::pair{wo_ms, without_colour()}}) {
      const ImVec2 p = ImGui::GetCursorScreenPos();
      ImGui::Dummy(ImVec2(bar_w, font));
      dl->AddRectFilled(p, ImVec2(p.x + static_cast<float>(ms / top) * bar_w, p.y + font * 0.8f), colour);
    }
    if (probe) probe->record("why:cost_bars");
  }
}

}  // namespace nl::ui::why
