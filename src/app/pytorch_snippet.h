// A PyTorch (Python) snippet that builds the same network as an ExperimentSpec: Linear,
// normalization (BatchNorm1d / LayerNorm / GroupNorm with the same eps, momentum or None for
// the cumulative average, affine, track_running_stats), activation, in the same order and
// placement; the same initialization scheme, optimizer and batch size; and a loader for
// NormLab's exported weights JSON (state_json.h) so the module predicts what NormLab predicts.
// Not here: running Python (tests/app/test_export_pytorch.py does, natively).
//
//   std::string py = pytorch_snippet(session.spec);   // save as normlab_model.py
#pragma once

#include <string>

#include "core/spec.h"

namespace nl::app {

// Python 3 source. Defines make_model(), make_optimizer(model), BATCH_SIZE, loss_fn,
// load_normlab_weights(model, path_or_dict) and predict_proba(model, points); runs nothing
// heavy at import time (only builds the model when run as a script).
std::string pytorch_snippet(const ExperimentSpec& spec);

}  // namespace nl::app
