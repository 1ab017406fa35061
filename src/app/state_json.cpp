// State JSON (state_json.h): writing the document, and reading it into a candidate session
// that replaces the real one only once every key has been checked. Numbers go through
// float_for_json, so weights read back bit-exact. Not here: the settings schema
// (settings_json.cpp) or delivering files (platform/file_delivery.h).
#include "app/state_json.h"

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "app/actions.h"
#include "app/builder.h"
#include "app/settings_json.h"
#include "app/twin_run.h"

namespace nl::app {

using json = nlohmann::json;

namespace {

constexpr std::int64_t kMaxSteps = 10'000'000;  // replaying more batch orders would stall import

constexpr std::array<const char*, 2> kThemeNames = {"dark", "light"};
constexpr std::array<const char*, 5> kWhyNames = {"twin", "distribution", "gradients", "histograms", "cost"};
constexpr std::array<const char*, kInspectorStageCount> kStageNames = {
    "raw", "mean", "centred", "variance", "normalized", "affine", "running", "eval"};
constexpr std::array<const char*, kBackpropStepCount> kBackpropNames = {
    "forward", "dy", "dbeta", "dgamma", "dxhat", "dvar", "dmean", "dx", "compact"};

// A float for JSON: exact round trip, null when not finite (JSON has no NaN/Inf).
json num(float v) { return std::isfinite(v) ? json(float_for_json(v)) : json(nullptr); }

json vec_json(const Vector& v) {
  json a = json::array();
  for (Index i = 0; i < v.size(); ++i) a.push_back(num(v[i]));
  return a;
}

json mat_json(const Matrix& m) {  // [rows][cols], PyTorch's layout for a Linear weight
  json a = json::array();
  for (Index r = 0; r < m.rows(); ++r) {
    json row = json::array();
    for (Index c = 0; c < m.cols(); ++c) row.push_back(num(m(r, c)));
    a.push_back(std::move(row));
  }
  return a;
}

json linear_json(const Linear& l) { return {{"weight", mat_json(l.weight)}, {"bias", vec_json(l.bias)}}; }

json bn_json(const BatchNorm& bn, const char* kind) {
  json j = {{"kind", kind}};
  if (bn.affine) {
    j["gamma"] = vec_json(bn.gamma);
    j["beta"] = vec_json(bn.beta);
  }
  if (bn.track_running_stats) {
    j["running_mean"] = vec_json(bn.running_mean);
    j["running_var"] = vec_json(bn.running_var);
    j["num_batches_tracked"] = bn.num_batches_tracked;
  }
  return j;
}

json norm_json(const Layer& layer) {
  if (const auto* bn = std::get_if<BatchNorm>(&layer)) return bn_json(*bn, "batchnorm");
  if (const auto* brn = std::get_if<BatchRenorm>(&layer)) return bn_json(brn->bn, "batchrenorm");
  if (const auto* gn = std::get_if<GroupNorm>(&layer)) {
    json j = {{"kind", gn->per_element_affine ? "layernorm" : "groupnorm"}};
    if (gn->affine) {
      j["gamma"] = vec_json(gn->gamma);
      j["beta"] = vec_json(gn->beta);
    }
    return j;
  }
  return json::object();
}

json network_json(const Network& net) {
  json hidden = json::array();
  const auto& layers = net.layers();
  for (const HiddenLayerInfo& h : net.hidden()) {
    json layer = {{"linear", linear_json(std::get<Linear>(layers[static_cast<std::size_t>(h.linear)]))}};
    if (h.norm >= 0) layer["norm"] = norm_json(layers[static_cast<std::size_t>(h.norm)]);
    hidden.push_back(std::move(layer));
  }
  const int out = linear_index(net, static_cast<int>(net.hidden().size()));
  json j = {{"hidden", std::move(hidden)}};
  if (out >= 0) j["output"] = {{"linear", linear_json(std::get<Linear>(layers[static_cast<std::size_t>(out)]))}};
  return j;
}

json optimizer_json(const Optimizer& opt) {
  json m = json::array(), v = json::array();
  for (const Vector& b : opt.first_moments()) m.push_back(vec_json(b));
  for (const Vector& b : opt.second_moments()) v.push_back(vec_json(b));
  return {{"steps", opt.steps()}, {"buffers", std::move(m)}, {"second_moments", std::move(v)}};
}

json view_json(const Session& s) {
  const ViewState& v = s.view;
  const InspectorState& in = s.inspector;
  return {{"panel", panel_name(v.panel)},
          {"theme", kThemeNames[static_cast<std::size_t>(v.theme)]},
          {"show_help", v.show_help},
          {"show_test_points", v.show_test_points},
          {"discretize", v.discretize_heatmap},
          {"new_point_class", v.new_point_class},
          {"selected_layer", v.selected_layer},
          {"selected_unit", v.selected_unit},
          {"weight_layer", v.weight_layer},
          {"weight_row", v.weight_row},
          {"weight_col", v.weight_col},
          {"why_view", kWhyNames[static_cast<std::size_t>(v.why_view)]},
          {"why_layer", v.why_layer},
          {"why_unit", v.why_unit},
          {"why_post_activation", v.why_post_activation},
          {"inspector",
           {{"layer", in.layer},
            {"feature", in.feature},
            {"sample", in.sample},
            {"stage", kStageNames[static_cast<std::size_t>(in.stage)]},
            {"eval_view", in.eval_view},
            {"backprop_step", kBackpropNames[static_cast<std::size_t>(in.backprop_step)]}}}};
}

json training_json(const Experiment& e) {
  const StepMetrics& m = e.metrics();
  return {{"step", m.step},
          {"epoch", m.epoch},
          {"metrics_step", m.metrics_step},  // where the losses and accuracies were measured
          {"batch_loss", num(m.batch_loss)},
          {"train_loss", num(m.train_loss)},
          {"test_loss", num(m.test_loss)},
          {"train_accuracy", num(m.train_accuracy)},
          {"test_accuracy", num(m.test_accuracy)},
          {"diverged", e.diverged()}};
}

json data_json(const Dataset& d) {
  json points = json::array();
  const auto add = [&](const Matrix& x, const std::vector<int>& y, const char* split) {
    for (Index i = 0; i < x.cols(); ++i)
      points.push_back(json::array({num(x(0, i)), num(x(1, i)), y[static_cast<std::size_t>(i)], split}));
  };
  add(d.x_train, d.y_train, "train");
  add(d.x_test, d.y_test, "test");
  return {{"num_classes", d.num_classes}, {"points", std::move(points)}};
}

// ---- reading ----

Error key_error(const std::string& key, const std::string& what, std::string hint = {}) {
  return make_error(key + " " + what, std::move(hint));
}

// Only these keys may appear in object `j` (at `path`).
std::optional<Error> only_keys(const json& j, const std::string& path, std::initializer_list<const char*> allowed) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const char* k : allowed) known = known || it.key() == k;
    if (!known) return key_error(path.empty() ? it.key() : path + "." + it.key(), "is not a known key");
  }
  return std::nullopt;
}

