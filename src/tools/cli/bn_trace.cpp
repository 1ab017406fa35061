// normlab-cli bn-trace: one BatchNorm forward (and backward if dy is given) through the
// core's BatchNorm layer, every intermediate out as JSON. Input validation lives here:
// the layer is only called on well-formed, finite input with a valid batch.
// Not a second BatchNorm implementation: all numbers come from nl::BatchNorm.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/settings_json.h"
#include "core/layers.h"
#include "core/spec.h"
#include "core/types.h"
#include "tools/cli/commands.h"

namespace nl::cli {

namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

// A nested JSON array of numbers: its shape and its values in row-major order.
struct Tensor {
  std::vector<Index> shape;
  std::vector<float> values;
};

// Parses `v` as a rectangular nested array of finite numbers (float range).
bool parse_tensor(const json& v, const std::string& name, Tensor& out, std::string& error) {
  out = {};
  // Shape from the first elements, then every array must match it.
  constexpr std::size_t kMaxRank = 8;              // deeper nesting is an error, not recursion
  constexpr std::size_t kMaxValues = 50'000'000;   // about 200 MB of floats
  const json* p = &v;
  std::size_t total = 1;
  while (p->is_array()) {
    if (p->empty()) {
      error = name + " has an empty array (every dimension needs at least 1 element)";
      return false;
    }
    if (out.shape.size() == kMaxRank) {
      error = name + " is nested more than " + std::to_string(kMaxRank) + " levels deep";
      return false;
    }
    out.shape.push_back(static_cast<Index>(p->size()));
    total = p->size() > kMaxValues / total ? kMaxValues + 1 : total * p->size();  // saturating
    p = &(*p)[0];
  }
  if (out.shape.empty()) {
    error = name + " must be an array";
    return false;
  }
  if (total > kMaxValues) {
    error = name + " is too large (more than " + std::to_string(kMaxValues) + " values)";
    return false;
  }
  out.values.reserve(total);
  // Depth-first walk checking each level's length.
  struct Walker {
    const Tensor& t;
    const std::string& name;
    std::vector<float>& values;
    std::string& error;
    bool walk(const json& node, std::size_t depth, const std::string& path) {
      if (depth == t.shape.size()) {
        if (!node.is_number()) {
          error = name + path + " must be a number (got " + node.dump() + ")";
          return false;
        }
        const double d = node.get<double>();
        const auto f = static_cast<float>(d);
        if (!std::isfinite(d) || !std::isfinite(f)) {
          error = name + path + " is not a finite float (got " + node.dump() + ")";
          return false;
        }
        values.push_back(f);
        return true;
      }
      if (!node.is_array() || static_cast<Index>(node.size()) != t.shape[depth]) {
        error = name + path + " is ragged: expected an array of " +
                std::to_string(t.shape[depth]) + " element(s) like the first one, got " +
                (node.is_array() ? std::to_string(node.size()) + " element(s)"
                                 : "a " + std::string(node.type_name()));
        return false;
      }
      for (std::size_t i = 0; i < node.size(); ++i)
        if (!walk(node[i], depth + 1, path + "[" + std::to_string(i) + "]")) return false;
      return true;
    }
  } walker{out, name, out.values, error};
  return walker.walk(v, 0, "");
}

std::string shape_text(const std::vector<Index>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Nested array of `shape` from values in row-major order (floats printed shortest).
ojson to_nested(const float* values, const std::vector<Index>& shape, std::size_t depth,
                std::size_t& pos) {
  ojson arr = ojson::array();
  for (Index i = 0; i < shape[depth]; ++i) {
    if (depth + 1 == shape.size()) arr.push_back(float_for_json(values[pos++]));
    else arr.push_back(to_nested(values, shape, depth + 1, pos));
  }
  return arr;
}

ojson nested(const Matrix& m, const std::vector<Index>& shape) {
  std::size_t pos = 0;
  return to_nested(m.data(), shape, 0, pos);
}

ojson vec(const Vector& v) {
  ojson arr = ojson::array();
  for (Index i = 0; i < v.size(); ++i) arr.push_back(float_for_json(v[i]));
  return arr;
}

bool all_finite(const float* p, Index n) {
  for (Index i = 0; i < n; ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

}  // namespace

int bn_trace(const std::string& input, std::string& output, std::string& error) {
  output.clear();
  const auto fail = [&](const std::string& message) {
    error = message;
    return 2;
  };
  const json in = json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded())
    return fail("input is not valid JSON (NaN and Infinity are not JSON numbers either)");
  if (!in.is_object()) return fail("input must be one JSON object, e.g. {\"x\": [[1, 2], [3, 4]]}");
  static const std::set<std::string> kKeys = {
      "x",     "training",     "eps",          "momentum",    "affine",
      "track_running_stats",   "gamma",        "beta",        "running_mean",
      "running_var",           "num_batches_tracked",         "dy"};
  for (const auto& [k, v] : in.items())
    if (kKeys.count(k) == 0) return fail("unknown key '" + k + "'");

  // x: [N][C] or [N][C][H][W].
  if (!in.contains("x")) return fail("missing key 'x' (shape [N][C] or [N][C][H][W])");
  Tensor x;
  if (!parse_tensor(in["x"], "x", x, error)) return 2;
  if (x.shape.size() != 2 && x.shape.size() != 4)
    return fail("x must have shape [N][C] or [N][C][H][W] (got " +
                std::to_string(x.shape.size()) + " dimension(s) " + shape_text(x.shape) + ")");
  const Index N = x.shape[0], C = x.shape[1];
  const Index S = x.shape.size() == 4 ? x.shape[2] * x.shape[3] : 1;

  const auto get_bool = [&](const char* key, bool def, bool& out) {
    out = def;
    if (!in.contains(key)) return true;
    if (!in[key].is_boolean()) {
      error = std::string(key) + " must be true or false";
      return false;
    }
    out = in[key].get<bool>();
    return true;
  };
  const auto get_number = [&](const char* key, double def, double& out) {
    out = def;
    if (!in.contains(key)) return true;
    const json& v = in[key];
    if (!v.is_number()) {
      error = std::string(key) + " must be a number (got " + v.dump() + ")";
      return false;
    }
    out = v.get<double>();
    if (!std::isfinite(out) || !std::isfinite(static_cast<float>(out))) {
      error = std::string(key) + " must be a finite number";
      return false;
    }
    return true;
  };
  bool training = true, affine = true, track = true;
  if (!get_bool("training", true, training) || !get_bool("affine", true, affine) ||
      !get_bool("track_running_stats", true, track))
    return 2;
  double eps = 1e-5;
  if (!get_number("eps", 1e-5, eps)) return 2;
  if (!(eps > 0.0)) return fail("eps must be > 0 (it keeps 1/sqrt(var + eps) finite)");
  std::optional<float> momentum = 0.1f;
  if (in.contains("momentum") && in["momentum"].is_null()) {
    momentum = std::nullopt;  // cumulative moving average
  } else {
    double m = 0.1;
    if (!get_number("momentum", 0.1, m)) return 2;
    if (m < 0.0 || m > 1.0) return fail("momentum must be in [0, 1] or null");
    momentum = static_cast<float>(m);
  }

  // Per-channel vectors.
  const auto get_channels = [&](const char* key, bool allowed, const char* why, float def,
                                Vector& out) {
    out = Vector::Constant(C, def);
    if (!in.contains(key)) return true;
    if (!allowed) {
      error = std::string(key) + " is given but " + why;
      return false;
    }
    Tensor t;
    if (!parse_tensor(in[key], key, t, error)) return false;
    if (t.shape.size() != 1 || t.shape[0] != C) {
      error = std::string(key) + " must have one value per channel: shape [" +
              std::to_string(C) + "] (got " + shape_text(t.shape) + ")";
      return false;
    }
    for (Index c = 0; c < C; ++c) out[c] = t.values[static_cast<std::size_t>(c)];
    return true;
  };
  Vector gamma, beta, running_mean, running_var;
  if (!get_channels("gamma", affine, "affine is false", 1.0f, gamma) ||
      !get_channels("beta", affine, "affine is false", 0.0f, beta) ||
      !get_channels("running_mean", track, "track_running_stats is false", 0.0f, running_mean) ||
      !get_channels("running_var", track, "track_running_stats is false", 1.0f, running_var))
    return 2;
  for (Index c = 0; c < C; ++c)
    if (running_var[c] < 0.0f) return fail("running_var must be >= 0 (channel " + std::to_string(c) + ")");
  std::int64_t num_batches_tracked = 0;
  if (in.contains("num_batches_tracked")) {
    if (!track) return fail("num_batches_tracked is given but track_running_stats is false");
    const json& v = in["num_batches_tracked"];
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
      return fail("num_batches_tracked must be an integer >= 0");
    num_batches_tracked = v.get<std::int64_t>();
  }
  Tensor dy;
  const bool has_dy = in.contains("dy") && !in["dy"].is_null();
  if (has_dy) {
    if (!parse_tensor(in["dy"], "dy", dy, error)) return 2;
    if (dy.shape != x.shape)
      return fail("dy must have the shape of x " + shape_text(x.shape) + " (got " +
                  shape_text(dy.shape) + ")");
  }

  // The core's layer does the math.
  NormOptions options;
  options.eps = static_cast<float>(eps);
  options.momentum = momentum;
  options.affine = affine;
  options.track_running_stats = track;
  BatchNorm bn = BatchNorm::make(C, S, options);
  bn.gamma = gamma;
  bn.beta = beta;
  if (track) {
    bn.running_mean = running_mean;
    bn.running_var = running_var;
    bn.num_batches_tracked = num_batches_tracked;
  }
  if (const Status st = bn.check_batch(N, training); !st.ok())
    return fail(st.error().message + (st.error().hint.empty() ? "" : " " + st.error().hint));
  // Batch layout (types.h): column n holds sample n's C*S values in NCHW order, which is
  // exactly the row-major order of the nested array.
  const Matrix xm = Eigen::Map<const Matrix>(x.values.data(), C * S, N);
  Matrix y, dx;
  bn.forward(xm, training, y);
  if (has_dy) {
    const Matrix dym = Eigen::Map<const Matrix>(dy.values.data(), C * S, N);
    bn.backward(dym, dx);
  }

  // Everything we print must be a finite float.
  const bool finite = all_finite(y.data(), y.size()) && all_finite(bn.xhat.data(), bn.xhat.size()) &&
                      all_finite(bn.mean.data(), C) && all_finite(bn.var.data(), C) &&
                      all_finite(bn.inv_std.data(), C) &&
                      (!track || (all_finite(bn.running_mean.data(), C) &&
                                  all_finite(bn.running_var.data(), C))) &&
                      (!has_dy || (all_finite(dx.data(), dx.size()) &&
                                   all_finite(bn.dgamma.data(), C) &&
                                   all_finite(bn.dbeta.data(), C)));
  if (!finite)
    return fail("the result overflows float (values too large for single precision)");

  ojson out;
  out["y"] = nested(y, x.shape);
  out["mean"] = vec(bn.mean);
  out["var"] = vec(bn.var);
  out["inv_std"] = vec(bn.inv_std);
  out["xhat"] = nested(bn.xhat, x.shape);
  out["running_mean"] = track ? vec(bn.running_mean) : ojson(nullptr);
  out["running_var"] = track ? vec(bn.running_var) : ojson(nullptr);
  out["num_batches_tracked"] = track ? ojson(bn.num_batches_tracked) : ojson(nullptr);
  if (has_dy) {
    out["dx"] = nested(dx, x.shape);
    if (affine) {
      out["dgamma"] = vec(bn.dgamma);
      out["dbeta"] = vec(bn.dbeta);
    }
  }
  output = out.dump() + "\n";
  return 0;
}

}  // namespace nl::cli
