// Pieces of the "Why BN helps" panel (why_view.cpp): one function per sub-view, and the
// small helpers they share. Each reads the const Session and pushes Actions; no state.
// Not here: the panel's header and sub-view switch (why_view.cpp).
#pragma once

#include <imgui.h>

#include <string>

#include "app/session.h"
#include "ui/view.h"

namespace nl::ui::why {

// Colours of the two networks (theme.h: green with norm, purple without), and a lighter
// or darker variant for the second series of the same network (test vs train, layers).
ImU32 with_colour(float shade = 0.0f);
ImU32 without_colour(float shade = 0.0f);

// Text the tests can see: drawn with TextUnformatted and recorded as "text:<slot>=<s>",
// replacing the slot's previous text (the probe stays bounded however long the app runs).
void label(UiProbe* probe, const std::string& slot, const std::string& s);
// "with BN" / "without BN" (or the norm's name) for the session's two networks.
std::string with_name(const app::Session& s);
// "step k" or "diverged at step k" for one network (never a NaN).
std::string status_of(const Experiment* e, std::int64_t diverged_at, const std::string& error);

void draw_twin(const app::Session& s, UiProbe* probe);
void draw_distribution(const app::Session& s, app::ActionQueue& actions, UiProbe* probe);
void draw_gradients(const app::Session& s, UiProbe* probe);
void draw_histograms(const app::Session& s, app::ActionQueue& actions, UiProbe* probe);
void draw_cost(const app::Session& s, UiProbe* probe);

}  // namespace nl::ui::why