std::optional<Error> read_bool(const json& j, const char* key, const std::string& path, bool& out) {
  if (!j.contains(key)) return std::nullopt;
  const json& v = j[key];
  if (!v.is_boolean()) return key_error(path + key, "must be true or false");
  out = v.get<bool>();
  return std::nullopt;
}

std::optional<Error> read_int(const json& j, const char* key, const std::string& path, std::int64_t lo,
                              std::int64_t hi, std::int64_t& out) {
  if (!j.contains(key)) return std::nullopt;
  const json& v = j[key];
  std::int64_t value = 0;
  if (v.is_number_integer()) value = v.get<std::int64_t>();
  else if (v.is_number_float() && std::isfinite(v.get<double>()) && v.get<double>() == std::floor(v.get<double>()) &&
           std::abs(v.get<double>()) < 9e15)
    value = static_cast<std::int64_t>(v.get<double>());
  else
    return key_error(path + key, "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  if (value < lo || value > hi)
    return key_error(path + key, "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  out = value;
  return std::nullopt;
}

std::optional<Error> read_int(const json& j, const char* key, const std::string& path, int lo, int hi, int& out) {
  std::int64_t v = out;
  if (auto err = read_int(j, key, path, std::int64_t{lo}, std::int64_t{hi}, v)) return err;
  out = static_cast<int>(v);
  return std::nullopt;
}

template <std::size_t N>
std::optional<Error> read_name(const json& j, const char* key, const std::string& path,
                               const std::array<const char*, N>& names, int& out) {
  if (!j.contains(key)) return std::nullopt;
  const json& v = j[key];
  std::string list;
  for (const char* n : names) list += (list.empty() ? "" : ", ") + std::string(n);
  if (v.is_string()) {
    for (std::size_t i = 0; i < N; ++i)
      if (v.get<std::string>() == names[i]) {
        out = static_cast<int>(i);
        return std::nullopt;
      }
  }
  return key_error(path + key, "must be one of: " + list);
}

// A finite number within ±limit, as a float (null, strings and NaN are errors).
std::optional<Error> read_float(const json& v, const std::string& key, float limit, float& out) {
  if (!v.is_number()) return key_error(key, "must be a finite number", "JSON has no NaN or Infinity.");
  const double d = v.get<double>();
  if (!std::isfinite(d) || std::abs(d) > limit)
    return key_error(key, "must be a finite number within \xC2\xB1" + float_shortest(limit));
  out = static_cast<float>(d);
  if (!std::isfinite(out)) return key_error(key, "does not fit a float");
  return std::nullopt;
}

constexpr float kMaxParam = 1e30f;  // any finite float a trained network holds

std::optional<Error> read_vector(const json& j, const std::string& key, Index size, Vector& out) {
  if (!j.is_array() || static_cast<Index>(j.size()) != size) {
    const std::string got = j.is_array() ? std::to_string(j.size()) + " numbers" : std::string("is not an array");
    return key_error(key, (j.is_array() ? "has " + got : got) + ", the network needs " + std::to_string(size));
  }
  Vector v(size);
  for (Index i = 0; i < size; ++i)
    if (auto err = read_float(j[static_cast<std::size_t>(i)], key + "[" + std::to_string(i) + "]", kMaxParam, v[i]))
      return err;
  out = std::move(v);
  return std::nullopt;
}

std::optional<Error> read_matrix(const json& j, const std::string& key, Index rows, Index cols, Matrix& out) {
  const std::string need = ", the network needs " + std::to_string(rows) + "x" + std::to_string(cols);
  if (!j.is_array()) return key_error(key, "is not an array of rows" + need);
  const Index got_rows = static_cast<Index>(j.size());
  Index got_cols = got_rows > 0 && j[0].is_array() ? static_cast<Index>(j[0].size()) : 0;
  for (const json& row : j)
    if (!row.is_array() || static_cast<Index>(row.size()) != got_cols) got_cols = -1;
  if (got_cols < 0) return key_error(key, "must be an array of equally long rows of numbers" + need);
  if (got_rows != rows || got_cols != cols)
    return key_error(key, "has " + std::to_string(got_rows) + "x" + std::to_string(got_cols) + " numbers" + need);
  Matrix m(rows, cols);
  for (Index r = 0; r < rows; ++r)
    for (Index c = 0; c < cols; ++c)
      if (auto err = read_float(j[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)],
                                key + "[" + std::to_string(r) + "][" + std::to_string(c) + "]", kMaxParam, m(r, c)))
        return err;
  out = std::move(m);
  return std::nullopt;
}

std::optional<Error> read_linear(const json& j, const std::string& key, Linear& l) {
  if (!j.is_object()) return key_error(key, "must be an object with weight and bias");
  if (auto err = only_keys(j, key, {"weight", "bias"})) return err;
  if (!j.contains("weight") || !j.contains("bias")) return key_error(key, "needs both weight and bias");
  Matrix w;
  Vector b;
  if (auto err = read_matrix(j["weight"], key + ".weight", l.weight.rows(), l.weight.cols(), w)) return err;
  if (auto err = read_vector(j["bias"], key + ".bias", l.bias.size(), b)) return err;
  l.weight = std::move(w);
  l.bias = std::move(b);
  return std::nullopt;
}

std::optional<Error> read_bn(const json& j, const std::string& key, BatchNorm& bn) {
  const Index c = bn.channels;
  if (bn.affine) {
    if (!j.contains("gamma") || !j.contains("beta")) return key_error(key, "needs gamma and beta (affine is on)");
    if (auto err = read_vector(j["gamma"], key + ".gamma", c, bn.gamma)) return err;
    if (auto err = read_vector(j["beta"], key + ".beta", c, bn.beta)) return err;
  } else if (j.contains("gamma") || j.contains("beta")) {
    return key_error(key, "has gamma or beta but affine is off in the settings");
  }
  if (bn.track_running_stats) {
    if (!j.contains("running_mean") || !j.contains("running_var"))
      return key_error(key, "needs running_mean and running_var (track_running_stats is on)");
    Vector var;
    if (auto err = read_vector(j["running_mean"], key + ".running_mean", c, bn.running_mean)) return err;
    if (auto err = read_vector(j["running_var"], key + ".running_var", c, var)) return err;
    for (Index i = 0; i < c; ++i)
      if (var[i] < 0.0f) return key_error(key + ".running_var[" + std::to_string(i) + "]", "must not be negative");
    bn.running_var = std::move(var);
    std::int64_t n = 0;
    if (auto err = read_int(j, "num_batches_tracked", key + ".", std::int64_t{0}, kMaxSteps, n)) return err;
    bn.num_batches_tracked = n;
  } else if (j.contains("running_mean") || j.contains("running_var") || j.contains("num_batches_tracked")) {
    return key_error(key, "has running statistics but track_running_stats is off in the settings");
  }
  return std::nullopt;
}

const char* norm_kind_name(const Layer& layer) {
  if (std::holds_alternative<BatchNorm>(layer)) return "batchnorm";
  if (std::holds_alternative<BatchRenorm>(layer)) return "batchrenorm";
  if (const auto* gn = std::get_if<GroupNorm>(&layer)) return gn->per_element_affine ? "layernorm" : "groupnorm";
  return "none";
}

std::optional<Error> read_norm(const json& j, const std::string& key, Layer& layer) {
  if (!j.is_object()) return key_error(key, "must be an object");
  if (auto err = only_keys(j, key, {"kind", "gamma", "beta", "running_mean", "running_var", "num_batches_tracked"}))
    return err;
  const std::string kind = norm_kind_name(layer);
  if (!j.contains("kind") || !j["kind"].is_string() || j["kind"].get<std::string>() != kind)
    return key_error(key + ".kind", "must be \"" + kind + "\" (the settings' normalization for this layer)");
  if (auto* bn = std::get_if<BatchNorm>(&layer)) return read_bn(j, key, *bn);
  if (auto* brn = std::get_if<BatchRenorm>(&layer)) return read_bn(j, key, brn->bn);
  auto& gn = std::get<GroupNorm>(layer);
  if (j.contains("running_mean") || j.contains("running_var") || j.contains("num_batches_tracked"))
    return key_error(key, "has running statistics, but " + kind + " keeps none");
  if (gn.affine) {
    if (!j.contains("gamma") || !j.contains("beta")) return key_error(key, "needs gamma and beta (affine is on)");
    if (auto err = read_vector(j["gamma"], key + ".gamma", gn.gamma.size(), gn.gamma)) return err;
    if (auto err = read_vector(j["beta"], key + ".beta", gn.beta.size(), gn.beta)) return err;
  } else if (j.contains("gamma") || j.contains("beta")) {
    return key_error(key, "has gamma or beta but affine is off in the settings");
  }
  return std::nullopt;
}

std::optional<Error> read_buffers(const json& j, const std::string& key, const std::vector<ParamRefT<float>>& params,
                                  std::vector<Vector>& out) {
  if (!j.is_array()) return key_error(key, "must be an array");
  if (j.empty()) return std::nullopt;  // before the first step
  if (j.size() != params.size())
    return key_error(key, "has " + std::to_string(j.size()) + " buffers, the network has " +
                              std::to_string(params.size()) + " parameters");
  out.resize(params.size());
  for (std::size_t i = 0; i < params.size(); ++i)
    if (auto err = read_vector(j[i], key + "[" + std::to_string(i) + "]", params[i].size, out[i])) return err;
  return std::nullopt;
}

// Loads "weights" into the candidate's network (and returns the optimizer state to restore).
struct OptimizerState {
  std::int64_t steps = 0;
  std::vector<Vector> m, v;
};

std::optional<Error> read_weights(const json& j, Network& net, std::optional<OptimizerState>& opt) {
  if (!j.is_object()) return key_error("weights", "must be an object");
  if (auto err = only_keys(j, "weights", {"hidden", "output", "optimizer"})) return err;
  auto& layers = net.layers();
  const auto& hidden = net.hidden();
  if (!j.contains("hidden") || !j["hidden"].is_array() || j["hidden"].size() != hidden.size())
    return key_error("weights.hidden", "must be an array of " + std::to_string(hidden.size()) +
                                           " layers (the settings' hidden layers)");
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    const std::string key = "weights.hidden[" + std::to_string(i) + "]";
    const json& h = j["hidden"][i];
    if (!h.is_object()) return key_error(key, "must be an object");
    if (auto err = only_keys(h, key, {"linear", "norm"})) return err;
    if (!h.contains("linear")) return key_error(key, "needs linear");
    auto& lin = std::get<Linear>(layers[static_cast<std::size_t>(hidden[i].linear)]);
    if (auto err = read_linear(h["linear"], key + ".linear", lin)) return err;
    if (hidden[i].norm >= 0) {
      if (!h.contains("norm")) return key_error(key, "needs norm (the settings put a normalization here)");
      if (auto err = read_norm(h["norm"], key + ".norm", layers[static_cast<std::size_t>(hidden[i].norm)])) return err;
    } else if (h.contains("norm")) {
      return key_error(key + ".norm", "is given, but the settings put no normalization in this layer");
    }
  }
  const int out = linear_index(net, static_cast<int>(hidden.size()));
  if (!j.contains("output") || !j["output"].is_object()) return key_error("weights.output", "must be an object");
  if (auto err = only_keys(j["output"], "weights.output", {"linear"})) return err;
  if (!j["output"].contains("linear")) return key_error("weights.output", "needs linear");
  if (out < 0) return key_error("weights.output", "has no Linear layer to go to");
  if (auto err = read_linear(j["output"]["linear"], "weights.output.linear",
                             std::get<Linear>(layers[static_cast<std::size_t>(out)])))
    return err;
  if (j.contains("optimizer")) {
    const json& o = j["optimizer"];
    if (!o.is_object()) return key_error("weights.optimizer", "must be an object");
    if (auto err = only_keys(o, "weights.optimizer", {"steps", "buffers", "second_moments"})) return err;
    OptimizerState st;
    if (auto err = read_int(o, "steps", "weights.optimizer.", std::int64_t{0}, kMaxSteps, st.steps)) return err;
    const auto params = net.params();
    if (o.contains("buffers"))
      if (auto err = read_buffers(o["buffers"], "weights.optimizer.buffers", params, st.m)) return err;
    if (o.contains("second_moments"))
      if (auto err = read_buffers(o["second_moments"], "weights.optimizer.second_moments", params, st.v)) return err;
    if (st.m.empty() != st.v.empty())
      return key_error("weights.optimizer", "needs both buffers and second_moments, or neither");
    opt = std::move(st);
  }
  return std::nullopt;
}

