// The settings schema: every experiment setting's facts, declared once — its key in settings
// and state files, lesson presets, actions and the page API; its link key; its range; the
// range of its control; what it means. From it come the settings reader and writer
// (settings_json.cpp), the link keys (url_state.cpp), apply()'s checks (actions.cpp,
// builder.cpp), the controls' bounds (ui/) and the reference tables (settings_reference.cpp,
// checked against the README by tests/app/test_settings_schema.cpp).
//
// HOW TO ADD A SETTING: add the member to its struct (core/spec.h), one Field below, and one
// line in visit_spec (or visit_hidden_layer) that pairs the two. Every path above follows;
// regenerate the README table with `normlab-cli reference`.
//
//   if (auto why = refusal(field::kNoise, 3.0)) show(*why);  // "data.noise must be in [0, 10] (got 3)"
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/limits.h"
#include "core/spec.h"

namespace nl::app {

enum class FieldType {
  kNumber,    // a finite float in the range
  kInteger,   // a whole number in the range
  kSeed,      // a whole number in [0, 2^63 - 1]
  kBool,
  kChoice,    // an enum, by the names of spec_enum_names / enum_names
  kMomentum,  // a number in the range, or the cumulative average (null in JSON, "cma" in links)
  kLayers,    // the hidden layers (an array in JSON, "8r-b,8r-b" in links)
};

struct Field {
  FieldType type = FieldType::kNumber;
  std::string_view key{};  // path in settings files ("optimizer.learning_rate"); hidden-layer
                          // fields are relative to one layer ("width")
  std::string_view url{};  // link key; "" = not part of links
  double lo = 0.0, hi = 0.0;  // valid range (numbers, integers; for kLayers: the layer count)
  bool lo_open = false, hi_open = false;
  double slider_lo = 0.0, slider_hi = 0.0;  // the control's range when narrower than the valid
                                            // one (a wider value from a file or link is kept)
  bool log_slider = false;
  std::string_view help{};

