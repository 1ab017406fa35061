// Export and import actions (they join the Action variant in actions.h): an export puts an
// ExportFile into Session::outbox for the platform to deliver; an import replaces the state
// from a state JSON text (state_json.h) or says why it cannot. Not here: delivering files
// (platform/file_delivery.h) or drawing the Export window (ui/export_view.cpp).
//
//   apply(session, act::Export{ExportKind::kCurvesCsv});   // session.outbox gets the CSV
//   apply(session, act::ImportState{text});                // or a Notice naming the bad key
#pragma once

#include <concepts>
#include <string>

#include "app/export_file.h"
#include "app/session.h"

namespace nl::app {

namespace act {
struct ImportState { std::string json_text; };               // a normlab-state.json document
struct Export { ExportKind kind = ExportKind::kStateJson; };  // queue one file in the outbox
struct ShowExportWindow { bool open = true; };               // the Export window (view state)
// Points from CSV text ("x,y,label" lines, core/dataset.h parse_csv_dataset) replace the data;
// the settings stay and training restarts, as after editing points.
struct ImportPoints { std::string csv_text; };
}  // namespace act

// The file an export of `kind` produces now (kPng: name and mime only; the platform renders).
ExportFile make_export(const Session& s, ExportKind kind);

void apply_export(Session& s, const act::ImportState& a);
void apply_export(Session& s, const act::Export& a);
void apply_export(Session& s, const act::ShowExportWindow& a);
void apply_export(Session& s, const act::ImportPoints& a);

// The actions apply_export handles (used by apply()'s visitor).
template <class A>
concept ExportAction = requires(Session& s, const A& a) { apply_export(s, a); };

}  // namespace nl::app
