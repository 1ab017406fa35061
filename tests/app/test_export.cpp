// Exports: CSV contents against the run's history, the PyTorch snippet's text, the outbox.
#include <catch2/catch.hpp>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "app/actions.h"
#include "app/export_actions.h"
#include "app/export_csv.h"
#include "app/pytorch_snippet.h"
#include "app/settings_json.h"
#include "app_fixtures.h"

using nl::app::testing::fresh_session;

namespace nl::app {
namespace {

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string c;
    std::istringstream ls(line);
    while (std::getline(ls, c, ',')) cells.push_back(c);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

TEST_CASE("export: the curves CSV has one line per step with the history's numbers", "[app][export]") {
  Session s = fresh_session();
  apply(s, act::Step{12});
  const auto& h = s.exp().history();
  const auto rows = parse_csv(curves_csv(h));
  REQUIRE(rows.size() == h.size() + 1);
  CHECK(rows[0] == std::vector<std::string>{"step", "epoch", "batch_loss", "train_loss", "test_loss",
                                            "train_accuracy", "test_accuracy"});
  for (std::size_t i = 0; i < h.size(); ++i) {
    const auto& r = rows[i + 1];
    REQUIRE(r.size() == 7);
    CHECK(std::stoll(r[0]) == h[i].step);
    CHECK(std::stoll(r[1]) == h[i].epoch);
    CHECK(std::stof(r[2]) == h[i].batch_loss);  // shortest decimal reads back exactly
    CHECK(std::stof(r[3]) == h[i].train_loss);
    CHECK(std::stof(r[6]) == h[i].test_accuracy);
  }
}

TEST_CASE("export: non-finite numbers are empty CSV cells", "[app][export]") {
  StepMetrics m;
  m.step = 3;
  m.batch_loss = std::numeric_limits<float>::quiet_NaN();
  m.train_loss = std::numeric_limits<float>::infinity();
  m.test_loss = 0.5f;
  LayerMetrics l;
  l.name = "hidden1";
  l.grad_norm = std::numeric_limits<float>::quiet_NaN();
  m.layers = {l};
  const std::string curves = curves_csv({m});
  CHECK(curves.find("\n3,0,,,0.5,0,0\n") != std::string::npos);
  const std::string layers = layers_csv({m});
  CHECK(layers.find("\n3,hidden1,0,0,0,0,0,0,\n") != std::string::npos);
  CHECK(curves.find("nan") == std::string::npos);
  CHECK(curves.find("inf") == std::string::npos);
}

TEST_CASE("export: the layers CSV has one line per step and layer", "[app][export]") {
  Session s = fresh_session();
  apply(s, act::Step{4});
  const auto& h = s.exp().history();
  const auto rows = parse_csv(layers_csv(h));
  const std::size_t layers = h.back().layers.size();
  REQUIRE(layers == 3);  // hidden1, hidden2, output
  REQUIRE(rows.size() == 1 + h.size() * layers);
  CHECK(rows[0][1] == "layer");
  for (std::size_t i = 0; i < h.size(); ++i)
    for (std::size_t l = 0; l < layers; ++l) {
      const auto& r = rows[1 + i * layers + l];
      REQUIRE(r.size() == 9);
      CHECK(std::stoll(r[0]) == h[i].step);
      CHECK(r[1] == h[i].layers[l].name);
      CHECK(std::stof(r[2]) == h[i].layers[l].preact_mean);
      CHECK(std::stof(r[7]) == h[i].layers[l].weight_norm);
      CHECK(std::stof(r[8]) == h[i].layers[l].grad_norm);
    }
}

TEST_CASE("export: the PyTorch snippet carries the normalization and optimizer settings", "[app][export]") {
  ExperimentSpec spec = default_spec();
  spec.net.norm.eps = 1e-3f;
  spec.net.norm.momentum = std::nullopt;
  spec.net.norm.track_running_stats = false;
  spec.net.hidden[1].placement = NormPlacement::kAfterActivation;
  spec.net.hidden[1].activation = Activation::kTanh;
  spec.batch_size = 24;
  std::string py = pytorch_snippet(spec);
  CHECK(py.find("nn.BatchNorm1d(8, eps=0.001, momentum=None, affine=True, track_running_stats=False)") !=
        std::string::npos);
  CHECK(py.find("BATCH_SIZE = 24") != std::string::npos);
  CHECK(py.find("torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0)") != std::string::npos);
  CHECK(py.find("kaiming_normal_") != std::string::npos);
  // Layer 2: Linear, Tanh, then BatchNorm (after the activation).
  const auto l2 = py.find("nn.Linear(8, 8)");
  REQUIRE(l2 != std::string::npos);
  CHECK(py.find("nn.Tanh()", l2) < py.find("nn.BatchNorm1d", l2));
  CHECK(py.find("NORM_PLACEMENT = [\"before\", \"after\"]") != std::string::npos);

  spec.optimizer.kind = OptimizerKind::kAdam;
  spec.optimizer.learning_rate = 0.003f;
  spec.net.hidden[0].norm = NormKind::kGroupNorm;
  spec.net.hidden[1].norm = NormKind::kLayerNorm;
  spec.net.init = InitScheme::kXavier;
  py = pytorch_snippet(spec);
  CHECK(py.find("torch.optim.Adam(model.parameters(), lr=0.003, betas=(0.9, 0.999), eps=1e-08, weight_decay=0)") !=
        std::string::npos);
  CHECK(py.find("nn.GroupNorm(2, 8, eps=0.001, affine=True)") != std::string::npos);
  CHECK(py.find("nn.LayerNorm(8, eps=0.001, elementwise_affine=True)") != std::string::npos);
  CHECK(py.find("xavier_normal_") != std::string::npos);
  CHECK(py.find("nn.BatchNorm1d(") == std::string::npos);
}

TEST_CASE("export: each kind puts one named file into the outbox", "[app][export]") {
  Session s = fresh_session();
  apply(s, act::Step{3});
  const char* names[] = {"normlab-state.json", "normlab-weights.json", "normlab-curves.csv",
                         "normlab-layers.csv", "normlab_model.py",     "normlab.png"};
  for (int k = 0; k < kExportKindCount; ++k) apply_export(s, act::Export{static_cast<ExportKind>(k)});
  REQUIRE(s.outbox.size() == static_cast<std::size_t>(kExportKindCount));
  for (int k = 0; k < kExportKindCount; ++k) {
    const ExportFile& f = s.outbox[static_cast<std::size_t>(k)];
    CHECK(f.name == names[k]);
    CHECK(f.kind == static_cast<ExportKind>(k));
    CHECK(f.content.empty() == (f.kind == ExportKind::kPng));
    CHECK(parse_export_kind(kExportKindNames[static_cast<std::size_t>(k)]) == f.kind);
  }
  CHECK(s.outbox[2].content == curves_csv(s.exp().history()));
  CHECK_FALSE(parse_export_kind("gif").has_value());
  apply_export(s, act::Export{static_cast<ExportKind>(42)});
  CHECK(s.notice.has_value());
  CHECK(s.outbox.size() == static_cast<std::size_t>(kExportKindCount));
}

TEST_CASE("export: an exported state file imports through the action", "[app][export]") {
  Session a = fresh_session();
  apply(a, act::Step{9});
  apply_export(a, act::Export{ExportKind::kStateJson});
  REQUIRE(a.outbox.size() == 1);
  Session b = fresh_session();
  apply_export(b, act::ImportState{a.outbox[0].content});
  REQUIRE(b.notice.has_value());
  CHECK(b.notice->message.find("Imported") != std::string::npos);
  CHECK(b.exp().metrics().step == 9);
  apply_export(b, act::ImportState{"{\"format\": \"normlab-state\", \"version\": 1, \"playing\": 3}"});
  REQUIRE(b.notice.has_value());
  CHECK(b.notice->message.find("playing") != std::string::npos);
  CHECK(b.exp().metrics().step == 9);  // unchanged
  apply_export(b, act::ShowExportWindow{true});
  CHECK(b.view.show_export);
}

}  // namespace
}  // namespace nl::app
