// The network builder: hidden layers (0-8), width (1-128), activation, normalization and
// its placement per layer, initialization, and the options shared by the norm layers
// (eps, momentum or cumulative average, affine, running statistics, GroupNorm groups).
// Every change rebuilds the network (training restarts). Not here: the optimizer (left panel).
#include <algorithm>
#include <array>
#include <string>

#include "ui/network_parts.h"
#include "ui/setting_slider.h"
#include "ui/theme.h"

namespace nl::ui {

namespace {

constexpr std::array<const char*, 5> kActivationNames = {"identity", "ReLU", "LeakyReLU", "tanh", "sigmoid"};
constexpr std::array<const char*, 5> kActivationShort = {"id", "ReLU", "leaky", "tanh", "sigm"};
constexpr std::array<const char*, 5> kNormNames = {"none", "BatchNorm", "LayerNorm", "GroupNorm", "Batch Renorm"};
constexpr std::array<const char*, 5> kNormShort = {"none", "BN", "LN", "GN", "BRN"};
constexpr std::array<const char*, 2> kPlacementNames = {"before the activation", "after the activation"};
constexpr std::array<const char*, 2> kPlacementShort = {"pre", "post"};
constexpr std::array<const char*, 3> kInitNames = {"He", "Xavier", "small Gaussian"};

void record(UiProbe* probe, const std::string& name) {
  if (probe) probe->record(name);
}

// A combo over `names`; pushes make(choice) when the learner picks another entry.
template <std::size_t N, class Make>
void enum_combo(const char* id, int current, const std::array<const char*, N>& names, app::ActionQueue& actions,
                Make make) {
  int choice = current;
  if (ImGui::Combo(id, &choice, names.data(), static_cast<int>(N)) && choice != current) actions.push_back(make(choice));
}

// A compact combo for table cells: short name in the box, full names in the list.
template <std::size_t N, class Make>
void short_combo(const char* id, int current, const std::array<const char*, N>& shorts,
                 const std::array<const char*, N>& names, app::ActionQueue& actions, Make make) {
  if (!ImGui::BeginCombo(id, shorts[static_cast<std::size_t>(current)], ImGuiComboFlags_NoArrowButton)) return;
  for (int i = 0; i < static_cast<int>(N); ++i) {
    if (ImGui::Selectable(names[static_cast<std::size_t>(i)], i == current) && i != current) actions.push_back(make(i));
  }
  ImGui::EndCombo();
}

void draw_layer_rows(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  const int count = static_cast<int>(s.spec.net.hidden.size());
  if (count == 0) {
    ImGui::TextDisabled("No hidden layers: a linear classifier (logistic regression).");
    return;
  }
  if (!ImGui::BeginTable("layers", 5, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) return;
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 1.3f);
  ImGui::TableSetupColumn("width", ImGuiTableColumnFlags_WidthStretch, 1.2f);
  ImGui::TableSetupColumn("act.", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("norm", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("norm is", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableHeadersRow();
  for (int i = 0; i < count; ++i) {
    const HiddenLayerSpec& h = s.spec.net.hidden[static_cast<std::size_t>(i)];
    const std::string n = std::to_string(i);
    ImGui::PushID(i);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%d", i + 1);
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(-1.0f);
    int width = h.width;
    if (setting_slider("##width", app::field::kLayerWidth, width, "%d") && width != h.width) {
      actions.push_back(app::act::SetLayerWidth{i, width});
    }
    record(probe, "width:" + n);
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(-1.0f);
    short_combo("##act", static_cast<int>(h.activation), kActivationShort, kActivationNames, actions,
               [i](int c) { return app::act::SetLayerActivation{i, static_cast<Activation>(c)}; });
    record(probe, "activation:" + n);
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(-1.0f);
    short_combo("##norm", static_cast<int>(h.norm), kNormShort, kNormNames, actions,
               [i](int c) { return app::act::SetLayerNorm{i, static_cast<NormKind>(c)}; });
    record(probe, "norm:" + n);
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(-1.0f);
    short_combo("##where", static_cast<int>(h.placement), kPlacementShort, kPlacementNames, actions,
               [i](int c) { return app::act::SetLayerPlacement{i, static_cast<NormPlacement>(c)}; });
    record(probe, "placement:" + n);
    ImGui::PopID();
  }
  ImGui::EndTable();
}

void draw_norm_options(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  const NormOptions& o = s.spec.net.norm;
  auto push = [&](const NormOptions& changed) { actions.push_back(app::act::SetNormOptions{changed}); };
  float eps = o.eps;
  if (setting_slider("eps", app::field::kNormEps, eps, "%.0e") &&
      eps != o.eps) {
    NormOptions c = o;
    c.eps = eps;
    push(c);
  }
  record(probe, "bn_eps");
  bool cumulative = !o.momentum.has_value();
  if (ImGui::Checkbox("cumulative average", &cumulative)) {
    NormOptions c = o;
    c.momentum = cumulative ? std::nullopt : std::optional<float>(0.1f);
    push(c);
  }
  record(probe, "bn_cumulative");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("momentum=None in PyTorch: running stats are the plain mean over batches");
  if (o.momentum) {
    float m = *o.momentum;
    if (setting_slider("momentum", app::field::kNormMomentum, m, "%.3f") &&
        m != *o.momentum) {
      NormOptions c = o;
      c.momentum = m;
      push(c);
    }
    record(probe, "bn_momentum");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("PyTorch convention: running = (1 - m) running + m batch");
  }
  bool affine = o.affine;
  if (ImGui::Checkbox("affine (\xCE\xB3, \xCE\xB2)", &affine)) {
    NormOptions c = o;
    c.affine = affine;
    push(c);
  }
  record(probe, "bn_affine");
  ImGui::SameLine();
  bool track = o.track_running_stats;
  if (ImGui::Checkbox("running stats", &track)) {
    NormOptions c = o;
    c.track_running_stats = track;
    push(c);
  }
  record(probe, "bn_track");
  int groups = o.groups;
  ImGui::SetNextItemWidth(-1.0f);
  if (setting_slider("##groups", app::field::kGroups, groups, "GroupNorm groups %d") && groups != o.groups) {
    NormOptions c = o;
    c.groups = groups;
    push(c);
  }
  record(probe, "gn_groups");
}

}  // namespace

const char* norm_short_name(NormKind kind) {
  switch (kind) {
    case NormKind::kBatchNorm: return "BN";
    case NormKind::kLayerNorm: return "LN";
    case NormKind::kGroupNorm: return "GN";
    case NormKind::kBatchRenorm: return "BRN";
    case NormKind::kNone: break;
  }
  return "";
}

void draw_network_builder(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  ImGui::TextDisabled("Changing the network restarts training.");
  const int count = static_cast<int>(s.spec.net.hidden.size());
  const float button = ImGui::GetFrameHeight();
  ImGui::BeginDisabled(count <= 0);
  if (ImGui::Button("\xE2\x88\x92", ImVec2(button, 0))) actions.push_back(app::act::SetHiddenLayers{count - 1});
  ImGui::EndDisabled();
  record(probe, "layers_minus");
  ImGui::SameLine();
  ImGui::BeginDisabled(count >= app::kMaxHiddenLayers);
  if (ImGui::Button("+", ImVec2(button, 0))) actions.push_back(app::act::SetHiddenLayers{count + 1});
  ImGui::EndDisabled();
  record(probe, "layers_plus");
  ImGui::SameLine();
  int layers = count;
  ImGui::SetNextItemWidth(-1.0f);
  if (ImGui::SliderInt("##hidden_layers", &layers, static_cast<int>(app::field::kHidden.lo), static_cast<int>(app::field::kHidden.hi), "%d hidden layers", ImGuiSliderFlags_AlwaysClamp) && layers != count) {
    actions.push_back(app::act::SetHiddenLayers{layers});
  }
  record(probe, "hidden_layers");
  draw_layer_rows(s, actions, probe);
  enum_combo("initialization", static_cast<int>(s.spec.net.init), kInitNames, actions,
             [](int c) { return app::act::SetInit{static_cast<InitScheme>(c)}; });
  record(probe, "init");
  if (ImGui::CollapsingHeader("Normalization options", ImGuiTreeNodeFlags_DefaultOpen)) {
    draw_norm_options(s, actions, probe);
  }
}

}  // namespace nl::ui
