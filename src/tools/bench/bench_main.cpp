// normlab-bench: the benchmark of bench.h as a standalone program, built natively and to
// WebAssembly (run it with `node --no-experimental-fetch normlab-bench.js`).
// Prints one JSON object on stdout (normlab-cli bench merges the variants into a table).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tools/bench/bench.h"

int main(int argc, char** argv) {
  nl::bench::Options options;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      options.seconds_per_item = 0.05;
      options.min_samples = 3;
    } else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      options.seconds_per_item = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      options.only = argv[++i];
    } else if (std::strcmp(argv[i], "--verbose") == 0) {
      verbose = true;
    } else {
      std::fprintf(stderr,
                   "error: unknown argument '%s'\n"
                   "usage: normlab-bench [--quick] [--seconds S] [--only ID-PREFIX] [--verbose]\n",
                   argv[i]);
      return 2;
    }
  }
  auto progress = [](const std::string& id) { std::fprintf(stderr, "  %s\n", id.c_str()); };
  const auto items = nl::bench::run(options, verbose ? +progress : nullptr);
  std::printf("%s\n", nl::bench::to_json(items).c_str());
  return 0;
}
