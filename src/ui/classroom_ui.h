// Classroom mode in the views: one helper for "is this control drawn" and one for "is it
// drawn disabled" (app/classroom.h lists the ids). Internal to src/ui; views keep no state.
//   if (shown(s, "lr")) { LockScope lock(s); ...slider...; lock_tip(s); }
#pragma once

#include <imgui.h>

#include <string>

#include "app/classroom.h"
#include "app/session.h"

namespace nl::ui {

// False when the link hides this control or panel ("lr", "panel:why").
inline bool shown(const app::Session& s, const std::string& id) { return !app::is_hidden(s.classroom, id); }

// Settings locked by the link: setting controls are drawn disabled.
inline bool locked(const app::Session& s) { return s.classroom.options.locked; }

// Draws the controls made in its scope disabled while the session's settings are locked.
class LockScope {
 public:
  explicit LockScope(const app::Session& s) : on_(locked(s)) {
    if (on_) ImGui::BeginDisabled();
  }
  ~LockScope() {
    if (on_) ImGui::EndDisabled();
  }
  LockScope(const LockScope&) = delete;
  LockScope& operator=(const LockScope&) = delete;

 private:
  bool on_;
};

// Call after a lockable item: explains why it does not respond.
inline void lock_tip(const app::Session& s) {
  if (locked(s) && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Locked by this link");
}

}  // namespace nl::ui
