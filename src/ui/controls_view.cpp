// The left panel: training controls (play, step, epoch, reset, speed, stop condition),
// the notice, the data and optimizer settings (settings_view.cpp), and the live numbers
// with a loss chart over steps. Not here: the network builder (Network panel).
#include <algorithm>
#include <cmath>
#include <string>

#include "ui/setting_slider.h"
#include "ui/chart.h"
#include "ui/classroom_ui.h"
#include "ui/settings_parts.h"
#include "ui/theme.h"
#include "ui/view.h"

namespace nl::ui {

namespace {

void record(UiProbe* probe, const char* name) {
  if (probe) probe->record(name);
}

void draw_header(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  ImGui::TextUnformatted("NormLab");
  ImGui::SameLine();
  ImGui::TextDisabled("batch normalization, live");
  const bool dark = s.view.theme == app::Theme::kDark;
  const char* label = dark ? "Light theme" : "Dark theme";
  ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - ImGui::CalcTextSize(label).x -
                                                       2.0f * ImGui::GetStyle().FramePadding.x));
  if (shown(s, "theme")) {  // classroom links may hide it (ui/classroom_ui.h)
    if (ImGui::SmallButton(label)) actions.push_back(app::act::SetTheme{dark ? app::Theme::kLight : app::Theme::kDark});
    record(probe, "theme");
  }
  draw_export_view(s, actions, probe);  // export_view.cpp
}

void draw_notice(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  if (!s.notice) return;
  const Palette& pal = palette();
  const float k = s.view.theme == app::Theme::kDark ? 0.35f : 0.25f;
  const ImVec4 bg = s.view.theme == app::Theme::kDark ? ImVec4(pal.warning.x * k, pal.warning.y * k, pal.warning.z * k, 1.0f)
                                                       : ImVec4(1.0f - (1.0f - pal.warning.x) * k, 1.0f - (1.0f - pal.warning.y) * k,
                                                                1.0f - (1.0f - pal.warning.z) * k, 1.0f);
  ImGui::PushStyleColor(ImGuiCol_ChildBg, bg);
  // Size the box to its wrapped text so the buttons are never clipped.
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
  if (ImGui::Button("Dismiss")) actions.push_back(app::act::DismissNotice{});
  record(probe, "dismiss_notice");
  if (s.exp().diverged()) {  // divergence: offer the way out right here
    ImGui::SameLine();
    if (ImGui::Button("Reset")) {
      actions.push_back(app::act::Reset{});
      actions.push_back(app::act::DismissNotice{});
    }
    record(probe, "notice_reset");
  }
  ImGui::EndChild();
  ImGui::PopStyleColor();
}

void draw_training_buttons(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  // Classroom links may hide any of them: the shown ones share the row.
  const bool play = shown(s, "play"), step = shown(s, "step"), reset = shown(s, "reset");
  const int count = (play ? 1 : 0) + (step ? 2 : 0) + (reset ? 1 : 0);
  const float w = count == 0 ? 0.0f : (ImGui::GetContentRegionAvail().x - static_cast<float>(count - 1) * ImGui::GetStyle().ItemSpacing.x) / static_cast<float>(count);
  bool first = true;
  auto same_line = [&first] {
    if (!first) ImGui::SameLine();
    first = false;
  };
  if (play) {
    same_line();
    if (ImGui::Button(s.playing ? "Pause" : "Play", ImVec2(w, 0))) actions.push_back(app::act::TogglePlay{});
    record(probe, "play");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Play / pause (space)");
  }
  if (step) {
    same_line();
    if (ImGui::Button("Step", ImVec2(w, 0))) actions.push_back(app::act::Step{1});
    record(probe, "step");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Train on one mini-batch (\xE2\x86\x92)");
    same_line();
    if (ImGui::Button("Epoch", ImVec2(w, 0))) actions.push_back(app::act::StepEpoch{});
    record(probe, "epoch");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Train until the epoch counter advances (e)");
  }
  if (reset) {
    same_line();
    if (ImGui::Button("Reset", ImVec2(w, 0))) actions.push_back(app::act::Reset{});
    record(probe, "reset");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Same settings, fresh weights (r)");
  }

  if (!shown(s, "speed")) return;
  int speed = s.steps_per_frame;
  ImGui::SetNextItemWidth(-1.0f);
  if (setting_slider("##speed", app::field::kSpeed, speed, "speed: %d steps/frame") &&
      speed != s.steps_per_frame) {
    actions.push_back(app::act::SetSpeed{speed});
  }
  record(probe, "speed");
}

