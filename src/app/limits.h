// Playground limits: the largest network and data the playground builds, so that the browser
// build (its WebAssembly memory is capped, see scripts/cmake/NormlabWeb.cmake) never runs out
// of memory: a request beyond them is refused with a message instead. Checked by
// make_session for every way a spec arrives (controls, URL, state import, JS API, lessons).
// Not here: the core's own, wider limits (core/network.cpp, core/dataset.cpp).
//
//   if (Status st = check_playground_limits(spec, 150, 50); !st.ok()) show(st.error());
#pragma once

#include <cstddef>

#include "core/result.h"
#include "core/spec.h"

namespace nl::app {

inline constexpr int kMaxHiddenLayers = 8;     // the builder's, the URL's and the README's limit
inline constexpr int kMaxLayerWidth = 128;
inline constexpr int kMaxInputWidth = 64;      // 8x8 images are the widest input the core makes
// Estimated bytes training and drawing may hold at once (see estimate_working_bytes).
inline constexpr std::size_t kMaxWorkingBytes = std::size_t{192} << 20;

// A rough upper estimate of the memory one training step of the main and the twin network,
// an eval pass over the larger data split and the decision grid need (activations and
// caches per layer, from batch size, widths and point counts; parameters are small).
std::size_t estimate_working_bytes(const ExperimentSpec& spec, std::size_t train_points,
                                   std::size_t test_points);

// Refuses depth, widths or a working set beyond the limits above, with a message that says
// what to reduce. train/test_points: the split sizes the experiment will have.
Status check_playground_limits(const ExperimentSpec& spec, std::size_t train_points,
                               std::size_t test_points);

}  // namespace nl::app
