// normlab-cli study: one of the playground's studies (the experiments behind the lessons) run
// headless through the same code as the app's Experiments panel (app::run_study: the same
// job, the same units in the same order), printed as text or JSON.
// Not here: the studies (src/app/study_*.cpp) or their verdicts (computed there).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/settings_json.h"
#include "app/study.h"
#include "core/enum_names.h"
#include "tools/cli/commands.h"

namespace nl::cli {

namespace {

constexpr const char* kUsage =
    "usage: normlab-cli study <kind> [--seed N] [--json]\n"
    "       normlab-cli study --list\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "error: %s\n%s", message.c_str(), kUsage);
  return 2;
}

std::string kinds_text() {
  std::string out;
  for (std::string_view name : EnumNames<app::StudyKind>::values) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// A readout in JSON: the float's shortest decimal (what the app shows, bit-exact when read
// back), or null for NaN/inf (a diverged run), never a bare NaN.
nlohmann::json json_number(float v) {
  if (!std::isfinite(v)) return nullptr;
  return std::stod(float_shortest(v));
}

std::string text_number(float v) { return std::isfinite(v) ? float_shortest(v) : std::string("-"); }

}  // namespace

std::string study_result_json(const app::StudyResult& r) {
  nlohmann::json readouts = nlohmann::json::object();
  nlohmann::json labels = nlohmann::json::object();
  for (const app::StudyReadout& o : r.readouts) {
    readouts[o.key] = json_number(o.value);
    labels[o.key] = o.label;
  }
  nlohmann::json charts = nlohmann::json::array();
  for (const app::StudyChart& c : r.charts) {
    nlohmann::json lines = nlohmann::json::array();
    for (const app::StudyLine& l : c.lines) {
      nlohmann::json line{{"label", l.label}};
      const auto numbers = [](const std::vector<float>& v) {
        nlohmann::json out = nlohmann::json::array();
        for (float f : v) out.push_back(json_number(f));
        return out;
      };
      line["x"] = numbers(l.x);
      line["y"] = numbers(l.y);
      if (!l.lo.empty()) line["lo"] = numbers(l.lo);
      if (!l.hi.empty()) line["hi"] = numbers(l.hi);
      lines.push_back(std::move(line));
    }
    charts.push_back({{"title", c.title}, {"x_label", c.x_label}, {"y_label", c.y_label}, {"lines", std::move(lines)}});
  }
  nlohmann::json j;
  j["study"] = app::study_name(r.params.kind);
  j["title"] = app::study_title(r.params.kind);
  j["seed"] = r.params.seed;
  j["readouts"] = std::move(readouts);
  j["labels"] = std::move(labels);
  j["charts"] = std::move(charts);
  j["verdict"] = r.verdict;
  j["claim_holds"] = r.claim_holds;
  return j.dump() + "\n";
}

std::string study_result_text(const app::StudyResult& r) {
  std::string out = std::string(app::study_title(r.params.kind)) + ", seed " + std::to_string(r.params.seed) + "\n";
  std::size_t key_width = 0;
  for (const app::StudyReadout& o : r.readouts) key_width = std::max(key_width, o.key.size());
  for (const app::StudyReadout& o : r.readouts) {
    out += "  ";
    out += o.key;
    out.append(key_width + 2 - o.key.size(), ' ');
    out += text_number(o.value);
    out += "  (";
    out += o.label;
    out += ")\n";
  }
  out += "verdict: ";
  out += r.verdict;
  out += "\nclaim holds: ";
  out += r.claim_holds ? "yes\n" : "no\n";
  return out;
}

int study(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "--list") {
    for (std::string_view name : EnumNames<app::StudyKind>::values)
      std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
    return 0;
  }
  if (args.empty()) return usage_error("missing the study kind (one of: " + kinds_text() + ")");
  const auto kind = app::parse_study(args[0]);
  if (!kind) return usage_error("unknown study '" + args[0] + "' (one of: " + kinds_text() + ")");
  app::StudyParams params{*kind, app::kStudySeedMin};
  bool json = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--seed" && i + 1 < args.size()) {
      const std::string& s = args[++i];
      std::uint64_t seed = 0;
      const auto r = std::from_chars(s.data(), s.data() + s.size(), seed);
      if (r.ec != std::errc() || r.ptr != s.data() + s.size() || seed < app::kStudySeedMin ||
          seed > app::kStudySeedMax)
        return usage_error("--seed needs an integer in [" + std::to_string(app::kStudySeedMin) + ", " +
                           std::to_string(app::kStudySeedMax) + "] (got '" + s + "')");
      params.seed = seed;
    } else {
      return usage_error("unknown or incomplete argument '" + args[i] + "'");
    }
  }
  const app::StudyResult result = app::run_study(params);
  const std::string out = json ? study_result_json(result) : study_result_text(result);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace nl::cli
