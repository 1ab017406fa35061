// The playground's full state as JSON (settings, view, training position, edited points and
// optionally the trained weights): export, validated import, and partial patches (the JS
// API's getState/setState). Not here: files, downloads or the URL (callers pass text);
// the settings schema itself (settings_json.h).
//
// Document (every key but "format" and "version" optional on import):
//   {"format": "normlab-state", "version": 1,
//    "settings": <settings_to_json(spec)>,
//    "view": {"panel": "data", "theme": "dark", "show_help": false, "show_test_points": true,
//             "discretize": false, "new_point_class": 0, "selected_layer": -1, "selected_unit": -1,
//             "weight_layer": -1, "weight_row": -1, "weight_col": -1,
//             "why_view": "twin", "why_layer": 0, "why_unit": 0, "why_post_activation": false,
//             "inspector": {"layer": -1, "feature": 0, "sample": 0, "stage": "raw",
//                           "eval_view": false, "backprop_step": "forward"}},
//    "playing": false, "steps_per_frame": 1,
//    "training": {"step": 0, "epoch": 0, "batch_loss": .., "train_loss": .., "test_loss": ..,
//                 "train_accuracy": .., "test_accuracy": .., "diverged": false},  // non-finite: null
//    "data": {"num_classes": 2, "points": [[x, y, label, "train"|"test"], ...]},  // edited points only
//    "weights": {"hidden": [{"linear": {"weight": [[..in..] x out], "bias": [..out..]},
//                            "norm": {"kind": "batchnorm", "gamma": [..], "beta": [..],
//                                     "running_mean": [..], "running_var": [..],
//                                     "num_batches_tracked": n}}, ...],
//                "output": {"linear": {...}},
//                "optimizer": {"steps": t, "buffers": [[..], ..], "second_moments": [[..], ..]}}}
//   panel: data | network | inspector | backprop | why;  theme: dark | light
//   why_view: twin | distribution | gradients | histograms | cost
//   stage: raw | mean | centred | variance | normalized | affine | running | eval
//   backprop_step: forward | dy | dbeta | dgamma | dxhat | dvar | dmean | dx | compact
// Weight arrays follow PyTorch's shapes (Linear weight is [out][in]) and are written with
// float_for_json, so they read back bit-exact; an import with weights predicts exactly what
// the exported session predicted, and (with "optimizer") its next training step is the same.
//
//   nlohmann::json j = state_to_json(session, /*include_weights=*/true);
//   if (Status st = import_state_json(other, j.dump()); !st.ok()) show(st.error());
//   apply_state_patch(session, nlohmann::json::parse(R"({"settings": {"batch_size": 16}})"));
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/session.h"
#include "core/result.h"

namespace nl::app {

inline constexpr int kStateJsonVersion = 1;
// Limits enforced on import (documented in the README): the text size, and edited points.
inline constexpr std::size_t kMaxStateJsonBytes = 16u * 1024u * 1024u;
inline constexpr std::size_t kMaxStatePoints = 20000;

// The state document above. include_weights adds "weights" (parameters, running
// statistics, optimizer state). "data" appears only when the user edited the points.
nlohmann::json state_to_json(const Session& s, bool include_weights);
std::string state_to_json_text(const Session& s, bool include_weights, int indent = -1);

// Only the network's parameters and running statistics ("weights" without "optimizer"),
// plus "settings" so the file says what network they belong to.
nlohmann::json weights_to_json(const Session& s);

// Validates the whole document first (format/version, settings, view, points, weight shapes
// against the network the settings build, finite numbers, sizes); the error names the key,
// e.g. "weights.hidden[1].linear.weight has 8x3 numbers, the network needs 8x8". On any
// error the session is untouched. On success the experiment is rebuilt from the settings
// (training restarts unless weights are given), with the points and weights loaded.
Status import_state_json(Session& s, std::string_view text);

// The JS API's setState: {"settings": {partial settings, merged key by key into the current
// settings; arrays and null replace}, "view": {...}, "playing": bool, "steps_per_frame": n}.
// Unknown top-level keys are errors. Everything is validated, then applied through actions
// (an optimizer-only change keeps training going, as act::SetOptimizer does); on any error
// the session is untouched and the message names the key.
Status apply_state_patch(Session& s, const nlohmann::json& partial);

}  // namespace nl::app
