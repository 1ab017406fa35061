// Range checks and messages of the settings schema (settings_schema.h).
#include "app/settings_schema.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "core/enum_names.h"

namespace nl::app {

namespace {

// Whole numbers print without an exponent ("100000", not "1e+05"), others with up to 9
// significant digits (enough for any float).
std::string number_text(double v) {
  char buf[64];
  if (v == std::floor(v) && std::abs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

bool accepts(const Field& f, double v) {
  if (!std::isfinite(v)) return false;
  if (f.type == FieldType::kInteger && v != std::floor(v)) return false;
  if (v < f.lo || (f.lo_open && v == f.lo)) return false;
  if (v > f.hi || (f.hi_open && v == f.hi)) return false;
  return true;
}

std::string range_text(const Field& f) {
  return std::string(f.lo_open ? "(" : "[") + number_text(f.lo) + ", " + number_text(f.hi) +
         (f.hi_open ? ")" : "]");
}

std::optional<std::string> refusal(const Field& f, double v, std::string_view key_path) {
  if (accepts(f, v)) return std::nullopt;
  const std::string key(key_path.empty() ? f.key : key_path);
  if (!std::isfinite(v)) return key + " must be a finite number";
  if (f.type == FieldType::kInteger)
    return key + " must be an integer in " + range_text(f) + " (got " + number_text(v) + ")";
  return key + " must be in " + range_text(f) + " (got " + number_text(v) + ")";
}

namespace {

// Collects the first refusal while visiting a spec.
class RangeCheck {
 public:
  template <class Body> void group(const char*, Body&& body) { body(); }
  void number(const Field& f, float v) { check(f, v); }
  void integer(const Field& f, int v) { check(f, v); }
  void seed(const Field&, std::uint64_t v) {
    if (!why_ && v > static_cast<std::uint64_t>(kMaxSeed)) why_ = prefix_ + "a seed is at most 2^63 - 1";
  }
  void boolean(const Field&, bool) {}
  template <class E> void choice(const Field& f, E v) {
    if (!why_ && static_cast<std::size_t>(v) >= EnumNames<E>::values.size())
      why_ = prefix_ + std::string(f.key) + " must be one of: " + enum_choices<E>();
  }
  void momentum(const Field& f, const std::optional<float>& m) {
    if (m) check(f, *m);
  }
  void layers(const Field& f, const std::vector<HiddenLayerSpec>& hidden) {
    if (why_) return;
    if (hidden.size() > static_cast<std::size_t>(f.hi)) {
      why_ = std::string(f.key) + " has " + std::to_string(hidden.size()) + " layers; the playground builds at most " +
             std::to_string(static_cast<int>(f.hi)) + " hidden layers";
      return;
    }
    for (std::size_t i = 0; i < hidden.size() && !why_; ++i) {
      prefix_ = std::string(f.key) + "[" + std::to_string(i) + "].";
      visit_hidden_layer(*this, hidden[i]);
      prefix_.clear();
    }
  }
  std::optional<std::string> take() { return std::move(why_); }

 private:
  void check(const Field& f, double v) {
    if (why_) return;
    const std::string path = prefix_ + std::string(f.key);
    why_ = refusal(f, v, path);
  }
  std::string prefix_;  // "net.hidden[i]." inside a hidden layer
  std::optional<std::string> why_;
};

}  // namespace

std::optional<std::string> spec_refusal(const ExperimentSpec& spec) {
  RangeCheck check;
  visit_spec(check, spec);
  return check.take();
}

}  // namespace nl::app
