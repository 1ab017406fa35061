// Why panel sub-views per layer: a unit's pre-activation percentiles over training
// (Ioffe & Szegedy 2015, Fig. 1b,c, live), gradient norms per layer over time (log-y),
// and histograms of each hidden layer's pre-activations on the probe batch.
// Not here: the twin heatmaps and cost (why_twin.cpp).
#include <algorithm>
#include <string>

#include "ui/chart.h"
#include "ui/why_parts.h"

namespace nl::ui::why {

namespace {

ChartRibbon ribbon_of(const app::UnitSeries& u, std::string name, ImU32 colour) {
  return ChartRibbon{std::move(name), u.steps, u.p15, u.p50, u.p85, colour};
}

// "- 2 +" buttons; pushes a SelectWhyUnit for the new value.
void stepper(const char* id, const char* text, int value, int count, UiProbe* probe,
             app::ActionQueue& actions, int layer, int unit, bool is_layer) {
  ImGui::PushID(id);
  ImGui::AlignTextToFramePadding();
  ImGui::Text("%s %d of %d", text, value + 1, count);
  ImGui::SameLine();
  auto push = [&](int v) {
    if (is_layer) actions.push_back(app::act::SelectWhyUnit{v, 0});
    else actions.push_back(app::act::SelectWhyUnit{layer, v});
  };
  if (ImGui::ArrowButton("dec", ImGuiDir_Left) && value > 0) push(value - 1);
  if (probe) probe->record(std::string("why:") + id + "-");
  ImGui::SameLine();
  if (ImGui::ArrowButton("inc", ImGuiDir_Right) && value + 1 < count) push(value + 1);
  if (probe) probe->record(std::string("why:") + id + "+");
  ImGui::PopID();
  (void)unit;
}

}  // namespace

void draw_distribution(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  const auto& hidden = s.spec.net.hidden;
  if (hidden.empty()) {
    label(probe, "no_layers", "No hidden layers: add one in the Network panel to see its distribution.");
    return;
  }
  const int layers = static_cast<int>(hidden.size());
  const int layer = std::clamp(s.view.why_layer, 0, layers - 1);
  const int width = hidden[static_cast<std::size_t>(layer)].width;
  const int unit = std::clamp(s.view.why_unit, 0, width - 1);
  stepper("layer", "hidden layer", layer, layers, probe, actions, layer, unit, true);
  ImGui::SameLine(0.0f, ImGui::GetFontSize() * 2.0f);
  stepper("unit", "unit", unit, width, probe, actions, layer, unit, false);
  ImGui::TextWrapped("The input of this unit's activation on a fixed probe batch, over training (at the steps whose "
                     "metrics were measured): the band spans "
                     "the 15th to 85th percentile, the line is the median (as in Ioffe & Szegedy 2015, Fig. 1b,c). "
                     "Watch how much each distribution moves while the layers below it learn; with BN before "
                     "the activation, the shift and spread here are set by the layer's own \xCE\xB3 and \xCE\xB2.");
  const ChartRibbon ribbons[] = {
      ribbon_of(app::unit_series(app::with_norm_pct(s), layer, unit), with_name(s), with_colour()),
      ribbon_of(app::unit_series(app::without_norm_pct(s), layer, unit), "without", without_colour())};
  ChartOptions o;
  o.x_label = "step";
  o.y_label = "pre-activation";
  o.y_from_zero = false;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  draw_chart("why_ribbons", ImVec2(avail.x, std::max(avail.y, ImGui::GetFontSize() * 10.0f)), {}, ribbons, o);
  if (probe) probe->record("why:chart_ribbons");
}

void draw_gradients(const app::Session& s, UiProbe* probe) {
  ImGui::TextWrapped("L2 norm of each layer's parameter gradients (Linear + norm) at the steps whose metrics were "
                     "measured (every step, or every n-th while playing fast), log scale. Darker lines are earlier layers.");
  std::vector<ChartSeries> series;
  auto add = [&](const Experiment* e, const std::string& who, bool with) {
    if (!e) return;
    const std::vector<StepMetrics>& h = e->history();
    if (h.empty()) return;
    const std::size_t layers = h.back().layers.size();
    const std::size_t stride = std::max<std::size_t>(1, h.size() / 500 + 1);
    for (std::size_t l = 0; l < layers; ++l) {
      const float shade = layers > 1 ? -0.45f + 0.9f * static_cast<float>(l) / static_cast<float>(layers - 1) : 0.0f;
      ChartSeries c{who + " " + h.back().layers[l].name, {}, with ? with_colour(shade) : without_colour(shade)};
      for (std::size_t i = 0; i < h.size(); i += stride) {
        if (l >= h[i].layers.size()) continue;
        // At the step it was measured at (tick() paces the metrics; values carry over between).
        const auto at = static_cast<float>(h[i].metrics_step);
        if (!c.x.empty() && c.x.back() >= at) continue;
        c.x.push_back(at);
        c.y.push_back(h[i].layers[l].grad_norm);
      }
      series.push_back(std::move(c));
    }
  };
  add(app::with_norm(s), with_name(s), true);
  add(app::without_norm(s), "without", false);
  ChartOptions o;
  o.x_label = "step";
  o.y_label = "gradient norm";
  o.log_y = true;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  draw_chart("why_grads", ImVec2(avail.x, std::max(avail.y, ImGui::GetFontSize() * 10.0f)), series, {}, o);
  if (probe) probe->record("why:chart_grads");
}

void draw_histograms(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  const app::TwinRun& t = s.twin;
  const bool main_is_with = !t.twin_has_norm;
  const bool post = s.view.why_post_activation;
  const auto& main_values = post ? t.main_postact : t.main_preact;
  const auto& twin_values = post ? t.twin_postact : t.twin_preact;
  const auto& w = main_is_with ? main_values : twin_values;
  const auto& wo = main_is_with ? twin_values : main_values;
  bool after = post;
  if (ImGui::Checkbox("after the activation", &after)) actions.push_back(app::act::SetWhyHistogramSide{after});
  if (probe) probe->record("why:post_activation");
  ImGui::TextWrapped(post ? "Each hidden layer's activation outputs (all units, probe batch, eval mode) for the "
                            "current weights."
                          : "Each hidden layer's pre-activations (all units, probe batch, eval mode) for the current "
                            "weights. With BN before the activation they stay centred and scaled; without, their "
                            "spread follows the weights.");
  const std::size_t layers = std::max(w.size(), wo.size());
  if (layers == 0) {
    label(probe, "no_layers", "No hidden layers to show.");
    return;
  }
  const float font = ImGui::GetFontSize();
  const float h = std::max(font * 8.0f, (ImGui::GetContentRegionAvail().y - font) / static_cast<float>(layers));
  ImGui::BeginChild("why_hist_scroll", ImVec2(0, 0), false);
  for (std::size_t l = 0; l < layers; ++l) {
    // Shared bins over both networks' finite range, so the two histograms compare.
    std::vector<float> both;
    if (l < w.size()) both.insert(both.end(), w[l].begin(), w[l].end());
    if (l < wo.size()) both.insert(both.end(), wo[l].begin(), wo[l].end());
    const Histogram range = histogram_bins(both, 1);
    const HistogramSeries hs[] = {
        {with_name(s), l < w.size() ? histogram_bins(w[l], 30, range.lo, range.hi) : Histogram{}, with_colour()},
        {"without", l < wo.size() ? histogram_bins(wo[l], 30, range.lo, range.hi) : Histogram{}, without_colour()}};
    ChartOptions o;
    o.x_label = "hidden layer " + std::to_string(l + 1) + (post ? " activation output" : " pre-activation");
    o.y_label = "count";
    o.empty_text = "no finite values";
    const std::string id = "why_hist" + std::to_string(l);
    draw_histogram(id.c_str(), ImVec2(ImGui::GetContentRegionAvail().x, h), hs, o);
    if (probe) probe->record("why:" + id.substr(4));
  }
  ImGui::EndChild();
}

}  // namespace nl::ui::why
