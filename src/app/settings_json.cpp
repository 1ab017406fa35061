// ExperimentSpec <-> JSON with validation of every field (see settings_json.h for the
// schema). Errors are Result values with the key path; no exceptions escape (the parser
// runs in its non-throwing mode).
#include "app/settings_json.h"

#include "core/assert.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace nl {

namespace {

using nlohmann::json;

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

constexpr EnumName<DatasetKind> kDatasetNames[] = {
    {DatasetKind::kTwoMoons, "two_moons"}, {DatasetKind::kCircles, "circles"},
    {DatasetKind::kXor, "xor"},            {DatasetKind::kBlobs, "blobs"},
    {DatasetKind::kSpiral, "spiral"},      {DatasetKind::kCheckerboard, "checkerboard"}};
constexpr EnumName<Activation> kActivationNames[] = {
    {Activation::kIdentity, "identity"}, {Activation::kReLU, "relu"},
    {Activation::kLeakyReLU, "leaky_relu"}, {Activation::kTanh, "tanh"},
    {Activation::kSigmoid, "sigmoid"}};
constexpr EnumName<NormKind> kNormNames[] = {
    {NormKind::kNone, "none"},           {NormKind::kBatchNorm, "batchnorm"},
    {NormKind::kLayerNorm, "layernorm"}, {NormKind::kGroupNorm, "groupnorm"},
    {NormKind::kBatchRenorm, "batchrenorm"}};
constexpr EnumName<NormPlacement> kPlacementNames[] = {
    {NormPlacement::kBeforeActivation, "before"}, {NormPlacement::kAfterActivation, "after"}};
constexpr EnumName<InitScheme> kInitNames[] = {{InitScheme::kHe, "he"},
                                               {InitScheme::kXavier, "xavier"},
                                               {InitScheme::kSmallGaussian, "small_gaussian"}};
constexpr EnumName<OptimizerKind> kOptimizerNames[] = {{OptimizerKind::kSgd, "sgd"},
                                                       {OptimizerKind::kAdam, "adam"}};

template <typename E, std::size_t K>
const char* name_of(const EnumName<E> (&names)[K], E v) {
  for (const auto& n : names)
    if (n.value == v) return n.name;
  return "?";
}

template <typename E, std::size_t K>
std::string choices(const EnumName<E> (&names)[K]) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + std::string(n.name);
  return s;
}

// Reads one object's fields, remembering which keys were consumed so that leftovers can be
// reported as unknown. The first error sticks; later reads are no-ops.
class Reader {
 public:
  Reader(const json& obj, std::string path, std::optional<Error>& err)
      : obj_(obj), path_(std::move(path)), err_(err) {
    if (!err_ && !obj_.is_object()) fail(where() + " must be a JSON object");
  }

  std::string key_path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  const json* get(const std::string& key) {
    seen_.insert(key);
    if (err_ || !obj_.is_object()) return nullptr;
    const auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }

  void number(const std::string& key, float& out, double lo, double hi, bool lo_open = false) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_number()) return fail(key_path(key) + " must be a number");
    const double d = v->get<double>();
    const float f = static_cast<float>(d);
    if (!std::isfinite(d) || !std::isfinite(f))
      return fail(key_path(key) + " must be a finite number");
    if (d < lo || d > hi || (lo_open && d == lo))
      return fail(key_path(key) + " must be in " + std::string(lo_open ? "(" : "[") + fmt(lo) +
                  ", " + fmt(hi) + "] (got " + fmt(d) + ")");
    // A positive double can round to a float of 0 (e.g. 2e-48): the spec holds floats.
    if (lo_open && static_cast<double>(f) <= lo)
      return fail(key_path(key) + " is too small: " + fmt(d) + " is 0 as a 32-bit float");
    out = f;
  }

  template <typename I>
  void integer(const std::string& key, I& out, std::int64_t lo, std::int64_t hi) {
    const json* v = get(key);
    if (v == nullptr) return;
    std::int64_t i = 0;
    if (v->is_number_unsigned()) {
      const auto u = v->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return fail(key_path(key) + " is too large");
      i = static_cast<std::int64_t>(u);
    } else if (v->is_number_integer()) {
      i = v->get<std::int64_t>();
    } else if (v->is_number_float() && std::isfinite(v->get<double>()) &&
               v->get<double>() == std::floor(v->get<double>()) &&
               std::abs(v->get<double>()) < 9e15) {
      i = static_cast<std::int64_t>(v->get<double>());  // 32.0 is accepted as 32
    } else {
      return fail(key_path(key) + " must be an integer");
    }
    if (i < lo || i > hi)
      return fail(key_path(key) + " must be an integer in [" + std::to_string(lo) + ", " +
                  std::to_string(hi) + "] (got " + std::to_string(i) + ")");
    out = static_cast<I>(i);
  }

  void boolean(const std::string& key, bool& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_boolean()) return fail(key_path(key) + " must be true or false");
    out = v->get<bool>();
  }

  template <typename E, std::size_t K>
  void choice(const std::string& key, E& out, const EnumName<E> (&names)[K]) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (v->is_string()) {
      const auto s = v->get<std::string>();
      for (const auto& n : names)
        if (s == n.name) {
          out = n.value;
          return;
        }
    }
    fail(key_path(key) + " must be one of: " + choices(names) + " (got " + v->dump() + ")");
  }

  // Call after all reads: any key not read is an error (typos must not pass silently).
  void finish() {
    if (err_ || !obj_.is_object()) return;
    for (const auto& [k, v] : obj_.items()) {
      if (seen_.count(k) == 0) {
        std::string known;
        for (const auto& s : seen_) known += (known.empty() ? "" : ", ") + s;
        return fail("unknown key " + key_path(k) + " (known keys: " + known + ")");
      }
    }
  }

  void fail(const std::string& message) {
    if (!err_) err_ = make_error(message, "See the settings schema in src/app/settings_json.h.");
  }

 private:
  std::string where() const { return path_.empty() ? "the settings" : path_; }
  static std::string fmt(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", d);
    return buf;
  }

  const json& obj_;
  std::string path_;
  std::optional<Error>& err_;
  std::set<std::string> seen_;
};