void draw_stop_condition(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  if (!shown(s, "stop")) return;
  LockScope lock(s);
  const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
  app::StopCondition stop = s.stop;
  bool changed = ImGui::Checkbox("stop at loss", &stop.on_loss);
  record(probe, "stop_loss");
  lock_tip(s);
  ImGui::SameLine(half + ImGui::GetStyle().ItemSpacing.x);
  changed |= ImGui::Checkbox("stop at step", &stop.on_steps);
  record(probe, "stop_steps");
  lock_tip(s);
  ImGui::SetNextItemWidth(half);
  changed |= ImGui::DragFloat("##target_loss", &stop.target_train_loss, 0.002f, static_cast<float>(app::field::kStopLossTarget.lo),
                              static_cast<float>(app::field::kStopLossTarget.hi), "train loss \xE2\x89\xA4 %.3f",
                              ImGuiSliderFlags_AlwaysClamp);
  record(probe, "stop_loss_value");
  lock_tip(s);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(half);
  int steps = static_cast<int>(stop.max_steps);
  if (ImGui::DragInt("##max_steps", &steps, 10.0f, static_cast<int>(app::field::kStopMaxSteps.lo),
                     static_cast<int>(app::field::kStopMaxSteps.hi), "step %d", ImGuiSliderFlags_AlwaysClamp)) {
    stop.max_steps = steps;
    changed = true;
  }
  record(probe, "stop_steps_value");
  lock_tip(s);
  if (changed) actions.push_back(app::act::SetStopCondition{stop});
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
      ImGui::TextColored(palette().warning, "diverged (NaN/Inf)");
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
  if (trained && m.metrics_step != m.step)  // paced eval while training fast (app/schedule.h)
    ImGui::TextDisabled("train/test numbers measured at step %lld", static_cast<long long>(m.metrics_step));

  const std::vector<StepMetrics>& history = e.history();
  const Palette& pal = palette();
  ChartSeries train{"train loss", {}, ImGui::ColorConvertFloat4ToU32(pal.class1), {}, SeriesKind::kLine};
  ChartSeries test{"test loss", {}, ImGui::ColorConvertFloat4ToU32(pal.test_loss), {}, SeriesKind::kLine};
  // Long runs: plot at most ~600 points (every k-th step) so drawing stays cheap.
  const std::size_t stride = std::max<std::size_t>(1, history.size() / 600 + 1);
  for (std::size_t i = 0; i < history.size(); i += stride) {
    // Each value at the step it was measured at (tick() paces eval on big networks and
    // carries values over in between: plotting those at their own step would draw plateaus).
    const auto at = static_cast<float>(history[i].metrics_step);
    if (!train.x.empty() && train.x.back() >= at) continue;
    train.x.push_back(at);
    train.y.push_back(history[i].train_loss);
    test.y.push_back(history[i].test_loss);
  }
  test.x = train.x;
  const ChartSeries both[] = {train, test};
  ChartOptions options;
  options.x_label = "step";
  options.x_start = history.empty() ? 0.0f : static_cast<float>(history.front().step);
  options.x_step = static_cast<float>(stride);
  const float height = std::max(ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing(),
                                ImGui::GetFontSize() * 7.0f);
  draw_line_chart("loss_chart", ImVec2(ImGui::GetContentRegionAvail().x, height), both, options);
}

}  // namespace

void draw_controls_view(const app::Session& session, app::ActionQueue& actions,
                        const ViewResources& resources, UiProbe* probe) {
  draw_header(session, actions, probe);
  ImGui::Separator();
  draw_notice(session, actions, probe);
  draw_training_buttons(session, actions, probe);
  draw_stop_condition(session, actions, probe);
  draw_data_settings(session, actions, probe);
  draw_optimizer_settings(session, actions, probe);
  ImGui::Separator();
  draw_metrics(session);
  ImGui::TextDisabled("frame: %.1f ms CPU (training + UI)", static_cast<double>(resources.frame_ms));
}

}  // namespace nl::ui
