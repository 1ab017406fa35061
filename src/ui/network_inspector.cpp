// Under the network diagram: the selected neuron (bias, incoming weights, its output over
// the input plane, its norm layer's gamma/beta and running statistics) and the selected
// weight with an editor (drag, or nudge by 0.1, or zero). Reads the Session only.
#include <algorithm>
#include <cmath>
#include <string>

#include "app/builder.h"
#include "ui/chart.h"
#include "ui/network_parts.h"

namespace nl::ui {

namespace {

std::string fmt(double v) { return format_number(v); }

void draw_neuron(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  const int h = s.view.selected_layer, u = s.view.selected_unit;
  const Network& net = s.exp().network();
  if (h < 0 || h >= static_cast<int>(net.hidden().size())) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("Click a neuron to inspect it; hover a link to see its weight (the wheel edits it), click it to select.");
    ImGui::PopStyleColor();
    return;
  }
  const HiddenLayerInfo& info = net.hidden()[static_cast<std::size_t>(h)];
  const Linear& lin = std::get<Linear>(net.layers()[static_cast<std::size_t>(info.linear)]);
  if (u < 0 || u >= lin.weight.rows()) return;
  const HiddenLayerSpec& spec = s.spec.net.hidden[static_cast<std::size_t>(h)];
  std::string line = "hidden " + std::to_string(h + 1) + ", neuron " + std::to_string(u + 1) + ": bias " +
                     fmt(lin.bias(u)) + ", |w_in| " + fmt(lin.weight.row(u).norm());
  if (static_cast<int>(s.neuron_maps.layers.size()) > h && s.neuron_maps.layers[static_cast<std::size_t>(h)].rows() > u) {
    const auto row = s.neuron_maps.layers[static_cast<std::size_t>(h)].row(u);
    const float active = static_cast<float>((row.array() > 0.0f).count()) / static_cast<float>(std::max<Index>(1, row.size()));
    line += ", output over the plane " + fmt(row.minCoeff()) + " .. " + fmt(row.maxCoeff()) + " (" +
            fmt(100.0 * active) + "% > 0)";
  }
  ImGui::TextWrapped("%s", line.c_str());
  if (info.norm < 0) {
    ImGui::TextDisabled("no normalization in this layer");
    return;
  }
  const Layer& layer = net.layers()[static_cast<std::size_t>(info.norm)];
  const BatchNorm* bn = std::get_if<BatchNorm>(&layer);
  if (const auto* brn = std::get_if<BatchRenorm>(&layer)) bn = &brn->bn;
  std::string norm = std::string(norm_short_name(spec.norm)) +
                     (spec.placement == NormPlacement::kBeforeActivation ? " before" : " after") + " the activation";
  if (bn && bn->gamma.size() > u) {
    norm += ": \xCE\xB3 " + fmt(bn->gamma(u)) + ", \xCE\xB2 " + fmt(bn->beta(u));
    if (bn->running_mean.size() > u) {
      norm += ", running mean " + fmt(bn->running_mean(u)) + ", running var " + fmt(bn->running_var(u));
    }
  }
  ImGui::TextWrapped("%s", norm.c_str());
  if (bn && bn->spatial == 1 && bn->gamma.size() > u) {  // BatchNorm / Batch Renorm: walk this unit through it
    if (ImGui::SmallButton("inspect this unit in the BN inspector")) {
      actions.push_back(app::act::InspectLayer{h});
      actions.push_back(app::act::InspectFeature{u});
      actions.push_back(app::act::ShowPanel{app::Panel::kInspector});
    }
    if (probe) probe->record("neuron_inspect");
  }
}

void draw_weight(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  const Network& net = s.exp().network();
  const int li = app::linear_index(net, s.view.weight_layer);
  if (li < 0) return;
  const Matrix& w = std::get<Linear>(net.layers()[static_cast<std::size_t>(li)]).weight;  // (out, in)
  const int r = s.view.weight_row, c = s.view.weight_col;
  if (r < 0 || r >= w.rows() || c < 0 || c >= w.cols()) return;
  const int hidden = static_cast<int>(net.hidden().size());
  const int l = s.view.weight_layer;
  const std::string to = l == hidden ? "output " + std::to_string(r + 1) : "hidden " + std::to_string(l + 1) + "." + std::to_string(r + 1);
  const std::string from = l == 0 ? std::string(c == 0 ? "x" : "y") : "hidden " + std::to_string(l) + "." + std::to_string(c + 1);
  ImGui::Text("weight %s \xE2\x86\x90 %s", to.c_str(), from.c_str());
  ImGui::SameLine();
  const float v = w(r, c);
  float edited = std::isfinite(v) ? v : 0.0f;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.0f);
  if (ImGui::DragFloat("##weight", &edited, 0.01f, -100.0f, 100.0f, "%.4f", ImGuiSliderFlags_AlwaysClamp) && edited != v) {
    actions.push_back(app::act::SetWeight{l, r, c, edited});
  }
  if (probe) probe->record("weight_value");
  auto nudge = [&](const char* label, const char* name, float value) {
    ImGui::SameLine();
    if (ImGui::Button(label)) actions.push_back(app::act::SetWeight{l, r, c, std::clamp(value, -100.0f, 100.0f)});
    if (probe) probe->record(name);
  };
  nudge("\xE2\x88\x92" "0.1", "weight_minus", edited - 0.1f);
  nudge("+0.1", "weight_plus", edited + 0.1f);
  nudge("0", "weight_zero", 0.0f);
}

}  // namespace

void draw_network_inspector(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  draw_neuron(s, actions, probe);
  draw_weight(s, actions, probe);
}

}  // namespace nl::ui
