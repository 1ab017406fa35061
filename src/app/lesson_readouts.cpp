// Lesson readouts: folding BatchNorm (lesson 13) and train- vs eval-mode accuracy (lesson 3).
// Not here: the numbers lesson 8 shows (act::ScaleLayerWeights records them).
#include "app/lesson_readouts.h"
#include "app/overloaded.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <variant>

namespace nl::app {

namespace {

struct Cost {
  std::int64_t ops = 0, numbers = 0;
};

Cost inference_cost(const Network& net) {
  Cost c;
  for (const Layer& layer : net.layers()) {
    std::visit(Overloaded{
                   [&](const Linear& l) {
                     c.ops += 2 * l.in_features() * l.out_features();
                     c.numbers += l.weight.size() + l.bias.size();
                   },
                   [&](const BatchNorm& b) {
                     c.ops += 2 * b.channels * b.spatial;
                     c.numbers += 4 * b.channels;
                   },
                   [&](const BatchRenorm& b) {
                     c.ops += 2 * b.bn.channels * b.bn.spatial;
                     c.numbers += 4 * b.bn.channels;
                   },
                   [&](const GroupNorm& g) {
                     c.ops += 7 * g.channels * g.spatial;
                     c.numbers += 2 * g.channels;
                   },
                   [&](const ActivationLayer&) {},
                   [&](const auto&) {},
               },
               layer);
  }
  // Activations: one operation per feature they see (the Linear outputs before them).
  for (std::size_t i = 0; i < net.layers().size(); ++i) {
    if (!std::holds_alternative<ActivationLayer>(net.layers()[i])) continue;
    for (std::size_t j = i; j-- > 0;) {
      if (const auto* l = std::get_if<Linear>(&net.layers()[j])) {
        c.ops += l->out_features();
        break;
      }
    }
  }
  return c;
}

int argmax_col(const Matrix& m, Index col) {
  Index best = 0;
  m.col(col).maxCoeff(&best);
  return static_cast<int>(best);
}

Matrix all_points(const Dataset& d) {
  Matrix x(d.x_train.rows(), d.x_train.cols() + d.x_test.cols());
  x << d.x_train, d.x_test;
  return x;
}

float accuracy(const Matrix& logits, const std::vector<int>& labels) {
  if (labels.empty()) return 0.0f;
  int right = 0;
  for (Index i = 0; i < logits.cols(); ++i) right += argmax_col(logits, i) == labels[static_cast<std::size_t>(i)];
  return static_cast<float>(right) / static_cast<float>(labels.size());
}

}  // namespace

FoldReport fold_report(const Session& s) {
  FoldReport r;
  const Network& net = s.exp().network();
  const Network folded = fold_batchnorm(net);
  r.layers_before = static_cast<int>(net.layers().size());
  r.layers_after = static_cast<int>(folded.layers().size());
  r.batchnorms_folded = r.layers_before - r.layers_after;
  if (r.batchnorms_folded == 0) {
    r.why = s.spec.net.norm.track_running_stats
                ? "No BatchNorm directly follows a Linear layer: nothing to fold."
                : "Without running statistics BatchNorm normalizes every batch by itself: it cannot be folded.";
    return r;
  }
  const Cost before = inference_cost(net), after = inference_cost(folded);
  r.ops_before = before.ops;
  r.ops_after = after.ops;
  r.numbers_before = before.numbers;
  r.numbers_after = after.numbers;
  const Matrix x = all_points(s.exp().dataset());
  const Matrix a = net.infer(x), b = folded.infer(x);
  r.points = static_cast<int>(x.cols());
  if (r.points > 0) {
    r.max_abs_diff = (a - b).cwiseAbs().maxCoeff();
    r.max_abs_logit = a.cwiseAbs().maxCoeff();
    for (Index i = 0; i < x.cols(); ++i) r.predictions_changed += argmax_col(a, i) != argmax_col(b, i);
  }
  r.ok = std::isfinite(r.max_abs_diff);
  if (!r.ok) r.why = "The network's outputs are not finite.";
  return r;
}

TrainVsEvalReport train_vs_eval_report(const Session& s) {
  TrainVsEvalReport r;
  const Dataset& d = s.exp().dataset();
  const Index n = d.x_test.cols();
  r.test_points = static_cast<int>(n);
  if (n < 2) {
    r.why = "The test set needs at least two points.";
    return r;
  }
  const Network& net = s.exp().network();
  r.eval_accuracy = accuracy(net.infer(d.x_test), d.y_test);

  Network copy = net;  // training-mode forwards update running statistics: not the session's
  copy.set_training(true);
  Result<Matrix> whole = copy.forward(d.x_test);
  if (!whole.ok()) {
    r.why = whole.error().message;
    return r;
  }
  r.train_mode_accuracy = accuracy(*whole, d.y_test);

  // Batches of 8 points of one class (a class's last batch may be smaller; a lone point is
  // added to the previous batch, since a batch of one has no batch variance).
  int right = 0, counted = 0;
  for (int label = 0; label < d.num_classes; ++label) {
    std::vector<Index> cols;
    for (Index i = 0; i < n; ++i)
      if (d.y_test[static_cast<std::size_t>(i)] == label) cols.push_back(i);
    std::size_t start = 0;
    while (start < cols.size()) {
      std::size_t end = std::min(cols.size(), start + 8);
      if (cols.size() - end == 1) ++end;
      if (end - start < 2) break;
      Matrix xb(d.x_test.rows(), static_cast<Index>(end - start));
      for (std::size_t k = start; k < end; ++k) xb.col(static_cast<Index>(k - start)) = d.x_test.col(cols[k]);
      Result<Matrix> out = copy.forward(xb);
      if (out.ok())
        for (Index k = 0; k < out->cols(); ++k) {
          right += argmax_col(*out, k) == label;
          ++counted;
        }
      start = end;
    }
  }
  r.one_class_batches_accuracy = counted > 0 ? static_cast<float>(right) / static_cast<float>(counted) : 0.0f;
  r.ok = true;
  return r;
}

}  // namespace nl::app
