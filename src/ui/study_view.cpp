// The Experiments panel: pick a study (app/study.h), run or cancel it (it computes in slices
// in tick(), so the app stays responsive), watch its progress, then read its charts, readouts
// and verdict. Reads the session, emits study actions; no state of its own.
// Not here: the studies' numerics (app/study_*.cpp).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "app/lesson_actions.h"
#include "app/study_actions.h"
#include "ui/chart.h"
#include "ui/theme.h"
#include "ui/view.h"

namespace nl::ui {

namespace {

// What each study runs, in one sentence (the lesson explains why).
const char* study_blurb(app::StudyKind k) {
  switch (k) {
    case app::StudyKind::kCovariateShift:
      return "Three 2-100-100-100-2 sigmoid networks (no BN, BN, BN with random scale and shift injected after every "
             "BN layer, new each step) train 600 steps on two moons; one unit's input percentiles are recorded.";
    case app::StudyKind::kLandscape:
      return "Two 4x32 ReLU networks (BN, no BN) train 300 SGD steps on two moons; every 10 steps the loss and "
             "gradient are measured at 5 step sizes along the gradient.";
    case app::StudyKind::kGradientFlow:
      return "Two 8x32 sigmoid networks (BN, no BN) train 300 steps; each layer's gradient norm is averaged over "
             "the first and last 30 steps.";
    case app::StudyKind::kLearningRates:
      return "A 3x32 ReLU network with and without BN trains 300 plain SGD steps at each of 9 learning rates from 0.001 to 10.";
    case app::StudyKind::kRegularization:
      return "The spread of BatchNorm's own batch mean and variance vs batch size, and the train/test gap of a 2x128 "
             "network with and without BN after 1500 steps at batch sizes 4 to 32, trained on 40 noisy two-moons "
             "points.";
    case app::StudyKind::kSmallBatches:
      return "BatchNorm, LayerNorm, GroupNorm and Batch Renorm networks (2x16) train 15 epochs at batch sizes 2 to 32, "
             "the learning rate scaled with the batch (0.05 x B/32).";
    case app::StudyKind::kNonIid:
      return "One BN network trained with i.i.d. batches, one class per batch, one region per batch; then a shifted "
             "test set, and running statistics re-estimated without any weight update.";
    case app::StudyKind::kConvStats:
      return "A conv(1->4) -> BN2d -> ReLU -> pool -> linear network on the 8x8 images; one batch's BN statistics "
             "are recomputed by hand over N*H*W and per pixel.";
  }
  return "";
}

ImU32 line_colour(int index) {
  const Palette& p = palette();
  const ImVec4 colours[] = {p.with_bn, p.without_bn, p.test_loss, p.warning, p.class1, p.class0};
  return ImGui::ColorConvertFloat4ToU32(colours[static_cast<std::size_t>(std::clamp(index, 0, 5))]);
}

std::vector<float> log10_of(const std::vector<float>& x) {
  std::vector<float> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] > 0.0f ? std::log10(x[i]) : std::nanf("");
  return out;
}

void draw_study_chart(const app::StudyChart& c, int index, float height, UiProbe* probe) {
  std::vector<ChartSeries> series;
  std::vector<ChartRibbon> ribbons;
  for (const app::StudyLine& l : c.lines) {
    const std::vector<float> x = c.log_x ? log10_of(l.x) : l.x;
    if (!l.lo.empty() && l.lo.size() == l.y.size() && l.hi.size() == l.y.size()) {
      ribbons.push_back(ChartRibbon{l.label, x, l.lo, l.y, l.hi, line_colour(l.colour)});
    } else {
      series.emplace_back(l.label, l.y, line_colour(l.colour), x, l.points ? SeriesKind::kScatter : SeriesKind::kLine);
    }
  }
  ChartOptions o;
  o.x_label = c.log_x ? "log10 " + c.x_label : c.x_label;
  o.y_label = c.y_label;
  o.log_y = c.log_y;
  o.legend_bottom = c.legend_bottom;
  o.y_from_zero = false;
  o.empty_text = "no finite values";
  ImGui::TextUnformatted(c.title.c_str());
  const std::string id = "study_chart_" + std::to_string(index);
  draw_chart(id.c_str(), ImVec2(ImGui::GetContentRegionAvail().x, height), series, ribbons, o);
  if (probe) probe->record(id);
}

}  // namespace

