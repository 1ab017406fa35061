// The entry point of the UI layer: draws every panel for one frame from a const
// Session and collects the actions the learner asked for. Views keep no state of
// their own; what they need across frames lives in the Session or in ImGui.
#pragma once

#include <imgui.h>

#include <map>
#include <string>

#include "app/actions.h"
#include "app/session.h"

namespace nl::ui {

// What the platform gives the views: GPU resources they may show but never touch.
struct ViewResources {
  ImTextureID heatmap_texture = nullptr;  // decision heatmap for session.grid (null: none yet)
  float frame_ms = 0.0f;                  // last frame's CPU time, for the status line
  std::string page_url;                   // the page's address without '#' (web; "" on desktop), for Share links
};

// Screen rectangles of named controls, recorded as they are drawn. Tests (headless,
// browser) use it to click real controls instead of guessing coordinates.
struct UiProbe {
  struct Rect { ImVec2 min, max; };
  std::map<std::string, Rect> rects;
  void record(const std::string& name);  // the last item's rectangle
  ImVec2 centre(const std::string& name) const;
};

void draw_app(const app::Session& session, app::ActionQueue& actions,
              const ViewResources& resources, UiProbe* probe = nullptr);

// Panels (one file each).
void draw_controls_view(const app::Session& session, app::ActionQueue& actions,
                        const ViewResources& resources, UiProbe* probe);
void draw_data_view(const app::Session& session, app::ActionQueue& actions,
                    const ViewResources& resources, UiProbe* probe);
void draw_network_view(const app::Session& session, app::ActionQueue& actions,
                       const ViewResources& resources, UiProbe* probe);
void draw_inspector_view(const app::Session& session, app::ActionQueue& actions,
                         const ViewResources& resources, UiProbe* probe);
void draw_backprop_view(const app::Session& session, app::ActionQueue& actions,
                        const ViewResources& resources, UiProbe* probe);
void draw_why_view(const app::Session& session, app::ActionQueue& actions,
                   const ViewResources& resources, UiProbe* probe);
// The Share dialog (share_view.cpp): the current link and a classroom-link builder.
void draw_share_button(const app::Session& session, app::ActionQueue& actions, UiProbe* probe);
void draw_share_view(const app::Session& session, app::ActionQueue& actions,
                     const ViewResources& resources, UiProbe* probe);
void draw_studies_view(const app::Session& session, app::ActionQueue& actions,
                       const ViewResources& resources, UiProbe* probe);  // Experiments (study_view.cpp)
// The Export button (drawn right after the theme switch) and the Export window.
void draw_export_view(const app::Session& session, app::ActionQueue& actions, UiProbe* probe);
// The lesson strip (lesson_view.cpp): Lessons button and list, the open lesson's step,
// readouts, try-it box, Back/Next. begin_lesson_frame (first thing in a frame) and
// draw_lesson_highlight (last) outline the step's look-at control if it was drawn.
void draw_lesson_strip(const app::Session& session, app::ActionQueue& actions, UiProbe* probe);
void begin_lesson_frame(const app::Session& session, UiProbe* probe);
void draw_lesson_highlight(const app::Session& session, const UiProbe* probe);

}  // namespace nl::ui
