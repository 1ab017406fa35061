// Playground limits (limits.h): depth, width and an estimate of the working memory.
#include "app/limits.h"

#include <algorithm>
#include <string>

namespace nl::app {

std::size_t estimate_working_bytes(const ExperimentSpec& spec, std::size_t train_points,
                                   std::size_t test_points) {
  const std::size_t batch = std::min<std::size_t>(static_cast<std::size_t>(std::max(spec.batch_size, 1)),
                                                  std::max<std::size_t>(train_points, 1));
  std::size_t sum_widths = 0, max_width = static_cast<std::size_t>(std::max(spec.net.output_width, 2));
  std::size_t prev = static_cast<std::size_t>(std::max(spec.net.input_width, 1));
  std::size_t per_sample = 0;  // floats cached per training sample for backward, all layers
  for (const HiddenLayerSpec& h : spec.net.hidden) {
    const auto w = static_cast<std::size_t>(std::max(h.width, 1));
    per_sample += prev + 8 * w;  // Linear input and output, norm x̂ and output, activation, gradients
    sum_widths += w;
    max_width = std::max(max_width, w);
    prev = w;
  }
  per_sample += prev + 4 * static_cast<std::size_t>(std::max(spec.net.output_width, 2));
  const std::size_t training = 2 * batch * per_sample;  // the main network and its twin
  const std::size_t eval = std::max(train_points, test_points) * (3 * max_width + 4);  // one layer at a time
  const std::size_t data = 3 * (train_points + test_points);
  const std::size_t grid = 64 * 64 * 4 * max_width + 16 * 16 * sum_widths;
  // Calibrated against the peak RSS of one step natively (8x128: 1500-point batch 125 MB
  // measured vs 122 MB estimated; 75000-point eval 92 MB measured vs 125 MB estimated).
  return 4 * (training + eval + data + grid);  // floats
}

Status check_playground_limits(const ExperimentSpec& spec, std::size_t train_points,
                               std::size_t test_points) {
  if (spec.net.hidden.size() > static_cast<std::size_t>(kMaxHiddenLayers))
    return make_error("The playground trains at most " + std::to_string(kMaxHiddenLayers) + " hidden layers (got " +
                          std::to_string(spec.net.hidden.size()) + ").",
                      "Remove layers in the Network panel.");
  for (std::size_t i = 0; i < spec.net.hidden.size(); ++i)
    if (spec.net.hidden[i].width > kMaxLayerWidth)
      return make_error("Hidden layer " + std::to_string(i + 1) + " has " + std::to_string(spec.net.hidden[i].width) +
                            " units; the playground allows at most " + std::to_string(kMaxLayerWidth) + ".",
                        "Use a narrower layer.");
  if (spec.net.input_width > kMaxInputWidth)
    return make_error("The input width " + std::to_string(spec.net.input_width) + " is above the playground's " +
                      std::to_string(kMaxInputWidth) + ".");
  const std::size_t bytes = estimate_working_bytes(spec, train_points, test_points);
  if (bytes > kMaxWorkingBytes) {
    const auto mb = [](std::size_t b) { return std::to_string((b + (1u << 20) - 1) >> 20); };
    return make_error("This setup would need about " + mb(bytes) + " MB while training, more than the playground's " +
                          mb(kMaxWorkingBytes) + " MB (batch size " + std::to_string(spec.batch_size) + ", " +
                          std::to_string(train_points + test_points) + " points).",
                      "Use a smaller batch size, fewer points or narrower layers.");
  }
  return Ok{};
}

}  // namespace nl::app
