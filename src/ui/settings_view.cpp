// The settings in the left panel: data (kind, noise, size, test share, seed, regenerate,
// test points, discretized heatmap, class of clicked points) and optimizer + batch
// (BatchNorm everywhere, SGD/Adam, learning rate, weight decay, batch size). Data changes
// restart training; optimizer changes go on training. Not here: the network builder.
#include <algorithm>
#include <array>
#include <string>

#include "ui/classroom_ui.h"
#include "ui/settings_parts.h"
#include "ui/setting_slider.h"
#include "ui/theme.h"

namespace nl::ui {

namespace {

constexpr std::array<const char*, 6> kDatasetNames = {"Two moons", "Circles", "XOR",
                                                      "Gaussian blobs", "Spiral", "Checkerboard"};
constexpr std::array<const char*, 2> kOptimizerNames = {"SGD + momentum", "Adam"};

void record(UiProbe* probe, const char* name) {
  if (probe) probe->record(name);
}

// Width of one of two items side by side (or the whole row when the panel is narrow).
float half_width(bool two_up) {
  const float avail = ImGui::GetContentRegionAvail().x;
  return two_up ? (avail - ImGui::GetStyle().ItemSpacing.x) * 0.5f : avail;
}

void next(bool two_up) {
  if (two_up) ImGui::SameLine();
}

}  // namespace

void draw_data_settings(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  // Classroom links may hide groups (ui/classroom_ui.h); locked settings draw disabled.
  if (!shown(s, "dataset") && !shown(s, "view") && !shown(s, "data_edit")) return;
  if (!ImGui::CollapsingHeader("Data", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const bool two_up = ImGui::GetContentRegionAvail().x > ImGui::GetFontSize() * 20.0f;
  const float w = half_width(two_up);
  const DatasetSpec& d = s.spec.data;
  if (shown(s, "dataset")) {
    LockScope lock(s);
    int dataset = static_cast<int>(d.kind);
    ImGui::SetNextItemWidth(w);
    if (ImGui::Combo("##dataset", &dataset, kDatasetNames.data(), static_cast<int>(kDatasetNames.size())) &&
        dataset != static_cast<int>(d.kind)) {
      actions.push_back(app::act::SetDataset{static_cast<DatasetKind>(dataset)});
    }
    record(probe, "dataset");
    lock_tip(s);
    next(two_up);
    if (ImGui::Button("Regenerate", ImVec2(w, 0))) actions.push_back(app::act::Regenerate{});
    record(probe, "regenerate");
    lock_tip(s);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("New points: the next seed");

    float noise = d.noise;
    ImGui::SetNextItemWidth(w);
    if (setting_slider("##noise", app::field::kNoise, noise, "noise %.2f") && noise != d.noise) {
      actions.push_back(app::act::SetNoise{noise});
    }
    record(probe, "noise");
    lock_tip(s);
    next(two_up);
    int size = d.size;
    ImGui::SetNextItemWidth(w);
    if (setting_slider("##size", app::field::kDataSize, size, "%d points") &&
        size != d.size) {
      actions.push_back(app::act::SetDataSize{size});
    }
    record(probe, "data_size");
    lock_tip(s);

    float test = d.test_fraction;
    ImGui::SetNextItemWidth(w);
    if (setting_slider("##test", app::field::kTestFraction, test, "test %.0f%%", 100.0f) && test != d.test_fraction) {
      actions.push_back(app::act::SetTestFraction{test});
    }
    record(probe, "test_fraction");
    lock_tip(s);
    next(two_up);
    int seed = static_cast<int>(std::min<std::uint64_t>(d.seed, 1000000));
    ImGui::SetNextItemWidth(w);
    if (ImGui::DragInt("##seed", &seed, 0.2f, 1, 1000000, "seed %d", ImGuiSliderFlags_AlwaysClamp) &&
        static_cast<std::uint64_t>(seed) != d.seed) {
      actions.push_back(app::act::SetDataSeed{static_cast<std::uint64_t>(seed)});
    }
    record(probe, "data_seed");
    lock_tip(s);
  }

  if (shown(s, "view")) {
    bool show_test = s.view.show_test_points;
    if (ImGui::Checkbox("test points", &show_test)) actions.push_back(app::act::SetShowTestPoints{show_test});
    record(probe, "show_test");
    ImGui::SameLine();
    bool bands = s.view.discretize_heatmap;
    if (ImGui::Checkbox("discretize", &bands)) actions.push_back(app::act::SetDiscretize{bands});
    record(probe, "discretize");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Heatmap in %d confidence bands per class", kHeatmapBands);
  }

  if (!shown(s, "data_edit")) return;

  ImGui::TextUnformatted("click adds");
  for (int label = 0; label < 2; ++label) {
    ImGui::SameLine();
    const std::string name = "class " + std::to_string(label);
    if (ImGui::RadioButton(name.c_str(), s.view.new_point_class == label) && s.view.new_point_class != label) {
      actions.push_back(app::act::SetPointClass{label});
    }
    record(probe, label == 0 ? "point_class0" : "point_class1");
  }
  ImGui::TextDisabled("shift-click or right-click removes a point");
}

void draw_optimizer_settings(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  if (!shown(s, "norm") && !shown(s, "optimizer") && !shown(s, "lr") && !shown(s, "batch_size") && !shown(s, "network"))
    return;
  if (!ImGui::CollapsingHeader("Training", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const bool two_up = ImGui::GetContentRegionAvail().x > ImGui::GetFontSize() * 20.0f;
  const float w = half_width(two_up);
  const OptimizerSpec& o = s.spec.optimizer;
  LockScope lock(s);  // every setting below is disabled while locked
  if (shown(s, "norm")) {
    const bool bn_on = !s.spec.net.hidden.empty() && s.spec.net.hidden.front().norm == NormKind::kBatchNorm;
    bool bn = bn_on;
    if (ImGui::Checkbox("BatchNorm in every hidden layer", &bn) && bn != bn_on) {
      actions.push_back(app::act::SetNormalization{bn ? NormKind::kBatchNorm : NormKind::kNone});
    }
    record(probe, "batchnorm");
    lock_tip(s);
  }

  if (shown(s, "optimizer")) {
    int kind = static_cast<int>(o.kind);
    ImGui::SetNextItemWidth(w);
    if (ImGui::Combo("##optimizer", &kind, kOptimizerNames.data(), static_cast<int>(kOptimizerNames.size())) &&
        kind != static_cast<int>(o.kind)) {
      OptimizerSpec c = o;
      c.kind = static_cast<OptimizerKind>(kind);
      actions.push_back(app::act::SetOptimizer{c});
    }
    record(probe, "optimizer");
    lock_tip(s);
    next(two_up);
    float wd = o.weight_decay;
    ImGui::SetNextItemWidth(w);
    if (setting_slider("##wd", app::field::kWeightDecay, wd, "weight decay %.4f") && wd != o.weight_decay) {
      OptimizerSpec c = o;
      c.weight_decay = wd;
      actions.push_back(app::act::SetOptimizer{c});
    }
    record(probe, "weight_decay");
    lock_tip(s);
  }

  if (shown(s, "lr")) {
    float lr = o.learning_rate;
    ImGui::SetNextItemWidth(w);
    if (setting_slider("##lr", app::field::kLearningRate, lr, "learning rate %.3g") &&
        lr != o.learning_rate) {
      OptimizerSpec c = o;
      c.learning_rate = lr;
      actions.push_back(app::act::SetOptimizer{c});  // goes on training with the new rate
    }
    record(probe, "learning_rate");
    lock_tip(s);
    if (shown(s, "batch_size")) next(two_up);
  }
  if (shown(s, "batch_size")) {
    const int train_size = static_cast<int>(s.exp().dataset().x_train.cols());
    int batch = s.spec.batch_size;
    ImGui::SetNextItemWidth(w);
    if (ImGui::SliderInt("##batch", &batch, 1, std::max(train_size, 1), "batch size %d", ImGuiSliderFlags_AlwaysClamp) &&
        batch != s.spec.batch_size) {
      actions.push_back(app::act::SetBatchSize{batch});
    }
    record(probe, "batch_size");
    lock_tip(s);
  }
  if (!shown(s, "network")) return;

  // The network in one line, e.g. "2 → 8 → 8 → 2"; the Network panel edits it.
  std::string shape = std::to_string(s.spec.net.input_width);
  for (const HiddenLayerSpec& h : s.spec.net.hidden) shape += " \xE2\x86\x92 " + std::to_string(h.width);
  shape += " \xE2\x86\x92 " + std::to_string(s.spec.net.output_width);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("network %s (edit it in the Network panel)", shape.c_str());
  ImGui::PopStyleColor();
}

}  // namespace nl::ui
