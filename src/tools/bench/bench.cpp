// Benchmark bodies: each item times the core exactly as the app runs it (BatchNorm layer
// forward+backward in training mode, Network::train_batch + Optimizer::step, eval-mode
// Network::infer + softmax over a grid). Medians of samples; each sample averages enough
// repetitions to last about a millisecond.
// Not here: PyTorch's side (bench_torch.py), other variants or the table (normlab-cli bench).
#include "tools/bench/bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/actions.h"
#include "app/builder.h"
#include "app/schedule.h"
#include "app/session.h"
#include "app/twin_run.h"
#include "core/kernels/kernels.h"
#include "core/layers.h"
#include "core/network.h"
#include "core/rng.h"
#include "core/spec.h"
#include "core/types.h"

namespace nl::bench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Median seconds per call of f. One warm-up call, then samples of `reps` calls each.
double median_seconds(const std::function<void()>& f, const Options& opt, int& samples_out) {
  auto t0 = Clock::now();
  f();  // warm-up: caches, allocations, lazy buffers
  const double once = std::max(seconds_since(t0), 1e-7);
  const int reps = std::clamp(static_cast<int>(1e-3 / once), 1, 100000);
  std::vector<double> samples;
  const auto start = Clock::now();
  while ((seconds_since(start) < opt.seconds_per_item ||
          static_cast<int>(samples.size()) < opt.min_samples) &&
         samples.size() < 2000) {
    t0 = Clock::now();
    for (int r = 0; r < reps; ++r) f();
    samples.push_back(seconds_since(t0) / reps);
  }
  samples_out = static_cast<int>(samples.size());
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

Matrix random_matrix(Index rows, Index cols, Rng& rng, float sd = 1.0f) {
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = rng.normal(0.0f, sd);
  return m;
}

// Keeps results alive so the optimizer cannot drop the work.
volatile float g_sink = 0.0f;

double bench_batchnorm(Index N, Index C, Index S, const Options& opt, int& samples) {
  Rng rng{7};
  BatchNorm bn = BatchNorm::make(C, S, NormOptions{});
  const Matrix x = random_matrix(C * S, N, rng, 2.0f);
  const Matrix dy = random_matrix(C * S, N, rng);
  Matrix y, dx;
  const double s = median_seconds(
      [&] {
        bn.forward(x, /*training=*/true, y);
        bn.backward(dy, dx);
      },
      opt, samples);
  g_sink = g_sink + dx(0, 0);
  return s;
}

NetworkSpec mlp_spec(const std::vector<int>& widths) {
  NetworkSpec spec;
  spec.input_width = 2;
  spec.output_width = 2;
  spec.hidden.clear();
  for (int w : widths) {
    HiddenLayerSpec h;
    h.width = w;
    h.activation = Activation::kReLU;
    h.norm = NormKind::kBatchNorm;
    h.placement = NormPlacement::kBeforeActivation;
    spec.hidden.push_back(h);
  }
  spec.init = InitScheme::kHe;
  spec.seed = 1;
  return spec;
}

// Points in [-1.5, 1.5]^2 with labels from the XOR rule.
void make_batch(Index n, Rng& rng, Matrix& x, std::vector<int>& labels) {
  x.resize(2, n);
  labels.resize(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    x(0, i) = rng.uniform(-1.5f, 1.5f);
    x(1, i) = rng.uniform(-1.5f, 1.5f);
    labels[static_cast<std::size_t>(i)] = (x(0, i) * x(1, i) < 0.0f) ? 1 : 0;
  }
}

// Training steps per second: forward + loss + backward + SGD (momentum) update.
double bench_mlp(const std::vector<int>& widths, Index batch, const Options& opt, int& samples) {
  auto net = Network::from_spec(mlp_spec(widths));
  if (!net.ok()) {
    std::fprintf(stderr, "bench: %s\n", net.error().message.c_str());
    return 0.0;
  }
  Network& network = *net;
  network.set_training(true);
  OptimizerSpec os;
  os.kind = OptimizerKind::kSgd;
  os.learning_rate = 0.05f;
  os.momentum = 0.9f;
  Optimizer optimizer{os};
  Rng rng{3};
  Matrix x;
  std::vector<int> labels;
  make_batch(batch, rng, x, labels);
  const double s = median_seconds(
      [&] {
        auto loss = network.train_batch(x, labels);
        if (loss.ok()) g_sink = g_sink + *loss;
        optimizer.step(network);
      },
      opt, samples);
  return 1.0 / s;
}

constexpr Index kGridTile = 256;

// Eval-mode class probabilities for a side x side grid over [-1.5, 1.5]^2, in ms.
double bench_grid(const std::vector<int>& widths, Index side, const Options& opt, int& samples) {
  auto net = Network::from_spec(mlp_spec(widths));
  if (!net.ok()) return 0.0;
  Network& network = *net;
  // A few training steps so the running statistics are not the initial ones.
  Optimizer optimizer{OptimizerSpec{}};
  Rng rng{5};
  Matrix x;
  std::vector<int> labels;
  make_batch(64, rng, x, labels);
  network.set_training(true);
  for (int i = 0; i < 5; ++i) {
    if (network.train_batch(x, labels).ok()) optimizer.step(network);
  }
  Matrix points(2, side * side);
  for (Index r = 0; r < side; ++r)
    for (Index c = 0; c < side; ++c) {
      points(0, r * side + c) = -1.5f + 3.0f * (static_cast<float>(c) + 0.5f) / static_cast<float>(side);
      points(1, r * side + c) = -1.5f + 3.0f * (static_cast<float>(r) + 0.5f) / static_cast<float>(side);
    }
  // One grid is one ~25-50 ms sample: take twice as many so the median survives a busy machine.
  Options o = opt;
  o.min_samples = 2 * opt.min_samples + 1;
  // In tiles of kGridTile points: every intermediate (64 x 256 floats) stays in L2; a
  // whole-grid pass would stream 16 MB per layer through memory (and page faults natively).
  Matrix probs(2, side * side);
  const double s = median_seconds(
      [&] {
        for (Index k = 0; k < points.cols(); k += kGridTile) {
          const Index n = std::min(kGridTile, points.cols() - k);
          probs.middleCols(k, n) = softmax(network.infer(points.middleCols(k, n)));
        }
        g_sink = g_sink + probs(0, 0);
      },
      o, samples);
  return s * 1e3;
}

app::Session* playing_session(const std::vector<int>& widths, std::optional<app::Session>& holder);

// The app's own CPU cost of one frame while training, in ms, as the platform's frame loop
// pays it minus drawing: app::tick() (the training slice within its default time budget,
// paced eval metrics, the progressive decision grid and, on the Why panel, the twin network
// in lockstep) plus the network diagram's neuron maps (throttled as in the app). Only one of
// the two panels shows at a time, so this is an upper bound. widths empty: default settings.
double bench_app_frame(const std::vector<int>& widths, const Options& opt, int& samples) {
  std::optional<app::Session> holder;
  app::Session* session = playing_session(widths, holder);
  if (session == nullptr) return 0.0;
  app::Session& s = *session;
  s.view.panel = app::Panel::kWhyBnHelps;
  s.playing = true;
  // Frames of several ms: enough of them that the throttled refreshes average in.
  Options o = opt;
  o.min_samples = std::max(opt.min_samples, 30);
  const double sec = median_seconds(
      [&] {
        app::tick(s);
        app::refresh_neuron_maps(s);
        g_sink = g_sink + static_cast<float>(s.exp().metrics().step);
      },
      o, samples);
  return sec * 1e3;
}

app::Session* playing_session(const std::vector<int>& widths, std::optional<app::Session>& holder) {
  ExperimentSpec spec = app::default_spec();
  if (!widths.empty()) {
    const HiddenLayerSpec like = spec.net.hidden.front();
    spec.net.hidden.assign(widths.size(), like);
    for (std::size_t i = 0; i < widths.size(); ++i) spec.net.hidden[i].width = widths[i];
  }
  Result<app::Session> made = app::make_session(spec);
  if (!made.ok()) {
    std::fprintf(stderr, "bench: %s\n", made.error().message.c_str());
    return nullptr;
  }
  holder.emplace(std::move(*made));
  return &*holder;
}

// CPU time of this thread: on a shared machine, wall time also counts other processes' turns.
// -1 where the platform has no such clock (then wall time is used).
double thread_cpu_seconds() {
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return -1.0;
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The app playing at top speed (100 steps per frame, the largest the limits allow) on the
// data panel, as the platform's frame loop drives it minus drawing: app::tick() with its
// default training budget (main steps, paced eval metrics, the twin in lockstep, the
// percentile records), the progressive decision grid. Frames back to back (no vsync wait, no
// ImGui): steps/s = steps taken / CPU time of those frames (this thread's CPU time: a busy
// machine preempts; tick()'s own budget still counts wall time, as in the app). Fills `parts` with the mean
// frame's split (app::FrameCost). The session lives on across frames as in the app (its
// history and records grow), after 20 warm-up frames that let the pacing settle.
double bench_app_playing(const std::vector<int>& widths, const Options& opt, int& frames,
                         std::vector<std::pair<std::string, double>>& parts) {
  std::optional<app::Session> holder;
  app::Session* session = playing_session(widths, holder);
  if (session == nullptr) return 0.0;
  app::Session& s = *session;
  app::apply(s, app::act::SetSpeed{100});
  app::apply(s, app::act::Play{});
  for (int i = 0; i < 20; ++i) app::tick(s);
  app::FrameCost sum;
  std::int64_t steps = 0;
  frames = 0;
  const auto start = Clock::now();
  const double cpu_start = thread_cpu_seconds();
  while ((seconds_since(start) < std::max(1.0, 2.0 * opt.seconds_per_item) || frames < 60) && s.playing) {
    const app::TickReport r = app::tick(s);
    steps += r.steps_taken;
    ++frames;
    sum.main_steps_ms += r.cost.main_steps_ms;
    sum.twin_steps_ms += r.cost.twin_steps_ms;
    sum.records_ms += r.cost.records_ms;
    sum.step_other_ms += r.cost.step_other_ms;
    sum.grid_ms += r.cost.grid_ms;
    sum.neuron_maps_ms += r.cost.neuron_maps_ms;
    sum.twin_view_ms += r.cost.twin_view_ms;
    sum.study_ms += r.cost.study_ms;
    sum.measured_steps += r.cost.measured_steps;
  }
  const double wall = seconds_since(start);
  const double seconds = cpu_start >= 0.0 ? thread_cpu_seconds() - cpu_start : wall;
  if (!s.playing) std::fprintf(stderr, "bench: training stopped while playing\n");
  const double n = std::max(1, frames);
  parts = {{"frame", 1e3 * seconds / n},
           {"frame_wall", 1e3 * wall / n},
           {"steps_per_frame", static_cast<double>(steps) / n},
           {"measured_steps_per_frame", sum.measured_steps / n},
           {"main_steps", sum.main_steps_ms / n},
           {"twin_steps", sum.twin_steps_ms / n},
           {"records", sum.records_ms / n},
           {"step_other", sum.step_other_ms / n},
           {"grid", sum.grid_ms / n},
           {"neuron_maps", sum.neuron_maps_ms / n},
           {"twin_view", sum.twin_view_ms / n},
           {"study", sum.study_ms / n}};
  g_sink = g_sink + static_cast<float>(s.exp().metrics().step);
  return static_cast<double>(steps) / std::max(seconds, 1e-9);
}

Item item(const char* id, const char* label, const char* unit, const char* core_id = "") {
  Item it;
  it.id = id;
  it.label = label;
  it.unit = unit;
  it.core_id = core_id;
  return it;
}

}  // namespace

std::vector<Item> item_list() {
  return {
      item("bn_32x16", "BN fwd+bwd (N,C)=(32,16)", "us"),
      item("bn_256x64", "BN fwd+bwd (N,C)=(256,64)", "us"),
      item("bn_1024x256", "BN fwd+bwd (N,C)=(1024,256)", "us"),
      item("bn_32x16x16x16", "BN fwd+bwd (N,C,H,W)=(32,16,16,16)", "us"),
      item("mlp_2-8-8-2_b32", "MLP 2-8-8-2 +BN step, batch 32", "steps/s"),
      item("mlp_2-16-16-2_b32", "MLP 2-16-16-2 +BN step, batch 32", "steps/s"),
      item("mlp_2-16-16-2_b256", "MLP 2-16-16-2 +BN step, batch 256", "steps/s"),
      item("mlp_2-64-64-64-2_b32", "MLP 2-64-64-64-2 +BN step, batch 32", "steps/s"),
      item("mlp_2-64-64-64-2_b256", "MLP 2-64-64-64-2 +BN step, batch 256", "steps/s"),
      item("mlp_8x128_b32", "MLP 2-8x128-2 +BN step, batch 32", "steps/s"),
      item("grid_256x256", "Decision grid 256x256, 2-64-64-64-2", "ms"),
      item("app_frame_default", "App frame (tick+grid+maps+twin), default", "ms"),
      item("app_frame_8x128", "App frame (tick+grid+maps+twin), 8x128", "ms"),
      item("app_play_2-8-8-2", "App playing sp=100, 2-8-8-2 (default)", "steps/s", "mlp_2-8-8-2_b32"),
      item("app_play_2-64-64-64-2", "App playing sp=100, 2-64-64-64-2", "steps/s", "mlp_2-64-64-64-2_b32"),
      item("app_play_8x128", "App playing sp=100, 2-8x128-2", "steps/s", "mlp_8x128_b32"),
  };
}

std::vector<Item> run(const Options& options, void (*progress)(const std::string& id)) {
  std::vector<Item> items = item_list();
  for (Item& it : items) {
    // Items an app playing item compares with run too, so its ratio stays in one run.
    const bool wanted = options.only.empty() || it.id.rfind(options.only, 0) == 0 ||
                        std::any_of(items.begin(), items.end(), [&](const Item& other) {
                          return other.core_id == it.id && other.id.rfind(options.only, 0) == 0;
                        });
    if (!wanted) {
      it.id.clear();  // dropped below
      continue;
    }
    if (progress != nullptr) progress(it.id);
    int n = 0;
    if (it.id == "bn_32x16") it.value = 1e6 * bench_batchnorm(32, 16, 1, options, n);
    if (it.id == "bn_256x64") it.value = 1e6 * bench_batchnorm(256, 64, 1, options, n);
    if (it.id == "bn_1024x256") it.value = 1e6 * bench_batchnorm(1024, 256, 1, options, n);
    if (it.id == "bn_32x16x16x16") it.value = 1e6 * bench_batchnorm(32, 16, 256, options, n);
    if (it.id == "mlp_2-8-8-2_b32") it.value = bench_mlp({8, 8}, 32, options, n);
    if (it.id == "mlp_8x128_b32") it.value = bench_mlp(std::vector<int>(8, 128), 32, options, n);
    if (it.id == "mlp_2-16-16-2_b32") it.value = bench_mlp({16, 16}, 32, options, n);
    if (it.id == "mlp_2-16-16-2_b256") it.value = bench_mlp({16, 16}, 256, options, n);
    if (it.id == "mlp_2-64-64-64-2_b32") it.value = bench_mlp({64, 64, 64}, 32, options, n);
    if (it.id == "mlp_2-64-64-64-2_b256") it.value = bench_mlp({64, 64, 64}, 256, options, n);
    if (it.id == "grid_256x256") it.value = bench_grid({64, 64, 64}, 256, options, n);
    if (it.id == "app_frame_default") it.value = bench_app_frame({}, options, n);
    if (it.id == "app_frame_8x128") it.value = bench_app_frame(std::vector<int>(8, 128), options, n);
    if (it.id == "app_play_2-8-8-2") it.value = bench_app_playing({}, options, n, it.parts);
    if (it.id == "app_play_2-64-64-64-2") it.value = bench_app_playing({64, 64, 64}, options, n, it.parts);
    if (it.id == "app_play_8x128") it.value = bench_app_playing(std::vector<int>(8, 128), options, n, it.parts);
    it.samples = n;
    if (!it.core_id.empty()) {
      for (const Item& core : items)
        if (core.id == it.core_id && core.value > 0.0) it.vs_core = it.value / core.value;
    }
  }
  std::erase_if(items, [](const Item& it) { return it.id.empty(); });
  return items;
}

std::string variant_name() {
#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
  return "wasm-simd128";
#elif defined(__EMSCRIPTEN__)
  return "wasm-scalar";
#elif defined(__SSE4_2__) && defined(__POPCNT__)
  return "native-x86-64-v2";
#else
  return "native";
#endif
}

std::string to_json(const std::vector<Item>& items) {
  nlohmann::ordered_json out = {{"variant", variant_name()}, {"kernels", kernels::simd_name()}};
  out["items"] = nlohmann::ordered_json::array();
  for (const Item& it : items) {
    nlohmann::ordered_json j = {{"id", it.id}, {"label", it.label}, {"unit", it.unit}, {"value", it.value},
                                {"samples", it.samples}};
    if (!it.core_id.empty()) {
      j["core_id"] = it.core_id;
      j["vs_core"] = it.vs_core;
    }
    if (!it.parts.empty()) {
      j["parts"] = nlohmann::ordered_json::object();
      for (const auto& [name, ms] : it.parts) j["parts"][name] = ms;
    }
    out["items"].push_back(std::move(j));
  }
  return out.dump();  // a value that is not finite is written as null
}

}  // namespace nl::bench
