// Actions of the playground's data editor, network builder, training controls and view
// options (the structs only; they join the Action variant in actions.h, and
// app/builder.cpp carries them out). Not here: BN inspector or backprop actions.
#pragma once

#include <cstdint>

#include "app/session.h"
#include "core/spec.h"

namespace nl::app::act {

// Data (a data-spec change regenerates the points and drops user edits).
struct AddPoint { float x = 0.0f, y = 0.0f; int label = 0; };   // to the training set
struct RemovePoint { float x = 0.0f, y = 0.0f, radius = 0.1f; }; // nearest training point within radius
struct SetDataSize { int size = 300; };                // 20..2000 points, train + test
struct SetTestFraction { float test_fraction = 0.25f; };  // 0..0.9
struct SetDataSeed { std::uint64_t seed = 1; };
struct Regenerate {};                                  // next seed: new points, deterministic
// Network builder (each rebuilds the experiment: training restarts).
struct SetHiddenLayers { int count = 2; };             // 0..8; new layers copy the last one
struct SetLayerWidth { int layer = 0; int width = 8; };  // 1..128
struct SetLayerActivation { int layer = 0; Activation activation = Activation::kReLU; };
struct SetLayerNorm { int layer = 0; NormKind norm = NormKind::kBatchNorm; };
struct SetLayerPlacement { int layer = 0; NormPlacement placement = NormPlacement::kBeforeActivation; };
struct SetInit { InitScheme init = InitScheme::kHe; };
struct SetNormOptions { NormOptions options; };
// Optimizer settings change mid-training without a restart (weights and history kept).
struct SetOptimizer { OptimizerSpec optimizer; };
// Training.
struct StepEpoch {};                                   // steps until the epoch counter advances
struct SetStopCondition { StopCondition stop; };
// One weight of a Linear layer: layer = hidden layer index, or the hidden-layer count for
// the output layer; row = output unit, col = input unit. |value| <= 100.
struct SetWeight { int layer = 0; int row = 0; int col = 0; float value = 0.0f; };
// View.
struct SetTheme { Theme theme = Theme::kDark; };
struct SetShowTestPoints { bool show = true; };
struct SetDiscretize { bool on = false; };
struct SetPointClass { int label = 0; };
struct SelectNeuron { int layer = -1; int unit = -1; };  // -1, -1: none
struct SelectWeight { int layer = -1; int row = -1; int col = -1; };

}  // namespace nl::app::act
