// The playground's own actions (data editing, network builder, training controls, view
// options; see playground_actions.h) and the helpers around them: sessions over edited
// data, stop conditions, per-neuron maps. apply() in actions.cpp forwards here.
// Not here: the generic settings rebuild (actions.cpp) or the per-frame schedule.
#pragma once

#include "app/playground_actions.h"
#include "app/session.h"

namespace nl::app {

void apply_playground(Session& s, const act::AddPoint& a);
void apply_playground(Session& s, const act::RemovePoint& a);
void apply_playground(Session& s, const act::SetDataSize& a);
void apply_playground(Session& s, const act::SetTestFraction& a);
void apply_playground(Session& s, const act::SetDataSeed& a);
void apply_playground(Session& s, const act::Regenerate& a);
void apply_playground(Session& s, const act::SetHiddenLayers& a);
void apply_playground(Session& s, const act::SetLayerWidth& a);
void apply_playground(Session& s, const act::SetLayerActivation& a);
void apply_playground(Session& s, const act::SetLayerNorm& a);
void apply_playground(Session& s, const act::SetLayerPlacement& a);
void apply_playground(Session& s, const act::SetInit& a);
void apply_playground(Session& s, const act::SetNormOptions& a);
void apply_playground(Session& s, const act::SetOptimizer& a);
void apply_playground(Session& s, const act::StepEpoch& a);
void apply_playground(Session& s, const act::SetStopCondition& a);
void apply_playground(Session& s, const act::SetWeight& a);
void apply_playground(Session& s, const act::SetTheme& a);
void apply_playground(Session& s, const act::SetShowTestPoints& a);
void apply_playground(Session& s, const act::SetDiscretize& a);
void apply_playground(Session& s, const act::SetPointClass& a);
void apply_playground(Session& s, const act::SelectNeuron& a);
void apply_playground(Session& s, const act::SelectWeight& a);

// A session trained on `data` instead of spec.data's generator (imported or edited points),
// its grid fitted to `data`. (Edits keep the view they were made in: see rebuild, actions.cpp.)
Result<Session> make_session_with_data(const ExperimentSpec& spec, const Dataset& data);

// True if two data specs generate the same points.
bool same_data_spec(const DatasetSpec& a, const DatasetSpec& b);

// After a step while playing: if the stop condition is met, pauses and sets a Notice.
// Returns true if it stopped.
bool check_stop(Session& s);

// Index into network().layers() of the Linear layer of hidden layer `layer` (the output
// Linear for layer == hidden count); -1 if there is none.
int linear_index(const Network& net, int layer);

// Multiply-adds of one input point through the network's Linear layers (a cost estimate).
double macs_per_point(const Network& net);

// Keeps session.grid in step with the model within about `max_macs` multiply-adds per call:
// small networks get the whole grid at once (as refresh_grid); large ones a few rows per
// frame into grid.pending, swapped in when complete, so no frame stalls.
void refresh_grid_progressive(Session& s, double max_macs = 4.0e6);

// Recomputes session.neuron_maps if the model changed and at least `min_frames` frames
// passed since the last refresh (bounded work: one coarse grid through the network).
void refresh_neuron_maps(Session& s, int min_frames = 6);

}  // namespace nl::app