// Reads "view" over `base` (missing keys keep base's values), checked against `spec`.
std::optional<Error> read_view(const json& j, const ExperimentSpec& spec, ViewState& view, InspectorState& in) {
  if (!j.is_object()) return key_error("view", "must be an object");
  if (auto err = only_keys(j, "view",
                           {"panel", "theme", "show_help", "show_test_points", "discretize", "new_point_class",
                            "selected_layer", "selected_unit", "weight_layer", "weight_row", "weight_col", "why_view",
                            "why_layer", "why_unit", "why_post_activation", "inspector"}))
    return err;
  const std::string p = "view.";
  if (j.contains("panel")) {
    const auto panel = j["panel"].is_string() ? parse_panel(j["panel"].get<std::string>()) : std::nullopt;
    if (!panel) return key_error("view.panel", "must be one of: " + enum_choices<Panel>());
    view.panel = *panel;
  }
  int theme = static_cast<int>(view.theme), why = static_cast<int>(view.why_view);
  if (auto err = read_name(j, "theme", p, kThemeNames, theme)) return err;
  if (auto err = read_name(j, "why_view", p, kWhyNames, why)) return err;
  view.theme = static_cast<Theme>(theme);
  view.why_view = static_cast<WhyView>(why);
  if (auto err = read_bool(j, "show_help", p, view.show_help)) return err;
  if (auto err = read_bool(j, "show_test_points", p, view.show_test_points)) return err;
  if (auto err = read_bool(j, "discretize", p, view.discretize_heatmap)) return err;
  if (auto err = read_bool(j, "why_post_activation", p, view.why_post_activation)) return err;
  const int classes = spec.net.output_width;
  const int layers = static_cast<int>(spec.net.hidden.size());
  int max_width = 1;
  for (const auto& h : spec.net.hidden) max_width = std::max(max_width, h.width);
  if (auto err = read_int(j, "new_point_class", p, 0, classes - 1, view.new_point_class)) return err;
  if (auto err = read_int(j, "selected_layer", p, -1, layers - 1, view.selected_layer)) return err;
  const int sel_width = view.selected_layer >= 0 ? spec.net.hidden[static_cast<std::size_t>(view.selected_layer)].width : 0;
  if (auto err = read_int(j, "selected_unit", p, -1, sel_width - 1, view.selected_unit)) return err;
  if ((view.selected_layer < 0) != (view.selected_unit < 0))
    return key_error("view.selected_unit", "and view.selected_layer must both be -1 or both select a neuron");
  if (auto err = read_int(j, "weight_layer", p, -1, layers, view.weight_layer)) return err;
  // Linear of layer l is (out, in): rows = this layer's width, cols = the previous one's.
  const auto width_of = [&](int l) {
    if (l < 0) return spec.net.input_width;
    return l < layers ? spec.net.hidden[static_cast<std::size_t>(l)].width : spec.net.output_width;
  };
  const int wl = view.weight_layer;
  if (auto err = read_int(j, "weight_row", p, -1, wl >= 0 ? width_of(wl) - 1 : -1, view.weight_row)) return err;
  if (auto err = read_int(j, "weight_col", p, -1, wl >= 0 ? width_of(wl - 1) - 1 : -1, view.weight_col)) return err;
  if (wl >= 0 && (view.weight_row < 0 || view.weight_col < 0))
    return key_error("view.weight_row", "and view.weight_col must select a weight when view.weight_layer does");
  if (auto err = read_int(j, "why_layer", p, 0, std::max(0, layers - 1), view.why_layer)) return err;
  if (auto err = read_int(j, "why_unit", p, 0, max_width - 1, view.why_unit)) return err;
  if (j.contains("inspector")) {
    const json& ij = j["inspector"];
    const std::string ip = "view.inspector.";
    if (!ij.is_object()) return key_error("view.inspector", "must be an object");
    if (auto err = only_keys(ij, "view.inspector", {"layer", "feature", "sample", "stage", "eval_view", "backprop_step"}))
      return err;
    if (auto err = read_int(ij, "layer", ip, -1, layers - 1, in.layer)) return err;
    if (in.layer >= 0) {
      const NormKind k = spec.net.hidden[static_cast<std::size_t>(in.layer)].norm;
      if (k != NormKind::kBatchNorm && k != NormKind::kBatchRenorm)
        return key_error("view.inspector.layer", "must be -1 or a hidden layer with BatchNorm");
    }
    if (auto err = read_int(ij, "feature", ip, 0, max_width - 1, in.feature)) return err;
    if (auto err = read_int(ij, "sample", ip, 0, std::max(0, spec.batch_size - 1), in.sample)) return err;
    int stage = static_cast<int>(in.stage), bstep = static_cast<int>(in.backprop_step);
    if (auto err = read_name(ij, "stage", ip, kStageNames, stage)) return err;
    if (auto err = read_name(ij, "backprop_step", ip, kBackpropNames, bstep)) return err;
    in.stage = static_cast<InspectorStage>(stage);
    in.backprop_step = static_cast<BackpropStep>(bstep);
    if (auto err = read_bool(ij, "eval_view", ip, in.eval_view)) return err;
    in.grad_check.reset();
  }
  return std::nullopt;
}

