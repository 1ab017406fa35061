// Session: everything the playground shows, in one value. The UI reads it; only
// apply(Session&, const Action&) and tick() change it (see actions.h, schedule.h).
// No ImGui, no GL: tests drive a Session exactly as the UI, URL or JS API would.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/experiment.h"
#include "core/result.h"
#include "core/enum_names.h"
#include "core/spec.h"
#include "app/inspector_state.h"  // BN inspector / backprop stepper state
#include "app/classroom.h"  // hidden controls, locked settings, Share dialog
#include "app/export_file.h"  // ExportFile (Session::outbox)
#include "app/twin_run.h"  // Why-BN-helps panel state
#include "app/study.h"  // Experiments panel: background studies (StudyState)
#include "app/schedule_state.h"  // TrainingPace (app/schedule.h)
#include "app/lesson_state.h"  // LessonProgress (app/lesson_actions.h)

namespace nl::app {

// Eval-mode probability of class 1 on a regular grid over the data's bounding box.
// Row-major, row 0 at y_min; the platform uploads it as a texture for the heatmap shader.
struct DecisionGrid {
  int resolution = 64;                 // cells per side
  float x_min = -2.0f, x_max = 2.0f;   // data coordinates covered by the grid
  float y_min = -2.0f, y_max = 2.0f;
  std::vector<float> class1_probability;  // resolution * resolution, in [0, 1]
  std::uint64_t model_version = 0;     // the Session::model_version it was computed for
  // Progressive refresh for large networks (app/builder.h refresh_grid_progressive): rows
  // computed so far into `pending`, swapped in when every row is done.
  std::vector<float> pending;
  int pending_row = 0;
  std::uint64_t pending_version = 0;
};

// A message for the learner (bad setting, impossible step, divergence). Dismissible.
struct Notice {
  std::string message;
  std::string hint;
};

// The panels a learner can show on the right side. Part of the state (the URL and the
// JS API can choose one), not of the UI.
enum class Panel {
  kData,        // data points and decision heatmap
  kNetwork,     // network builder and diagram
  kInspector,   // BN inspector: one feature through mean, variance, x̂, γ, β
  kBackprop,    // backprop stepper through BN's computational graph
  kWhyBnHelps,  // twin run, distributions over time, gradient flow, histograms, cost
  kStudies,     // Experiments: background studies behind the lessons (app/study.h)
};
}  // namespace nl::app
template <> struct nl::EnumNames<nl::app::Panel> {
  static constexpr std::array<std::string_view, 6> values = {"data", "network", "inspector", "backprop", "why", "studies"};
};
namespace nl::app {

// Panel <-> stable name ("data", "network", "inspector", "backprop", "why"), for the
// command line, URLs and the JS API. parse_panel returns nullopt for unknown names.
const char* panel_name(Panel panel);
std::optional<Panel> parse_panel(const std::string& name);

enum class Theme { kDark, kLight };
}  // namespace nl::app
template <> struct nl::EnumNames<nl::app::Theme> {
  static constexpr std::array<std::string_view, 2> values = {"dark", "light"};
};
namespace nl::app {

// Sub-views of the Why-BN-helps panel (ui/why_view.cpp).
enum class WhyView { kTwin, kDistribution, kGradients, kHistograms, kCost };
}  // namespace nl::app
template <> struct nl::EnumNames<nl::app::WhyView> {
  static constexpr std::array<std::string_view, 5> values = {"twin", "distribution", "gradients", "histograms", "cost"};
};
namespace nl::app {

// How the playground is shown (not what is trained).
struct ViewState {
  Panel panel = Panel::kData;
  bool show_help = false;  // keyboard-shortcut overlay
  Theme theme = Theme::kDark;
  bool show_test_points = true;
  bool discretize_heatmap = false;  // heatmap in confidence bands instead of smooth
  int new_point_class = 0;          // label of points added by clicking the data area
  int selected_layer = -1;          // network panel: hidden layer of the inspected neuron (-1 none)
  int selected_unit = -1;
  int weight_layer = -1;            // selected weight: Linear of hidden layer (H = output layer)
  int weight_row = -1, weight_col = -1;
  WhyView why_view = WhyView::kTwin;  // Why panel: sub-view, and the unit of the ribbons
  int why_layer = 0, why_unit = 0;
  bool why_post_activation = false;   // Why panel histograms: activation outputs, not inputs
  bool show_export = false;           // the Export window (ui/export_view.cpp)
};

// Training pauses (with a Notice) once a condition is met (checked after every step).
struct StopCondition {
  bool on_loss = false;
  float target_train_loss = 0.05f;
  bool on_steps = false;
  std::int64_t max_steps = 1000;
};

// Each hidden neuron's output (after its layer's activation and norm) over a coarse grid
// of the input plane, for the network diagram. Refreshed by tick() only while the network
// panel shows, at most every few frames (see app/builder.h).
struct NeuronMaps {
  int resolution = 16;                 // cells per side, same bounds as DecisionGrid
  std::vector<Matrix> layers;          // per hidden layer: (width, resolution^2), row-major cells
  std::uint64_t model_version = 0;     // the model they were computed for (0: never)
  int frames_since_refresh = 0;
};

struct Session {
  ExperimentSpec spec;                 // the settings the current experiment was built from
  std::optional<Experiment> experiment;  // always set after make_session succeeds
  bool playing = false;
  int steps_per_frame = 1;             // training speed while playing
  std::optional<Notice> notice;
  std::uint64_t model_version = 1;     // bumps whenever the model's parameters change
  DecisionGrid grid;
  ViewState view;
  std::optional<Dataset> user_data;    // edited points: kept across network/optimizer changes
  StopCondition stop;
  NeuronMaps neuron_maps;
  InspectorState inspector;            // BN inspector and backprop stepper (app/inspector.h)
  TwinRun twin;                        // Why panel: the twin network and its records
  ClassroomState classroom;            // classroom mode and the Share dialog (app/classroom.h)
  StudyState study;                    // Experiments panel: the running study and results (app/study.h)
  TrainingPace pace;                   // eval-metrics pacing while playing (app/schedule.h)
  LessonProgress lesson;               // the open lesson and its step (app/lesson_actions.h)
  std::vector<ExportFile> outbox;      // exports for the platform to deliver, then clear (export_file.h)

  const Experiment& exp() const { return *experiment; }
  Experiment& exp() { return *experiment; }
};

// The settings a learner sees first: two moons, 2 hidden layers of 8 with BatchNorm.
ExperimentSpec default_spec();

// Shows a message (and a hint) to the learner; replaces the one on screen.
void set_notice(Session& s, std::string message, std::string hint = {});

// Builds a session (experiment + first decision grid) or says why the spec is invalid.
Result<Session> make_session(const ExperimentSpec& spec);

// Sets the grid's bounds to cover the data (train and test) with a 10% margin, squared up
// so the heatmap's cells are square on screen.
void fit_grid_to_data(DecisionGrid& grid, const Dataset& data);

// Recomputes the decision grid if the model changed since it was last computed.
void refresh_grid(Session& session);

}  // namespace nl::app
