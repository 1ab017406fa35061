// The left panel: what is training (dataset, network, optimizer), the training
// controls, and the live numbers (loss, accuracy) with a loss chart over steps.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "ui/chart.h"
#include "ui/theme.h"
#include "ui/view.h"

namespace nl::ui {

namespace {

constexpr std::array<const char*, 6> kDatasetNames = {"Two moons", "Circles", "XOR",
                                                      "Gaussian blobs", "Spiral", "Checkerboard"};

void draw_notice(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  if (!s.notice) return;
  const Palette& pal = palette();
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(pal.warning.x * 0.35f, pal.warning.y * 0.35f, pal.warning.z * 0.35f, 1.0f));
  // Size the box to its wrapped text so the Dismiss button is never clipped.
  const ImGuiStyle& style = ImGui::GetStyle();
  const float wrap = ImGui::GetContentRegionAvail().x - 2.0f * style.WindowPadding.x;
  float height = ImGui::CalcTextSize(s.notice->message.c_str(), nullptr, false, wrap).y;
  if (!s.notice->hint.empty()) {
    height += style.ItemSpacing.y + ImGui::CalcTextSize(s.notice->hint.c_str(), nullptr, false, wrap).y;
  }
  height += style.ItemSpacing.y + ImGui::GetFrameHeight() + 2.0f * style.WindowPadding.y;
  ImGui::BeginChild("notice", ImVec2(0, height), true, ImGuiWindowFlags_NoScrollbar);
  ImGui::TextWrapped("%s", s.notice->message.c_str());
  if (!s.notice->hint.empty()) ImGui::TextWrapped("%s", s.notice->hint.c_str());
  if (ImGui::SmallButton("Dismiss")) actions.push_back(app::act::DismissNotice{});
  if (probe) probe->record("dismiss_notice");
  ImGui::EndChild();
  ImGui::PopStyleColor();
}

void draw_training_buttons(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  const float w = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
  if (ImGui::Button(s.playing ? "Pause" : "Play", ImVec2(w, 0))) actions.push_back(app::act::TogglePlay{});
  if (probe) probe->record("play");
  ImGui::SameLine();
  if (ImGui::Button("Step", ImVec2(w, 0))) actions.push_back(app::act::Step{1});
  if (probe) probe->record("step");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Train on one mini-batch");
  ImGui::SameLine();
  if (ImGui::Button("Reset", ImVec2(w, 0))) actions.push_back(app::act::Reset{});
  if (probe) probe->record("reset");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Same settings, fresh weights");

  int speed = s.steps_per_frame;
  if (ImGui::SliderInt("steps/frame", &speed, 1, 100, "%d", ImGuiSliderFlags_AlwaysClamp) &&
      speed != s.steps_per_frame) {
    actions.push_back(app::act::SetSpeed{speed});
  }
  if (probe) probe->record("speed");
}

void draw_settings(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  ImGui::TextDisabled("Changing a setting restarts training.");
  int dataset = static_cast<int>(s.spec.data.kind);
  if (ImGui::Combo("dataset", &dataset, kDatasetNames.data(), static_cast<int>(kDatasetNames.size())) &&
      dataset != static_cast<int>(s.spec.data.kind)) {
    actions.push_back(app::act::SetDataset{static_cast<DatasetKind>(dataset)});
  }
  if (probe) probe->record("dataset");

  float noise = s.spec.data.noise;
  if (ImGui::SliderFloat("noise", &noise, 0.0f, 0.5f, "%.2f", ImGuiSliderFlags_AlwaysClamp) &&
      noise != s.spec.data.noise) {
    actions.push_back(app::act::SetNoise{noise});
  }
  if (probe) probe->record("noise");

  const bool bn_on = !s.spec.net.hidden.empty() && s.spec.net.hidden.front().norm == NormKind::kBatchNorm;
  bool bn = bn_on;
  if (ImGui::Checkbox("BatchNorm in every hidden layer", &bn) && bn != bn_on) {
    actions.push_back(app::act::SetNormalization{bn ? NormKind::kBatchNorm : NormKind::kNone});
  }
  if (probe) probe->record("batchnorm");

  float lr = s.spec.optimizer.learning_rate;
  if (ImGui::SliderFloat("learning rate", &lr, 0.001f, 10.0f, "%.3g",
                         ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp) &&
      lr != s.spec.optimizer.learning_rate) {
    actions.push_back(app::act::SetLearningRate{lr});
  }
  if (probe) probe->record("learning_rate");

  const int train_size = static_cast<int>(s.exp().dataset().x_train.cols());
  int batch = s.spec.batch_size;
  if (ImGui::SliderInt("batch size", &batch, 1, std::max(train_size, 1), "%d", ImGuiSliderFlags_AlwaysClamp) &&
      batch != s.spec.batch_size) {
    actions.push_back(app::act::SetBatchSize{batch});
  }
  if (probe) probe->record("batch_size");

  // The network in one line, e.g. "2 → 8 → 8 → 2, ReLU, BN before activation, SGD".
  std::string shape = std::to_string(s.spec.net.input_width);
  for (const HiddenLayerSpec& h : s.spec.net.hidden) shape += " \xE2\x86\x92 " + std::to_string(h.width);
  shape += " \xE2\x86\x92 " + std::to_string(s.spec.net.output_width);
  ImGui::TextDisabled("network %s, ReLU, %s", shape.c_str(),
                      s.spec.optimizer.kind == OptimizerKind::kSgd ? "SGD + momentum 0.9" : "Adam");
}

void draw_metrics(const app::Session& s) {
  const Experiment& e = s.exp();
  const StepMetrics& m = e.metrics();
  const bool trained = !e.history().empty();
  if (ImGui::BeginTable("metrics", 3, ImGuiTableFlags_SizingStretchSame)) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn(); ImGui::Text("step %lld", static_cast<long long>(m.step));
    ImGui::TableNextColumn(); ImGui::Text("epoch %lld", static_cast<long long>(m.epoch));
    ImGui::TableNextColumn();
    if (e.diverged()) {
      ImGui::TextColored(palette().warning, "diverged");
    } else {
      ImGui::TextDisabled("%s", s.playing ? "training" : "paused");
    }
    auto row = [&](const char* name, float train, float test) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn(); ImGui::TextUnformatted(name);
      ImGui::TableNextColumn(); ImGui::Text("train %s", trained ? format_number(train).c_str() : "\xE2\x80\x94");
      ImGui::TableNextColumn(); ImGui::Text("test %s", trained ? format_number(test).c_str() : "\xE2\x80\x94");
    };
    row("loss", m.train_loss, m.test_loss);
    row("accuracy", m.train_accuracy, m.test_accuracy);
    ImGui::EndTable();
  }
  ImGui::TextDisabled("mini-batch loss %s (training mode)", trained ? format_number(m.batch_loss).c_str() : "\xE2\x80\x94");

  const std::vector<StepMetrics>& history = e.history();
  const Palette& pal = palette();
  ChartSeries train{"train loss", {}, ImGui::ColorConvertFloat4ToU32(pal.class1)};
  ChartSeries test{"test loss", {}, ImGui::ColorConvertFloat4ToU32(pal.test_loss)};
  // Long runs: plot at most ~600 points (every k-th step) so drawing stays cheap.
  const std::size_t stride = std::max<std::size_t>(1, history.size() / 600 + 1);
  for (std::size_t i = 0; i < history.size(); i += stride) {
    train.y.push_back(history[i].train_loss);
    test.y.push_back(history[i].test_loss);
  }
  const ChartSeries both[] = {train, test};
  ChartOptions options;
  options.x_label = "step";
  options.x_start = history.empty() ? 0.0f : static_cast<float>(history.front().step);
  options.x_step = static_cast<float>(stride);
  const float height = std::max(ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing(),
                                ImGui::GetFontSize() * 8.0f);
  draw_line_chart("loss_chart", ImVec2(ImGui::GetContentRegionAvail().x, height), both, options);
}

}  // namespace

void draw_controls_view(const app::Session& session, app::ActionQueue& actions,
                        const ViewResources& resources, UiProbe* probe) {
  ImGui::TextUnformatted("NormLab");
  ImGui::SameLine();
  ImGui::TextDisabled("\xE2\x80\x94 batch normalization, live: y = \xCE\xB3\xC2\xB7x\xCC\x82 + \xCE\xB2");
  ImGui::Separator();
  draw_notice(session, actions, probe);
  draw_training_buttons(session, actions, probe);
  ImGui::Separator();
  draw_settings(session, actions, probe);
  ImGui::Separator();
  draw_metrics(session);
  ImGui::TextDisabled("frame %.1f ms CPU", static_cast<double>(resources.frame_ms));
}

}  // namespace nl::ui