constexpr int kMaxWidth = 1024;
constexpr int kMaxHidden = 16;
constexpr std::int64_t kMaxSeed = std::numeric_limits<std::int64_t>::max();

}  // namespace

std::string float_shortest(float v) {
  // The fewest significant digits that read back to the same float (at most 9 are needed).
  // snprintf, not std::to_chars: Emscripten 3.1.6's libc++ has no floating to_chars.
  char buf[32];
  for (int digits = 1; digits <= 9; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(v));
    if (std::strtof(buf, nullptr) == v) break;
  }
  return buf;
}

double float_for_json(float v) {
  if (!std::isfinite(v)) return static_cast<double>(v);
  return std::strtod(float_shortest(v).c_str(), nullptr);
}

Result<ExperimentSpec> settings_from_json(const json& j) {
  ExperimentSpec spec;
  std::optional<Error> err;
  Reader top(j, "", err);

  if (const json* d = top.get("data")) {
    Reader r(*d, "data", err);
    r.choice("kind", spec.data.kind, kDatasetNames);
    r.integer("size", spec.data.size, 8, 100000);
    r.number("noise", spec.data.noise, 0.0, 10.0);
    r.number("test_fraction", spec.data.test_fraction, 0.0, 0.9);
    r.integer("seed", spec.data.seed, 0, kMaxSeed);
    r.finish();
  }
  if (const json* n = top.get("net")) {
    Reader r(*n, "net", err);
    r.integer("input_width", spec.net.input_width, 1, kMaxWidth);
    r.integer("output_width", spec.net.output_width, 2, kMaxWidth);
    r.choice("init", spec.net.init, kInitNames);
    r.integer("seed", spec.net.seed, 0, kMaxSeed);
    if (const json* h = r.get("hidden")) {
      if (!h->is_array() || h->size() > static_cast<std::size_t>(kMaxHidden)) {
        r.fail("net.hidden must be an array of at most " + std::to_string(kMaxHidden) +
               " layer objects");
      } else {
        spec.net.hidden.clear();
        for (std::size_t i = 0; i < h->size(); ++i) {
          HiddenLayerSpec layer;
          Reader lr((*h)[i], "net.hidden[" + std::to_string(i) + "]", err);
          lr.integer("width", layer.width, 1, kMaxWidth);
          lr.choice("activation", layer.activation, kActivationNames);
          lr.choice("norm", layer.norm, kNormNames);
          lr.choice("placement", layer.placement, kPlacementNames);
          lr.finish();
          spec.net.hidden.push_back(layer);
        }
      }
    }
    if (const json* o = r.get("norm")) {
      Reader nr(*o, "net.norm", err);
      nr.number("eps", spec.net.norm.eps, 0.0, 1.0, /*lo_open=*/true);
      if (const json* m = nr.get("momentum"); m != nullptr && m->is_null()) {
        spec.net.norm.momentum = std::nullopt;  // cumulative moving average
      } else if (m != nullptr) {
        float mom = 0.1f;
        nr.number("momentum", mom, 0.0, 1.0);
        spec.net.norm.momentum = mom;
      }
      nr.boolean("affine", spec.net.norm.affine);
      nr.boolean("track_running_stats", spec.net.norm.track_running_stats);
      nr.integer("groups", spec.net.norm.groups, 1, kMaxWidth);
      nr.number("r_max", spec.net.norm.r_max, 1.0, 1e6);
      nr.number("d_max", spec.net.norm.d_max, 0.0, 1e6);
      nr.finish();
    }
    r.finish();
  }
  if (const json* o = top.get("optimizer")) {
    Reader r(*o, "optimizer", err);
    r.choice("kind", spec.optimizer.kind, kOptimizerNames);
    r.number("learning_rate", spec.optimizer.learning_rate, 0.0, 100.0, /*lo_open=*/true);
    r.number("momentum", spec.optimizer.momentum, 0.0, 1.0);
    r.number("weight_decay", spec.optimizer.weight_decay, 0.0, 10.0);
    r.number("beta1", spec.optimizer.beta1, 0.0, 1.0);
    r.number("beta2", spec.optimizer.beta2, 0.0, 1.0);
    r.number("eps", spec.optimizer.adam_eps, 0.0, 1.0, /*lo_open=*/true);
    r.finish();
  }
  top.integer("batch_size", spec.batch_size, 1, 100000);
  top.integer("shuffle_seed", spec.shuffle_seed, 0, kMaxSeed);
  top.finish();

  // Cross-field rules.
  if (!err && spec.optimizer.beta1 >= 1.0f)
    err = make_error("optimizer.beta1 must be below 1", "PyTorch's default is 0.9.");
  if (!err && spec.optimizer.beta2 >= 1.0f)
    err = make_error("optimizer.beta2 must be below 1", "PyTorch's default is 0.999.");
  if (!err) {
    for (std::size_t i = 0; i < spec.net.hidden.size(); ++i) {
      const auto& h = spec.net.hidden[i];
      if (h.norm == NormKind::kGroupNorm && h.width % spec.net.norm.groups != 0) {
        err = make_error("net.hidden[" + std::to_string(i) + "].width (" +
                             std::to_string(h.width) + ") must be divisible by net.norm.groups (" +
                             std::to_string(spec.net.norm.groups) + ") for GroupNorm",
                         "Change the width or the number of groups.");
        break;
      }
    }
  }
  if (err) return *err;
  return spec;
}

