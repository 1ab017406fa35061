// normlab-cli subcommands. Each returns the process exit status; errors go to stderr as
// one line starting with "error:" (stdout stays empty for bn-trace errors).
// Not here: argument dispatch (main.cpp).
#pragma once

#include <string>
#include <vector>

namespace nl::cli {

// JSON on stdin -> JSON on stdout (README.md in this folder). Exit 0, or 2 on bad input.
int bn_trace(const std::string& input, std::string& output, std::string& error);

// normlab-cli train --config FILE [--steps N]: CSV metrics per step on stdout.
int train(const std::vector<std::string>& args);

// normlab-cli bench [--json] [--quick] [--native-only] [--wasm-simd JS] [--wasm-scalar JS]
//                   [--torch SCRIPT]: the benchmark table (or JSON) of every variant.
int bench(const std::vector<std::string>& args);

}  // namespace nl::cli
