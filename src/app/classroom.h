// Classroom mode: which controls and panels a link hides, whether its settings are locked,
// and the "Share" dialog that builds such links (the state and the action structs; the
// rules that gate actions are in classroom_gate.h). Not here: drawing (ui/share_view.cpp),
// URL text (url_state.h).
//
// Control and panel ids (stable: they appear in links as hide=lr,batch_size,panel:why):
//   play        Play/Pause button and the space key
//   step        Step and Epoch buttons, right arrow and e keys
//   reset       Reset button and the r key
//   speed       steps-per-frame slider
//   stop        stop-at-loss / stop-at-step condition
//   dataset     dataset kind, noise, size, test share, seed, Regenerate
//   data_edit   adding and removing points by clicking, the class of added points
//   view        test-point and discretized-heatmap switches
//   network     the network builder (layers, widths, activations, init, weights)
//   norm        normalization (the BatchNorm switch, per-layer norm, norm options)
//   optimizer   optimizer kind and weight decay
//   lr          learning rate
//   batch_size  batch size
//   theme       light/dark theme button
//   help        the keyboard-help button and key
//   share       the Share button (this dialog)
//   panel:<name> a right-side panel, <name> as panel_name(): data, network, inspector,
//               backprop, why (new panels are picked up from panel_name() automatically)
// To add a control id: append it to kClassroomControls in classroom.cpp, wrap its drawing
// in ui::shown()/ui::LockScope (ui/classroom_ui.h), and map its actions in gate_of()
// (classroom.cpp) so that hidden or locked controls cannot act through keys either.
//
// Who may change what: apply_from_ui() (classroom_gate.h) refuses, with a Notice, UI
// actions of hidden controls and setting changes while locked; the platform runs every UI
// action through it. The host page (JS API, postMessage) and lessons call apply() directly
// and so may change settings of a locked session: a lesson applies its preset with
// apply(session, act::SetSpec{...}) from its own action's handler, and the host can
// change or lift the classroom options with act::SetClassroom.
#pragma once

#include <string>
#include <vector>

namespace nl::app {

struct ClassroomOptions {
  std::vector<std::string> hidden;  // known ids (see above), sorted, no duplicates
  bool locked = false;              // settings cannot be changed from the UI
  bool start_paused = false;        // the link opens paused (the host must not auto-play)
  bool operator==(const ClassroomOptions&) const = default;
};

struct ClassroomState {
  ClassroomOptions options;        // what this session runs under (from the URL or the host)
  bool share_open = false;         // the Share dialog is shown
  ClassroomOptions share_link;     // the classroom options of the link the dialog builds
};

// Every known id: the controls above, then "panel:<name>" for each panel.
const std::vector<std::string>& classroom_ids();
bool is_classroom_id(const std::string& id);
// Sorted, duplicates and unknown ids removed.
std::vector<std::string> normalized_ids(std::vector<std::string> ids);

bool is_hidden(const ClassroomState& c, const std::string& id);

namespace act {
// Replaces the session's classroom options (unknown ids are dropped). Hiding the current
// panel switches to the first visible one; start_paused pauses. From the UI it is refused
// while locked (the host and lessons apply it directly).
struct SetClassroom { ClassroomOptions options; };
struct SetShareOpen { bool open = false; };          // opening copies the session's options into the link
struct SetShareLink { ClassroomOptions options; };   // the dialog's checkboxes
}  // namespace act

}  // namespace nl::app
