// normlab-cli train: an experiment run headless from a settings JSON file (the app's own
// schema, src/app/settings_json.h), metrics per step as CSV on stdout.
// Not here: the schema or its validation (settings_json.cpp), any training math (core).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "app/settings_json.h"
#include "core/experiment.h"
#include "tools/cli/commands.h"

namespace nl::cli {

namespace {

// CSV text of a metric: shortest float, and plain nan/inf/-inf for non-finite values.
std::string csv(float v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return float_shortest(v);
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "error: %s\nusage: normlab-cli train --config FILE|- [--steps N]\n",
               message.c_str());
  return 2;
}

}  // namespace

int train(const std::vector<std::string>& args) {
  std::string config_path;
  long steps = 100;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (args[i] == "--steps" && i + 1 < args.size()) {
      const std::string& s = args[++i];
      const auto r = std::from_chars(s.data(), s.data() + s.size(), steps);
      if (r.ec != std::errc() || r.ptr != s.data() + s.size() || steps < 0 || steps > 100'000'000)
        return usage_error("--steps needs an integer in [0, 100000000] (got '" + s + "')");
    } else {
      return usage_error("unknown or incomplete argument '" + args[i] + "'");
    }
  }
  if (config_path.empty()) return usage_error("missing --config FILE");

  std::string text;
  if (config_path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream file(config_path, std::ios::binary);
    if (!file) return usage_error("cannot read config file '" + config_path + "'");
    std::ostringstream ss;
    ss << file.rdbuf();
    text = ss.str();
  }
  const auto spec = settings_from_json_text(text);
  if (!spec.ok()) {
    std::fprintf(stderr, "error: %s: %s%s%s\n", config_path.c_str(), spec.error().message.c_str(),
                 spec.error().hint.empty() ? "" : ". ", spec.error().hint.c_str());
    return 2;
  }
  auto experiment = Experiment::create(*spec);
  if (!experiment.ok()) {
    std::fprintf(stderr, "error: %s%s%s\n", experiment.error().message.c_str(),
                 experiment.error().hint.empty() ? "" : " ", experiment.error().hint.c_str());
    return 2;
  }
  std::printf("step,epoch,batch_loss,train_loss,test_loss,train_acc,test_acc\n");
  for (long i = 0; i < steps; ++i) {
    const auto m = experiment->step();
    if (!m.ok()) {
      std::fflush(stdout);
      std::fprintf(stderr, "error: step %ld: %s\n", i + 1, m.error().message.c_str());
      return experiment->diverged() ? 3 : 1;
    }
    std::printf("%lld,%lld,%s,%s,%s,%s,%s\n", static_cast<long long>(m->step),
                static_cast<long long>(m->epoch), csv(m->batch_loss).c_str(),
                csv(m->train_loss).c_str(), csv(m->test_loss).c_str(),
                csv(m->train_accuracy).c_str(), csv(m->test_accuracy).c_str());
  }
  return 0;
}

}  // namespace nl::cli
