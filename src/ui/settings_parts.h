// Parts of the left panel (settings_view.cpp): the data settings and the optimizer and
// batch settings. Internal to src/ui.
#pragma once

#include "ui/view.h"

namespace nl::ui {

void draw_data_settings(const app::Session& session, app::ActionQueue& actions, UiProbe* probe);
void draw_optimizer_settings(const app::Session& session, app::ActionQueue& actions, UiProbe* probe);

}  // namespace nl::ui
