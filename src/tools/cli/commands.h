// normlab-cli subcommands. Each returns the process exit status; errors go to stderr as
// one line starting with "error:" (stdout stays empty for bn-trace errors).
// Not here: argument dispatch (main.cpp).
#pragma once

#include <string>
#include <vector>

#include "app/study.h"

namespace nl::cli {

// JSON on stdin -> JSON on stdout (README.md in this folder). Exit 0, or 2 on bad input.
int bn_trace(const std::string& input, std::string& output, std::string& error);

// normlab-cli train --config FILE [--steps N]: CSV metrics per step on stdout.
int train(const std::vector<std::string>& args);

// normlab-cli bench [--json] [--quick] [--native-only] [--wasm-simd JS] [--wasm-scalar JS]
//                   [--torch SCRIPT]: the benchmark table (or JSON) of every variant.
int bench(const std::vector<std::string>& args);

// normlab-cli study <kind> [--seed N] [--json] | study --list: one study run to the end
// (app::run_study, the app's code path) and its readouts and verdict.
int study(const std::vector<std::string>& args);
// The study's output: one JSON object ({"study", "title", "seed", "readouts": {key: number or
// null}, "labels": {key: text}, "charts": [{"title", "x_label", "y_label", "lines": [{"label",
// "x", "y", "lo"?, "hi"?}]}], "verdict", "claim_holds"}) on one line, or the text form.
std::string study_result_json(const app::StudyResult& r);
std::string study_result_text(const app::StudyResult& r);

}  // namespace nl::cli