void draw_studies_view(const app::Session& s, app::ActionQueue& actions, const ViewResources&, UiProbe* probe) {
  const app::StudyState& st = s.study;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 21.0f);
  if (ImGui::BeginCombo("##study", app::study_title(st.selected))) {
    for (int i = 0; i < app::kStudyCount; ++i) {
      const auto k = static_cast<app::StudyKind>(i);
      if (ImGui::Selectable(app::study_title(k), k == st.selected)) actions.push_back(app::act::SelectStudy{k});
    }
    ImGui::EndCombo();
  }
  if (probe) probe->record("studies:picker");
  ImGui::SameLine();
  const bool this_running = st.running && st.running_params.kind == st.selected;
  if (this_running) {
    if (ImGui::Button("Cancel")) actions.push_back(app::act::CancelStudy{});
    if (probe) probe->record("studies:cancel");
  } else {
    const auto done = st.results.find(st.selected);
    // Predict first: while the open lesson step waits for the learner's answer, its experiment
    // does not run from here either (the answer starts it).
    const bool awaiting_prediction = app::lesson_prediction_pending(s);
    ImGui::BeginDisabled(awaiting_prediction);
    if (done == st.results.end()) {
      if (ImGui::Button("Run")) actions.push_back(app::act::RunStudy{st.selected, app::kStudySeedMin});
    } else {
      // Same seed, same numbers: offer the next seed to see how robust the outcome is.
      const std::uint64_t seed = done->second.params.seed;
      const std::uint64_t next = seed >= app::kStudySeedMax ? app::kStudySeedMin : seed + 1;
      const std::string label = "Run with seed " + std::to_string(next);
      if (ImGui::Button(label.c_str())) actions.push_back(app::act::RunStudy{st.selected, next});
    }
    ImGui::EndDisabled();
    if (probe) probe->record("studies:run");
    if (awaiting_prediction && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
      ImGui::SetTooltip("Answer the lesson's question first: your answer starts the experiment.");
    if (st.running && ImGui::IsItemHovered())
      ImGui::SetTooltip("Replaces the running experiment (%s).", app::study_title(st.running_params.kind));
  }
  ImGui::TextWrapped("%s", study_blurb(st.selected));
  if (st.running) {
    const float done = st.units_total > 0 ? static_cast<float>(st.units_done) / static_cast<float>(st.units_total) : 0.0f;
    const std::string text = std::string(app::study_title(st.running_params.kind)) + ": " +
                             std::to_string(static_cast<int>(done * 100.0f)) + "%";
    ImGui::ProgressBar(done, ImVec2(-1.0f, 0.0f), text.c_str());
    if (probe) probe->record("studies:progress");
  }
  const auto it = st.results.find(st.selected);
  if (it == st.results.end()) {
    if (!this_running)
      ImGui::TextDisabled("%s", app::lesson_prediction_pending(s)
                                    ? "Not run yet: answer the lesson's question above; your answer starts it."
                                    : "Not run yet: press Run. It computes in the background while you explore.");
    return;
  }
  const app::StudyResult& r = it->second;
  ImGui::Separator();
  ImGui::PushStyleColor(ImGuiCol_Text, r.claim_holds ? palette().with_bn : palette().warning);
  ImGui::TextWrapped("%s", r.verdict.c_str());
  ImGui::PopStyleColor();
  if (probe) probe->record("studies:verdict");
  // Probe names a lesson step can outline: "studies:readouts" (the table) and
  // "studies:readout:<key>" (one row's value), "study_chart_<i>" (a chart).
  ImGui::BeginGroup();
  if (ImGui::BeginTable("study_readouts", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
    for (const app::StudyReadout& o : r.readouts) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(o.label.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(format_number(o.value).c_str());
      if (probe) probe->record("studies:readout:" + o.key);
    }
    ImGui::EndTable();
  }
  ImGui::EndGroup();
  if (probe) probe->record("studies:readouts");
  ImGui::TextDisabled("seed %llu", static_cast<unsigned long long>(r.params.seed));
  const float min_h = ImGui::GetFontSize() * 11.0f;
  const float per = r.charts.empty() ? min_h
                                     : (ImGui::GetContentRegionAvail().y / static_cast<float>(r.charts.size())) -
                                           ImGui::GetTextLineHeightWithSpacing() * 1.5f;
  for (std::size_t i = 0; i < r.charts.size(); ++i)
    draw_study_chart(r.charts[i], static_cast<int>(i), std::max(per, min_h), probe);
}

}  // namespace nl::ui
