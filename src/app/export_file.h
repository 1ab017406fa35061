// What the playground can export, and one exported file waiting in Session::outbox for the
// platform to deliver (platform/file_delivery.h: a file natively, a download or a page hook
// on the web). Not here: producing the contents (export_actions.h) or any file I/O.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

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
inline constexpr std::array<const char*, kExportKindCount> kExportKindNames = {
    "state_json", "weights_json", "curves_csv", "layers_csv", "pytorch", "png"};
inline std::optional<ExportKind> parse_export_kind(std::string_view name) {
  for (int i = 0; i < kExportKindCount; ++i)
    if (name == kExportKindNames[static_cast<std::size_t>(i)]) return static_cast<ExportKind>(i);
  return std::nullopt;
}

struct ExportFile {
  ExportKind kind = ExportKind::kStateJson;
  std::string name;     // suggested file name, e.g. "normlab-state.json"
  std::string mime;     // "application/json", "text/csv", "text/x-python", "image/png"
  std::string content;  // the bytes (UTF-8 text); empty for kPng (the platform renders it)
};

}  // namespace nl::app
