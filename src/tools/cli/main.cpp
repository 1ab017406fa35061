// normlab-cli: NormLab's numerics from the command line (bn-trace, train, bench, reference, study).
// A thin dispatcher; each subcommand lives in its own file (commands.h).
// Not here: any math (core) or schema (app/settings_json).
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "app/settings_reference.h"
#include "tools/cli/commands.h"

namespace {

int usage(std::FILE* to, int status) {
  std::fprintf(to,
               "usage: normlab-cli <command> [options]\n"
               "  bn-trace                     JSON on stdin -> BatchNorm intermediates as JSON\n"
               "  train --config FILE|- [--steps N]   CSV metrics per training step\n"
               "  bench [--json] [--quick] [--wasm-simd JS] [--wasm-scalar JS] [--torch PY]\n"
               "                               benchmark table (scripts/bench runs every variant)\n"
               "  reference                    the settings reference (Markdown), from the schema\n"
               "  study <kind> [--seed N] [--json]   one study (as the Experiments panel runs it)\n"
               "  study --list                 the study kinds, one per line\n");
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(stderr, 2);
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "--help" || command == "-h" || command == "help") return usage(stdout, 0);
  if (command == "bn-trace") {
    if (!args.empty()) {
      std::fprintf(stderr, "error: bn-trace takes no arguments (it reads JSON on stdin)\n");
      return 2;
    }
    const std::string input{std::istreambuf_iterator<char>(std::cin),
                            std::istreambuf_iterator<char>()};
    std::string output, error;
    const int status = nl::cli::bn_trace(input, output, error);
    if (status != 0) {
      // One line: newlines in messages would break "one line on stderr".
      for (char& c : error)
        if (c == '\n' || c == '\r') c = ' ';
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return status;
    }
    std::fwrite(output.data(), 1, output.size(), stdout);
    return 0;
  }
  if (command == "train") return nl::cli::train(args);
  if (command == "reference") {
    if (!args.empty()) {
      std::fprintf(stderr, "error: reference takes no arguments\n");
      return 2;
    }
    std::fputs(nl::app::settings_reference_markdown().c_str(), stdout);
    return 0;
  }
  if (command == "bench") return nl::cli::bench(args);
  if (command == "study") return nl::cli::study(args);
  std::fprintf(stderr, "error: unknown command '%s'\n", command.c_str());
  return usage(stderr, 2);
}
