// The Export button (next to the theme switch) and the small Export window it opens: one
// button per export kind (app/export_file.h) and how to import a state file. Whether the
// window is open lives in the Session (view.show_export); the files themselves are made by
// app/export_actions and delivered by the platform. Not here: any file or browser code.
#include <algorithm>

#include "app/export_actions.h"
#include "ui/view.h"

namespace nl::ui {

namespace {

struct ExportChoice {
  app::ExportKind kind;
  const char* label;
  const char* what;
};

constexpr ExportChoice kChoices[] = {
    {app::ExportKind::kStateJson, "State and weights (JSON)", "settings, view, training position, weights; re-importable"},
    {app::ExportKind::kWeightsJson, "Weights only (JSON)", "parameters and running statistics, PyTorch shapes"},
    {app::ExportKind::kCurvesCsv, "Training curves (CSV)", "step, epoch, losses and accuracies per step"},
    {app::ExportKind::kLayersCsv, "Layer statistics (CSV)", "per layer and step: pre-activation percentiles, norms"},
    {app::ExportKind::kPytorch, "PyTorch snippet (.py)", "the same network, BN settings and optimizer in PyTorch"},
    {app::ExportKind::kPng, "Picture (PNG)", "the playground as it is on screen"},
};

void record(UiProbe* probe, const std::string& name) {
  if (probe) probe->record(name);
}

void draw_export_window(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f), ImGuiCond_Appearing,
                          ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(0.0f, 0.0f), ImVec2(std::max(280.0f, vp->Size.x - 20.0f), vp->Size.y));
  bool open = true;
  if (ImGui::Begin("Export##export_window", &open, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse)) {
    const float wrap = std::min(420.0f, std::max(240.0f, vp->Size.x - 60.0f));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
    for (const ExportChoice& c : kChoices) {
      if (ImGui::Button(c.label)) actions.push_back(app::act::Export{c.kind});
      record(probe, "export." + std::string(app::kExportKindNames[static_cast<std::size_t>(c.kind)]));
      ImGui::SameLine();
      ImGui::TextDisabled("%s", c.what);
    }
    ImGui::Separator();
    ImGui::TextUnformatted("Import state\xE2\x80\xA6");
    ImGui::TextDisabled("Desktop: drop a normlab-state.json (or a CSV of x,y,label points) on the window, or start "
                        "with --import FILE. Browser: the page's Import button.");
    ImGui::PopTextWrapPos();
    if (ImGui::Button("Close")) open = false;
    record(probe, "export.close");
  }
  ImGui::End();
  if (!open) actions.push_back(app::act::ShowExportWindow{false});
  (void)s;
}

}  // namespace

void draw_export_view(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  // On the header line: left of the theme switch when that is the last item (right-aligned),
  // else right-aligned itself (a classroom link may hide the switch); below when no room.
  const char* label = "Export";
  const ImGuiStyle& style = ImGui::GetStyle();
  const float width = ImGui::CalcTextSize(label).x + 2.0f * style.FramePadding.x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  const ImVec2 last_min = ImGui::GetItemRectMin(), last_max = ImGui::GetItemRectMax();
  const bool after_theme = last_max.x >= right - 1.0f;
  const float x = (after_theme ? last_min.x - style.ItemSpacing.x : right) - width;
  const float title_end = ImGui::GetWindowPos().x + style.WindowPadding.x + ImGui::CalcTextSize("NormLab").x +
                          style.ItemSpacing.x + ImGui::CalcTextSize("batch normalization, live").x + style.ItemSpacing.x;
  if (x >= title_end) {
    ImGui::SameLine();
    ImGui::SetCursorScreenPos(ImVec2(x, last_min.y));
  }
  if (ImGui::SmallButton(label)) actions.push_back(app::act::ShowExportWindow{!s.view.show_export});
  record(probe, "export");
  if (s.view.show_export) draw_export_window(s, actions, probe);
}

}  // namespace nl::ui
