// Traces: every intermediate of one BatchNorm forward/backward on the current mini-batch,
// per feature, for the lesson views. Filled only when a layer's record_trace is on, on a
// path separate from the fast one; backward adds its fields and never overwrites forward's.
// Not here: the math itself (layers.cpp) or any formatting for display.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"

namespace nl {

template <typename T>
using MatT = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <typename T>
using VecT = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// One math step. Stable ids (lessons refer to them):
//   forward:  "bn.x" "bn.mean" "bn.var" "bn.inv_std" "bn.xhat" "bn.y"
//             "bn.running_mean" "bn.running_var" (values after the update)
//   backward: "bn.dy" "bn.dbeta" "bn.dgamma" "bn.dxhat" "bn.dvar" "bn.dmean" "bn.dx"
//             "bn.dx_compact"
// value is (C, 1) for per-channel quantities and (C*S, N) for per-element ones.
template <typename T>
struct TraceStepT {
  std::string id;
  std::string formula;  // plain-text formula shown next to the value
  MatT<T> value;
};

// A BatchNorm (or Batch Renorm) layer's view of the current mini-batch.
// Shapes: per-element (C*S, N) in the batch layout of types.h; per-channel (C).
template <typename T>
struct BatchNormTraceT {
  Index n = 0, channels = 0, spatial = 1;  // N, C, S
  bool training = true;                    // layer mode during forward
  bool used_batch_stats = true;            // false: normalized with running statistics
  T eps = T(0);
  T momentum_factor = T(0);                // weight of the new batch in the running update (0: none)

  // Forward.
  MatT<T> x, xhat, y;           // (C*S, N)
  VecT<T> mean, var, inv_std;   // (C) statistics used to normalize; var biased if batch stats
  VecT<T> running_mean_before, running_var_before;  // (C), empty if not tracking
  VecT<T> running_mean_after, running_var_after;    // (C), empty if not tracking
  std::int64_t num_batches_tracked_before = 0, num_batches_tracked_after = 0;
  // Batch Renorm only (empty for BatchNorm): r, d per channel, already clipped. Then xhat
  // and the "bn.*" steps are the plain batch-normalized values, y is the layer's output,
  // and steps "brn.r" "brn.d" "brn.xhat" "brn.y" follow the forward steps. Backward of a
  // Batch Renorm layer is not traced (has_backward stays false).
  VecT<T> renorm_r, renorm_d;

  // Backward (has_backward false until backward ran on this forward's batch).
  bool has_backward = false;
  MatT<T> dy, dxhat, dx;        // (C*S, N); dx from the step-by-step graph
  MatT<T> dx_compact;           // (C*S, N); dx from the three-term formula (the fast path)
  VecT<T> dbeta, dgamma;        // (C)
  VecT<T> dvar, dmean;          // (C); zero when the statistics were constants

  std::vector<TraceStepT<T>> steps;  // forward steps, then backward steps, in order

  // The step with this id, or nullptr.
  const TraceStepT<T>* find(const std::string& id) const {
    for (const auto& s : steps)
      if (s.id == id) return &s;
    return nullptr;
  }
};

using TraceStep = TraceStepT<float>;
using BatchNormTrace = BatchNormTraceT<float>;

}  // namespace nl
