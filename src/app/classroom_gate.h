// Classroom mode's rules for actions: which control an action belongs to, the UI path that
// refuses hidden or locked controls, and the classroom actions themselves (see classroom.h
// for the ids and for who may change what). Not here: drawing, URL text.
#pragma once

#include <string>

#include "app/actions.h"
#include "app/classroom.h"
#include "app/session.h"

namespace nl::app {

// The control an action belongs to ("" = none) and whether it changes a setting (refused
// from the UI while locked). ShowPanel belongs to "panel:<name>".
struct ActionGate {
  std::string control;
  bool setting = false;
};
ActionGate gate_of(const Action& action);

// Why the UI may not carry this action out now ("" = it may).
std::string refusal_of(const Session& session, const Action& action);

// The UI's way to apply an action: refused with a Notice when its control is hidden or it
// changes a setting while locked; otherwise apply(). The host and lessons call apply().
//   for (const Action& a : queue) apply_from_ui(session, a);
void apply_from_ui(Session& session, const Action& action);

// apply()'s handlers of the classroom actions (classroom.h).
void apply_classroom(Session& s, const act::SetClassroom& a);
void apply_classroom(Session& s, const act::SetShareOpen& a);
void apply_classroom(Session& s, const act::SetShareLink& a);

template <class A>
concept ClassroomAction = requires(Session& s, const A& a) { apply_classroom(s, a); };

// The first panel not hidden (kData if all are hidden: something must show).
Panel first_visible_panel(const ClassroomState& c);

}  // namespace nl::app
