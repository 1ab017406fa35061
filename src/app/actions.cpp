// apply(): the one place a Session changes in response to a request.
#include "app/actions.h"
#include "app/overloaded.h"

#include "app/builder.h"
#include "app/classroom_gate.h"
#include "app/settings_schema.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

namespace nl::app {

namespace {

// Rebuilds the experiment from `spec`; on failure keeps everything as it was.
void rebuild(Session& s, const ExperimentSpec& spec) {
  // Edited points survive network/optimizer changes; a data-spec change drops them.
  const bool keep_data = s.user_data.has_value() && same_data_spec(spec.data, s.spec.data);
  Result<Session> fresh = keep_data ? make_session_with_data(spec, *s.user_data) : make_session(spec);
  if (!fresh.ok()) {
    set_notice(s, fresh.error().message, fresh.error().hint);
    return;
  }
  const bool playing = s.playing;
  const int speed = s.steps_per_frame;
  const ViewState view = s.view;
  // The learner's own points keep the plot's window they were placed in: a point added in the
  // margin, or one removed at the edge, does not move the view under the pointer.
  const DecisionGrid window = s.grid;
  const std::uint64_t version = s.model_version + 1;
  std::optional<Dataset> user_data;
  if (keep_data) user_data.swap(s.user_data);
  const StopCondition stop = s.stop;
  ClassroomState classroom = std::move(s.classroom);  // a link's classroom options outlive rebuilds
  LessonProgress lesson = std::move(s.lesson);  // a lesson stays open while its steps change settings
  s = std::move(fresh.value());
  s.user_data = std::move(user_data);
  s.stop = stop;
  s.classroom = std::move(classroom);
  s.lesson = std::move(lesson);
  s.playing = playing;
  s.steps_per_frame = speed;
  s.view = view;
  s.model_version = version;
  if (keep_data) {
    s.grid.x_min = window.x_min;
    s.grid.x_max = window.x_max;
    s.grid.y_min = window.y_min;
    s.grid.y_max = window.y_max;
    s.grid.class1_probability.clear();
  }
  refresh_grid(s);
  rebuild_twin(s);  // Why panel: the twin follows the new settings (twin_run.h)
}

}  // namespace

// Takes up to `count` steps; stops (and pauses) at the first step that fails.
void run_training_steps(Session& s, int count) {
  ensure_twin(s);
  for (int i = 0; i < count; ++i) {
    const auto started = std::chrono::steady_clock::now();
    Result<StepMetrics> done = s.exp().step();
    // The twin steps in lockstep (twin_run.h); the timing is for the Why panel's display.
    after_main_step(s, done.ok(), std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (!done.ok()) {
      s.playing = false;
      set_notice(s, done.error().message, done.error().hint);
      break;
    }
    ++s.model_version;
  }
}

void apply(Session& s, const Action& action) {
  std::visit(
      Overloaded{
          [&](const act::Play&) {
            if (s.exp().diverged()) {
              set_notice(s, "Training diverged; press Reset to start again.");
              return;
            }
            s.playing = true;
          },
          [&](const act::Pause&) { s.playing = false; },
          [&](const act::TogglePlay&) { nl::app::apply(s, s.playing ? Action{act::Pause{}} : Action{act::Play{}}); },
          [&](const act::Step& a) {
            if (a.count < 1 || a.count > 10000) {
              set_notice(s, "Step count must be between 1 and 10000 (got " + std::to_string(a.count) + ").");
              return;
            }
            run_training_steps(s, a.count);
          },
          [&](const act::Reset&) {
            rebuild(s, s.spec);
            s.playing = false;
          },
          [&](const act::SetSpeed& a) {
            if (auto why = refusal(field::kSpeed, a.steps_per_frame)) {
              set_notice(s, *why + ".");
              return;
            }
            s.steps_per_frame = a.steps_per_frame;
          },
          [&](const act::SetDataset& a) {
            ExperimentSpec spec = s.spec;
            spec.data.kind = a.kind;
            rebuild(s, spec);
          },
          [&](const act::SetNoise& a) {
            if (auto why = refusal(field::kNoise, a.noise)) {
              set_notice(s, *why + ".");
              return;
            }
            ExperimentSpec spec = s.spec;
            spec.data.noise = a.noise;
            rebuild(s, spec);
          },
          [&](const act::SetLearningRate& a) {
            if (auto why = refusal(field::kLearningRate, a.learning_rate)) {
              set_notice(s, *why + ".");
              return;
            }
            // An optimizer setting: training goes on with the new rate (no restart).
            OptimizerSpec optimizer = s.spec.optimizer;
            optimizer.learning_rate = a.learning_rate;
            nl::app::apply(s, act::SetOptimizer{optimizer});
          },
          [&](const act::SetBatchSize& a) {
            const int train_size = static_cast<int>(s.exp().dataset().x_train.cols());
            if (auto why = refusal(field::kBatchSize, a.batch_size)) {
              set_notice(s, *why + ".");
              return;
            }
            if (a.batch_size > train_size) {
              set_notice(s, "Batch size must be from 1 to the training set size (" +
                                std::to_string(train_size) + ").");
              return;
            }
            ExperimentSpec spec = s.spec;
            spec.batch_size = a.batch_size;
            rebuild(s, spec);
          },
          [&](const act::SetNormalization& a) {
            ExperimentSpec spec = s.spec;
            for (HiddenLayerSpec& layer : spec.net.hidden) layer.norm = a.norm;
            rebuild(s, spec);
          },
          [&](const act::SetSpec& a) { rebuild(s, a.spec); },
          [&](const act::DismissNotice&) { s.notice.reset(); },
          [&](const act::ShowPanel& a) {
            if (static_cast<int>(a.panel) < 0 || static_cast<int>(a.panel) > static_cast<int>(Panel::kStudies)) {
              set_notice(s, "Unknown panel.");
              return;
            }
            s.view.panel = a.panel;
          },
          [&](const act::ToggleHelp&) { s.view.show_help = !s.view.show_help; },
          [&](const act::SetWhyView& a) {
            if (static_cast<int>(a.view) < 0 || static_cast<int>(a.view) > static_cast<int>(WhyView::kCost)) {
              set_notice(s, "Unknown view of the Why panel.");
              return;
            }
            s.view.why_view = a.view;
          },
          [&](const act::SelectWhyUnit& a) {
            const auto& hidden = s.spec.net.hidden;
            if (a.layer < 0 || a.layer >= static_cast<int>(hidden.size()) || a.unit < 0 ||
                a.unit >= hidden[static_cast<std::size_t>(a.layer)].width) {
              set_notice(s, "No such hidden unit (layer " + std::to_string(a.layer + 1) + ", unit " +
                                std::to_string(a.unit + 1) + ").");
              return;
            }
            s.view.why_layer = a.layer;
            s.view.why_unit = a.unit;
          },
          [&](const act::SetWhyHistogramSide& a) { s.view.why_post_activation = a.post_activation; },
          [&](const ExportAction auto& a) { apply_export(s, a); },  // export_actions.cpp
          [&](const InspectorAction auto& a) { apply_inspector(s, a); },  // inspector.cpp
          [&](const ClassroomAction auto& a) { apply_classroom(s, a); },  // classroom.cpp
          [&](const LessonAction auto& a) { apply_lesson(s, a); },  // lesson_actions.cpp
          [&](const StudyAction auto& a) { apply_study(s, a); },  // study.cpp
          [&](const auto& a) { apply_playground(s, a); },  // playground_actions.h (builder.cpp)
      },
      action);
  update_lesson_try(s);  // a try-it check the action made true (lesson_actions.h)
}

}  // namespace nl::app
