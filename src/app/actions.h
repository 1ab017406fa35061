// Actions: every change a click, a key, a URL, the JS API or a lesson can ask for.
// apply() is the only way a Session changes (besides tick()'s scheduled training).
// An action that cannot be carried out leaves the session as it was and sets a Notice.
#pragma once

#include <variant>
#include <vector>

#include "app/inspector.h"  // inspector and backprop actions (inspector_state.h)
#include "app/export_actions.h"  // export and import actions
#include "app/playground_actions.h"  // data, builder, training, view actions
#include "app/classroom.h"  // classroom mode and Share dialog actions
#include "app/study_actions.h"  // Experiments panel: run/cancel studies
#include "app/lesson_actions.h"  // open / step through lessons, scale a layer's weights
#include "app/session.h"
#include "core/spec.h"

namespace nl::app {

namespace act {
struct Play {};
struct Pause {};
struct TogglePlay {};
struct Step { int count = 1; };                 // mini-batches, 1..10000
struct Reset {};                                // same settings, fresh initialization
struct SetSpeed { int steps_per_frame = 1; };   // 1..100
struct SetDataset { DatasetKind kind = DatasetKind::kTwoMoons; };
struct SetNoise { float noise = 0.1f; };        // 0..0.5
struct SetLearningRate { float learning_rate = 0.1f; };  // (0, 10]; training goes on
struct SetBatchSize { int batch_size = 32; };   // 1..training-set size
struct SetNormalization { NormKind norm = NormKind::kBatchNorm; };  // every hidden layer
struct SetSpec { ExperimentSpec spec; };        // replace all settings at once
struct DismissNotice {};
struct ShowPanel { Panel panel = Panel::kData; };
struct ToggleHelp {};
struct SetWhyView { WhyView view = WhyView::kTwin; };  // Why panel sub-view
struct SetWhyHistogramSide { bool post_activation = false; };  // histograms of inputs or outputs
struct SelectWhyUnit { int layer = 0; int unit = 0; };  // Why panel: hidden layer and unit
}  // namespace act

using Action = std::variant<act::Play, act::Pause, act::TogglePlay, act::Step, act::Reset,
                            act::SetSpeed, act::SetDataset, act::SetNoise, act::SetLearningRate,
                            act::SetBatchSize, act::SetNormalization, act::SetSpec,
                            act::DismissNotice, act::ShowPanel, act::ToggleHelp,
                            // playground_actions.h
                            act::AddPoint, act::RemovePoint, act::SetDataSize, act::SetTestFraction,
                            act::SetDataSeed, act::Regenerate, act::SetHiddenLayers, act::SetLayerWidth,
                            act::SetLayerActivation, act::SetLayerNorm, act::SetLayerPlacement, act::SetInit,
                            act::SetNormOptions, act::SetOptimizer, act::StepEpoch, act::SetStopCondition,
                            act::SetWeight, act::SetTheme, act::SetShowTestPoints, act::SetDiscretize,
                            act::SetPointClass, act::SelectNeuron, act::SelectWeight,
                            // inspector_state.h
                            act::InspectLayer, act::InspectFeature, act::InspectSample,
                            act::InspectorNextStage, act::InspectorPrevStage, act::SetInspectorStage,
                            act::SetInspectorEval, act::SetBnAffine, act::BackpropNext, act::BackpropPrev,
                            act::SetBackpropStep, act::CheckGradients,
                            act::ImportState, act::Export, act::ShowExportWindow, act::ImportPoints,  // export_actions.h
                            act::SetWhyView, act::SelectWhyUnit, act::SetWhyHistogramSide,  // Why panel (twin_run.h)
                            act::OpenLesson, act::LessonNext, act::LessonBack, act::LessonGoTo, act::CloseLesson,
                            act::ShowLessonCatalog, act::ScaleLayerWeights, act::LessonPredictChoice,  // lesson_actions.h
                            act::SelectStudy, act::RunStudy, act::CancelStudy,  // study_actions.h
                            act::SetClassroom, act::SetShareOpen, act::SetShareLink>;  // classroom.h

// Applies one action. Settings changes rebuild the experiment from the new spec
// (training restarts); if the new spec is invalid, nothing changes and a Notice says why.
// Last, it moves the open lesson step's try-it checks on (update_lesson_try).
void apply(Session& session, const Action& action);

// What act::Step does once validated, without the lesson-check update: up to `count` training
// steps (the twin in lockstep), stopping and pausing at the first that fails. tick() trains
// through this and updates the lesson checks once per frame, not once per step.
void run_training_steps(Session& session, int count);

// What UI panels emit during a frame; the platform applies them after drawing.
using ActionQueue = std::vector<Action>;

}  // namespace nl::app
