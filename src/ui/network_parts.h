// The parts of the network panel (network_view.cpp): the builder controls, the diagram
// and the inspector of the selected neuron or weight. Internal to src/ui.
#pragma once

#include "ui/view.h"

namespace nl::ui {

void draw_network_builder(const app::Session& session, app::ActionQueue& actions, UiProbe* probe);
// Draws the diagram in a box of `size` at the cursor; clicks select a neuron or a weight.
void draw_network_diagram(const app::Session& session, app::ActionQueue& actions,
                          const ViewResources& resources, UiProbe* probe, ImVec2 size);
void draw_network_inspector(const app::Session& session, app::ActionQueue& actions, UiProbe* probe);

// Short names shared by the builder and the diagram.
const char* norm_short_name(NormKind kind);  // "BN", "LN", "GN", "BRN", ""

}  // namespace nl::ui
