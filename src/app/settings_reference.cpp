// Renders the settings schema as a Markdown table (settings_reference.h).
#include "app/settings_reference.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/session.h"  // default_spec
#include "app/settings_json.h"  // float_shortest
#include "app/settings_schema.h"

namespace nl::app {

namespace {

// One row per field: | key | link | values | default | meaning |
class ReferenceRows {
 public:
  template <class Body> void group(const char*, Body&& body) { body(); }
  void number(const Field& f, float v) { row(f, range_text(f), float_shortest(v)); }
  void integer(const Field& f, int v) { row(f, integer_range(f), std::to_string(v)); }
  void integer(const Field& f, std::int64_t v) { row(f, integer_range(f), std::to_string(v)); }
  void seed(const Field& f, std::uint64_t v) { row(f, "integer in [0, 2^63 - 1]", std::to_string(v)); }
  void boolean(const Field& f, bool v) { row(f, "true, false (links: 1, 0)", v ? "true" : "false"); }
  template <class E> void choice(const Field& f, E v) {
    std::string list;
    for (const auto& n : enum_names<E>()) {
      list += list.empty() ? "`" : ", `";
      list += n;
      list += '`';
    }
    std::string def = "`";
    def += enum_to_name(v);
    def += '`';
    row(f, list, def);
  }
  void momentum(const Field& f, const std::optional<float>& m) {
    row(f, range_text(f) + " or null (links: `cma`)", m ? float_shortest(*m) : "null");
  }
  void layers(const Field& f, const std::vector<HiddenLayerSpec>& hidden) {
    const HiddenLayerSpec& h = hidden.empty() ? HiddenLayerSpec{} : hidden.front();
    row(f, "0 to " + std::to_string(static_cast<int>(f.hi)) + " layers (links: `8r-b,8r-b`, see below)",
        std::to_string(hidden.size()) + " layers");
    prefix_ = std::string(f.key) + "[].";
    visit_hidden_layer(*this, h);
    prefix_.clear();
  }
  std::string text;

 private:
  static std::string integer_range(const Field& f) { return "integer in " + range_text(f); }
  // Appended piece by piece: GCC 12 warns -Wrestrict (a false positive) on "`" + string.
  void row(const Field& f, const std::string& values, const std::string& def) {
    text += "| `";
    text += prefix_;
    text += f.key;
    text += "` | ";
    if (!f.url.empty()) {
      text += '`';
      text += f.url;
      text += '`';
    }
    text += " | ";
    text += values;
    text += " | ";
    text += def;
    text += " | ";
    text += f.help;
    text += " |\n";
  }
  std::string prefix_;
};

}  // namespace

std::string settings_reference_markdown() {
  ReferenceRows rows;
  rows.text = "| setting | link key | values | default | meaning |\n|---|---|---|---|---|\n";
  const ExperimentSpec defaults_spec = default_spec();
  visit_spec(rows, defaults_spec);
  const Session defaults;  // training options: not part of settings files
  rows.integer(field::kSpeed, defaults.steps_per_frame);
  rows.number(field::kStopLossTarget, defaults.stop.target_train_loss);
  rows.integer(field::kStopMaxSteps, defaults.stop.max_steps);
  return rows.text;
}

}  // namespace nl::app
