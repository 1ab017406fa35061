// Plain-data specifications of an experiment: dataset, network, optimizer, batching.
// One schema for the app state, the URL, the CLI config and lessons; no behaviour here.
// Defaults follow PyTorch (BatchNorm eps 1e-5, momentum 0.1, affine, tracking on).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/enum_names.h"

namespace nl {

enum class DatasetKind { kTwoMoons, kCircles, kXor, kBlobs, kSpiral, kCheckerboard };
template <> struct EnumNames<DatasetKind> {
  static constexpr std::array<std::string_view, 6> values = {"two_moons", "circles", "xor", "blobs", "spiral", "checkerboard"};
};

struct DatasetSpec {
  DatasetKind kind = DatasetKind::kTwoMoons;
  int size = 200;              // total points, train + test
  float noise = 0.1f;          // std of Gaussian jitter, in data units
  float test_fraction = 0.25f; // share of points held out for the test set, in [0, 0.9]
  std::uint64_t seed = 1;
};

enum class Activation { kIdentity, kReLU, kLeakyReLU, kTanh, kSigmoid };
template <> struct EnumNames<Activation> {
  static constexpr std::array<std::string_view, 5> values = {"identity", "relu", "leaky_relu", "tanh", "sigmoid"};
};
enum class NormKind { kNone, kBatchNorm, kLayerNorm, kGroupNorm, kBatchRenorm };
template <> struct EnumNames<NormKind> {
  static constexpr std::array<std::string_view, 5> values = {"none", "batchnorm", "layernorm", "groupnorm", "batchrenorm"};
};
enum class NormPlacement { kBeforeActivation, kAfterActivation };
template <> struct EnumNames<NormPlacement> {
  static constexpr std::array<std::string_view, 2> values = {"before", "after"};
};
enum class InitScheme { kHe, kXavier, kSmallGaussian };
template <> struct EnumNames<InitScheme> {
  static constexpr std::array<std::string_view, 3> values = {"he", "xavier", "small_gaussian"};
};

// Options shared by every normalization layer of a network (PyTorch names and defaults).
struct NormOptions {
  float eps = 1e-5f;                   // added to the variance inside the square root
  std::optional<float> momentum = 0.1f;  // weight of the new batch; nullopt = cumulative average
  bool affine = true;                  // learnable gamma (init 1) and beta (init 0)
  bool track_running_stats = true;     // off: batch statistics in train and eval
  int groups = 2;                      // GroupNorm: number of groups (must divide the width)
  float r_max = 3.0f;                  // Batch Renorm clipping of r to [1/r_max, r_max]
  float d_max = 5.0f;                  // Batch Renorm clipping of d to [-d_max, d_max]
};

struct HiddenLayerSpec {
  int width = 8;
  Activation activation = Activation::kReLU;
  NormKind norm = NormKind::kBatchNorm;
  NormPlacement placement = NormPlacement::kBeforeActivation;
};

// Linear -> [norm] -> activation -> [norm] per hidden layer, then a Linear output layer
// with softmax cross-entropy over output_width classes.
struct NetworkSpec {
  int input_width = 2;
  std::vector<HiddenLayerSpec> hidden = {HiddenLayerSpec{}, HiddenLayerSpec{}};
  int output_width = 2;
  InitScheme init = InitScheme::kHe;
  NormOptions norm;
  std::uint64_t seed = 1;              // weight initialization
};

enum class OptimizerKind { kSgd, kAdam };
template <> struct EnumNames<OptimizerKind> {
  static constexpr std::array<std::string_view, 2> values = {"sgd", "adam"};
};

struct OptimizerSpec {
  OptimizerKind kind = OptimizerKind::kSgd;
  float learning_rate = 0.1f;
  float momentum = 0.9f;      // SGD only (PyTorch's heavy-ball form)
  float weight_decay = 0.0f;  // L2 added to the gradient, as torch.optim does
  float beta1 = 0.9f;         // Adam
  float beta2 = 0.999f;       // Adam
  float adam_eps = 1e-8f;     // Adam
};

struct ExperimentSpec {
  DatasetSpec data;
  NetworkSpec net;
  OptimizerSpec optimizer;
  int batch_size = 32;          // clamped to the training set size
  std::uint64_t shuffle_seed = 1;  // epoch shuffling (batch order)
};

}  // namespace nl
