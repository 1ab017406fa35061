// Helpers shared by inspector.cpp and gradcheck.cpp (selection checks, the inspected batch).
// Not a public API: other app files use app/inspector.h.
#pragma once

#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "app/session.h"

namespace nl::app::detail {

// The BatchNorm inside a layer: the layer itself, or a Batch Renorm's batch-statistics part
// (which holds γ, β and the running statistics); nullptr for any other layer.
template <typename T>
const BatchNormT<T>* batch_norm_of(const LayerT<T>& layer) {
  if (const auto* bn = std::get_if<BatchNormT<T>>(&layer)) return bn;
  if (const auto* brn = std::get_if<BatchRenormT<T>>(&layer)) return &brn->bn;
  return nullptr;
}
template <typename T>
BatchNormT<T>* batch_norm_of(LayerT<T>& layer) {
  return const_cast<BatchNormT<T>*>(batch_norm_of(static_cast<const LayerT<T>&>(layer)));
}

// Hidden layers (indices into Network::hidden()) whose norm layer is a BatchNorm or a
// Batch Renorm (the inspector shows both; GroupNorm/LayerNorm have no batch statistics).
std::vector<int> bn_hidden_layers(const Network& net);
// Why the inspector does not apply to hidden layer `layer` (none, LayerNorm, GroupNorm),
// or an empty string if it has a BatchNorm / Batch Renorm.
std::string not_inspectable_reason(const Session& s, int layer);
// Training-set indices of the inspected batch: the last step's mini-batch, or the first
// min(batch_size, N_train) points before any step. `source` (optional) says which.
std::vector<int> inspected_batch(const Experiment& e, std::string* source);
Matrix gather_columns(const Matrix& x, const std::vector<int>& idx);  // (D, idx.size())
std::vector<int> gather_labels(const std::vector<int>& y, const std::vector<int>& idx);
// Error text if (layer, feature, sample) is not a valid selection; else nullopt and
// *layer_index (if given) = the BatchNorm's index in Network::layers().
std::optional<std::string> validate_selection(const Session& s, int layer, int feature, int sample,
                                              int* layer_index);
// The inspector's layer, or the first BatchNorm hidden layer when none was chosen (-1 if none).
int resolved_layer(const Session& s);

}  // namespace nl::app::detail
