// Dataset generators, point editing and CSV parsing (see dataset.h for the contracts).
// All randomness comes from Rng{spec.seed}, drawn in a fixed order.
// Not here: file reading (the app or the CLI reads the file and passes the text).
#include "core/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "core/rng.h"

namespace nl {

namespace {

constexpr double kPi = 3.14159265358979323846;

Status validate(const DatasetSpec& spec) {
  if (spec.size < 8 || spec.size > 100000)
    return make_error("Dataset size must be between 8 and 100000 points (got " + std::to_string(spec.size) + ").");
  if (!std::isfinite(spec.noise) || spec.noise < 0.0f)
    return make_error("Noise must be a finite number >= 0.", "Try 0.1.");
  if (!std::isfinite(spec.test_fraction) || spec.test_fraction < 0.0f || spec.test_fraction > 0.9f)
    return make_error("Test fraction must be between 0 and 0.9.", "Try 0.25.");
  const int n_test = static_cast<int>(std::lround(spec.size * static_cast<double>(spec.test_fraction)));
  if (spec.size - n_test < 2) return make_error("The training set needs at least 2 points.");
  return Ok{};
}

// Shuffles the columns of (x, y) with rng and splits off the last n_test as test points.
void split(const Matrix& x, const std::vector<int>& y, double test_fraction, Rng& rng, Dataset& out) {
  const Index n = x.cols();
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  rng.shuffle(order);
  const Index n_test = static_cast<Index>(std::lround(static_cast<double>(n) * test_fraction));
  const Index n_train = n - n_test;
  out.x_train.resize(x.rows(), n_train);
  out.x_test.resize(x.rows(), n_test);
  out.y_train.resize(static_cast<std::size_t>(n_train));
  out.y_test.resize(static_cast<std::size_t>(n_test));
  for (Index i = 0; i < n; ++i) {
    const Index src = order[static_cast<std::size_t>(i)];
    if (i < n_train) {
      out.x_train.col(i) = x.col(src);
      out.y_train[static_cast<std::size_t>(i)] = y[static_cast<std::size_t>(src)];
    } else {
      out.x_test.col(i - n_train) = x.col(src);
      out.y_test[static_cast<std::size_t>(i - n_train)] = y[static_cast<std::size_t>(src)];
    }
  }
}

}  // namespace

Result<Dataset> make_dataset(const DatasetSpec& spec) {
  if (Status st = validate(spec); !st.ok()) return st.error();
  Rng rng(spec.seed);
  const int n = spec.size;
  Matrix x(2, n);
  std::vector<int> y(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int label = i % 2;  // balanced classes
    double px = 0.0, py = 0.0;
    int lab = label;
    switch (spec.kind) {
      case DatasetKind::kTwoMoons: {
        // sklearn's make_moons, shifted by (-0.5, -0.25) so it is centred on the origin.
        const double t = kPi * rng.uniform_double();
        if (label == 0) { px = std::cos(t); py = std::sin(t); }
        else { px = 1.0 - std::cos(t); py = 0.5 - std::sin(t); }
        px -= 0.5;
        py -= 0.25;
        break;
      }
      case DatasetKind::kCircles: {
        const double t = 2.0 * kPi * rng.uniform_double();
        const double r = label == 0 ? 1.0 : 0.5;
        px = r * std::cos(t);
        py = r * std::sin(t);
        break;
      }
      case DatasetKind::kXor: {
        px = 3.0 * rng.uniform_double() - 1.5;
        py = 3.0 * rng.uniform_double() - 1.5;
        lab = (px * py < 0.0) ? 1 : 0;  // quadrants; label from the clean point
        break;
      }
      case DatasetKind::kBlobs: {
        const double cx = label == 0 ? -0.7 : 0.7, cy = label == 0 ? -0.5 : 0.5;
        px = cx + 0.35 * rng.normal_double();
        py = cy + 0.35 * rng.normal_double();
        break;
      }
      case DatasetKind::kSpiral: {
        const double t = rng.uniform_double();                  // position along the arm
        const double r = 0.1 + 1.3 * t;                         // radius 0.1 .. 1.4
        const double a = 3.0 * kPi * t + (label == 0 ? 0.0 : kPi);  // 1.5 turns, arms opposite
        px = r * std::cos(a);
        py = r * std::sin(a);
        break;
      }
      case DatasetKind::kCheckerboard: {
        px = 3.0 * rng.uniform_double() - 1.5;
        py = 3.0 * rng.uniform_double() - 1.5;
        const int cx = static_cast<int>(std::floor((px + 1.5) / 0.75));
        const int cy = static_cast<int>(std::floor((py + 1.5) / 0.75));
        lab = (cx + cy) % 2;
        break;
      }
    }
    px += static_cast<double>(spec.noise) * rng.normal_double();
    py += static_cast<double>(spec.noise) * rng.normal_double();
    x(0, i) = static_cast<float>(px);
    x(1, i) = static_cast<float>(py);
    y[static_cast<std::size_t>(i)] = lab;
  }
  Dataset out;
  out.num_classes = 2;
  split(x, y, spec.test_fraction, rng, out);
  return out;
}

Result<RegressionDataset> make_regression_dataset(const DatasetSpec& spec) {
  if (Status st = validate(spec); !st.ok()) return st.error();
  Rng rng(spec.seed);
  const int n = spec.size;
  Matrix x(1, n), t(1, n);
  for (int i = 0; i < n; ++i) {
    const double px = 3.0 * rng.uniform_double() - 1.5;
    const double py = std::sin(2.0 * px) + 0.3 * px + static_cast<double>(spec.noise) * rng.normal_double();
    x(0, i) = static_cast<float>(px);
    t(0, i) = static_cast<float>(py);
  }
  // Split with the classification helper: the targets travel as column indices.
  std::vector<int> idx(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
  Dataset tmp;
  split(x, idx, spec.test_fraction, rng, tmp);
  RegressionDataset out;
  out.x_train = tmp.x_train;
  out.x_test = tmp.x_test;
  out.y_train.resize(1, tmp.x_train.cols());
  out.y_test.resize(1, tmp.x_test.cols());
  for (std::size_t i = 0; i < tmp.y_train.size(); ++i) out.y_train(0, static_cast<Index>(i)) = t(0, tmp.y_train[i]);
  for (std::size_t i = 0; i < tmp.y_test.size(); ++i) out.y_test(0, static_cast<Index>(i)) = t(0, tmp.y_test[i]);
  return out;
}

Result<Dataset> make_image_dataset(const DatasetSpec& spec) {
  if (Status st = validate(spec); !st.ok()) return st.error();
  Rng rng(spec.seed);
  const int n = spec.size, side = kImageSide;
  Matrix x = Matrix::Zero(side * side, n);
  std::vector<int> y(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int label = i % kImageClasses;
    auto px = [&](int r, int c) -> float& { return x(r * side + c, i); };
    const int a = 1 + static_cast<int>(rng.below(side - 2));  // position 1..side-2
    const int b = static_cast<int>(rng.below(side - 4));      // start 0..side-5
    switch (label) {
      case 0:  // horizontal bar of length 4
        for (int k = 0; k < 4; ++k) px(a, b + k) = 1.0f;
        break;
      case 1:  // vertical bar of length 4
        for (int k = 0; k < 4; ++k) px(b + k, a) = 1.0f;
        break;
      case 2: {  // diagonal of length 4
        const int r0 = static_cast<int>(rng.below(side - 3));
        for (int k = 0; k < 4; ++k) px(r0 + k, b + k) = 1.0f;
        break;
      }
      default: {  // 3x3 square outline
        const int r0 = static_cast<int>(rng.below(side - 2)), c0 = static_cast<int>(rng.below(side - 2));
        for (int k = 0; k < 3; ++k) {
          px(r0, c0 + k) = 1.0f;
          px(r0 + 2, c0 + k) = 1.0f;
          px(r0 + k, c0) = 1.0f;
          px(r0 + k, c0 + 2) = 1.0f;
        }
        break;
      }
    }
    for (int k = 0; k < side * side; ++k)
      x(k, i) += static_cast<float>(static_cast<double>(spec.noise) * rng.normal_double());
    y[static_cast<std::size_t>(i)] = label;
  }
  Dataset out;
  out.num_classes = kImageClasses;
  split(x, y, spec.test_fraction, rng, out);
  return out;
}

Status add_point(Dataset& data, float x, float y, int label) {
  if (data.x_train.rows() != 2 && data.x_train.size() != 0)
    return make_error("Points can only be added to a 2-D dataset.");
  if (!std::isfinite(x) || !std::isfinite(y)) return make_error("Point coordinates must be finite numbers.");
  if (label < 0 || label >= data.num_classes)
    return make_error("Label " + std::to_string(label) + " is out of range.",
                      "Use a label between 0 and " + std::to_string(data.num_classes - 1) + ".");
  const Index n = data.x_train.cols();
  data.x_train.conservativeResize(2, n + 1);
  data.x_train(0, n) = x;
  data.x_train(1, n) = y;
  data.y_train.push_back(label);
  return Ok{};
}

Status remove_point_near(Dataset& data, float x, float y, float radius) {
  Index best = -1;
  float best_d2 = radius * radius;
  for (Index i = 0; i < data.x_train.cols(); ++i) {
    const float dx = data.x_train(0, i) - x, dy = data.x_train(1, i) - y;
    const float d2 = dx * dx + dy * dy;
    if (d2 <= best_d2) { best_d2 = d2; best = i; }
  }
  if (best < 0) return make_error("No training point near the cursor.", "Click closer to a point.");
  if (data.x_train.cols() <= 2) return make_error("The training set needs at least 2 points.");
  const Index n = data.x_train.cols();
  for (Index i = best; i + 1 < n; ++i) data.x_train.col(i) = data.x_train.col(i + 1);
  data.x_train.conservativeResize(2, n - 1);
  data.y_train.erase(data.y_train.begin() + best);
  return Ok{};
}

namespace {

// Parses a full field as a finite float; false if anything is left over.
bool parse_float(const std::string& field, float& out) {
  if (field.empty()) return false;
  const char* begin = field.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin || *end != '\0' || !std::isfinite(v)) return false;
  out = static_cast<float>(v);
  return std::isfinite(out);
}

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
  return std::string(s.substr(a, b - a));
}

}  // namespace

