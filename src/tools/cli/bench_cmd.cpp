// normlab-cli bench: runs the benchmark (tools/bench) natively in this process, then the
// wasm-simd and wasm-scalar builds of normlab-bench under node and PyTorch's counterpart,
// one after the other in this one run, and prints one table with the ratios the issue's
// targets ask for (or all of it as JSON). scripts/bench builds what is missing first.
// Not here: the measurements themselves (tools/bench/bench.cpp, bench_torch.py).
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/bench/bench.h"
#include "tools/cli/commands.h"

namespace nl::cli {

namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// Runs a command, returns its stdout parsed as JSON (or nullopt with a note).
std::optional<json> run_json(const std::string& command, std::string& note) {
  std::FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) {
    note = "could not start: " + command;
    return std::nullopt;
  }
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  if (status != 0) {
    note = "failed (status " + std::to_string(status) + "): " + command;
    return std::nullopt;
  }
  json j = json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("items")) {
    note = "no JSON result from: " + command;
    return std::nullopt;
  }
  return j;
}

json native_results(const bench::Options& options) {
  const auto items = bench::run(options);
  return json::parse(bench::to_json(items));
}

// The CPU model (Linux /proc/cpuinfo) and the node version, for the table's header.
std::string cpu_model() {
  std::FILE* f = std::fopen("/proc/cpuinfo", "r");
  if (f == nullptr) return "unknown CPU";
  char line[512];
  std::string model = "unknown CPU";
  while (std::fgets(line, sizeof line, f) != nullptr) {
    const std::string l = line;
    if (l.rfind("model name", 0) == 0 && l.find(':') != std::string::npos) {
      model = l.substr(l.find(':') + 2);
      if (!model.empty() && model.back() == '\n') model.pop_back();
      break;
    }
  }
  std::fclose(f);
  return model;
}

std::string command_output_line(const std::string& command) {
  std::FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return "?";
  char buf[256] = {0};
  const bool got = std::fgets(buf, sizeof buf, pipe) != nullptr;
  pclose(pipe);
  std::string s = got ? buf : "?";
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// value of item `id` in a variant's JSON, if present and positive.
std::optional<double> value_of(const json& variant, const std::string& id) {
  for (const auto& it : variant["items"])
    if (it.value("id", "") == id && it.contains("value") && it["value"].is_number() &&
        it["value"].get<double>() > 0.0)
      return it["value"].get<double>();
  return std::nullopt;
}

std::string fmt(double v, int prec = 3) {
  char buf[64];
  if (v >= 1000.0) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.*g", prec, v);
  return buf;
}

struct Target {
  std::string name;
  std::string rule;    // human text of the rule
  std::optional<double> value;
  double threshold = 0.0;
  bool at_most = true;  // value <= threshold (else value >= threshold)
  bool met() const { return value && (at_most ? *value <= threshold : *value >= threshold); }
};

}  // namespace

