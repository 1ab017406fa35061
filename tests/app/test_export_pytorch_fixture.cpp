// Writes the inputs of the PyTorch golden test (test_export_pytorch.py): for several network
// specs, trains a few steps, then writes <dir>/case<i>.py (the snippet), case<i>_weights.json
// (the weights export) and case<i>_expect.json (settings, probe points and NormLab's
// eval-mode probabilities for them). Not a Catch2 test: the Python script asserts.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/actions.h"
#include "app/pytorch_snippet.h"
#include "app/settings_json.h"
#include "app/state_json.h"

using namespace nl;
using namespace nl::app;

namespace {

bool write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

std::vector<ExperimentSpec> cases() {
  std::vector<ExperimentSpec> out;
  ExperimentSpec s = default_spec();
  out.push_back(s);  // BatchNorm before ReLU, momentum 0.1
  s.net.hidden[1].placement = NormPlacement::kAfterActivation;
  s.net.hidden[1].activation = Activation::kTanh;
  s.net.norm.momentum = std::nullopt;  // cumulative average
  s.net.norm.eps = 1e-3f;
  out.push_back(s);
  s = default_spec();
  s.net.hidden[0].norm = NormKind::kLayerNorm;
  s.net.hidden[1].norm = NormKind::kGroupNorm;
  s.net.hidden[1].activation = Activation::kLeakyReLU;
  s.optimizer.kind = OptimizerKind::kAdam;
  s.optimizer.learning_rate = 0.01f;
  out.push_back(s);
  s = default_spec();
  s.net.norm.track_running_stats = false;
  s.net.norm.affine = false;
  s.net.hidden[0].activation = Activation::kSigmoid;
  s.net.init = InitScheme::kXavier;
  out.push_back(s);
  s = default_spec();
  s.net.hidden = {HiddenLayerSpec{16, Activation::kReLU, NormKind::kBatchRenorm, NormPlacement::kBeforeActivation},
                  HiddenLayerSpec{4, Activation::kIdentity, NormKind::kNone, NormPlacement::kBeforeActivation},
                  HiddenLayerSpec{6, Activation::kReLU, NormKind::kBatchNorm, NormPlacement::kAfterActivation}};
  s.optimizer.weight_decay = 1e-3f;
  s.optimizer.momentum = 0.5f;
  s.batch_size = 20;
  out.push_back(s);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  Matrix points(2, 7);
  points << -1.4f, -0.8f, -0.2f, 0.0f, 0.5f, 1.0f, 1.6f,  //
      0.9f, -0.4f, 0.3f, 0.0f, -1.1f, 0.7f, 0.2f;
  const auto specs = cases();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Result<Session> made = make_session(specs[i]);
    if (!made.ok()) {
      std::fprintf(stderr, "case %zu: %s\n", i, made.error().message.c_str());
      return 1;
    }
    Session& s = *made;
    apply(s, act::Step{40});
    if (s.notice) {
      std::fprintf(stderr, "case %zu: %s\n", i, s.notice->message.c_str());
      return 1;
    }
    const Matrix proba = s.exp().predict_proba(points);  // (2, M)
    nlohmann::json expect = {{"settings", settings_to_json(s.spec)}, {"points", nlohmann::json::array()},
                             {"proba", nlohmann::json::array()}};
    for (Index c = 0; c < points.cols(); ++c) {
      expect["points"].push_back({points(0, c), points(1, c)});
      expect["proba"].push_back({proba(0, c), proba(1, c)});
    }
    const std::string base = dir + "/case" + std::to_string(i);
    if (!write(base + ".py", pytorch_snippet(s.spec)) || !write(base + "_weights.json", weights_to_json(s).dump()) ||
        !write(base + "_expect.json", expect.dump())) {
      std::fprintf(stderr, "cannot write into %s\n", dir.c_str());
      return 1;
    }
  }
  std::printf("%zu cases written to %s\n", specs.size(), dir.c_str());
  return 0;
}