std::optional<Error> read_points(const json& j, const ExperimentSpec& spec, Dataset& data) {
  if (!j.is_object()) return key_error("data", "must be an object");
  if (auto err = only_keys(j, "data", {"num_classes", "points"})) return err;
  if (spec.net.input_width != 2) return key_error("data", "needs settings.net.input_width 2 (points are 2-D)");
  data.num_classes = spec.net.output_width;
  if (auto err = read_int(j, "num_classes", "data.", spec.net.output_width, spec.net.output_width, data.num_classes))
    return err;
  if (!j.contains("points") || !j["points"].is_array()) return key_error("data.points", "must be an array");
  const json& pts = j["points"];
  if (pts.size() > kMaxStatePoints)
    return key_error("data.points", "has " + std::to_string(pts.size()) + " points, at most " +
                                        std::to_string(kMaxStatePoints) + " are allowed");
  std::vector<std::array<float, 2>> train, test;
  std::vector<int> y_train, y_test;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const std::string key = "data.points[" + std::to_string(i) + "]";
    const json& pt = pts[i];
    if (!pt.is_array() || pt.size() != 4) return key_error(key, "must be [x, y, label, \"train\" or \"test\"]");
    std::array<float, 2> xy{};
    if (auto err = read_float(pt[0], key + "[0]", 100.0f, xy[0])) return err;
    if (auto err = read_float(pt[1], key + "[1]", 100.0f, xy[1])) return err;
    if (!pt[2].is_number_integer() || pt[2].get<std::int64_t>() < 0 || pt[2].get<std::int64_t>() >= data.num_classes)
      return key_error(key + "[2]", "must be a class label in [0, " + std::to_string(data.num_classes - 1) + "]");
    const int label = pt[2].get<int>();
    const std::string split = pt[3].is_string() ? pt[3].get<std::string>() : "";
    if (split == "train") {
      train.push_back(xy);
      y_train.push_back(label);
    } else if (split == "test") {
      test.push_back(xy);
      y_test.push_back(label);
    } else {
      return key_error(key + "[3]", "must be \"train\" or \"test\"");
    }
  }
  if (train.size() < 2) return key_error("data.points", "needs at least 2 training points");
  const auto to_matrix = [](const std::vector<std::array<float, 2>>& v) {
    Matrix m(2, static_cast<Index>(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) m.col(static_cast<Index>(i)) << v[i][0], v[i][1];
    return m;
  };
  data.x_train = to_matrix(train);
  data.x_test = to_matrix(test);
  data.y_train = std::move(y_train);
  data.y_test = std::move(y_test);
  return std::nullopt;
}

