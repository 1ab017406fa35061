// The network panel: the builder (layers, widths, activation, normalization and its
// placement, initialization, BN options) beside a diagram of the network with BN blocks as
// their own nodes, per-neuron mini heatmaps, links coloured and sized by weight, neuron
// inspection and single-weight editing. Reads the Session; every change is an Action.
// Not here: the per-neuron maps' computation (app/builder.cpp refresh_neuron_maps).
#include <algorithm>
#include <cmath>
#include <string>

#include "app/builder.h"
#include "ui/network_parts.h"
#include "ui/theme.h"
#include "ui/view.h"

namespace nl::ui {

void draw_network_view(const app::Session& session, app::ActionQueue& actions,
                       const ViewResources& resources, UiProbe* probe) {
  const float font = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool narrow = avail.x < font * 40.0f;
  const float inspector_h = ImGui::GetFrameHeightWithSpacing() * 4.2f;
  if (narrow) {  // phones: builder, diagram and inspector one below the other; the window scrolls
    draw_network_builder(session, actions, probe);
    const ImVec2 diagram_size(ImGui::GetContentRegionAvail().x, font * 20.0f);
    draw_network_diagram(session, actions, resources, probe, diagram_size);
    draw_network_inspector(session, actions, probe);
    return;
  }
  const float builder_w = std::clamp(avail.x * 0.4f, font * 20.0f, font * 26.0f);
  ImGui::BeginChild("builder", ImVec2(builder_w, avail.y), false);
  draw_network_builder(session, actions, probe);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("diagram", ImVec2(0, 0), false, ImGuiWindowFlags_NoScrollbar);
  const ImVec2 diagram_size(ImGui::GetContentRegionAvail().x,
                            std::max(font * 8.0f, ImGui::GetContentRegionAvail().y - inspector_h));
  draw_network_diagram(session, actions, resources, probe, diagram_size);
  draw_network_inspector(session, actions, probe);
  ImGui::EndChild();
}

}  // namespace nl::ui