  // The last part of the key ("learning_rate"): the field's name inside its JSON object.
  constexpr std::string_view leaf() const {
    const auto dot = key.rfind('.');
    return dot == std::string_view::npos ? key : key.substr(dot + 1);
  }
  constexpr double control_lo() const { return slider_lo == slider_hi ? lo : slider_lo; }
  constexpr double control_hi() const { return slider_lo == slider_hi ? hi : slider_hi; }
};

// True when v is finite and within the field's range.
bool accepts(const Field& f, double v);
// "[0, 10]", "(0, 100]", "[0, 1)"; integers print as integers.
std::string range_text(const Field& f);
// nullopt when accepted, else "<key> must be in <range> (got <v>)" ("... must be a finite
// number" for NaN and infinities). key_path overrides the field's key (e.g. "net.hidden[1].width").
std::optional<std::string> refusal(const Field& f, double v, std::string_view key_path = {});

// The first field of `spec` outside its range, as refusal() words it ("net.hidden[2].width must
// be an integer in [1, 128] (got 300)"); nullopt when every field is valid. make_session runs it,
// so every way a spec arrives (file, link, action, page API, lesson) is checked the same way.
std::optional<std::string> spec_refusal(const ExperimentSpec& spec);

inline constexpr std::int64_t kMaxSeed = std::numeric_limits<std::int64_t>::max();

namespace field {

// data
inline constexpr Field kDataKind{.type = FieldType::kChoice, .key = "data.kind", .url = "ds",
                                 .help = "the toy dataset"};
inline constexpr Field kDataSize{.type = FieldType::kInteger, .key = "data.size", .url = "n", .lo = 8,
                                 .hi = 100000, .slider_lo = 20, .slider_hi = 2000, .log_slider = true,
                                 .help = "number of points, train + test"};
inline constexpr Field kNoise{.type = FieldType::kNumber, .key = "data.noise", .url = "noise", .lo = 0,
                              .hi = 10, .slider_lo = 0, .slider_hi = 0.5,
                              .help = "standard deviation of the Gaussian jitter, in data units"};
inline constexpr Field kTestFraction{.type = FieldType::kNumber, .key = "data.test_fraction", .url = "tf",
                                     .lo = 0, .hi = 0.9, .help = "share of the points held out for testing"};
inline constexpr Field kDataSeed{.type = FieldType::kSeed, .key = "data.seed", .url = "dseed",
                                 .help = "seed of the data generator"};

// network
inline constexpr Field kInputWidth{.type = FieldType::kInteger, .key = "net.input_width", .lo = 1,
                                   .hi = kMaxInputWidth, .help = "inputs per sample"};
inline constexpr Field kOutputWidth{.type = FieldType::kInteger, .key = "net.output_width", .lo = 2,
                                    .hi = kMaxLayerWidth, .help = "classes"};
inline constexpr Field kHidden{.type = FieldType::kLayers, .key = "net.hidden", .url = "h", .lo = 0,
                               .hi = kMaxHiddenLayers, .help = "the hidden layers, input to output"};
inline constexpr Field kInit{.type = FieldType::kChoice, .key = "net.init", .url = "init",
                             .help = "weight initialization"};
inline constexpr Field kNetSeed{.type = FieldType::kSeed, .key = "net.seed", .url = "nseed",
                                .help = "seed of the weight initialization"};
// one hidden layer (net.hidden[i].*)
inline constexpr Field kLayerWidth{.type = FieldType::kInteger, .key = "width", .lo = 1,
                                   .hi = kMaxLayerWidth, .help = "neurons in the layer"};
inline constexpr Field kActivation{.type = FieldType::kChoice, .key = "activation",
                                   .help = "the layer's activation (leaky_relu: slope 0.01)"};
inline constexpr Field kNorm{.type = FieldType::kChoice, .key = "norm", .help = "the layer's normalization"};
inline constexpr Field kPlacement{.type = FieldType::kChoice, .key = "placement",
                                  .help = "normalization before or after the activation"};
// normalization options (every normalization layer)
inline constexpr Field kNormEps{.type = FieldType::kNumber, .key = "net.norm.eps", .url = "eps", .lo = 0,
                                .hi = 1, .lo_open = true, .slider_lo = 1e-8, .slider_hi = 1e-1,
                                .log_slider = true, .help = "added to the variance inside the square root"};
inline constexpr Field kNormMomentum{.type = FieldType::kMomentum, .key = "net.norm.momentum", .url = "mom",
                                     .lo = 0, .hi = 1, .slider_lo = 0.001, .slider_hi = 1,
                                     .log_slider = true,
                                     .help = "weight of the new batch in the running statistics; null "
                                             "(links: cma) = cumulative average"};
inline constexpr Field kAffine{.type = FieldType::kBool, .key = "net.norm.affine", .url = "aff",
                               .help = "learnable gamma and beta"};
inline constexpr Field kTrackRunningStats{.type = FieldType::kBool, .key = "net.norm.track_running_stats",
                                          .url = "trs",
                                          .help = "keep running statistics (off: batch statistics in eval too)"};
inline constexpr Field kGroups{.type = FieldType::kInteger, .key = "net.norm.groups", .url = "grp", .lo = 1,
                               .hi = kMaxLayerWidth, .slider_lo = 1, .slider_hi = 8,
                               .help = "GroupNorm's number of groups (divides every GroupNorm width)"};
inline constexpr Field kRMax{.type = FieldType::kNumber, .key = "net.norm.r_max", .url = "rmax", .lo = 1,
                             .hi = 1e6, .slider_lo = 1, .slider_hi = 10,
                             .help = "Batch Renorm: r is clipped to [1/r_max, r_max]"};
inline constexpr Field kDMax{.type = FieldType::kNumber, .key = "net.norm.d_max", .url = "dmax", .lo = 0,
                             .hi = 1e6, .slider_lo = 0, .slider_hi = 10,
                             .help = "Batch Renorm: d is clipped to [-d_max, d_max]"};

// optimizer and batches
inline constexpr Field kOptimizerKind{.type = FieldType::kChoice, .key = "optimizer.kind", .url = "opt",
                                      .help = "the optimizer"};
inline constexpr Field kLearningRate{.type = FieldType::kNumber, .key = "optimizer.learning_rate", .url = "lr",
                                     .lo = 0, .hi = 100, .lo_open = true, .slider_lo = 0.001, .slider_hi = 10,
                                     .log_slider = true, .help = "step size"};
inline constexpr Field kSgdMomentum{.type = FieldType::kNumber, .key = "optimizer.momentum", .url = "om",
                                    .lo = 0, .hi = 1, .hi_open = true, .slider_lo = 0, .slider_hi = 0.99,
                                    .help = "SGD's heavy-ball momentum"};
inline constexpr Field kWeightDecay{.type = FieldType::kNumber, .key = "optimizer.weight_decay", .url = "wd",
                                    .lo = 0, .hi = 10, .slider_lo = 0, .slider_hi = 0.1,
                                    .help = "L2 penalty added to the gradient, as torch.optim does"};
inline constexpr Field kBeta1{.type = FieldType::kNumber, .key = "optimizer.beta1", .url = "b1", .lo = 0,
                              .hi = 1, .hi_open = true, .help = "Adam's first-moment decay"};
inline constexpr Field kBeta2{.type = FieldType::kNumber, .key = "optimizer.beta2", .url = "b2", .lo = 0,
                              .hi = 1, .hi_open = true, .help = "Adam's second-moment decay"};
inline constexpr Field kAdamEps{.type = FieldType::kNumber, .key = "optimizer.eps", .url = "aeps", .lo = 0,
                                .hi = 1, .lo_open = true, .help = "Adam's eps"};
inline constexpr Field kBatchSize{.type = FieldType::kInteger, .key = "batch_size", .url = "bs", .lo = 1,
                                  .hi = 100000, .help = "samples per mini-batch (at most the training set)"};
inline constexpr Field kShuffleSeed{.type = FieldType::kSeed, .key = "shuffle_seed", .url = "sseed",
                                    .help = "seed of the epoch shuffling"};

// training (not part of settings files: links, actions, the state document's training part)
inline constexpr Field kSpeed{.type = FieldType::kInteger, .key = "steps_per_frame", .url = "sp", .lo = 1,
                              .hi = 100, .help = "training steps per frame while playing"};
inline constexpr Field kStopLossTarget{.type = FieldType::kNumber, .key = "stop.target_train_loss",
                                       .url = "slt", .lo = 0, .hi = 10,
                                       .help = "pause when the training loss reaches this"};
inline constexpr Field kStopMaxSteps{.type = FieldType::kInteger, .key = "stop.max_steps", .url = "ssn",
                                     .lo = 1, .hi = 1e9, .help = "pause at this step"};

}  // namespace field

// Pairs every field of an ExperimentSpec with its member, in the order links are written.
// V provides: group(name, body), number(field, float&), integer(field, int&),
// seed(field, uint64&), boolean(field, bool&), choice(field, E&), momentum(field,
// optional<float>&), layers(field, vector<HiddenLayerSpec>&). Const and non-const specs both work.
template <class V, class Spec>
void visit_spec(V& v, Spec& s) {
  v.group("data", [&] {
    v.choice(field::kDataKind, s.data.kind);
    v.integer(field::kDataSize, s.data.size);
    v.number(field::kNoise, s.data.noise);
    v.number(field::kTestFraction, s.data.test_fraction);
    v.seed(field::kDataSeed, s.data.seed);
  });
  v.group("net", [&] {
    v.layers(field::kHidden, s.net.hidden);
    v.choice(field::kInit, s.net.init);
    v.seed(field::kNetSeed, s.net.seed);
    v.group("norm", [&] {
      v.number(field::kNormEps, s.net.norm.eps);
      v.momentum(field::kNormMomentum, s.net.norm.momentum);
      v.boolean(field::kAffine, s.net.norm.affine);
      v.boolean(field::kTrackRunningStats, s.net.norm.track_running_stats);
      v.integer(field::kGroups, s.net.norm.groups);
      v.number(field::kRMax, s.net.norm.r_max);
      v.number(field::kDMax, s.net.norm.d_max);
    });
    v.integer(field::kInputWidth, s.net.input_width);
    v.integer(field::kOutputWidth, s.net.output_width);
  });
  v.group("optimizer", [&] {
    v.choice(field::kOptimizerKind, s.optimizer.kind);
    v.number(field::kLearningRate, s.optimizer.learning_rate);
    v.number(field::kSgdMomentum, s.optimizer.momentum);
    v.number(field::kWeightDecay, s.optimizer.weight_decay);
    v.number(field::kBeta1, s.optimizer.beta1);
    v.number(field::kBeta2, s.optimizer.beta2);
    v.number(field::kAdamEps, s.optimizer.adam_eps);
  });
  v.integer(field::kBatchSize, s.batch_size);
  v.seed(field::kShuffleSeed, s.shuffle_seed);
}

// A visitor base for code that treats every kind of field alike: visit_spec's calls all go to
// Derived::at(field, member) (groups are entered without a name).
template <class Derived>
struct EveryField {
  template <class Body> void group(const char*, Body&& body) { body(); }
  template <class T> void number(const Field& f, T& m) { self().at(f, m); }
  template <class T> void integer(const Field& f, T& m) { self().at(f, m); }
  template <class T> void seed(const Field& f, T& m) { self().at(f, m); }
  template <class T> void boolean(const Field& f, T& m) { self().at(f, m); }
  template <class T> void choice(const Field& f, T& m) { self().at(f, m); }
  template <class T> void momentum(const Field& f, T& m) { self().at(f, m); }
  template <class T> void layers(const Field& f, T& m) { self().at(f, m); }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
};

// The fields of one hidden layer (net.hidden[i]).
template <class V, class Layer>
void visit_hidden_layer(V& v, Layer& h) {
  v.integer(field::kLayerWidth, h.width);
  v.choice(field::kActivation, h.activation);
  v.choice(field::kNorm, h.norm);
  v.choice(field::kPlacement, h.placement);
}

}  // namespace nl::app