std::optional<Error> read_metric(const json& j, const char* key, float& out) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;  // null: was not finite
  return read_float(j[key], std::string("training.") + key, 1e30f, out);
}

std::optional<Error> read_training(const json& j, StepMetrics& m) {
  if (!j.is_object()) return key_error("training", "must be an object");
  if (auto err = only_keys(j, "training", {"step", "epoch", "batch_loss", "train_loss", "test_loss",
                                           "train_accuracy", "test_accuracy", "diverged", "metrics_step"}))
    return err;
  if (auto err = read_int(j, "step", "training.", std::int64_t{0}, kMaxSteps, m.step)) return err;
  if (auto err = read_int(j, "epoch", "training.", std::int64_t{0}, m.step, m.epoch)) return err;
  for (auto [key, field] : {std::pair{"batch_loss", &m.batch_loss}, std::pair{"train_loss", &m.train_loss},
                            std::pair{"test_loss", &m.test_loss}, std::pair{"train_accuracy", &m.train_accuracy},
                            std::pair{"test_accuracy", &m.test_accuracy}})
    if (auto err = read_metric(j, key, *field)) return err;
  bool diverged = false;
  if (auto err = read_bool(j, "diverged", "training.", diverged)) return err;
  // Files from before metrics_step was written: measured at their step.
  m.metrics_step = m.step;
  if (auto err = read_int(j, "metrics_step", "training.", std::int64_t{0}, m.step, m.metrics_step)) return err;
  return std::nullopt;
}

