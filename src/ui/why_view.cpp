// The "Why BN helps" panel: a header saying what the twin is, the sub-view buttons, then
// one sub-view (twin run, distributions over time, gradient flow, histograms, cost).
// Not here: the sub-views themselves (why_twin.cpp, why_charts.cpp) or any state.
#include <iterator>
#include <string>

#include "ui/chart.h"
#include "ui/theme.h"
#include "ui/view.h"
#include "ui/why_parts.h"

namespace nl::ui {

namespace why {

ImU32 shade_of(const ImVec4& c, float shade) {
  // shade > 0 mixes toward white, < 0 toward black.
  const float t = shade > 0.0f ? shade : -shade;
  const float target = shade > 0.0f ? 1.0f : 0.0f;
  auto mix = [&](float v) { return v + (target - v) * t; };
  return ImGui::ColorConvertFloat4ToU32(ImVec4(mix(c.x), mix(c.y), mix(c.z), 1.0f));
}

ImU32 with_colour(float shade) { return shade_of(palette().with_bn, shade); }
ImU32 without_colour(float shade) { return shade_of(palette().without_bn, shade); }

void label(UiProbe* probe, const std::string& slot, const std::string& s) {
  ImGui::TextUnformatted(s.c_str());
  if (!probe) return;
  const std::string prefix = "text:" + slot + "=";
  auto it = probe->rects.lower_bound(prefix);
  while (it != probe->rects.end() && it->first.compare(0, prefix.size(), prefix) == 0) it = probe->rects.erase(it);
  probe->record(prefix + s);
}

std::string with_name(const app::Session& s) {
  const ExperimentSpec& spec = s.twin.twin_has_norm ? app::twin_spec_for(s.spec) : s.spec;
  for (const HiddenLayerSpec& h : spec.net.hidden) {
    switch (h.norm) {
      case NormKind::kBatchNorm: return "with BN";
      case NormKind::kBatchRenorm: return "with Batch Renorm";
      case NormKind::kLayerNorm: return "with LayerNorm";
      case NormKind::kGroupNorm: return "with GroupNorm";
      case NormKind::kNone: break;
    }
  }
  return "with BN";
}

std::string status_of(const Experiment* e, std::int64_t diverged_at, const std::string& error) {
  if (!e) return error.empty() ? "not built" : "not built: " + error;
  if (diverged_at >= 0) return "diverged at step " + std::to_string(diverged_at) + " (weights kept from step " +
                               std::to_string(e->metrics().step) + ")";
  std::string out = "step " + std::to_string(e->metrics().step);
  if (!error.empty()) out += ", stopped: " + error;
  return out;
}

}  // namespace why

void draw_why_view(const app::Session& s, app::ActionQueue& actions, const ViewResources&, UiProbe* probe) {
  using app::WhyView;
  const app::TwinRun& t = s.twin;
  const std::string with = why::with_name(s);
  // What the twin is: the main network's normalization toggled, everything else shared.
  ImGui::TextWrapped("%s", t.twin_has_norm
      ? ("Your network has no normalization, so its twin is the same network " + with +
         " in every hidden layer: identical initial weights and batch order, trained in lockstep.").c_str()
      : std::string("The twin is your network without normalization: identical initial weights and batch "
                    "order, trained in lockstep with it.").c_str());
  if (s.spec.net.hidden.empty()) ImGui::TextDisabled("No hidden layers: both twins are the same network.");

  constexpr struct { WhyView view; const char* label; const char* probe; } kViews[] = {
      {WhyView::kTwin, "Twin run", "why:twin"},           {WhyView::kDistribution, "Distributions", "why:dist"},
      {WhyView::kGradients, "Gradient flow", "why:grad"}, {WhyView::kHistograms, "Histograms", "why:hist"},
      {WhyView::kCost, "Cost", "why:cost"}};
  const ImGuiStyle& style = ImGui::GetStyle();
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (std::size_t i = 0; i < std::size(kViews); ++i) {
    const bool selected = s.view.why_view == kViews[i].view;
    // Same row while the button fits; narrow screens wrap to the next row.
    const float w = ImGui::CalcTextSize(kViews[i].label).x + style.FramePadding.x * 2.0f;
    if (i > 0 && ImGui::GetItemRectMax().x + style.ItemSpacing.x + w <= right) ImGui::SameLine();
    if (selected) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_TabActive));
    if (ImGui::Button(kViews[i].label) && !selected) actions.push_back(app::act::SetWhyView{kViews[i].view});
    if (selected) ImGui::PopStyleColor();
    if (probe) probe->record(kViews[i].probe);
  }

  // Status of both networks: steps, or divergence as such.
  const bool main_is_with = !t.twin_has_norm;
  const Experiment* w = app::with_norm(s);
  const Experiment* wo = app::without_norm(s);
  const std::int64_t w_div = main_is_with ? t.main_diverged_at : t.twin_diverged_at;
  const std::int64_t wo_div = main_is_with ? t.twin_diverged_at : t.main_diverged_at;
  // Network colours as text: lightened on the dark theme, darkened on the light one.
  const float text_shade = s.view.theme == app::Theme::kLight ? -0.35f : 0.3f;
  ImGui::PushStyleColor(ImGuiCol_Text, why::with_colour(text_shade));
  why::label(probe, "status_with", with + ": " + why::status_of(w, w_div, main_is_with ? std::string() : t.twin_error));
  ImGui::PopStyleColor();
  ImGui::SameLine(0.0f, ImGui::GetFontSize() * 2.0f);
  ImGui::PushStyleColor(ImGuiCol_Text, why::without_colour(text_shade));
  why::label(probe, "status_without", "without: " + why::status_of(wo, wo_div, main_is_with ? t.twin_error : std::string()));
  ImGui::PopStyleColor();
  ImGui::Separator();

  switch (s.view.why_view) {
    case WhyView::kTwin: why::draw_twin(s, probe); break;
    case WhyView::kDistribution: why::draw_distribution(s, actions, probe); break;
    case WhyView::kGradients: why::draw_gradients(s, probe); break;
    case WhyView::kHistograms: why::draw_histograms(s, actions, probe); break;
    case WhyView::kCost: why::draw_cost(s, probe); break;
  }
}

}  // namespace nl::ui
