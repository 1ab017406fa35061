// The lesson strip at the top of the panel area: a Lessons button and list, and for the
// open lesson its title, progress, the step's text, what to look at (outlined on screen),
// live readouts, the try-it box with its check, Back / Next / Close. Reads the session,
// emits actions; no state of its own. Not here: lesson files or stepping (app/lesson*.h).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/lesson.h"
#include "app/lesson_actions.h"
#include "app/lesson_readouts.h"
#include "ui/theme.h"
#include "ui/view.h"

namespace nl::ui {

namespace {

void record(UiProbe* probe, const std::string& name) {
  if (probe) probe->record(name);
}

// A number for the learner: never "nan" or "inf".
std::string num(double v, const char* format = "%.4g") {
  if (!std::isfinite(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void wrapped(const std::string& text) {
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
}

void wrapped_dim(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  wrapped(text);
  ImGui::PopStyleColor();
}

void draw_catalog(app::ActionQueue& actions, UiProbe* probe) {
  const float height = std::min(ImGui::GetContentRegionAvail().y * 0.6f, ImGui::GetFontSize() * 26.0f);
  ImGui::BeginChild("lesson_catalog", ImVec2(0, std::max(height, ImGui::GetFontSize() * 8.0f)), true);
  wrapped("Lessons: each claim about batch normalization as a live experiment");
  for (const app::Lesson& l : app::lesson_catalog()) {
    const std::string label = l.id.substr(0, 2) + "  " + l.title;
    if (ImGui::Selectable(label.c_str())) actions.push_back(app::act::OpenLesson{l.id});
    record(probe, "lesson:" + l.id);
    ImGui::Indent();
    wrapped_dim(l.summary);
    ImGui::Unindent();
  }
  for (const std::string& e : app::lesson_catalog_errors()) wrapped_dim("(not loaded) " + e);
  ImGui::EndChild();
}

void draw_scale_readout(const app::Session& s, app::ActionQueue& actions, UiProbe* probe) {
  if (s.lesson.scale) {
    const app::ScaleRecord& r = *s.lesson.scale;
    const double a = r.factor;
    const double g = r.grad_norm_before > 0 ? r.grad_norm_after / r.grad_norm_before : NAN;
    const double rel_before = r.weight_norm_before > 0 ? r.grad_norm_before / r.weight_norm_before : NAN;
    const double rel_after = r.weight_norm_after > 0 ? r.grad_norm_after / r.weight_norm_after : NAN;
    ImGui::Text("Layer %d's Linear weights × %s (%s)", r.layer + 1, num(a).c_str(),
                r.has_batchnorm ? "BatchNorm follows" : "no BatchNorm after it");
    ImGui::Text("Layer output, largest change: %s  (outputs up to %s)", num(r.output_max_diff, "%.2g").c_str(),
                num(r.output_max_abs, "%.3g").c_str());
    ImGui::Text("Batch loss: %s → %s", num(r.loss_before).c_str(), num(r.loss_after).c_str());
    ImGui::Text("‖∂L/∂W‖: %s → %s   ratio %s  (1/a = %s)", num(r.grad_norm_before).c_str(),
                num(r.grad_norm_after).c_str(), num(g).c_str(), num(1.0 / a).c_str());
    ImGui::Text("‖W‖: %s → %s", num(r.weight_norm_before).c_str(), num(r.weight_norm_after).c_str());
    ImGui::Text("Step size relative to ‖W‖: ×%s  (1/a² = %s)", num(rel_after / rel_before).c_str(),
                num(1.0 / (a * a)).c_str());
  } else {
    wrapped_dim("No layer scaled yet.");
  }
  if (ImGui::Button("Scale layer 1 × 10")) actions.push_back(app::act::ScaleLayerWeights{0, 10.0f});
  record(probe, "lesson:scale_up");
  ImGui::SameLine();
  if (ImGui::Button("Scale layer 1 × 0.1")) actions.push_back(app::act::ScaleLayerWeights{0, 0.1f});
  record(probe, "lesson:scale_down");
}

void draw_fold_readout(const app::Session& s) {
  const app::FoldReport r = app::fold_report(s);
  if (!r.ok) {
    wrapped_dim(r.why);
    return;
  }
  ImGui::Text("Folded %d BatchNorm layer%s: %d layers → %d", r.batchnorms_folded, r.batchnorms_folded == 1 ? "" : "s",
              r.layers_before, r.layers_after);
  ImGui::Text("Largest output difference: %s  (outputs up to %s)", num(r.max_abs_diff, "%.2g").c_str(),
              num(r.max_abs_logit, "%.3g").c_str());
  ImGui::Text("Predictions that changed: %d of %d points", r.predictions_changed, r.points);
  ImGui::Text("Operations per point: %lld → %lld", static_cast<long long>(r.ops_before),
              static_cast<long long>(r.ops_after));
  ImGui::Text("Numbers stored: %lld → %lld", static_cast<long long>(r.numbers_before),
              static_cast<long long>(r.numbers_after));
}

void draw_train_vs_eval_readout(const app::Session& s) {
  const app::TrainVsEvalReport r = app::train_vs_eval_report(s);
  if (!r.ok) {
    wrapped_dim(r.why);
    return;
  }
  ImGui::Text("Test accuracy over %d points:", r.test_points);
  ImGui::BulletText("eval mode (running statistics): %s%%", num(100.0 * r.eval_accuracy, "%.1f").c_str());
  ImGui::BulletText("training mode, whole test set as one batch: %s%%", num(100.0 * r.train_mode_accuracy, "%.1f").c_str());
  ImGui::BulletText("training mode, batches of 8 of one class: %s%%",
                    num(100.0 * r.one_class_batches_accuracy, "%.1f").c_str());
}

// Title, progress and the buttons: always visible above the (scrolling) step body.
void draw_lesson_header(const app::Session& s, const app::Lesson& lesson, int step, app::ActionQueue& actions,
                        UiProbe* probe) {
  ImGui::PushStyleColor(ImGuiCol_Text, palette().with_bn);
  wrapped("Lesson " + lesson.id.substr(0, 2) + " · " + lesson.title);
  ImGui::PopStyleColor();
  const std::string progress = "Step " + std::to_string(step) + " of " + std::to_string(lesson.steps.size());
  ImGui::ProgressBar(static_cast<float>(step) / static_cast<float>(lesson.steps.size()),
                     ImVec2(-1.0f, ImGui::GetFontSize() * 1.1f), progress.c_str());
  record(probe, "lesson_progress");
  // Buttons wrap onto a new row when they would not fit (phones).
  auto same_line_if_fits = [](const char* next_label) {
    const float w = ImGui::CalcTextSize(next_label).x + 2.0f * ImGui::GetStyle().FramePadding.x;
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w <= right) ImGui::SameLine();
  };
  ImGui::BeginDisabled(step <= 1);
  if (ImGui::Button("← Back")) actions.push_back(app::act::LessonBack{});
  ImGui::EndDisabled();
  record(probe, "lesson_back");
  const bool last = step >= static_cast<int>(lesson.steps.size());
  const char* next_label = last ? "Finish" : "Next →";
  same_line_if_fits(next_label);
  if (ImGui::Button(next_label)) actions.push_back(last ? app::Action{app::act::CloseLesson{}} : app::Action{app::act::LessonNext{}});
  record(probe, "lesson_next");
  same_line_if_fits("Restart step");
  if (ImGui::Button("Restart step")) actions.push_back(app::act::LessonGoTo{step});
  record(probe, "lesson_restart");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Replay the lesson up to this step (undoes your changes)");
  same_line_if_fits("Lessons");
  if (ImGui::Button("Lessons")) actions.push_back(app::act::ShowLessonCatalog{!s.lesson.catalog_open});
  record(probe, "lessons");
  same_line_if_fits("Close");
  if (ImGui::Button("Close")) actions.push_back(app::act::CloseLesson{});
  record(probe, "lesson_close");
}

// Roughly how tall the step body is (text wrapped to the width, readout rows), so the child
// region is no taller than it needs to be.
float body_height(const app::LessonStep& st, float width) {
  const float line = ImGui::GetTextLineHeightWithSpacing();
  float h = ImGui::CalcTextSize(st.text.c_str(), nullptr, false, width).y + line;
  if (!st.title.empty()) h += ImGui::CalcTextSize(st.title.c_str(), nullptr, false, width).y + line * 0.5f;
  if (st.panel || !st.control.empty()) h += line;
  if (st.readout == "scale") h += line * 7.0f + ImGui::GetFrameHeightWithSpacing();
  if (st.readout == "fold") h += line * 5.5f;
  if (st.readout == "train_vs_eval") h += line * 4.5f;
  if (st.try_it) h += line * 1.5f + ImGui::CalcTextSize(st.try_it->prompt.c_str(), nullptr, false, width).y;
  if (st.predict)
    h += line * 1.5f + ImGui::CalcTextSize(st.predict->question.c_str(), nullptr, false, width).y +
         static_cast<float>(st.predict->choices.size()) * ImGui::GetFrameHeightWithSpacing() +
         ImGui::CalcTextSize(st.predict->outcome.c_str(), nullptr, false, width).y + line * 2.0f;
  return h + 2.0f * ImGui::GetStyle().WindowPadding.y;
}

// Predict, then observe: the choices until one is picked (it locks and the step's experiment
// runs), then the locked choice, and once the experiment finished the answer beside it.
void draw_prediction(const app::Session& s, const app::LessonPredict& p, app::ActionQueue& actions, UiProbe* probe) {
  ImGui::Spacing();
  ImGui::BeginGroup();
  ImGui::PushStyleColor(ImGuiCol_Text, palette().warning);
  wrapped("Predict first: " + p.question);
  ImGui::PopStyleColor();
  const auto locked = s.lesson.predictions.find(s.lesson.step);
  if (locked == s.lesson.predictions.end()) {
    for (std::size_t i = 0; i < p.choices.size(); ++i) {
      const std::string label = std::string(1, static_cast<char>('A' + i)) + ". " + p.choices[i] + "##predict" +
                                std::to_string(i);
      if (ImGui::Button(label.c_str())) actions.push_back(app::act::LessonPredictChoice{static_cast<int>(i)});
      record(probe, "lesson_predict_" + std::to_string(i));
    }
    wrapped_dim("Your answer locks; then the experiment runs and the result shows here.");
  } else {
    const int chosen = locked->second;
    const auto letter = [](int i) { return std::string(1, static_cast<char>('A' + i)); };
    wrapped("Your prediction: " + letter(chosen) + ". " + p.choices[static_cast<std::size_t>(chosen)] + " (locked)");
    if (!app::lesson_prediction_revealed(s)) {
      wrapped_dim("The experiment is running…");
    } else {
      const bool right = chosen == p.answer;
      ImGui::PushStyleColor(ImGuiCol_Text, right ? palette().with_bn : palette().warning);
      wrapped(std::string(right ? "● As you predicted. " : "○ Not what happened. ") + "Outcome: " + letter(p.answer) +
              ". " + p.choices[static_cast<std::size_t>(p.answer)]);
      ImGui::PopStyleColor();
      wrapped(p.outcome);
    }
  }
  ImGui::EndGroup();
  record(probe, "lesson_prediction");
}

void draw_lesson_body(const app::Session& s, const app::LessonStep& st, app::ActionQueue& actions, UiProbe* probe) {
  if (!st.title.empty()) {
    wrapped(st.title);
    ImGui::Separator();
  }
  wrapped(st.text);
  record(probe, "lesson_text");
  if (st.predict) draw_prediction(s, *st.predict, actions, probe);
  if (st.panel || !st.control.empty()) {
    std::string look = "→ Look at";
    if (st.panel) look += std::string(" the ") + app::panel_name(*st.panel) + " panel";
    if (!st.control.empty()) look += std::string(st.panel ? "," : "") + " the outlined control";
    wrapped_dim(look);
  }
  if (!st.readout.empty() && !app::lesson_prediction_pending(s)) {  // the numbers come after the prediction
    ImGui::BeginGroup();
    if (st.readout == "scale") draw_scale_readout(s, actions, probe);
    if (st.readout == "fold") draw_fold_readout(s);
    if (st.readout == "train_vs_eval") draw_train_vs_eval_readout(s);
    ImGui::EndGroup();
    record(probe, "lesson_readout");
  }
  if (st.try_it) {
    const bool done = app::lesson_try_done(s);
    const int count = static_cast<int>(st.try_it->checks.size());
    std::string heading = done ? "● Try it yourself — done" : (count > 0 ? "○ Try it yourself" : "Try it yourself");
    if (count > 1 && !done)  // a sequence (e.g. lesson 7's two runs): how far the learner got
      heading += " (" + std::to_string(std::min(s.lesson.try_passed, count)) + " of " + std::to_string(count) + " done)";
    ImGui::BeginGroup();
    ImGui::PushStyleColor(ImGuiCol_Text, done ? palette().with_bn : ImGui::GetStyleColorVec4(ImGuiCol_Text));
    ImGui::TextUnformatted(heading.c_str());
    ImGui::PopStyleColor();
    wrapped(st.try_it->prompt);
    ImGui::EndGroup();
    record(probe, "lesson_try");
  }
}

}  // namespace

void begin_lesson_frame(const app::Session& session, UiProbe* probe) {
  if (!probe || !session.lesson.open()) return;
  const app::Lesson* lesson = app::find_lesson(session.lesson.id);
  if (!lesson || session.lesson.step < 1 || session.lesson.step > static_cast<int>(lesson->steps.size())) return;
  const std::string& control = lesson->steps[static_cast<std::size_t>(session.lesson.step - 1)].control;
  if (!control.empty()) probe->rects.erase(control);  // present at the end only if drawn this frame
}

void draw_lesson_strip(const app::Session& session, app::ActionQueue& actions, UiProbe* probe) {
  const app::Lesson* lesson = session.lesson.open() ? app::find_lesson(session.lesson.id) : nullptr;
  if (!lesson) {
    // One button in front of the panel tabs (same row: no space taken from the panels).
    if (ImGui::Button(session.lesson.catalog_open ? "Lessons ▴" : "Lessons ▾"))
      actions.push_back(app::act::ShowLessonCatalog{!session.lesson.catalog_open});
    record(probe, "lessons");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Guided experiments: each claim about batch normalization, step by step");
    if (session.lesson.catalog_open) {
      draw_catalog(actions, probe);
    } else {
      ImGui::SameLine();  // the first tab follows on this row
    }
    return;
  }
  const int step = std::clamp(session.lesson.step, 1, static_cast<int>(lesson->steps.size()));
  const app::LessonStep& st = lesson->steps[static_cast<std::size_t>(step - 1)];
  draw_lesson_header(session, *lesson, step, actions, probe);
  // The step body scrolls by itself when it is long, so the panel below stays reachable:
  // at most 60% of the window's height, 40% in the stacked (phone) layout.
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const bool stacked = display.x < ImGui::GetFontSize() * 46.0f || display.x < display.y;  // as draw_app
  const float width = ImGui::GetContentRegionAvail().x - 2.0f * ImGui::GetStyle().WindowPadding.x -
                      ImGui::GetStyle().ScrollbarSize;
  const float max_h = std::max(ImGui::GetContentRegionAvail().y * (stacked ? 0.4f : 0.6f), ImGui::GetFontSize() * 8.0f);
  ImGui::BeginChild("lesson_body", ImVec2(0, std::min(body_height(st, width), max_h)), true);
  draw_lesson_body(session, st, actions, probe);
  ImGui::EndChild();
  if (session.lesson.catalog_open) draw_catalog(actions, probe);
  ImGui::Separator();
}

void draw_lesson_highlight(const app::Session& session, const UiProbe* probe) {
  if (!probe || !session.lesson.open()) return;
  const app::Lesson* lesson = app::find_lesson(session.lesson.id);
  if (!lesson || session.lesson.step < 1 || session.lesson.step > static_cast<int>(lesson->steps.size())) return;
  const std::string& control = lesson->steps[static_cast<std::size_t>(session.lesson.step - 1)].control;
  const auto it = control.empty() ? probe->rects.end() : probe->rects.find(control);
  if (it == probe->rects.end()) return;
  // A pulsing outline a few pixels outside the control.
  const float pulse = 0.6f + 0.4f * std::sin(static_cast<float>(ImGui::GetTime()) * 4.0f);
  ImVec4 c = palette().warning;
  c.w = pulse;
  const ImVec2 pad(4.0f, 4.0f);
  ImGui::GetForegroundDrawList()->AddRect(ImVec2(it->second.min.x - pad.x, it->second.min.y - pad.y),
                                          ImVec2(it->second.max.x + pad.x, it->second.max.y + pad.y),
                                          ImGui::GetColorU32(c), 4.0f, 0, 3.0f);
}

}  // namespace nl::ui