Error prefixed(const char* key, const Error& e) { return make_error(std::string(key) + ": " + e.message, e.hint); }

}  // namespace

json state_to_json(const Session& s, bool include_weights) {
  json j = {{"format", "normlab-state"},
            {"version", kStateJsonVersion},
            {"settings", settings_to_json(s.spec)},
            {"view", view_json(s)},
            {"playing", s.playing},
            {"steps_per_frame", s.steps_per_frame},
            {"training", training_json(s.exp())}};
  if (s.user_data) j["data"] = data_json(*s.user_data);
  if (include_weights) {
    j["weights"] = network_json(s.exp().network());
    j["weights"]["optimizer"] = optimizer_json(s.exp().optimizer());
  }
  return j;
}

std::string state_to_json_text(const Session& s, bool include_weights, int indent) {
  return state_to_json(s, include_weights).dump(indent);
}

json weights_to_json(const Session& s) {
  json j = {{"format", "normlab-weights"}, {"version", kStateJsonVersion}, {"settings", settings_to_json(s.spec)}};
  j["weights"] = network_json(s.exp().network());
  return j;
}

Status import_state_json(Session& s, std::string_view text) {
  if (text.size() > kMaxStateJsonBytes)
    return make_error("The state file is " + std::to_string(text.size() / 1024) + " KiB; at most " +
                      std::to_string(kMaxStateJsonBytes / 1024) + " KiB are accepted.");
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return make_error("The state file is not valid JSON (truncated, or a stray comma or quote).",
                      "Export the state again; NaN and Infinity are not JSON.");
  if (!j.is_object()) return make_error("The state file must be a JSON object.");
  if (!j.contains("format") || j["format"] != "normlab-state")
    return key_error("format", "must be \"normlab-state\"", "This is not a NormLab state file.");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"] != kStateJsonVersion)
    return key_error("version", "must be " + std::to_string(kStateJsonVersion),
                     "The file comes from a different NormLab version.");
  if (auto err = only_keys(j, "", {"format", "version", "settings", "view", "playing", "steps_per_frame", "training",
                                   "data", "weights"}))
    return *err;
  ExperimentSpec spec = default_spec();
  if (j.contains("settings")) {
    Result<ExperimentSpec> parsed = settings_from_json(j["settings"]);
    if (!parsed.ok()) return prefixed("settings", parsed.error());
    spec = *parsed;
  }
  std::optional<Dataset> data;
  if (j.contains("data")) {
    data.emplace();
    if (auto err = read_points(j["data"], spec, *data)) return *err;
  }
  Result<Session> built = data ? make_session_with_data(spec, *data) : make_session(spec);
  if (!built.ok()) return prefixed("settings", built.error());
  Session next = std::move(built.value());
  next.user_data = std::move(data);
  StepMetrics latest;
  if (j.contains("training"))
    if (auto err = read_training(j["training"], latest)) return *err;
  if (j.contains("weights")) {
    std::optional<OptimizerState> opt;
    if (auto err = read_weights(j["weights"], next.exp().network(), opt)) return *err;
    // Without optimizer state the run goes on from these weights with fresh buffers.
    OptimizerState st = opt.value_or(OptimizerState{});
    if (Status r = next.exp().restore_progress(latest, st.steps, std::move(st.m), std::move(st.v)); !r.ok())
      return prefixed("weights.optimizer", r.error());
  }
  next.view = s.view;
  next.inspector = s.inspector;
  next.inspector.grad_check.reset();
  if (j.contains("view"))
    if (auto err = read_view(j["view"], spec, next.view, next.inspector)) return *err;
  if (auto err = read_bool(j, "playing", "", next.playing)) return *err;
  if (auto err = read_int(j, "steps_per_frame", "", 1, 100, next.steps_per_frame)) return *err;
  // Everything checked: the candidate's experiment, view and training state replace the
  // session's; what the document does not describe (stop condition, notice, lesson, studies,
  // classroom options, pending exports) stays.
  next.model_version = s.model_version + 1;
  next.grid.class1_probability.clear();
  refresh_grid(next);
  rebuild_twin(next);
  s.spec = std::move(next.spec);
  s.experiment = std::move(next.experiment);
  s.playing = next.playing;
  s.steps_per_frame = next.steps_per_frame;
  s.model_version = next.model_version;
  s.grid = std::move(next.grid);
  s.view = next.view;
  s.user_data = std::move(next.user_data);
  s.neuron_maps = NeuronMaps{};
  s.inspector = std::move(next.inspector);
  s.twin = std::move(next.twin);
  return Ok{};
}

