// Experiment: validates a spec, owns dataset + network + optimizer, and trains one
// mini-batch per step() with epoch shuffling, metrics and divergence restore.
// Batching: each epoch is a fresh shuffle (Rng{shuffle_seed}); a step takes the next
// batch_size indices; a remainder smaller than batch_size is dropped (drop_last), so a
// step never sees a partial batch. Not here: any UI, timing or I/O.
#include "core/experiment.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/metrics.h"
#include "core/rng.h"

namespace nl {

struct Experiment::State {
  ExperimentSpec spec;
  Dataset data;
  Network net;
  Optimizer opt{OptimizerSpec{}};
  Rng shuffle_rng{1};
  std::vector<int> order;     // permutation of the training set for this epoch
  std::size_t cursor = 0;     // next index into order
  int batch_size = 1;
  StepMetrics metrics;
  std::vector<StepMetrics> history;
  std::int64_t history_stride = 1;  // record steps that are multiples of this (see history())
  bool diverged = false;
  Matrix probe;               // (2, P) fixed probe batch
  std::vector<int> last_batch;  // training indices of the last step's batch
  int metrics_interval = 1;     // measure eval metrics every n-th step
  // The model before the current step, for the divergence restore. Kept between steps so
  // that saving it is a copy into buffers of the same shapes, not a fresh allocation of
  // every matrix each step (a copy-constructed Network cost more than the step itself at
  // 2-64-64-64-2).
  Network backup_net;
  Optimizer backup_opt{OptimizerSpec{}};
};

namespace {

Status validate_optimizer(const OptimizerSpec& o) {
  if (!std::isfinite(o.learning_rate) || o.learning_rate <= 0.0f || o.learning_rate > 100.0f)
    return make_error("Learning rate must be a number in (0, 100].", "Try 0.1 for SGD or 0.01 for Adam.");
  if (!std::isfinite(o.momentum) || o.momentum < 0.0f || o.momentum >= 1.0f)
    return make_error("SGD momentum must be in [0, 1).", "0.9 is the usual choice.");
  if (!std::isfinite(o.weight_decay) || o.weight_decay < 0.0f)
    return make_error("Weight decay must be a number >= 0.");
  if (!(o.beta1 >= 0.0f && o.beta1 < 1.0f) || !(o.beta2 >= 0.0f && o.beta2 < 1.0f))
    return make_error("Adam betas must be in [0, 1).", "PyTorch's defaults are 0.9 and 0.999.");
  if (!std::isfinite(o.adam_eps) || o.adam_eps <= 0.0f) return make_error("Adam eps must be > 0.");
  return Ok{};
}

Matrix gather(const Matrix& x, const std::vector<int>& idx, std::size_t begin, std::size_t count) {
  Matrix out(x.rows(), static_cast<Index>(count));
  for (std::size_t k = 0; k < count; ++k) out.col(static_cast<Index>(k)) = x.col(idx[begin + k]);
  return out;
}

bool all_finite(Network& net) {
  // Whole arrays at once: sum(x − x) is 0 when every x is finite and NaN as soon as one is
  // Inf or NaN (Inf − Inf is NaN), one vectorized reduction with no branch per element (an
  // element loop with early exits, and Eigen's allFinite, were 5-7% of a playing frame).
  const auto finite = [](const float* v, Index n) {
    const auto a = Eigen::Map<const Eigen::ArrayXf>(v, n);
    return (a - a).sum() == 0.0f;
  };
  for (const auto& p : net.params()) {
    if (!finite(p.value, p.size) || !finite(p.grad, p.size)) return false;
  }
  for (const auto& layer : net.layers()) {
    if (const auto* bn = std::get_if<BatchNorm>(&layer)) {
      if (!bn->running_mean.allFinite() || !bn->running_var.allFinite()) return false;
    }
    if (const auto* brn = std::get_if<BatchRenorm>(&layer)) {
      if (!brn->bn.running_mean.allFinite() || !brn->bn.running_var.allFinite()) return false;
    }
  }
  return true;
}

}  // namespace

Experiment::Experiment() : state_(std::make_unique<State>()) {}
Experiment::Experiment(Experiment&&) noexcept = default;
Experiment& Experiment::operator=(Experiment&&) noexcept = default;
Experiment::Experiment(const Experiment& other) : state_(std::make_unique<State>(*other.state_)) {}
Experiment& Experiment::operator=(const Experiment& other) {
  if (this != &other) state_ = std::make_unique<State>(*other.state_);
  return *this;
}
Experiment::~Experiment() = default;

Result<Experiment> Experiment::create(const ExperimentSpec& spec) {
  auto data = make_dataset(spec.data);
  if (!data.ok()) return data.error();
  return create(spec, std::move(*data));
}

Result<Experiment> Experiment::create(const ExperimentSpec& spec, Dataset dataset) {
  if (dataset.x_train.cols() < 1 || static_cast<Index>(dataset.y_train.size()) != dataset.x_train.cols() ||
      static_cast<Index>(dataset.y_test.size()) != dataset.x_test.cols())
    return make_error("The dataset is empty or its labels do not match its points.");
  for (int y : dataset.y_train)
    if (y < 0 || y >= dataset.num_classes) return make_error("A training label is outside [0, num_classes).");
  for (int y : dataset.y_test)
    if (y < 0 || y >= dataset.num_classes) return make_error("A test label is outside [0, num_classes).");
  Dataset* data = &dataset;
  if (spec.net.input_width != data->x_train.rows())
    return make_error("Input width " + std::to_string(spec.net.input_width) + " does not match the dataset's " +
                          std::to_string(data->x_train.rows()) + " coordinates.",
                      "Set the input width to " + std::to_string(data->x_train.rows()) + ".");
  if (spec.net.output_width != data->num_classes)
    return make_error("Output width " + std::to_string(spec.net.output_width) + " does not match the dataset's " +
                          std::to_string(data->num_classes) + " classes.",
                      "Set the output width to " + std::to_string(data->num_classes) + ".");
  if (spec.batch_size < 1) return make_error("Batch size must be at least 1.", "Try 32.");
  if (Status st = validate_optimizer(spec.optimizer); !st.ok()) return st.error();
  auto net = Network::from_spec(spec.net);
  if (!net.ok()) return net.error();

  Experiment e;
  State& s = *e.state_;
  s.spec = spec;
  s.data = std::move(*data);
  s.net = std::move(*net);
  s.opt = Optimizer(spec.optimizer);
  s.shuffle_rng = Rng(spec.shuffle_seed);
  const Index n_train = s.data.x_train.cols();
  s.batch_size = static_cast<int>(std::min<Index>(spec.batch_size, n_train));
  s.order.resize(static_cast<std::size_t>(n_train));
  for (Index i = 0; i < n_train; ++i) s.order[static_cast<std::size_t>(i)] = static_cast<int>(i);
  s.shuffle_rng.shuffle(s.order);
  s.probe = s.data.x_train.leftCols(std::min<Index>(256, n_train));
  return e;
}

Result<StepMetrics> Experiment::step() {
  State& s = *state_;
  if (s.diverged)
    return make_error("Training diverged (NaN or Inf); the model was kept as it was before that step.",
                      "Reset the experiment, e.g. with a smaller learning rate.");
  // Next batch, on copies: nothing changes if the step fails.
  std::vector<int> order = s.order;
  std::size_t cursor = s.cursor;
  Rng rng = s.shuffle_rng;
  std::int64_t epoch = s.metrics.epoch;
  const std::size_t B = static_cast<std::size_t>(s.batch_size);
  if (cursor + B > order.size()) {
    rng.shuffle(order);  // new epoch
    cursor = 0;
  }
  // This step completes a pass if no further full batch fits (the remainder is dropped).
  if (cursor + 2 * B > order.size()) ++epoch;
  const Matrix xb = gather(s.data.x_train, order, cursor, B);
  std::vector<int> yb(B);
  for (std::size_t k = 0; k < B; ++k) yb[k] = s.data.y_train[static_cast<std::size_t>(order[cursor + k])];

  s.backup_net = s.net;
  s.backup_opt = s.opt;
  s.net.set_training(true);
  auto loss = s.net.train_batch(xb, yb);
  if (!loss.ok()) return loss.error();  // validated before any state changed
  bool finite = std::isfinite(*loss) && all_finite(s.net);
  if (finite) {
    s.opt.step(s.net);
    finite = all_finite(s.net);
  }
  if (!finite) {
    std::swap(s.net, s.backup_net);
    std::swap(s.opt, s.backup_opt);
    s.diverged = true;
    return make_error("Training diverged: the step produced NaN or Inf; the model was restored to before that step.",
                      "Reset the experiment, e.g. with a smaller learning rate.");
  }
  StepMetrics m = s.metrics;  // carried over unless measured below
  m.step = s.metrics.step + 1;
  m.epoch = epoch;
  m.batch_loss = *loss;
  if (m.step % s.metrics_interval == 0 || s.history.empty()) {
    m.metrics_step = m.step;
    // Gradient norms of this step (only when measured: Optimizer::step reads the gradients and
    // never changes them, so after it they are still this step's).
    std::vector<LayerMetrics> layer_metrics = hidden_layer_grad_norms(s.net);
    // When the probe is the whole training set (N_train <= 256), one eval pass serves both.
    const bool probe_is_train = s.probe.cols() == s.data.x_train.cols();
    std::vector<Matrix> train_outputs;
    const EvalResult tr = probe_is_train
                              ? evaluate_logits(s.net.infer(s.data.x_train, &train_outputs), s.data.y_train)
                              : evaluate(s.net, s.data.x_train, s.data.y_train);
    m.train_loss = tr.loss;
    m.train_accuracy = tr.accuracy;
    if (s.data.x_test.cols() > 0) {
      const EvalResult te = evaluate(s.net, s.data.x_test, s.data.y_test);
      m.test_loss = te.loss;
      m.test_accuracy = te.accuracy;
    }
    if (probe_is_train) fill_layer_metrics(s.net, s.probe, train_outputs, layer_metrics);
    else fill_layer_metrics(s.net, s.probe, layer_metrics);
    m.layers = std::move(layer_metrics);
    // Finite weights can still overflow the logits (e.g. 1e27-sized weights at a huge
    // learning rate): an eval loss that is not a number is divergence too, caught here,
    // at the step that caused it, before anything is committed.
    if (!std::isfinite(m.train_loss) || !std::isfinite(m.test_loss)) {
      std::swap(s.net, s.backup_net);
      std::swap(s.opt, s.backup_opt);
      s.diverged = true;
      return make_error("Training diverged: the network's outputs overflowed (loss is not a number); "
                        "the model was restored to before that step.",
                        "Reset the experiment, e.g. with a smaller learning rate.");
    }
  }
  s.last_batch.assign(order.begin() + static_cast<std::ptrdiff_t>(cursor),
                      order.begin() + static_cast<std::ptrdiff_t>(cursor + B));
  s.order = std::move(order);
  s.cursor = cursor + B;
  s.shuffle_rng = rng;

  s.metrics = m;
  if (s.history.size() >= kHistoryCapacity) {
    // Long runs: thin the history to every other recorded step (memory stays bounded).
    s.history_stride *= 2;
    std::erase_if(s.history, [&](const StepMetrics& h) { return h.step % s.history_stride != 0; });
  }
  if (m.step % s.history_stride == 0) s.history.push_back(m);
  return m;
}

const ExperimentSpec& Experiment::spec() const { return state_->spec; }
const Dataset& Experiment::dataset() const { return state_->data; }
const Network& Experiment::network() const { return state_->net; }
Network& Experiment::network() { return state_->net; }
const StepMetrics& Experiment::metrics() const { return state_->metrics; }
const std::vector<StepMetrics>& Experiment::history() const { return state_->history; }
std::int64_t Experiment::history_stride() const { return state_->history_stride; }
bool Experiment::diverged() const { return state_->diverged; }

Status Experiment::set_optimizer(const OptimizerSpec& optimizer) {
  if (Status st = validate_optimizer(optimizer); !st.ok()) return st;
  state_->spec.optimizer = optimizer;
  state_->opt.set_spec(optimizer);
  return Ok{};
}
const std::vector<int>& Experiment::last_batch() const { return state_->last_batch; }
void Experiment::set_metrics_interval(int n) { state_->metrics_interval = n < 1 ? 1 : n; }

const Optimizer& Experiment::optimizer() const { return state_->opt; }

Status Experiment::restore_progress(const StepMetrics& latest, std::int64_t optimizer_steps,
                                    std::vector<Vector> first_moments, std::vector<Vector> second_moments) {
  State& s = *state_;
  if (!s.history.empty() || s.cursor != 0) return make_error("Progress can only be restored before the first step.");
  if (latest.step < 0 || optimizer_steps < 0) return make_error("Step counts must not be negative.");
  auto params = s.net.params();
  const auto sizes_match = [&](const std::vector<Vector>& buffers) {
    if (buffers.empty()) return true;
    if (buffers.size() != params.size()) return false;
    for (std::size_t i = 0; i < params.size(); ++i)
      if (buffers[i].size() != params[i].size) return false;
    return true;
  };
  if (!sizes_match(first_moments) || !sizes_match(second_moments) ||
      first_moments.empty() != second_moments.empty())
    return make_error("The optimizer's buffers do not match the network's parameters.");
  // Replay the batching of step(): a new shuffle whenever the next batch does not fit.
  const std::size_t B = static_cast<std::size_t>(s.batch_size);
  std::size_t cursor = 0;
  for (std::int64_t i = 0; i < latest.step; ++i) {
    if (cursor + B > s.order.size()) {
      s.shuffle_rng.shuffle(s.order);
      cursor = 0;
    }
    cursor += B;
  }
  s.cursor = cursor;
  if (latest.step > 0) {
    s.last_batch.assign(s.order.begin() + static_cast<std::ptrdiff_t>(cursor - B),
                        s.order.begin() + static_cast<std::ptrdiff_t>(cursor));
  }
  s.opt.restore(optimizer_steps, std::move(first_moments), std::move(second_moments));
  s.metrics = latest;
  if (latest.step > 0) s.history.push_back(latest);
  return Ok{};
}

Matrix Experiment::predict_proba(const Matrix& points) const {
  return softmax(state_->net.infer(points));
}

}  // namespace nl
