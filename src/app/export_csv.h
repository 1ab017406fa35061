// CSV exports of a run's history: the training curves, and per-layer statistics per step.
// One header line, one line per recorded step; non-finite numbers are empty cells; floats
// are the shortest decimal that reads back to the same float. Not here: files or downloads.
//
//   std::string csv = curves_csv(session.exp().history());
#pragma once

#include <string>
#include <vector>

#include "core/experiment.h"

namespace nl::app {

// step,epoch,batch_loss,train_loss,test_loss,train_accuracy,test_accuracy
std::string curves_csv(const std::vector<StepMetrics>& history);

// step,layer,preact_mean,preact_std,preact_p15,preact_p50,preact_p85,weight_norm,grad_norm
// (one line per step and layer: "hidden1", ..., "output"; see LayerMetrics in experiment.h).
std::string layers_csv(const std::vector<StepMetrics>& history);

}  // namespace nl::app