Status apply_state_patch(Session& s, const json& partial) {
  if (!partial.is_object()) return make_error("The state patch must be a JSON object.");
  if (auto err = only_keys(partial, "", {"settings", "view", "playing", "steps_per_frame"})) return *err;
  // 1. Validate every part without touching the session (no copy of it either: setState may
  //    come at slider speed, and a session holds the whole training history).
  ExperimentSpec spec = s.spec;
  std::optional<Action> settings_action;
  if (partial.contains("settings")) {
    if (!partial["settings"].is_object()) return key_error("settings", "must be an object");
    json merged = settings_to_json(s.spec);
    merge_settings(merged, partial["settings"]);
    Result<ExperimentSpec> parsed = settings_from_json(merged);
    if (!parsed.ok()) return prefixed("settings", parsed.error());
    spec = *parsed;
    ExperimentSpec same_but_optimizer = spec;
    same_but_optimizer.optimizer = s.spec.optimizer;
    if (settings_to_json(spec) != settings_to_json(s.spec)) {
      // Optimizer-only changes keep training (as the UI's optimizer controls do).
      if (settings_to_json(same_but_optimizer) == settings_to_json(s.spec)) settings_action = act::SetOptimizer{spec.optimizer};
      else settings_action = act::SetSpec{spec};
    }
  }
  ViewState view = s.view;
  InspectorState in = s.inspector;
  if (partial.contains("view"))
    if (auto err = read_view(partial["view"], spec, view, in)) return *err;
  int speed = s.steps_per_frame;
  if (auto err = read_int(partial, "steps_per_frame", "", 1, 100, speed)) return *err;
  bool play = s.playing;
  if (auto err = read_bool(partial, "playing", "", play)) return *err;
  const bool rebuilds = settings_action && std::holds_alternative<act::SetSpec>(*settings_action);
  if (play && !s.playing && s.exp().diverged() && !rebuilds)
    return key_error("playing", "cannot be true: training diverged", "Reset, or change a setting that rebuilds.");
  // 2. The settings action is the only step that can still fail (building the experiment);
  //    it changes nothing when it does. Then the rest, which was checked above.
  if (settings_action) {
    std::optional<Notice> before = std::move(s.notice);
    s.notice.reset();
    nl::app::apply(s, *settings_action);
    if (s.notice) {
      Error e = make_error(s.notice->message, s.notice->hint);
      s.notice = std::move(before);
      return prefixed("settings", e);
    }
    s.notice = std::move(before);
  }
  if (partial.contains("view")) {
    s.view = view;
    s.inspector = in;
  }
  if (speed != s.steps_per_frame) nl::app::apply(s, act::SetSpeed{speed});
  if (play != s.playing) nl::app::apply(s, play ? Action{act::Play{}} : Action{act::Pause{}});
  return Ok{};
}

}  // namespace nl::app