Result<Dataset> parse_csv_dataset(std::string_view text, float test_fraction, std::uint64_t seed) {
  if (!std::isfinite(test_fraction) || test_fraction < 0.0f || test_fraction > 0.9f)
    return make_error("Test fraction must be between 0 and 0.9.");
  std::vector<float> xs, ys;
  std::vector<int> labels;
  int line_no = 0;
  bool seen_data = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string line = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') {
      if (nl == text.size()) break;
      continue;
    }
    std::vector<std::string> fields;
    std::size_t a = 0;
    for (;;) {
      const std::size_t comma = line.find(',', a);
      fields.push_back(trim(std::string_view(line).substr(a, comma == std::string::npos ? std::string::npos : comma - a)));
      if (comma == std::string::npos) break;
      a = comma + 1;
    }
    const std::string where = "line " + std::to_string(line_no);
    float vx = 0, vy = 0, vl = 0;
    if (!seen_data && fields.size() == 3 && !parse_float(fields[0], vx)) {
      seen_data = true;  // header line
      if (nl == text.size()) break;
      continue;
    }
    seen_data = true;
    if (fields.size() != 3)
      return make_error(where + ": expected 3 fields (x,y,label), found " + std::to_string(fields.size()) + ".",
                        "Each line must look like 0.5,-1.2,1");
    float* outs[3] = {&vx, &vy, &vl};
    for (int k = 0; k < 3; ++k) {
      if (!parse_float(fields[static_cast<std::size_t>(k)], *outs[k]))
        return make_error(where + ", column " + std::to_string(k + 1) + ": '" + fields[static_cast<std::size_t>(k)] +
                              "' is not a finite number.",
                          "Use plain decimal numbers such as -0.75.");
    }
    if (vl != std::floor(vl) || vl < 0.0f || vl > 9.0f)
      return make_error(where + ", column 3: label '" + fields[2] + "' must be an integer from 0 to 9.");
    xs.push_back(vx);
    ys.push_back(vy);
    labels.push_back(static_cast<int>(vl));
    if (nl == text.size()) break;
  }
  if (xs.size() < 4) return make_error("The CSV has " + std::to_string(xs.size()) + " points; at least 4 are needed.");
  int max_label = 0;
  for (int l : labels) max_label = std::max(max_label, l);
  if (max_label < 1) return make_error("The CSV has only one class.", "Labels must include 0 and 1.");
  Matrix x(2, static_cast<Index>(xs.size()));
  for (std::size_t i = 0; i < xs.size(); ++i) {
    x(0, static_cast<Index>(i)) = xs[i];
    x(1, static_cast<Index>(i)) = ys[i];
  }
  Rng rng(seed);
  Dataset out;
  out.num_classes = max_label + 1;
  split(x, labels, test_fraction, rng, out);
  if (out.x_train.cols() < 2) return make_error("The training set needs at least 2 points.");
  return out;
}

}  // namespace nl