int bench(const std::vector<std::string>& args) {
  bool as_json = false, quick = false, native_only = false;
  std::string wasm_simd, wasm_scalar, torch_script, node = "node", python = "/usr/bin/python3";
  // Node 20's V8 leaves these hot wasm functions in its baseline compiler (Liftoff) for the
  // whole run (dynamic tier-up does not kick in for them here), so by default every wasm
  // function is compiled by the optimizing compiler up front: the steady state of a page.
  std::string node_flags = "--no-liftoff";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--json") as_json = true;
    else if (a == "--quick") quick = true;
    else if (a == "--native-only") native_only = true;
    else if (a == "--wasm-simd" && has_value) wasm_simd = args[++i];
    else if (a == "--wasm-scalar" && has_value) wasm_scalar = args[++i];
    else if (a == "--torch" && has_value) torch_script = args[++i];
    else if (a == "--node" && has_value) node = args[++i];
    else if (a == "--node-flags" && has_value) node_flags = args[++i];
    else if (a == "--python" && has_value) python = args[++i];
    else {
      std::fprintf(stderr,
                   "error: unknown or incomplete argument '%s'\n"
                   "usage: normlab-cli bench [--json] [--quick] [--native-only]\n"
                   "         [--wasm-simd normlab-bench.js] [--wasm-scalar normlab-bench.js]\n"
                   "         [--torch bench_torch.py] [--node node] [--node-flags \"--no-liftoff\"]\n"
                   "         [--python /usr/bin/python3]\n"
                   "       (scripts/bench builds every variant and passes these paths)\n",
                   a.c_str());
      return 2;
    }
  }
  bench::Options options;
  if (quick) {
    options.seconds_per_item = 0.05;
    options.min_samples = 3;
  }
  const std::string quick_flag = quick ? " --quick" : "";

  // Every variant in this one run, in a fixed order.
  std::vector<std::pair<std::string, json>> variants;
  std::vector<std::string> notes;
  if (!as_json) std::fprintf(stderr, "bench: native...\n");
  variants.emplace_back("native", native_results(options));
  const auto run_variant = [&](const std::string& name, const std::string& command) {
    if (!as_json) std::fprintf(stderr, "bench: %s...\n", name.c_str());
    std::string note;
    if (auto j = run_json(command, note)) variants.emplace_back(name, *j);
    else notes.push_back(name + ": " + note);
  };
  if (!native_only) {
    const std::string node_cmd =
        shell_quote(node) + " --no-experimental-fetch " + node_flags + " ";
    if (!wasm_simd.empty()) run_variant("wasm-simd", node_cmd + shell_quote(wasm_simd) + quick_flag);
    else notes.push_back("wasm-simd: not run (pass --wasm-simd path/to/normlab-bench.js)");
    if (!wasm_scalar.empty())
      run_variant("wasm-scalar", node_cmd + shell_quote(wasm_scalar) + quick_flag);
    else notes.push_back("wasm-scalar: not run (pass --wasm-scalar path/to/normlab-bench.js)");
    if (!torch_script.empty())
      run_variant("pytorch", shell_quote(python) + " " + shell_quote(torch_script) + quick_flag);
    else notes.push_back("pytorch: not run (pass --torch src/tools/bench/bench_torch.py)");
  }
  const auto find = [&](const std::string& name) -> const json* {
    for (const auto& [n, j] : variants)
      if (n == name) return &j;
    return nullptr;
  };
  const auto get = [&](const std::string& variant, const std::string& id) -> std::optional<double> {
    const json* j = find(variant);
    return j ? value_of(*j, id) : std::nullopt;
  };
  const auto ratio = [](std::optional<double> a, std::optional<double> b) -> std::optional<double> {
    if (a && b) return *a / *b;
    return std::nullopt;
  };

  // Targets of issue 3 (ratios within this run).
  std::vector<Target> targets;
  const std::vector<std::pair<std::string, std::string>> big_bn = {
      {"bn_256x64", "(256,64)"}, {"bn_1024x256", "(1024,256)"}, {"bn_32x16x16x16", "(32,16,16,16)"}};
  for (const auto& [id, shape] : big_bn)
    targets.push_back({"BN " + shape + " wasm-simd / native time", "<= 1.5",
                       ratio(get("wasm-simd", id), get("native", id)), 1.5, true});
  for (const auto& [id, shape] : big_bn)
    targets.push_back({"BN " + shape + " wasm-scalar / wasm-simd time", ">= 3",
                       ratio(get("wasm-scalar", id), get("wasm-simd", id)), 3.0, false});
  for (const std::string id : {"bn_32x16", "bn_256x64", "bn_1024x256", "bn_32x16x16x16"}) {
    // "faster than PyTorch": strictly above 1 (the >= test with the next float above 1).
    targets.push_back({"BN " + id.substr(3) + " PyTorch / wasm-simd time", "> 1",
                       ratio(get("pytorch", id), get("wasm-simd", id)), 1.0 + 1e-9, false});
  }
  targets.push_back({"MLP 2-64-64-64-2 b32 wasm-simd / native steps/s", ">= 0.5",
                     ratio(get("wasm-simd", "mlp_2-64-64-64-2_b32"),
                           get("native", "mlp_2-64-64-64-2_b32")),
                     0.5, false});
  targets.push_back({"MLP 2-64-64-64-2 b32 wasm-simd / 285 steps/s (TF.js-wasm, issue's figure)",
                     ">= 20", ratio(get("wasm-simd", "mlp_2-64-64-64-2_b32"), 285.0), 20.0,
                     false});
  targets.push_back({"Grid 256x256 wasm-simd / native time", "<= 1.2",
                     ratio(get("wasm-simd", "grid_256x256"), get("native", "grid_256x256")), 1.2,
                     true});
  // Issue 13: the app playing at top speed keeps at least half the core's steps/s, and
  // its frame fits 8 ms (default) / 16 ms (8x128) of CPU.
  for (const std::string variant : {"native", "wasm-simd"}) {
    for (const auto& item : bench::item_list()) {
      if (item.core_id.empty()) continue;
      targets.push_back({"App playing / core steps/s, " + item.id.substr(std::string("app_play_").size()) + ", " + variant,
                         ">= 0.5", ratio(get(variant, item.id), get(variant, item.core_id)), 0.5, false});
    }
    targets.push_back({"App frame default, " + variant + " [ms]", "<= 8", get(variant, "app_frame_default"), 8.0, true});
    targets.push_back({"App frame 8x128, " + variant + " [ms]", "<= 16", get(variant, "app_frame_8x128"), 16.0, true});
  }

  if (as_json) {
    ojson out;
    out["variants"] = ojson::object();
    for (const auto& [name, j] : variants) out["variants"][name] = j;
    out["targets"] = ojson::array();
    for (const auto& t : targets) {
      out["targets"].push_back({{"name", t.name},
                                {"rule", t.rule},
                                {"value", t.value ? ojson(*t.value) : ojson(nullptr)},
                                {"met", t.value ? ojson(t.met()) : ojson(nullptr)}});
    }
    out["machine"] = cpu_model();
    out["node_flags"] = node_flags;
    out["notes"] = notes;
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }

  // Human table.
  const std::vector<std::string> cols = {"native", "wasm-simd", "wasm-scalar", "pytorch"};
  std::printf("NormLab benchmark: medians of repeated timings, one run, one thread\n");
  std::printf("  machine: %s\n", cpu_model().c_str());
  if (!native_only)
    std::printf("  wasm under: %s %s --no-experimental-fetch %s\n", node.c_str(),
                command_output_line(shell_quote(node) + " --version").c_str(), node_flags.c_str());
  for (const auto& [name, j] : variants)
    std::printf("  %-12s = %s (kernels: %s)\n", name.c_str(), j.value("variant", "?").c_str(),
                j.value("kernels", "?").c_str());
  std::printf("\n%-46s %10s %10s %11s %10s %9s %9s %9s\n", "item", "native", "wasm-simd",
              "wasm-scalar", "pytorch", "simd/nat", "scal/simd", "torch/simd");
  for (const auto& item : bench::item_list()) {
    const std::string label = item.label + " [" + item.unit + "]";
    std::printf("%-46s", label.c_str());
    for (const auto& c : cols) {
      const auto v = get(c, item.id);
      std::printf(" %*s", c == "wasm-scalar" ? 11 : 10, v ? fmt(*v).c_str() : "-");
    }
    // Ratios as "how many times slower/faster", time-based for every unit.
    const bool rate = item.unit == "steps/s";
    const auto time_ratio = [&](const std::string& a, const std::string& b) {
      const auto r = ratio(get(a, item.id), get(b, item.id));
      return r ? std::optional<double>(rate ? 1.0 / *r : *r) : std::nullopt;
    };
    for (const auto& r : {time_ratio("wasm-simd", "native"), time_ratio("wasm-scalar", "wasm-simd"),
                          time_ratio("pytorch", "wasm-simd")})
      std::printf(" %9s", r ? (fmt(*r) + "x").c_str() : "-");
    std::printf("\n");
  }
  std::printf("(ratios are time ratios: simd/nat = wasm-simd time / native time, etc.)\n");
  // The app playing items: steps per frame and the mean frame's CPU time by part.
  for (const auto& [name, j] : variants) {
    if (!j.contains("items")) continue;
    for (const auto& it : j["items"]) {
      if (!it.contains("parts") || !it["parts"].is_object()) continue;
      std::printf("%s %s: %s steps/s = %.3gx core;", name.c_str(), it.value("id", "?").c_str(),
                  fmt(it.value("value", 0.0)).c_str(), it.value("vs_core", 0.0));
      for (const auto& [part, v] : it["parts"].items())
        if (v.is_number()) std::printf(" %s %s", part.c_str(), fmt(v.get<double>()).c_str());
      std::printf(" (ms per frame unless a count)\n");
    }
  }
  std::printf("\nTargets (issues 3 and 13):\n");
  int met = 0, missed = 0, unknown = 0;
  for (const auto& t : targets) {
    const char* tag = !t.value ? "n/a " : t.met() ? "met " : "MISS";
    if (!t.value) ++unknown;
    else if (t.met()) ++met;
    else ++missed;
    std::printf("  [%s] %-72s %8s  (target %s)\n", tag, t.name.c_str(),
                t.value ? fmt(*t.value).c_str() : "-", t.rule.c_str());
  }
  std::printf("  %d met, %d missed, %d not measured\n", met, missed, unknown);
  for (const auto& n : notes) std::printf("note: %s\n", n.c_str());
  return 0;
}

}  // namespace nl::cli
