// Metrics over a network: eval-mode loss/accuracy over a set, per-layer pre-activation
// statistics on a probe batch, gradient and weight norms, percentiles.
// Not here: when they are computed (experiment.cpp) or how they are drawn.
#pragma once

#include <initializer_list>
#include <vector>

#include "core/experiment.h"
#include "core/network.h"

namespace nl {

struct EvalResult {
  float loss = 0.0f;      // mean softmax cross-entropy
  float accuracy = 0.0f;  // share of argmax == label
};

// Eval-mode (running statistics) loss and accuracy of `net` on (x, labels). No state changes.
EvalResult evaluate(const Network& net, const Matrix& x, const std::vector<int>& labels);
// Same, from logits (C, N) already computed by net.infer.
EvalResult evaluate_logits(const Matrix& logits, const std::vector<int>& labels);

// q-th quantile (q in [0, 1]) with linear interpolation between order statistics
// (numpy's default). values must not be empty.
float percentile(std::vector<float> values, float q);
// Several quantiles at once (selection, O(n) each), in the order given.
std::vector<float> percentiles(std::vector<float> values, std::initializer_list<float> qs);

// One LayerMetrics per hidden layer plus one for the output layer, with name and grad_norm
// (L2 over the gradients of the layer's Linear and norm parameters) from the last backward.
std::vector<LayerMetrics> hidden_layer_grad_norms(Network& net);

// Fills preact_* (eval mode on probe) and weight_norm of entries made by hidden_layer_grad_norms.
void fill_layer_metrics(const Network& net, const Matrix& probe, std::vector<LayerMetrics>& layers);
// Same, from every layer's eval output on the probe (net.infer(probe, &outputs)).
void fill_layer_metrics(const Network& net, const Matrix& probe, const std::vector<Matrix>& outputs,
                        std::vector<LayerMetrics>& layers);

}  // namespace nl
