// Export and import actions (export_actions.h): build the file's contents from the session,
// or hand the text to import_state_json and turn its error into a Notice.
#include "app/export_actions.h"

#include "app/export_csv.h"
#include "app/pytorch_snippet.h"
#include "app/settings_json.h"
#include "app/state_json.h"

namespace nl::app {

ExportFile make_export(const Session& s, ExportKind kind) {
  switch (kind) {
    case ExportKind::kStateJson:
      return {kind, "normlab-state.json", "application/json", state_to_json_text(s, true, 1) + "\n"};
    case ExportKind::kWeightsJson:
      return {kind, "normlab-weights.json", "application/json", weights_to_json(s).dump(1) + "\n"};
    case ExportKind::kCurvesCsv:
      return {kind, "normlab-curves.csv", "text/csv", curves_csv(s.exp().history())};
    case ExportKind::kLayersCsv:
      return {kind, "normlab-layers.csv", "text/csv", layers_csv(s.exp().history())};
    case ExportKind::kPytorch:
      return {kind, "normlab_model.py", "text/x-python", pytorch_snippet(s.spec)};
    case ExportKind::kPng:  // the platform renders the canvas
      return {kind, "normlab.png", "image/png", {}};
  }
  return {};
}

void apply_export(Session& s, const act::ImportState& a) {
  const Status st = import_state_json(s, a.json_text);
  if (!st.ok()) {
    s.notice = Notice{"Import failed: " + st.error().message, st.error().hint};
    return;
  }
  s.notice = Notice{"Imported the state file (step " + std::to_string(s.exp().metrics().step) + ").", {}};
}

void apply_export(Session& s, const act::Export& a) {
  if (static_cast<int>(a.kind) < 0 || static_cast<int>(a.kind) >= kExportKindCount) {
    s.notice = Notice{"Unknown export kind.", {}};
    return;
  }
  if (s.outbox.size() >= 16) {  // the platform drains every frame; a full outbox means none is
    s.notice = Notice{"Too many exports waiting; try again in a moment.", {}};
    return;
  }
  s.outbox.push_back(make_export(s, a.kind));
  if (a.kind == ExportKind::kPng) s.view.show_export = false;  // the picture shows the playground
}

void apply_export(Session& s, const act::ShowExportWindow& a) { s.view.show_export = a.open; }

void apply_export(Session& s, const act::ImportPoints& a) {
  if (a.csv_text.size() > kMaxStateJsonBytes) {
    s.notice = Notice{"Import failed: the CSV file is too large.", {}};
    return;
  }
  Result<Dataset> data = parse_csv_dataset(a.csv_text, s.spec.data.test_fraction, s.spec.data.seed);
  if (!data.ok()) {
    s.notice = Notice{"Import failed: " + data.error().message, data.error().hint};
    return;
  }
  // The current state with these points: import_state_json checks labels, sizes and limits.
  nlohmann::json state = state_to_json(s, false);
  nlohmann::json points = nlohmann::json::array();
  const auto add = [&](const Matrix& x, const std::vector<int>& y, const char* split) {
    for (Index i = 0; i < x.cols(); ++i)
      points.push_back({float_for_json(x(0, i)), float_for_json(x(1, i)), y[static_cast<std::size_t>(i)], split});
  };
  add(data->x_train, data->y_train, "train");
  add(data->x_test, data->y_test, "test");
  state["data"] = {{"num_classes", s.spec.net.output_width}, {"points", std::move(points)}};
  if (Status st = import_state_json(s, state.dump()); !st.ok()) {
    s.notice = Notice{"Import failed: " + st.error().message, st.error().hint};
    return;
  }
  s.notice = Notice{"Imported " + std::to_string(data->x_train.cols() + data->x_test.cols()) + " points.", {}};
}

}  // namespace nl::app