Result<ExperimentSpec> settings_from_json_text(std::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return make_error("the settings are not valid JSON",
                      "Check brackets, commas and quotes; NaN and Infinity are not JSON.");
  }
  return settings_from_json(j);
}

json settings_to_json(const ExperimentSpec& spec) {
  json hidden = json::array();
  for (const auto& h : spec.net.hidden) {
    hidden.push_back({{"width", h.width},
                      {"activation", name_of(kActivationNames, h.activation)},
                      {"norm", name_of(kNormNames, h.norm)},
                      {"placement", name_of(kPlacementNames, h.placement)}});
  }
  const auto& no = spec.net.norm;
  json norm = {{"eps", float_for_json(no.eps)},
               {"momentum", no.momentum ? json(float_for_json(*no.momentum)) : json(nullptr)},
               {"affine", no.affine},
               {"track_running_stats", no.track_running_stats},
               {"groups", no.groups},
               {"r_max", float_for_json(no.r_max)},
               {"d_max", float_for_json(no.d_max)}};
  const auto& op = spec.optimizer;
  return {{"data",
           {{"kind", name_of(kDatasetNames, spec.data.kind)},
            {"size", spec.data.size},
            {"noise", float_for_json(spec.data.noise)},
            {"test_fraction", float_for_json(spec.data.test_fraction)},
            {"seed", spec.data.seed}}},
          {"net",
           {{"input_width", spec.net.input_width},
            {"output_width", spec.net.output_width},
            {"init", name_of(kInitNames, spec.net.init)},
            {"seed", spec.net.seed},
            {"hidden", hidden},
            {"norm", norm}}},
          {"optimizer",
           {{"kind", name_of(kOptimizerNames, op.kind)},
            {"learning_rate", float_for_json(op.learning_rate)},
            {"momentum", float_for_json(op.momentum)},
            {"weight_decay", float_for_json(op.weight_decay)},
            {"beta1", float_for_json(op.beta1)},
            {"beta2", float_for_json(op.beta2)},
            {"eps", float_for_json(op.adam_eps)}}},
          {"batch_size", spec.batch_size},
          {"shuffle_seed", spec.shuffle_seed}};
}

namespace {
// Names in enum order (the tables list values in declaration order; checked here).
template <typename E, std::size_t K>
std::vector<std::string> names_in_order(const EnumName<E> (&names)[K]) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < K; ++i) {
    NL_ASSERT(static_cast<std::size_t>(names[i].value) == i, "enum name table out of order");
    out.emplace_back(names[i].name);
  }
  return out;
}
}  // namespace

template <> const std::vector<std::string>& spec_enum_names<DatasetKind>() {
  static const auto names = names_in_order(kDatasetNames);
  return names;
}
template <> const std::vector<std::string>& spec_enum_names<Activation>() {
  static const auto names = names_in_order(kActivationNames);
  return names;
}
template <> const std::vector<std::string>& spec_enum_names<NormKind>() {
  static const auto names = names_in_order(kNormNames);
  return names;
}
template <> const std::vector<std::string>& spec_enum_names<NormPlacement>() {
  static const auto names = names_in_order(kPlacementNames);
  return names;
}
template <> const std::vector<std::string>& spec_enum_names<InitScheme>() {
  static const auto names = names_in_order(kInitNames);
  return names;
}
template <> const std::vector<std::string>& spec_enum_names<OptimizerKind>() {
  static const auto names = names_in_order(kOptimizerNames);
  return names;
}

std::string settings_to_json_text(const ExperimentSpec& spec, int indent) {
  return settings_to_json(spec).dump(indent);
}

}  // namespace nl
