// What the playground can export, and one exported file waiting in Session::outbox for the
// platform to deliver (platform/file_delivery.h: a file natively, a download or a page hook
// on the web). Not here: producing the contents (export_actions.h) or any file I/O.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/enum_names.h"

namespace nl::app {

enum class ExportKind {
  kStateJson,    // normlab-state.json: settings, view, training position, points, weights
  kWeightsJson,  // normlab-weights.json: settings and the network's parameters only
  kCurvesCsv,    // normlab-curves.csv: losses and accuracies per step
  kLayersCsv,    // normlab-layers.csv: per-layer statistics per step
  kPytorch,      // normlab_model.py: the same network in PyTorch
  kPng,          // normlab.png: a request; the platform renders the canvas
};
inline constexpr int kExportKindCount = 6;

// Stable names ("state_json", "weights_json", "curves_csv", "layers_csv", "pytorch", "png")
// for the JS API and action JSON; parse returns nullopt for unknown names.
}  // namespace nl::app
template <> struct nl::EnumNames<nl::app::ExportKind> {
  static constexpr std::array<std::string_view, nl::app::kExportKindCount> values = {
      "state_json", "weights_json", "curves_csv", "layers_csv", "pytorch", "png"};
};
namespace nl::app {
inline constexpr const auto& kExportKindNames = EnumNames<ExportKind>::values;
inline std::optional<ExportKind> parse_export_kind(std::string_view name) { return enum_from_name<ExportKind>(name); }

struct ExportFile {
  ExportKind kind = ExportKind::kStateJson;
  std::string name;     // suggested file name, e.g. "normlab-state.json"
  std::string mime;     // "application/json", "text/csv", "text/x-python", "image/png"
  std::string content;  // the bytes (UTF-8 text); empty for kPng (the platform renders it)
};

}  // namespace nl::app
