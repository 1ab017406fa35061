// The BN inspector and backprop stepper, app side: the numbers the two panels show (one
// BatchNorm feature over the current mini-batch, forward and backward, from the core's
// trace), the finite-difference check, and the handlers of the inspector actions.
// Not here: drawing (ui/inspector_view.cpp, ui/backprop_view.cpp). Inspecting never changes
// training state: every computation runs on a copy of the network.
#pragma once

#include <concepts>
#include <string>
#include <vector>

#include "app/inspector_state.h"
#include "app/session.h"
#include "core/trace.h"

namespace nl::app {

// Everything the inspector and the backprop stepper show, for the session's selection.
// The mini-batch is the one the last training step took (Experiment::last_batch()),
// pushed through the CURRENT parameters in training mode on a copy of the network (so the
// numbers follow γ/β edits); before the first step it is the first B training points.
struct InspectorModel {
  bool ok = false;
  std::string message;               // why nothing can be shown (ok == false)
  std::vector<int> bn_layers;        // hidden layers that have BatchNorm or Batch Renorm
  int layer = -1;                    // resolved hidden layer
  int layer_index = -1;              // its BatchNorm's index in Network::layers()
  int features = 0;                  // C of that layer
  int feature = 0, sample = 0;       // resolved selection
  std::string batch_source;          // where the batch comes from, for the UI
  std::vector<int> batch;            // training-set indices of the batch (size m)

  // Forward over the batch for the chosen feature (training mode): per sample, size m.
  std::vector<float> x, centred, xhat, y;
  float mean = 0, var = 0, inv_std = 0, std_dev = 0, eps = 0, gamma = 1, beta = 0;
  bool affine = true;                // γ and β are parameters (else fixed at 1 and 0)
  // Running statistics: before and after this batch's update; f weights the new batch.
  bool tracks_running = false, cumulative = false;
  float momentum = 0;                // f (PyTorch momentum; 1/t when cumulative)
  float unbiased_var = 0;            // σ²_B · m/(m−1), what running_var takes in
  float running_mean_before = 0, running_var_before = 1, running_mean_after = 0, running_var_after = 1;
  // Eval path (the network in eval mode on the same batch: upstream layers use running
  // statistics too, so x_eval can differ from x).
  std::vector<float> x_eval, xhat_eval, y_eval;
  float eval_mean = 0, eval_var = 1;  // what eval normalizes with: running stats, or (not
                                      // tracking) the statistics of x_eval itself
  // Batch Renorm (Ioffe 2017; renorm true): in training with running statistics the layer
  // outputs y = γ·(x̂·r + d) + β with r = clip(σ_B/σ_run, 1/r_max, r_max) and
  // d = clip((μ_B − running_mean)/σ_run, −d_max, d_max), σ_run = √(running_var + ε) taken
  // BEFORE this batch's update; r and d are constants in backprop. x and x̂ above are the
  // plain batch-normalized values; y is the layer's real output.
  bool renorm = false;
  bool renorm_active = false;        // r, d applied (training, tracking running stats)
  float r_max = 0, d_max = 0;
  float r = 1, d = 0;                // clipped, from the core's trace
  float r_unclipped = 1, d_unclipped = 0;  // σ_B/σ_run and (μ_B − running_mean)/σ_run
  bool r_clipped = false, d_clipped = false;  // the unclipped value lies outside the range
  float sigma_running = 1;           // √(running_var_before + ε)
  std::vector<float> xhat_r;         // per sample: x̂·r + d (== xhat for BatchNorm)
  // Next layer and loss.
  std::string next_layer;            // e.g. "relu1"
  bool next_is_elementwise = false;  // activation: next_out is this feature after it
  std::vector<float> next_out;       // per sample: the next layer's output for this feature
  float batch_loss = 0;              // training-mode loss of the batch (current parameters)
  // Backward (dy from the real loss through the layers after BN), per sample, size m.
  std::vector<float> dy, dxhat, dx, dx_compact;
  float dbeta = 0, dgamma = 0, dvar = 0, dmean = 0;
  float max_abs_dx_diff = 0;         // max |dx − dx_compact| over the feature
};

InspectorModel inspector_model(const Session& session);

// P(class 1) on a res x res grid over session.grid's bounds (row-major, row 0 at y_min),
// with every BatchNorm normalizing by the batch's statistics (as in training) or by its
// running statistics (eval). Empty if the model cannot be computed.
struct BoundaryPair {
  int resolution = 0;
  std::vector<float> batch_stats, running_stats;
};
BoundaryPair inspector_boundaries(const Session& session, int resolution);

// Central finite differences in double on a NetworkT<double> copy: dL/dx for the selected
// sample and two more samples of the feature, dL/dγ and dL/dβ, against the analytic backward.
// ok false (message in the Notice) if there is nothing to check.
Result<GradCheck> check_gradients(const Session& session, double step = 1e-5);

// Action handlers (called from apply()).
void apply_inspector(Session& s, const act::InspectLayer& a);
void apply_inspector(Session& s, const act::InspectFeature& a);
void apply_inspector(Session& s, const act::InspectSample& a);
void apply_inspector(Session& s, const act::InspectorNextStage& a);
void apply_inspector(Session& s, const act::InspectorPrevStage& a);
void apply_inspector(Session& s, const act::SetInspectorStage& a);
void apply_inspector(Session& s, const act::SetInspectorEval& a);
void apply_inspector(Session& s, const act::SetBnAffine& a);
void apply_inspector(Session& s, const act::BackpropNext& a);
void apply_inspector(Session& s, const act::BackpropPrev& a);
void apply_inspector(Session& s, const act::SetBackpropStep& a);
void apply_inspector(Session& s, const act::CheckGradients& a);

// The actions apply_inspector handles (used by apply()'s visitor).
template <class A>
concept InspectorAction = requires(Session& s, const A& a) { apply_inspector(s, a); };

// Display names: "x (raw)", "μ_B", ... and "dy", "dβ", ...
const char* stage_name(InspectorStage stage);
const char* backprop_step_name(BackpropStep step);

}  // namespace nl::app
