// The NormLab benchmark: BatchNorm forward+backward, MLP training steps, decision-grid
// inference and the app's own CPU cost per frame (app layer, no drawing), timed in this
// process (native or wasm) with medians of repeated timings.
// Not a test (no assertions on time) and no I/O beyond formatting results as JSON text.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace nl::bench {

struct Options {
  double seconds_per_item = 0.3;  // time budget per measurement (more samples, steadier median)
  int min_samples = 7;            // at least this many timed samples per measurement
  std::string only;               // non-empty: run only items whose id starts with this (profiling)
};

// One measured number. `unit` is "us" (lower is better), "steps/s" (higher is better) or
// "ms" (lower is better).
struct Item {
  std::string id;      // stable key, e.g. "bn_256x64", "mlp_2-64-64-64-2_b32", "grid_256x256"
  std::string label;   // human text, e.g. "BN fwd+bwd (N,C)=(256,64)"
  std::string unit;
  double value = 0.0;
  int samples = 0;     // timed samples behind the median
  // App playing items: the core item for the same network, value / that item's value (same
  // run), and the mean frame's CPU time by part in ms (app::FrameCost; "frame" = their sum).
  std::string core_id;
  double vs_core = 0.0;
  std::vector<std::pair<std::string, double>> parts;
};

// The benchmark items in their fixed order (ids, labels and units; values 0).
std::vector<Item> item_list();

// Runs every item. `progress` (if not null) is called with each id before it runs.
std::vector<Item> run(const Options& options, void (*progress)(const std::string& id) = nullptr);

// This build: "native-x86-64-v2", "native-x86-64", "wasm-simd128" or "wasm-scalar".
std::string variant_name();

// {"variant": ..., "kernels": ..., "items": [{"id","label","unit","value","samples"}...]}; app
// playing items add "core_id", "vs_core" and "parts": {"frame": ms, "main_steps": ms, ...}.
std::string to_json(const std::vector<Item>& items);

}  // namespace nl::bench
